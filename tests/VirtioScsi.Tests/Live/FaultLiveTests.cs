using System;
using System.Linq;
using System.Threading;
using VirtioScsi.Engine;
using VirtioScsi.Errors;
using VirtioScsi.Libvirt;
using VirtioScsi.Model;
using VirtioScsi.Planning;
using VirtioScsi.Virsh;
using Xunit;
using Xunit.Abstractions;

namespace VirtioScsi.Tests.Live;

/// <summary>A running test guest (it answers ACPI unplug, so a hot-plugged controller can be rolled back), shared by the fault tests.</summary>
public sealed class FaultGuestFixture : IDisposable
{
    private TestGuest? _guest;

    public TestGuest Guest(ITestOutputHelper output)
    {
        if (_guest is not null) return _guest;
        _guest = TestGuest.Create("conc", "", directKernel: true, output, start: true);
        _guest.WaitFor(l => l.StartsWith("ready"), TimeSpan.FromSeconds(120), "that it is ready");
        return _guest;
    }

    /// <summary>A fresh guest instead of one a failed test left devices in, so one failure stays one failure.</summary>
    public TestGuest Replace(ITestOutputHelper output)
    {
        _guest?.Dispose();
        _guest = null;
        return Guest(output);
    }

    public void Dispose() => _guest?.Dispose();
}

/// <summary>
/// Faults injected into the real stack through <see cref="FaultyVirsh"/>: virsh hanging at each step of an
/// attach and in its rollback, libvirtd lost in the middle, another tool changing the domain between the
/// module's read and its change, and Ctrl+C at any moment. Each ends with the domain as it was, the complete
/// result, or an error that says exactly what is left and how to remove it (and that command works).
/// </summary>
public sealed class FaultLiveTests : IClassFixture<FaultGuestFixture>, IDisposable
{
    private static readonly TimeSpan VirshTimeout = TimeSpan.FromSeconds(4);
    private readonly ITestOutputHelper _output;
    private readonly FaultGuestFixture _fixture;
    private readonly FaultyVirsh _virsh = FaultyVirsh.Create();
    private IscsiLun? _lun;

    public FaultLiveTests(ITestOutputHelper output, FaultGuestFixture fixture)
    {
        _output = output;
        _fixture = fixture;
    }

    public void Dispose()
    {
        _virsh.Dispose();
        _lun?.Dispose();
    }

    private ScsiManager Faulty(TimeSpan? rollbackTimeout = null) =>
        new(new VirshSessionRunner(new VirshProgram(LiveStack.Uri, VirshTimeout, _virsh.Program, _output.WriteLine)), rollbackTimeout);

    private LunRequest Request()
    {
        _lun ??= IscsiLun.Create("conc");
        return new LunRequest(LunSource.FromIscsiParameters(_lun.Portal, _lun.Iqn, _lun.Lun));
    }

    /// <summary>The SCSI controllers and disks of both definitions, as the test's own virsh reads them.</summary>
    private static string Scsi(string domain)
    {
        string Of(DomainDefinition d) =>
            string.Join(",", d.ScsiControllers.Select(c => $"c{c.Index}:{c.Model}")) + "|" +
            string.Join(",", d.ScsiDisks.Select(k => $"{k.TargetDevice}@{k.Address}"));
        var live = LiveStack.Run("virsh", "--connect", LiveStack.Uri, "domstate", domain).Output.Trim() == "running"
            ? Of(DomainDefinition.Parse(LiveStack.DumpXml(domain))) : "-";
        return "live " + live + " config " + Of(DomainDefinition.Parse(LiveStack.DumpXml(domain, inactive: true)));
    }

    private string RunningGuest()
    {
        var guest = _fixture.Guest(_output);
        var state = Scsi(guest.Name);
        if (state != "live | config |")
        {
            // An earlier test failed and left this guest changed; that test reported it. This one starts clean.
            _output.WriteLine($"guest {guest.Name} was left as '{state}' by an earlier test: starting a fresh guest");
            guest = _fixture.Replace(_output);
        }
        Assert.Equal("live | config |", Scsi(guest.Name));
        return guest.Name;
    }

    /// <summary>Plans an attach to the running guest (a new controller, then the LUN), arms the faults, and applies it: it must fail.</summary>
    private (string Domain, string Before, VirtioScsiException Error) AttachWith(TimeSpan? rollbackTimeout, params string[] faults)
    {
        var domain = RunningGuest();
        var before = Scsi(domain);
        var manager = Faulty(rollbackTimeout);
        var plan = manager.PlanLunAttach(domain, Request(), false, false);
        Assert.Equal(0, plan.NewControllerIndex);
        foreach (var fault in faults) _virsh.Arm(fault);
        var e = Assert.Throws<VirtioScsiException>(() => manager.ApplyLunAttach(plan));
        _output.WriteLine(e.ErrorId + ": " + e.FullMessage);
        foreach (var fault in faults) Assert.True(_virsh.Fired(fault), fault + " did not fire");
        return (domain, before, e);
    }

    private void AssertRolledBack(string domain, VirtioScsiException e, string causeId, string before)
    {
        _output.WriteLine(e.ErrorId + ": " + e.FullMessage);
        Assert.Equal(causeId, e.ErrorId);
        Assert.Equal(before, Scsi(domain));
    }

    [SkippableFact]
    public void Virsh_hanging_on_the_lun_step_times_out_and_takes_the_new_controller_out_again()
    {
        LiveStack.Require();
        var (domain, before, e) = AttachWith(null, "hang-before-lun");
        AssertRolledBack(domain, e, ErrorIds.VirshTimedOut, before);
        Assert.Contains("Undone: Add virtio-scsi controller 0", e.Message);
    }

    [SkippableFact]
    public void Virsh_hanging_after_libvirt_added_the_controller_is_looked_up_and_undone()
    {
        LiveStack.Require();
        var (domain, before, e) = AttachWith(null, "hang-after-controller");
        AssertRolledBack(domain, e, ErrorIds.VirshTimedOut, before);
        Assert.Contains("Undone: Add virtio-scsi controller 0", e.Message);
    }

    [SkippableFact]
    public void Virsh_hanging_on_the_read_back_after_the_lun_landed_takes_lun_and_controller_out_again()
    {
        LiveStack.Require();
        var (domain, before, e) = AttachWith(null, "hang-on-read");
        AssertRolledBack(domain, e, ErrorIds.VirshTimedOut, before);
        Assert.Contains("Undone: Attach", e.Message);
        Assert.Contains("Undone: Add virtio-scsi controller 0", e.Message);
    }

    [SkippableFact]
    public void Virsh_hanging_on_the_rollback_itself_ends_in_RollbackIncomplete_with_the_cause_first_and_a_command_that_works()
    {
        LiveStack.Require();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var (domain, before, e) = AttachWith(TimeSpan.FromSeconds(3), "hang-before-lun", "hang-on-detach");
        Assert.Equal(ErrorIds.RollbackIncomplete, e.ErrorId);
        Assert.StartsWith("virsh did not finish within 4 s", e.Message);
        Assert.Equal(ErrorIds.VirshTimedOut, Assert.IsType<VirtioScsiException>(e.InnerException).ErrorId);
        Assert.Contains("Left behind in domain", e.Message);
        Assert.Contains("virtio-scsi controller 0 (live and persistent)", e.Message);
        var command = $"Remove-ScsiController -Domain '{domain}' -Index 0 -Force";
        Assert.Contains(command, e.RecommendedAction);
        // LUN step 4 s, rollback 3 s, and the looks at the domain around it.
        Assert.InRange(clock.Elapsed.TotalSeconds, 6, 16);

        // What the error says is left, and the command it gives removes it.
        Assert.NotEqual(before, Scsi(domain));
        Remove(LiveStack.Manager(), domain);
        Assert.Equal(before, Scsi(domain));
    }

    [SkippableFact]
    public void Libvirtd_lost_in_the_middle_of_an_attach_is_reported_with_what_may_be_left_and_cleaned_up_when_it_is_back()
    {
        LiveStack.Require();
        VirtioScsiException e;
        string domain, before;
        try
        {
            (domain, before, e) = AttachWith(TimeSpan.FromSeconds(3), "drop-connection-at-lun");
        }
        finally
        {
            _virsh.Down = false;
        }
        Assert.Equal(ErrorIds.RollbackIncomplete, e.ErrorId);
        // The step, then virsh's words: what it said of the dropped connection, and that it ended under the step.
        Assert.StartsWith("Attach ", e.Message);
        Assert.Contains("End of file while reading data", e.Message);
        Assert.Contains("virsh ended before the command finished", e.Message);
        Assert.Contains("could not be read", e.Message);
        Assert.Contains("perhaps", e.Message);
        Assert.Contains("virtio-scsi controller 0", e.Message);
        Assert.Contains($"Remove-ScsiController -Domain '{domain}' -Index 0 -Force", e.RecommendedAction);

        // libvirtd is back: the next attach under the module's lock adopts the controller left behind.
        var next = LiveStack.Manager();
        var disk = next.ApplyLunAttach(next.PlanLunAttach(domain, Request(), false, false));
        Assert.Equal(0, disk.Controller);
        Assert.Contains("c0:virtio-scsi|sda@0:0:0:0", Scsi(domain));
        Assert.DoesNotContain("c1", Scsi(domain));
        Remove(next, domain);
        Assert.Equal(before, Scsi(domain));
    }

    [SkippableFact]
    public void Stop_at_any_moment_of_an_attach_leaves_the_complete_lun_or_the_domain_as_it_was()
    {
        LiveStack.Require();
        var domain = RunningGuest();
        var before = Scsi(domain);
        var manager = LiveStack.Manager();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        manager.ApplyLunAttach(manager.PlanLunAttach(domain, Request(), false, false));
        var duration = clock.Elapsed;
        Remove(manager, domain);
        Assert.Equal(before, Scsi(domain));

        int complete = 0, undone = 0;
        for (var k = 0; k < 8; k++)
        {
            var plan = manager.PlanLunAttach(domain, Request(), false, false);
            using var stop = new CancellationTokenSource(TimeSpan.FromTicks(duration.Ticks * k / 7));
            try
            {
                manager.ApplyLunAttach(plan, stop.Token);
            }
            catch (OperationCanceledException)
            {
            }
            var after = Scsi(domain);
            _output.WriteLine($"stopped after {duration.TotalMilliseconds * k / 7:0} ms: {after}");
            if (after == before)
            {
                undone++;
                continue;
            }
            // Otherwise the whole result, in both definitions.
            Assert.Equal("live c0:virtio-scsi|sda@0:0:0:0 config c0:virtio-scsi|sda@0:0:0:0", after);
            complete++;
            Remove(manager, domain);
            Assert.Equal(before, Scsi(domain));
        }
        _output.WriteLine($"{complete} complete, {undone} undone");
    }

    private static void Remove(ScsiManager manager, string domain) =>
        manager.ApplyRemoval(manager.PlanControllerRemoval(domain, 0, force: true, live: false, config: false), TimeSpan.FromSeconds(20));

    [SkippableFact]
    public void Another_tool_taking_the_planned_name_and_address_meanwhile_makes_the_module_plan_again()
    {
        LiveStack.Require();
        using var domain = TestDomain.Create("conc", "<controller type='scsi' index='0' model='virtio-scsi'/>", start: false);
        var manager = Faulty();
        var plan = manager.PlanLunAttach(domain.Name, Request(), false, false);
        Assert.Equal("sda", plan.TargetDevice);
        _virsh.SetOutside(domain.Name,
            "<disk type='network' device='lun'><driver name='qemu' type='raw' cache='none'/>" +
            "<source protocol='iscsi' name='iqn.2026-11.test.virtioscsi:outside/1'><host name='127.0.0.1' port='3260'/></source>" +
            "<target dev='sda' bus='scsi'/><address type='drive' controller='0' bus='0' target='0' unit='0'/></disk>");
        _virsh.Arm("outside-attach-before-lun");
        var disk = manager.ApplyLunAttach(plan);
        Assert.True(_virsh.Fired("outside-attach-before-lun"));
        Assert.Equal("sdb", disk.TargetDevice);
        Assert.Equal("0:0:0:1", disk.Address);
        Assert.Equal("live - config c0:virtio-scsi|sda@0:0:0:0,sdb@0:0:0:1", Scsi(domain.Name));
    }

    [SkippableFact]
    public void A_lun_that_libvirt_put_on_an_invented_lsi_controller_is_not_reported_as_attached()
    {
        LiveStack.Require();
        using var domain = TestDomain.Create("conc", start: false);
        var manager = Faulty();
        var plan = manager.PlanLunAttach(domain.Name, Request(), false, false);
        Assert.Equal(0, plan.NewControllerIndex);
        // Another tool removes the controller the module just added; libvirt then invents an lsilogic one for the LUN.
        _virsh.SetOutside(domain.Name, "<controller type='scsi' index='0' model='virtio-scsi'/>");
        _virsh.Arm("outside-detach-before-lun");
        var e = Assert.Throws<VirtioScsiException>(() => manager.ApplyLunAttach(plan));
        _output.WriteLine(e.ErrorId + ": " + e.FullMessage);
        Assert.True(_virsh.Fired("outside-detach-before-lun"));
        var cause = e.ErrorId == ErrorIds.RollbackIncomplete ? (VirtioScsiException)e.InnerException! : e;
        Assert.Equal(ErrorIds.AttachNotAsPlanned, cause.ErrorId);
        Assert.Contains("lsilogic", cause.Message);
        // The LUN that landed wrongly was taken out again.
        Assert.DoesNotContain("sda", Scsi(domain.Name));
    }
}

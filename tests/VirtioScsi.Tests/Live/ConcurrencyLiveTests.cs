using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading;
using VirtioScsi.Engine;
using VirtioScsi.Errors;
using VirtioScsi.Libvirt;
using VirtioScsi.Model;
using VirtioScsi.Planning;
using Xunit;
using Xunit.Abstractions;

namespace VirtioScsi.Tests.Live;

/// <summary>
/// Many changes to one domain at once, as a runbook that fans out over LUNs makes them: each call with its
/// own engine and virsh session (as parallel runspaces have), started together. Every one must land, at an
/// address and name of its own, on a virtio-scsi controller, and both definitions must agree.
/// </summary>
public sealed class ConcurrencyLiveTests : IDisposable
{
    private const int Parallel = 16;
    private const int Rounds = 2;
    private readonly ITestOutputHelper _output;
    private readonly List<IscsiLun> _luns = new();

    public ConcurrencyLiveTests(ITestOutputHelper output) => _output = output;

    public void Dispose()
    {
        foreach (var lun in _luns) lun.Dispose();
    }

    private IReadOnlyList<IscsiLun> Luns()
    {
        while (_luns.Count < Parallel) _luns.Add(IscsiLun.Create("conc"));
        return _luns;
    }

    [SkippableFact]
    public void Sixteen_parallel_attaches_to_one_running_domain_all_land()
    {
        LiveStack.Require();
        for (var round = 1; round <= Rounds; round++)
        {
            // No controller to begin with: one call adds it, the others must find and use it.
            using var domain = TestDomain.Create("conc");
            AttachAllAtOnce(domain.Name, round);
            var qemu = LiveStack.ScsiBlockDevices(domain.Name);
            Assert.Equal(Parallel, qemu.Count(d => d.Type == "scsi-block"));
        }
    }

    [SkippableFact]
    public void Sixteen_parallel_attaches_to_one_shut_off_domain_all_land()
    {
        LiveStack.Require();
        for (var round = 1; round <= Rounds; round++)
        {
            using var domain = TestDomain.Create("conc", start: false);
            AttachAllAtOnce(domain.Name, round);
        }
    }

    [SkippableFact]
    public void One_unshared_lun_attached_to_six_domains_at_once_lands_on_exactly_one()
    {
        LiveStack.Require();
        // Each call with its own engine, started together: the shared-LUN guard must not let two of them find
        // the LUN free before either has attached it (shut-off domains: the attach itself is quick).
        const int contenders = 6;
        for (var round = 1; round <= Rounds; round++)
        {
            using var lun = IscsiLun.Create("conc-one");
            var domains = Enumerable.Range(0, contenders).Select(_ => TestDomain.Create("conc", Cmdlets.TestDevices.Virtio0, start: false)).ToArray();
            try
            {
                var (results, errors) = AttachTogether(contenders, i => (domains[i].Name, new LunRequest(LunSource.FromIscsiParameters(lun.Portal, lun.Iqn, lun.Lun))));
                _output.WriteLine($"round {round}: {results.Count(r => r is not null)} of {contenders} attached; " +
                                  string.Join("; ", errors.Where(e => e is not null).Select(e => (e as VirtioScsiException)?.ErrorId ?? e!.GetType().Name).Distinct()));

                Assert.Single(results, r => r is not null);
                Assert.All(errors.Where(e => e is not null), e => Assert.Equal(ErrorIds.SourceHeldByOtherDomain, Assert.IsType<VirtioScsiException>(e).ErrorId));
                // What libvirt holds, read by the test's own virsh: the LUN in exactly one domain.
                Assert.Single(domains, d => LiveStack.DumpXml(d.Name, inactive: true).Contains(lun.Iqn, StringComparison.Ordinal));
            }
            finally
            {
                foreach (var domain in domains) domain.Dispose();
            }
        }
    }

    private void AttachAllAtOnce(string domain, int round)
    {
        var luns = Luns();
        var clock = Stopwatch.StartNew();
        var (results, errors) = AttachTogether(Parallel, i => (domain, new LunRequest(LunSource.FromIscsiParameters(luns[i].Portal, luns[i].Iqn, luns[i].Lun))));
        _output.WriteLine($"round {round}: {results.Count(r => r is not null)} of {Parallel} landed in {clock.Elapsed.TotalSeconds:0.0} s");
        Assert.True(errors.All(e => e is null), string.Join("\n", errors.Where(e => e is not null).Select(e => e!.Message)));

        Assert.Equal(Parallel, results.Select(r => r!.TargetDevice).Distinct().Count());
        Assert.Equal(Parallel, results.Select(r => r!.Address).Distinct().Count());
        Assert.All(results, r => Assert.True(r!.IsPassthrough, $"{r.TargetDevice} is not passed through"));

        // What libvirt holds, read by the test's own virsh: every LUN once, in each definition, on virtio-scsi only.
        var state = LiveStack.Manager().ReadDomain(domain);
        foreach (var definition in state.AllDefinitions)
        {
            var scsi = definition.ScsiDisks.ToArray();
            Assert.Equal(Parallel, scsi.Length);
            Assert.Equal(Parallel, scsi.Select(d => d.Address).Distinct().Count());
            Assert.All(definition.ScsiControllers, c => Assert.Equal("virtio-scsi", c.Model));
            Assert.All(luns, l => Assert.Single(scsi, d => d.Source.ToString().Contains(l.Iqn)));
        }
        if (state.Live is not null && state.Config is not null)
        {
            Assert.Equal(Describe(state.Live), Describe(state.Config));
        }
    }

    /// <summary>Runs <paramref name="count"/> attaches at once, each on a thread with its own engine and virsh session, released together.</summary>
    private static (ScsiDisk?[] Results, Exception?[] Errors) AttachTogether(int count, Func<int, (string Domain, LunRequest Request)> attach)
    {
        var results = new ScsiDisk?[count];
        var errors = new Exception?[count];
        using var start = new Barrier(count);
        var threads = Enumerable.Range(0, count).Select(i => new Thread(() =>
        {
            try
            {
                using var manager = LiveStack.Manager();
                var (domain, request) = attach(i);
                start.SignalAndWait();
                results[i] = manager.ApplyLunAttach(manager.PlanLunAttach(domain, request, false, false));
            }
            catch (Exception e)
            {
                errors[i] = e;
            }
        })).ToArray();
        foreach (var thread in threads) thread.Start();
        foreach (var thread in threads) thread.Join();
        return (results, errors);
    }

    private static string Describe(DomainDefinition definition) =>
        string.Join(",", definition.ScsiDisks.OrderBy(d => d.TargetDevice).Select(d => $"{d.TargetDevice}@{d.Address}"));

    [SkippableFact]
    public void A_change_waits_for_the_lock_of_another_process_and_then_fails_clearly()
    {
        LiveStack.Require();
        using var domain = TestDomain.Create("conc", start: false);
        var lockPath = DomainChangeLock.PathFor(LiveStack.Uri, domain.Name);
        // Another process holds the domain (flock(1) takes the same kind of lock .NET takes).
        using var holder = Process.Start(new ProcessStartInfo("flock", $"-x -o \"{lockPath}\" sleep 30") { UseShellExecute = false })!;
        try
        {
            var deadline = DateTime.UtcNow.AddSeconds(10);
            while (!IsHeld(lockPath) && DateTime.UtcNow < deadline) Thread.Sleep(50);
            Assert.True(IsHeld(lockPath), "flock did not take the lock");

            var clock = Stopwatch.StartNew();
            var e = Assert.Throws<VirtioScsiException>(() =>
                DomainChangeLock.Acquire(LiveStack.Uri, domain.Name, TimeSpan.FromSeconds(1), CancellationToken.None).Dispose());
            Assert.Equal(ErrorIds.DomainChangeInProgress, e.ErrorId);
            Assert.Contains(domain.Name, e.Message);
            Assert.InRange(clock.Elapsed.TotalSeconds, 0.9, 5);
        }
        finally
        {
            holder.Kill();
            holder.WaitForExit();
        }
        // Killed, the holder's lock is gone with it.
        DomainChangeLock.Acquire(LiveStack.Uri, domain.Name, TimeSpan.FromSeconds(5), CancellationToken.None).Dispose();
    }

    [SkippableFact]
    public void An_attach_waits_for_another_process_attaching_the_same_lun_and_then_fails_clearly()
    {
        LiveStack.Require();
        using var domain = TestDomain.Create("conc", Cmdlets.TestDevices.Virtio0, start: false);
        using var lun = IscsiLun.Create("conc-wait");
        var source = LunSource.FromIscsiParameters(lun.Portal, lun.Iqn, lun.Lun);
        using var manager = LiveStack.Manager();
        var lockPath = DomainChangeLock.PathForLun(LiveStack.Uri, manager.Identity.KeyOf(source));
        using var holder = Process.Start(new ProcessStartInfo("flock", $"-x -o \"{lockPath}\" sleep 30") { UseShellExecute = false })!;
        try
        {
            var deadline = DateTime.UtcNow.AddSeconds(10);
            while (!IsHeld(lockPath) && DateTime.UtcNow < deadline) Thread.Sleep(50);
            Assert.True(IsHeld(lockPath), "flock did not take the lock");
            var e = Assert.Throws<VirtioScsiException>(() =>
                DomainChangeLock.AcquireForLun(LiveStack.Uri, manager.Identity.KeyOf(source), source.ToString(), TimeSpan.FromSeconds(1), CancellationToken.None).Dispose());
            Assert.Equal(ErrorIds.DomainChangeInProgress, e.ErrorId);
            Assert.StartsWith($"Another attachment of {source} on this connection was in progress", e.Message);
            Assert.Contains(lockPath, e.RecommendedAction);
            // The domain lock is another lock: a change to the domain that attaches nothing goes on.
            DomainChangeLock.Acquire(LiveStack.Uri, domain.Name, TimeSpan.FromSeconds(1), CancellationToken.None).Dispose();
        }
        finally
        {
            holder.Kill();
            holder.WaitForExit();
        }
        // Let go, the attach goes through.
        Assert.Equal("sda", manager.ApplyLunAttach(manager.PlanLunAttach(domain.Name, new LunRequest(source), false, false)).TargetDevice);
    }

    [SkippableFact]
    public void Two_changes_in_one_process_exclude_each_other()
    {
        LiveStack.Require();
        using var first = DomainChangeLock.Acquire(LiveStack.Uri, "vst-conc-lock-" + Environment.ProcessId, TimeSpan.FromSeconds(1), CancellationToken.None);
        Assert.True(IsHeld(first.Path));
        var e = Assert.Throws<VirtioScsiException>(() =>
            DomainChangeLock.Acquire(LiveStack.Uri, "vst-conc-lock-" + Environment.ProcessId, TimeSpan.FromMilliseconds(200), CancellationToken.None));
        Assert.Equal(ErrorIds.DomainChangeInProgress, e.ErrorId);
        // Another domain is another lock.
        DomainChangeLock.Acquire(LiveStack.Uri, "vst-conc-other-" + Environment.ProcessId, TimeSpan.FromSeconds(1), CancellationToken.None).Dispose();
    }

    /// <summary>Asks flock(1), another process, whether the lock file is held.</summary>
    private static bool IsHeld(string path)
    {
        var (code, _, _) = LiveStack.Run("flock", "-n", path, "true");
        return code != 0;
    }
}

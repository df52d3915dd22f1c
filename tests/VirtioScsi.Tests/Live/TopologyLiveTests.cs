using System.IO;
using System.Linq;
using VirtioScsi.Engine;
using VirtioScsi.Errors;
using VirtioScsi.Model;
using VirtioScsi.Planning;
using Xunit;

namespace VirtioScsi.Tests.Live;

public class TopologyLiveTests
{
    private static NameFilter Exact(string name) => new(name, false, n => n == name);

    [SkippableTheory]
    [InlineData(true, 1)]
    [InlineData(false, 2)]
    public void Many_domains_are_read_in_one_session_or_two_virsh_processes(bool session, int processes)
    {
        LiveStack.Require();
        var domains = Enumerable.Range(0, 6).Select(i => TestDomain.Create("many", "<controller type='scsi' index='0' model='virtio-scsi'/>", start: i % 2 == 0)).ToArray();
        try
        {
            var manager = LiveStack.Manager(session);
            var prefix = domains[0].Name.Substring(0, domains[0].Name.LastIndexOf('-'));
            var results = manager.ReadDomains(new[] { new NameFilter(prefix + "-*", true, n => n.StartsWith(prefix + "-")) }, false);
            Assert.True(results.Count >= 6);
            Assert.All(results, r => Assert.Null(r.Error));
            Assert.Equal(processes, manager.ProcessesStarted);
            foreach (var d in domains)
            {
                var topology = manager.Topology(results.Single(r => r.Name == d.Name).State!);
                Assert.Equal("virtio-scsi", Assert.Single(topology.Controllers).Model);
            }
            Assert.Equal(3, results.Where(r => domains.Any(d => d.Name == r.Name)).Count(r => r.State!.IsActive));
        }
        finally
        {
            foreach (var d in domains) d.Dispose();
        }
    }

    [SkippableFact]
    public void A_missing_name_is_an_error_for_that_name_while_the_others_are_read()
    {
        LiveStack.Require();
        using var domain = TestDomain.Create("partial", start: false);
        var results = LiveStack.Manager().ReadDomains(new[] { Exact("vst-missing-domain"), Exact(domain.Name) }, false);
        Assert.Equal(ErrorIds.DomainNotFound, results.Single(r => r.Name == "vst-missing-domain").Error!.ErrorId);
        Assert.NotNull(results.Single(r => r.Name == domain.Name).State);
    }

    [SkippableFact]
    public void Running_persistent_transient_and_hotplug_facts_are_reported()
    {
        LiveStack.Require();
        using var running = TestDomain.Create("facts-run", "<controller type='scsi' index='0' model='lsilogic'/>");
        using var noAcpi = TestDomain.Create("facts-noacpi", acpi: false);
        using var transient = TestDomain.Create("facts-transient", transient: true);
        var manager = LiveStack.Manager();
        var results = manager.ReadDomains(new[] { Exact(running.Name), Exact(noAcpi.Name), Exact(transient.Name) }, false);
        DomainScsiTopology T(TestDomain d) => manager.Topology(results.Single(r => r.Name == d.Name).State!);

        var r = T(running);
        Assert.Equal(("running", true, true, true), (r.State, r.IsActive, r.IsPersistent, r.CanHotplugController));
        Assert.Matches("^[0-9a-f-]{36}$", r.Uuid);
        Assert.StartsWith("pc-i440fx", r.MachineType);
        Assert.Equal("lsilogic", Assert.Single(r.Controllers).Model);
        Assert.False(T(noAcpi).CanHotplugController);
        Assert.Contains("ACPI", T(noAcpi).HotplugBlocker);
        Assert.False(T(transient).IsPersistent);
    }

    /// <summary>A name with every character that could break quoting: nothing else runs, and the name works.</summary>
    [SkippableFact]
    public void A_domain_name_full_of_shell_and_virsh_syntax_is_read_and_changed_safely()
    {
        LiveStack.Require();
        // libvirt allows any name without '/': the marker is relative, so a command that ran would create it
        // in the working directory virsh inherits from this process.
        var marker = "virtioscsi-pwned-" + System.Environment.ProcessId;
        var name = $"vst odd;name 'q\"uote' $(touch {marker}) `touch {marker}` back\\slash ; list ünï-домен {System.Environment.ProcessId}";
        using var lun = IscsiLun.Create("odd");
        using var domain = TestDomain.Create("odd", "<controller type='scsi' index='0' model='lsilogic'/>", start: false, name: name);
        var manager = LiveStack.Manager();

        var read = Assert.Single(manager.ReadDomains(new[] { Exact(name) }, false));
        Assert.Null(read.Error);
        Assert.Equal(name, manager.Topology(read.State!).Name);

        var disk = manager.ApplyLunAttach(manager.PlanLunAttach(name, new LunRequest(LunSource.FromIscsiParameters(lun.Portal, lun.Iqn, lun.Lun)), false, false));
        Assert.Equal((name, "1:0:0:0"), (disk.Domain, disk.Address));
        manager.ApplyRemoval(manager.PlanLunRemoval(name, disk.TargetDevice, null, false, false), System.TimeSpan.FromSeconds(10));
        Assert.DoesNotContain("device='lun'", LiveStack.DumpXml(name, inactive: true));
        Assert.False(File.Exists(Path.Combine(System.Environment.CurrentDirectory, marker)), "a command substitution in the name ran");
    }
}

using System.Linq;
using System.Xml.Linq;
using VirtioScsi.Model;
using VirtioScsi.Planning;
using Xunit;

namespace VirtioScsi.Tests.Live;

/// <summary>Attaching and detaching passthrough LUNs on real QEMU domains, with iSCSI LUNs from tgtd.</summary>
public class LunLiveTests
{
    private static LunRequest IscsiRequest(IscsiLun lun) => new(LunSource.FromIscsiParameters(lun.Portal, lun.Iqn, lun.Lun));

    [SkippableFact]
    public void A_lun_on_a_running_lsi_only_domain_gets_a_new_virtio_scsi_controller_and_is_passed_through()
    {
        LiveStack.Require();
        using var lun = IscsiLun.Create("lsi");
        using var domain = TestDomain.Create("lsi", "<controller type='scsi' index='0' model='lsilogic'/>");
        var manager = LiveStack.Manager();

        var plan = manager.PlanLunAttach(domain.Name, IscsiRequest(lun), false, false);
        Assert.Equal(1, plan.NewControllerIndex);
        var disk = manager.ApplyLunAttach(plan);

        Assert.Equal("sda", disk.TargetDevice);
        Assert.Equal("1:0:0:0", disk.Address);
        Assert.True(disk.IsPassthrough);
        Assert.Equal(DefinitionPresence.Both, disk.Presence);
        foreach (var inactive in new[] { false, true })
        {
            var xml = XDocument.Parse(LiveStack.DumpXml(domain.Name, inactive));
            var controllers = xml.Descendants("controller").Where(c => (string?)c.Attribute("type") == "scsi")
                .Select(c => ((string?)c.Attribute("model"), (int)c.Attribute("index")!)).OrderBy(c => c.Item2).ToArray();
            // The lsi controller is untouched, one virtio-scsi controller was added, and libvirt invented none.
            Assert.Equal(new (string?, int)[] { ("lsilogic", 0), ("virtio-scsi", 1) }, controllers);
            var lunXml = xml.Descendants("disk").Single(d => (string?)d.Attribute("device") == "lun");
            Assert.Equal("network", (string?)lunXml.Attribute("type"));
            Assert.Equal("1", (string?)lunXml.Element("address")!.Attribute("controller"));
            Assert.Equal("none", (string?)lunXml.Element("driver")!.Attribute("cache"));
            Assert.Null(lunXml.Element("serial"));
        }
        // QEMU's own view: a scsi-block device (passthrough, not an emulated scsi-hd) on the virtio-scsi bus.
        var device = Assert.Single(LiveStack.ScsiBlockDevices(domain.Name));
        Assert.Equal("scsi-block", device.Type);
        Assert.Equal("scsi1.0", device.Bus);
        Assert.Equal("virtio-scsi-pci", LiveStack.ControllerTypeOf(domain.Name, "scsi1"));
        // One virsh session did it all: read the domain, add the controller, attach the LUN, read back. The
        // double-use guard's read of every other domain joins it, or, when large, takes the processes one batch
        // of all domains takes (as many as a process-per-batch read of them all, less its list).
        var readingAll = LiveStack.Manager(session: false);
        readingAll.ReadDomains(System.Array.Empty<VirtioScsi.Engine.NameFilter>(), false);
        Assert.InRange(manager.ProcessesStarted, 1, readingAll.ProcessesStarted);
    }

    [SkippableFact]
    public void A_lun_goes_to_an_explicit_address_and_name_and_is_detached_again()
    {
        LiveStack.Require();
        using var lun = IscsiLun.Create("explicit");
        using var domain = TestDomain.Create("explicit", "<controller type='scsi' index='3' model='virtio-scsi'/>");
        var manager = LiveStack.Manager();
        var request = IscsiRequest(lun);
        request.Controller = 3;
        request.Target = 2;
        request.Unit = 5;
        request.TargetDevice = "sdq";
        request.Options.Shareable = true;

        var disk = manager.ApplyLunAttach(manager.PlanLunAttach(domain.Name, request, false, false));
        Assert.Equal(("sdq", "3:0:2:5", true), (disk.TargetDevice, disk.Address, disk.Shareable));
        var device = Assert.Single(LiveStack.ScsiBlockDevices(domain.Name));
        Assert.Equal(("scsi3.0", 2, 5), (device.Bus, device.ScsiId, device.Lun));

        var removal = manager.PlanLunRemoval(domain.Name, "sdq", null, false, false);
        manager.ApplyRemoval(removal, System.TimeSpan.FromSeconds(20));
        Assert.Empty(LiveStack.ScsiBlockDevices(domain.Name));
        Assert.DoesNotContain("device='lun'", LiveStack.DumpXml(domain.Name));
        Assert.DoesNotContain("device='lun'", LiveStack.DumpXml(domain.Name, inactive: true));
        // The controller stays: only the LUN was asked to go.
        Assert.Contains("model='virtio-scsi'", LiveStack.DumpXml(domain.Name));
    }

    [SkippableFact]
    public void A_second_lun_takes_the_next_unit_and_name_on_the_same_controller()
    {
        LiveStack.Require();
        using var first = IscsiLun.Create("first");
        using var second = IscsiLun.Create("second");
        using var domain = TestDomain.Create("two", "<controller type='scsi' index='0' model='virtio-scsi'/>");
        var manager = LiveStack.Manager();
        var a = manager.ApplyLunAttach(manager.PlanLunAttach(domain.Name, IscsiRequest(first), false, false));
        var b = manager.ApplyLunAttach(manager.PlanLunAttach(domain.Name, IscsiRequest(second), false, false));
        Assert.Equal(("sda", "0:0:0:0"), (a.TargetDevice, a.Address));
        Assert.Equal(("sdb", "0:0:0:1"), (b.TargetDevice, b.Address));
        Assert.Equal(2, LiveStack.ScsiBlockDevices(domain.Name).Count(d => d.Bus == "scsi0.0"));
    }

    [SkippableFact]
    public void The_same_source_again_returns_the_attached_lun_and_changes_nothing()
    {
        LiveStack.Require();
        using var lun = IscsiLun.Create("same");
        using var domain = TestDomain.Create("same", "<controller type='scsi' index='0' model='virtio-scsi'/>");
        var manager = LiveStack.Manager();
        var first = manager.ApplyLunAttach(manager.PlanLunAttach(domain.Name, IscsiRequest(lun), false, false));
        var before = LiveStack.DumpXml(domain.Name);

        // The portal spelled with another host case is still the same LUN.
        var again = new LunRequest(LunSource.FromIscsiParameters(lun.Portal.ToUpperInvariant(), lun.Iqn, lun.Lun));
        var plan = manager.PlanLunAttach(domain.Name, again, false, false);
        Assert.True(plan.Change.ChangesNothing);
        var second = manager.ApplyLunAttach(plan);
        Assert.Equal(first.TargetDevice, second.TargetDevice);
        Assert.Equal(before, LiveStack.DumpXml(domain.Name));
    }

    [SkippableFact]
    public void On_a_shut_off_domain_the_lun_goes_into_the_persistent_definition_only()
    {
        LiveStack.Require();
        using var lun = IscsiLun.Create("off");
        using var domain = TestDomain.Create("off", "<controller type='scsi' index='0' model='lsilogic'/>", start: false);
        var manager = LiveStack.Manager();
        var disk = manager.ApplyLunAttach(manager.PlanLunAttach(domain.Name, IscsiRequest(lun), false, false));
        Assert.Equal("1:0:0:0", disk.Address);
        var xml = LiveStack.DumpXml(domain.Name, inactive: true);
        Assert.Contains("model='virtio-scsi'", xml);
        // And it really works when the domain starts: QEMU opens it as scsi-block on the virtio bus.
        LiveStack.Virsh("start", domain.Name);
        Assert.Equal("scsi1.0", Assert.Single(LiveStack.ScsiBlockDevices(domain.Name)).Bus);
    }

    [SkippableFact]
    public void A_live_only_lun_is_gone_from_the_persistent_definition_and_the_topology_says_so()
    {
        LiveStack.Require();
        using var lun = IscsiLun.Create("liveonly");
        using var domain = TestDomain.Create("liveonly", "<controller type='scsi' index='0' model='virtio-scsi'/>");
        var manager = LiveStack.Manager();
        var disk = manager.ApplyLunAttach(manager.PlanLunAttach(domain.Name, IscsiRequest(lun), live: true, config: false));
        Assert.Equal(DefinitionPresence.LiveOnly, disk.Presence);
        Assert.DoesNotContain("device='lun'", LiveStack.DumpXml(domain.Name, inactive: true));
        var topology = manager.Topology(manager.ReadDomain(domain.Name));
        Assert.True(topology.DefinitionsDiffer);
        Assert.Contains(topology.Differences, d => d.Contains("sda") && d.Contains("only in the running domain"));
    }

    [SkippableFact]
    public void Boot_order_goes_into_the_persistent_definition_and_replaces_os_boot_devices()
    {
        LiveStack.Require();
        using var lun = IscsiLun.Create("boot");
        using var domain = TestDomain.Create("boot", "<controller type='scsi' index='0' model='lsilogic'/>", start: false, osExtra: "<boot dev='hd'/>");
        var manager = LiveStack.Manager();
        var request = IscsiRequest(lun);
        request.BootOrder = 1;
        var plan = manager.PlanLunAttach(domain.Name, request, false, false);
        Assert.Contains(plan.Change.Warnings, w => w.Contains("<boot dev='hd'/>"));
        var disk = manager.ApplyLunAttach(plan);
        Assert.Equal(1, disk.BootOrder);
        var xml = XDocument.Parse(LiveStack.DumpXml(domain.Name, inactive: true));
        Assert.Empty(xml.Root!.Element("os")!.Elements("boot"));
        Assert.Equal("1", (string?)xml.Descendants("disk").Single().Element("boot")!.Attribute("order"));
    }

    [SkippableFact]
    public void Boot_order_on_a_running_domain_is_persistent_while_the_running_domain_gets_the_lun_now()
    {
        LiveStack.Require();
        using var lun = IscsiLun.Create("bootlive");
        using var domain = TestDomain.Create("bootlive", "<controller type='scsi' index='0' model='virtio-scsi'/>");
        var manager = LiveStack.Manager();
        var request = IscsiRequest(lun);
        request.BootOrder = 2;
        var disk = manager.ApplyLunAttach(manager.PlanLunAttach(domain.Name, request, false, false));
        Assert.Equal((2, DefinitionPresence.Both), (disk.BootOrder, disk.Presence));
        Assert.Contains("<boot order='2'/>", LiveStack.DumpXml(domain.Name, inactive: true));
        Assert.Single(LiveStack.ScsiBlockDevices(domain.Name));
    }

    [SkippableFact]
    public void A_gap_below_the_luns_controller_is_filled_with_virtio_scsi_not_left_to_libvirts_lsi()
    {
        LiveStack.Require();
        using var lun = IscsiLun.Create("gap");
        using var domain = TestDomain.Create("gap", "<controller type='scsi' index='0' model='lsilogic'/><controller type='scsi' index='2' model='virtio-scsi'/>");
        var manager = LiveStack.Manager();
        var plan = manager.PlanLunAttach(domain.Name, IscsiRequest(lun), false, false);
        Assert.Contains(plan.Change.Warnings, w => w.Contains("controller 1"));
        var disk = manager.ApplyLunAttach(plan);
        Assert.Equal("2:0:0:0", disk.Address);
        foreach (var inactive in new[] { false, true })
        {
            var controllers = XDocument.Parse(LiveStack.DumpXml(domain.Name, inactive)).Descendants("controller")
                .Where(c => (string?)c.Attribute("type") == "scsi")
                .Select(c => ((int)c.Attribute("index")!, (string?)c.Attribute("model"))).OrderBy(c => c.Item1).ToArray();
            Assert.Equal(new (int, string?)[] { (0, "lsilogic"), (1, "virtio-scsi"), (2, "virtio-scsi") }, controllers);
        }
        Assert.Equal("scsi2.0", Assert.Single(LiveStack.ScsiBlockDevices(domain.Name)).Bus);
    }

    [SkippableFact]
    public void A_lun_only_in_the_persistent_definition_is_added_to_the_running_domain_at_the_same_place()
    {
        LiveStack.Require();
        using var lun = IscsiLun.Create("complete");
        using var domain = TestDomain.Create("complete", "<controller type='scsi' index='0' model='virtio-scsi'/>");
        var manager = LiveStack.Manager();
        var request = IscsiRequest(lun);
        request.Unit = 4;
        var first = manager.ApplyLunAttach(manager.PlanLunAttach(domain.Name, request, live: false, config: true));
        Assert.Equal(DefinitionPresence.ConfigOnly, first.Presence);
        Assert.Empty(LiveStack.ScsiBlockDevices(domain.Name));

        var plan = manager.PlanLunAttach(domain.Name, IscsiRequest(lun), false, false);
        var step = Assert.Single(plan.Change.Steps);
        Assert.Equal((true, false), (step.Scope.Live, step.Scope.Config));
        var both = manager.ApplyLunAttach(plan);
        Assert.Equal((DefinitionPresence.Both, first.TargetDevice, "0:0:0:4"), (both.Presence, both.TargetDevice, both.Address));
        Assert.Equal(4, Assert.Single(LiveStack.ScsiBlockDevices(domain.Name)).Lun);
    }

    [SkippableFact]
    public void Stopping_between_the_new_controller_and_the_lun_removes_the_controller_again()
    {
        LiveStack.Require();
        using var lun = IscsiLun.Create("stop");
        using var domain = TestDomain.Create("stop", "<controller type='scsi' index='0' model='lsilogic'/>", start: false);
        var before = LiveStack.DumpXml(domain.Name, inactive: true);
        var manager = LiveStack.Manager();
        var plan = manager.PlanLunAttach(domain.Name, IscsiRequest(lun), false, false);
        Assert.Equal(2, plan.Change.Steps.Count);
        using var stop = new System.Threading.CancellationTokenSource();
        // Ctrl+C arrives as the second step (the LUN) is about to run: the controller is in by then.
        Assert.ThrowsAny<System.OperationCanceledException>(() => manager.ApplyLunAttach(plan, stop.Token,
            stepStarting: (index, count, _) => { if (index == 1) stop.Cancel(); }));
        Assert.Equal(before, LiveStack.DumpXml(domain.Name, inactive: true));
    }
}

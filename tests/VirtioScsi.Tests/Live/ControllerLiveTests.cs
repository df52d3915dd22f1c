using System;
using System.Linq;
using System.Xml.Linq;
using VirtioScsi.Errors;
using VirtioScsi.Model;
using VirtioScsi.Planning;
using Xunit;

namespace VirtioScsi.Tests.Live;

public class ControllerLiveTests
{
    [SkippableFact]
    public void A_virtio_scsi_controller_is_hot_plugged_into_a_running_domain_and_kept_in_its_definition()
    {
        LiveStack.Require();
        using var domain = TestDomain.Create("ctl", "<controller type='scsi' index='0' model='lsilogic'/>");
        var manager = LiveStack.Manager();
        var plan = manager.PlanNewController(domain.Name, new ControllerRequest(), false, false);
        Assert.Equal(1, plan.Index);
        var controller = manager.ApplyNewController(plan);

        Assert.Equal((1, "virtio-scsi", true, DefinitionPresence.Both), (controller.Index, controller.Model, controller.IsVirtioScsi, controller.Presence));
        Assert.NotNull(controller.PciAddress);
        Assert.Equal(0, controller.UnitsUsed);
        Assert.Equal(256L * 16384, controller.UnitsFree);
        Assert.Equal("virtio-scsi-pci", LiveStack.ControllerTypeOf(domain.Name, "scsi1"));
        Assert.Contains("index='1' model='virtio-scsi'", LiveStack.DumpXml(domain.Name, inactive: true));
    }

    [SkippableFact]
    public void Queues_and_iothread_are_written_to_the_controller_driver()
    {
        LiveStack.Require();
        using var domain = TestDomain.Create("iothread", start: false);
        // Give the domain two iothreads first (a definition change the test makes with virsh itself).
        var xml = XDocument.Parse(LiveStack.DumpXml(domain.Name, inactive: true));
        xml.Root!.Element("vcpu")!.AddAfterSelf(new XElement("iothreads", 2));
        var file = System.IO.Path.GetTempFileName();
        System.IO.File.WriteAllText(file, xml.ToString());
        LiveStack.Virsh("define", file);
        System.IO.File.Delete(file);

        var manager = LiveStack.Manager();
        var plan = manager.PlanNewController(domain.Name, new ControllerRequest { Queues = 2, IOThread = 2, Index = 4 }, false, false);
        var controller = manager.ApplyNewController(plan);
        Assert.Equal((4, 2, 2), (controller.Index, controller.Queues, controller.IOThread));
        Assert.Contains("<driver queues='2' iothread='2'/>", LiveStack.DumpXml(domain.Name, inactive: true));
        var e = Assert.Throws<VirtioScsiException>(() => manager.PlanNewController(domain.Name, new ControllerRequest { IOThread = 3 }, false, false));
        Assert.Equal(ErrorIds.IOThreadInvalid, e.ErrorId);
    }

    [SkippableFact]
    public void A_controller_with_disks_is_only_removed_with_force_which_detaches_them_first()
    {
        LiveStack.Require();
        using var lun = IscsiLun.Create("force");
        using var domain = TestDomain.Create("force", "<controller type='scsi' index='0' model='virtio-scsi'/>", start: false);
        var manager = LiveStack.Manager();
        manager.ApplyLunAttach(manager.PlanLunAttach(domain.Name, new LunRequest(LunSource.FromIscsiParameters(lun.Portal, lun.Iqn, lun.Lun)), false, false));
        var before = LiveStack.DumpXml(domain.Name, inactive: true);

        var e = Assert.Throws<VirtioScsiException>(() => manager.PlanControllerRemoval(domain.Name, 0, force: false, false, false));
        Assert.Equal(ErrorIds.ControllerHasDisks, e.ErrorId);
        Assert.Contains("sda", e.Message);
        Assert.Equal(before, LiveStack.DumpXml(domain.Name, inactive: true));

        var plan = manager.PlanControllerRemoval(domain.Name, 0, force: true, false, false);
        Assert.Equal(2, plan.Steps.Count);
        manager.ApplyRemoval(plan, TimeSpan.FromSeconds(10));
        var after = LiveStack.DumpXml(domain.Name, inactive: true);
        Assert.DoesNotContain("device='lun'", after);
        Assert.DoesNotContain("type='scsi'", after);
    }

    [SkippableFact]
    public void An_empty_controller_is_removed_from_the_persistent_definition_of_a_running_domain()
    {
        LiveStack.Require();
        using var domain = TestDomain.Create("ctlcfg", "<controller type='scsi' index='0' model='virtio-scsi'/>");
        var manager = LiveStack.Manager();
        manager.ApplyRemoval(manager.PlanControllerRemoval(domain.Name, 0, false, live: false, config: true), TimeSpan.FromSeconds(10));
        Assert.DoesNotContain("type='scsi'", LiveStack.DumpXml(domain.Name, inactive: true));
        Assert.Contains("type='scsi'", LiveStack.DumpXml(domain.Name));
        var topology = manager.Topology(manager.ReadDomain(domain.Name));
        Assert.Equal(DefinitionPresence.LiveOnly, Assert.Single(topology.Controllers).Presence);
    }

    [SkippableFact]
    public void A_guest_that_does_not_release_a_controller_gives_a_clear_timeout_error()
    {
        LiveStack.Require();
        // An empty domain runs no OS to answer the ACPI unplug request, as a hung guest would not.
        using var domain = TestDomain.Create("norelease", "<controller type='scsi' index='0' model='virtio-scsi'/>");
        var manager = LiveStack.Manager();
        var plan = manager.PlanControllerRemoval(domain.Name, 0, false, live: true, config: false);
        var started = DateTime.UtcNow;
        var e = Assert.Throws<VirtioScsiException>(() => manager.ApplyRemoval(plan, TimeSpan.FromSeconds(2)));
        Assert.Equal(ErrorIds.DetachTimedOut, e.ErrorId);
        Assert.Contains("did not release", e.Message);
        Assert.Contains("guest", e.RecommendedAction);
        // libvirt itself waits up to 5 s for the guest before it answers; the module adds its own bound.
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(15));
    }
}

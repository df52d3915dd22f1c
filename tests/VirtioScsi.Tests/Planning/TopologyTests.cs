using System.Linq;
using VirtioScsi.Engine;
using VirtioScsi.Model;
using VirtioScsi.Tests.Support;
using Xunit;

namespace VirtioScsi.Tests.Planning;

/// <summary>Get-DomainScsiTopology's view (TopologyBuilder.Build): presence, units, passthrough and differences.</summary>
public class TopologyTests
{
    private const long VirtioCapacity = 256L * 16384;

    [Fact]
    public void A_mixed_running_domain_shows_each_controller_with_its_presence()
    {
        var topology = TopologyBuilder.Build(Fixtures.Running("mixed.live.xml", "mixed.config.xml"), "qemu:///system");
        Assert.Equal("fx-mixed", topology.Name);
        Assert.Equal("qemu:///system", topology.ConnectionUri);
        Assert.Equal("running", topology.State);
        Assert.True(topology.IsActive);
        Assert.True(topology.IsPersistent);

        Assert.Equal(new[] { 0, 1, 2 }, topology.Controllers.Select(c => c.Index));
        var (lsi, virtio, liveOnly) = (topology.Controllers[0], topology.Controllers[1], topology.Controllers[2]);
        Assert.Equal("lsilogic", lsi.Model);
        Assert.False(lsi.IsVirtioScsi);
        Assert.Equal(DefinitionPresence.Both, lsi.Presence);
        Assert.True(virtio.IsVirtioScsi);
        Assert.Equal(2, virtio.Queues);
        Assert.Equal(DefinitionPresence.Both, virtio.Presence);
        Assert.True(liveOnly.IsVirtioScsi);
        Assert.Equal(DefinitionPresence.LiveOnly, liveOnly.Presence);
        Assert.All(topology.Controllers, c => Assert.Equal("fx-mixed", c.Domain));
    }

    [Fact]
    public void Units_used_and_free_follow_each_controllers_model()
    {
        var topology = TopologyBuilder.Build(Fixtures.Running("mixed.live.xml", "mixed.config.xml"), null);
        var lsi = topology.Controllers.Single(c => c.Index == 0);
        Assert.Equal(1, lsi.UnitsUsed); // the cdrom
        Assert.Equal(6, lsi.UnitsFree); // units 0-6
        var virtio = topology.Controllers.Single(c => c.Index == 1);
        Assert.Equal(1, virtio.UnitsUsed);
        Assert.Equal(VirtioCapacity - 1, virtio.UnitsFree);
        var empty = topology.Controllers.Single(c => c.Index == 2);
        Assert.Equal(0, empty.UnitsUsed);
        Assert.Equal(VirtioCapacity, empty.UnitsFree);
    }

    [Fact]
    public void The_many_luns_domain_counts_its_units()
    {
        var topology = TopologyBuilder.Build(Fixtures.ShutOff("many-luns.config.xml"), null);
        Assert.False(topology.IsActive);
        Assert.Equal("shut off", topology.State);
        Assert.Equal(new[] { 0, 299, 100 }, topology.Controllers.Select(c => c.UnitsUsed));
        Assert.Equal(new[] { 7L, VirtioCapacity - 299, VirtioCapacity - 100 }, topology.Controllers.Select(c => c.UnitsFree));
        Assert.Equal(399, topology.Luns.Count);
        Assert.All(topology.Disks, d => Assert.True(d.IsPassthrough));
        Assert.All(topology.Controllers, c => Assert.Equal(DefinitionPresence.Both, c.Presence));
        Assert.All(topology.Disks, d => Assert.Equal(DefinitionPresence.Both, d.Presence));
        Assert.False(topology.DefinitionsDiffer);
        Assert.Empty(topology.Differences);
    }

    [Fact]
    public void Disks_are_ordered_by_address()
    {
        var topology = TopologyBuilder.Build(Fixtures.ShutOff("many-luns.config.xml"), null);
        var addresses = topology.Disks.Select(d => (d.Controller!.Value, d.Target!.Value, d.Unit!.Value)).ToArray();
        Assert.Equal(addresses.OrderBy(a => a.Item1).ThenBy(a => a.Item2).ThenBy(a => a.Item3), addresses);
        Assert.Equal("sda", topology.Disks[0].TargetDevice);
        Assert.Equal("1:0:0:8", topology.Disks[7].Address); // unit 7 is the gap
    }

    [Fact]
    public void A_scsi_hostdev_takes_a_unit()
    {
        var xml = Dom.Edit("virtio-only.live.xml", d => Dom.AddDevice(d, Dom.ScsiHostdev(0, 5)));
        var controller = TopologyBuilder.Build(Dom.Running(xml), null).Controllers.Single();
        Assert.Equal(3, controller.UnitsUsed);
        Assert.Equal(VirtioCapacity - 3, controller.UnitsFree);
    }

    [Fact]
    public void Only_a_lun_on_a_virtio_controller_is_passthrough()
    {
        var topology = TopologyBuilder.Build(Fixtures.Running("mixed.live.xml", "mixed.config.xml"), null);
        var cdrom = topology.Disks.Single(d => d.TargetDevice == "sda");
        Assert.Equal("cdrom", cdrom.Device);
        Assert.False(cdrom.IsPassthrough);
        var lun = topology.Disks.Single(d => d.TargetDevice == "sdb");
        Assert.True(lun.IsPassthrough);
        Assert.Equal("1:0:0:0", lun.Address);
        Assert.Equal(LunSourceKind.Iscsi, lun.Source.Kind);
        Assert.Equal(new[] { "sdb" }, topology.Luns.Select(l => l.TargetDevice));
    }

    [Fact]
    public void A_lun_on_an_lsi_controller_or_a_modelless_one_is_not_passthrough()
    {
        var xml = Dom.Edit("none.live.xml", d =>
        {
            Dom.AddDevice(d, "<controller type='scsi' index='0' model='lsilogic'/>");
            Dom.AddDevice(d, "<controller type='scsi' index='1'/>");
            Dom.AddDevice(d, Dom.BlockLun("sda", "/dev/sdx", 0, 0));
            Dom.AddDevice(d, Dom.BlockLun("sdb", "/dev/sdy", 1, 0));
        });
        var topology = TopologyBuilder.Build(Dom.Running(xml), null);
        Assert.Equal(2, topology.Luns.Count);
        Assert.All(topology.Disks, d => Assert.False(d.IsPassthrough));
        Assert.Null(topology.Controllers.Single(c => c.Index == 1).Model);
        Assert.False(topology.Controllers.Single(c => c.Index == 1).IsVirtioScsi);
    }

    [Fact]
    public void An_emulated_disk_on_a_virtio_controller_is_not_passthrough()
    {
        var xml = Dom.Edit("virtio-only.live.xml", d => Dom.AddDevice(d,
            "<disk type='file' device='disk'><source file='/img/c.img'/><target dev='sdc' bus='scsi'/><address type='drive' controller='0' bus='0' target='0' unit='2'/></disk>"));
        var disk = TopologyBuilder.Build(Dom.Running(xml), null).Disks.Single(d => d.TargetDevice == "sdc");
        Assert.False(disk.IsPassthrough);
    }

    [Fact]
    public void The_live_only_controller_of_mixed_is_the_one_difference()
    {
        var topology = TopologyBuilder.Build(Fixtures.Running("mixed.live.xml", "mixed.config.xml"), null);
        Assert.True(topology.DefinitionsDiffer);
        var difference = Assert.Single(topology.Differences);
        Assert.Contains("controller 2", difference);
        Assert.Contains("running", difference);
    }

    [Fact]
    public void A_lun_only_in_the_persistent_definition_is_config_only_and_a_difference()
    {
        var config = Dom.Edit("mixed.config.xml", d => Dom.AddDevice(d, Dom.IscsiLun("sdc", 1, 1, 7)));
        var topology = TopologyBuilder.Build(Dom.Running(Fixtures.Text("mixed.live.xml"), config), null);
        var sdc = topology.Disks.Single(d => d.TargetDevice == "sdc");
        Assert.Equal(DefinitionPresence.ConfigOnly, sdc.Presence);
        Assert.True(sdc.IsPassthrough);
        Assert.Equal(2, topology.Differences.Count);
        Assert.Contains(topology.Differences, x => x.Contains("disk sdc") && x.Contains("persistent"));
        // The address it holds counts on controller 1.
        Assert.Equal(2, topology.Controllers.Single(c => c.Index == 1).UnitsUsed);
    }

    [Fact]
    public void A_lun_only_in_the_running_domain_is_live_only()
    {
        var live = Dom.Edit("virtio-only.live.xml", d => Dom.AddDevice(d, Dom.IscsiLun("sdc", 0, 2, 3)));
        var topology = TopologyBuilder.Build(Dom.Running(live, Fixtures.Text("virtio-only.live.xml")), null);
        Assert.Equal(DefinitionPresence.LiveOnly, topology.Disks.Single(d => d.TargetDevice == "sdc").Presence);
        Assert.Equal(DefinitionPresence.Both, topology.Disks.Single(d => d.TargetDevice == "sda").Presence);
        Assert.Contains(topology.Differences, x => x.Contains("disk sdc") && x.Contains("running"));
    }

    [Fact]
    public void A_disk_with_another_source_in_each_definition_is_a_difference()
    {
        var config = Dom.Edit("virtio-only.live.xml", d =>
            Dom.Devices(d).Elements("disk").Single(x => (string?)x.Element("target")!.Attribute("dev") == "sdb")
                .Element("source")!.SetAttributeValue("name", "iqn.2026-11.org.example:fixture/9"));
        var topology = TopologyBuilder.Build(Dom.Running(Fixtures.Text("virtio-only.live.xml"), config), null);
        var difference = Assert.Single(topology.Differences);
        Assert.Contains("sdb", difference);
        Assert.Equal(DefinitionPresence.Both, topology.Disks.Single(d => d.TargetDevice == "sdb").Presence);
    }

    // Regression (bug found by this test, fixed in 0684024): controllers were matched by index and compared
    // on nothing, so a controller that is lsilogic now and virtio-scsi after a restart ('virsh edit') was no
    // difference, although Differences lists every device "different between the two".
    [Fact]
    public void A_controller_whose_model_differs_between_definitions_is_a_difference()
    {
        var config = Dom.Edit("lsi-only.live.xml", d =>
            Dom.Devices(d).Elements("controller").Single(c => (string?)c.Attribute("type") == "scsi").SetAttributeValue("model", "virtio-scsi"));
        var topology = TopologyBuilder.Build(Dom.Running(Fixtures.Text("lsi-only.live.xml"), config), null);
        Assert.True(topology.DefinitionsDiffer);
        Assert.Contains(topology.Differences, x => x.Contains("controller 0"));
    }

    [Fact]
    public void A_shut_off_or_transient_domain_has_one_definition_and_everything_is_in_both()
    {
        foreach (var state in new[] { Fixtures.ShutOff("mixed.config.xml"), Dom.Transient(Fixtures.Text("mixed.live.xml")) })
        {
            var topology = TopologyBuilder.Build(state, null);
            Assert.All(topology.Controllers, c => Assert.Equal(DefinitionPresence.Both, c.Presence));
            Assert.All(topology.Disks, d => Assert.Equal(DefinitionPresence.Both, d.Presence));
            Assert.Empty(topology.Differences);
        }
        Assert.False(TopologyBuilder.Build(Dom.Transient(Fixtures.Text("mixed.live.xml")), null).IsPersistent);
    }

    [Fact]
    public void The_boot_order_shown_is_the_persistent_one()
    {
        var config = Dom.Edit("virtio-only.live.xml", d =>
        {
            Dom.RemoveOsBoot(d);
            Dom.Devices(d).Elements("disk").First().Add(new System.Xml.Linq.XElement("boot", new System.Xml.Linq.XAttribute("order", 1)));
        });
        var topology = TopologyBuilder.Build(Dom.Running(Fixtures.Text("virtio-only.live.xml"), config), null);
        Assert.Equal(1, topology.Disks.Single(d => d.TargetDevice == "sda").BootOrder);
        Assert.Null(topology.Disks.Single(d => d.TargetDevice == "sdb").BootOrder);
    }

    [Fact]
    public void Hotplug_capability_is_reported()
    {
        var none = TopologyBuilder.Build(Fixtures.Running("none.live.xml"), null);
        Assert.True(none.CanHotplugController);
        Assert.Null(none.HotplugBlocker);
        Assert.Empty(none.Controllers);
        Assert.Empty(none.Disks);

        var noAcpi = TopologyBuilder.Build(Fixtures.Running("no-acpi.live.xml"), null);
        Assert.False(noAcpi.CanHotplugController);
        Assert.NotNull(noAcpi.HotplugBlocker);

        var q35 = TopologyBuilder.Build(Fixtures.Running("q35.live.xml"), null);
        Assert.False(q35.CanHotplugController);
        Assert.Equal("pc-q35-7.2", q35.MachineType);
        Assert.Equal("x86_64", q35.Architecture);
    }
}

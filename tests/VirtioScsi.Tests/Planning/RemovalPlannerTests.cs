using System.Linq;
using System.Xml.Linq;
using VirtioScsi.Libvirt;
using VirtioScsi.Errors;
using VirtioScsi.Model;
using VirtioScsi.Planning;
using VirtioScsi.Tests.Support;
using Xunit;

namespace VirtioScsi.Tests.Planning;

/// <summary>Remove-PassthroughLun and Remove-ScsiController planning.</summary>
public class RemovalPlannerTests
{
    private static ChangeScope Default(DomainState domain) => ChangeScope.Resolve(domain, false, false);

    /// <summary>mixed, with a LUN sdc at 1:0:0:1 that only the persistent definition has.</summary>
    private static DomainState MixedWithConfigOnlyLun() =>
        Dom.Running(Fixtures.Text("mixed.live.xml"), Dom.Edit("mixed.config.xml", d => Dom.AddDevice(d, Dom.IscsiLun("sdc", 1, 1, 7))));

    private static bool IsDiskDetach(ChangeStep step, string targetDevice) =>
        step.Kind == StepKind.DetachDevice && step.Device().Name.LocalName == "disk" &&
        (string?)step.Device().Element("target")?.Attribute("dev") == targetDevice;

    // ---- LUNs ----

    [Fact]
    public void A_lun_in_both_definitions_is_detached_from_both()
    {
        var domain = Fixtures.Running("virtio-only.live.xml");
        var plan = LunRemovalPlanner.Plan(domain, "sdb", Default(domain));
        var step = Assert.Single(plan.Steps);
        Assert.Equal(StepKind.DetachDevice, step.Kind);
        Assert.True(step.Scope.Live);
        Assert.True(step.Scope.Config);

        var xml = step.Device();
        Assert.Equal("network", (string?)xml.Attribute("type"));
        Assert.Equal("lun", (string?)xml.Attribute("device"));
        Assert.Equal("sdb", (string?)xml.Element("target")!.Attribute("dev"));
        Assert.Equal("scsi", (string?)xml.Element("target")!.Attribute("bus"));
        Assert.Equal("iqn.2026-11.org.example:fixture/2", (string?)xml.Element("source")!.Attribute("name"));

        var command = step.Command.ToVirshSyntax();
        Assert.StartsWith("detach-device ", command);
        Assert.Contains("--live", command);
        Assert.Contains("--config", command);
    }

    [Fact]
    public void The_detach_knows_when_the_lun_has_left_the_running_domain()
    {
        var domain = Fixtures.Running("virtio-only.live.xml");
        var isGone = LunRemovalPlanner.Plan(domain, "sdb", Default(domain)).Steps.Single().IsGoneFromLive!;
        Assert.False(isGone(Fixtures.Definition("virtio-only.live.xml")));
        Assert.True(isGone(Dom.Parse(Dom.Edit("virtio-only.live.xml", d =>
            Dom.Devices(d).Elements("disk").Where(x => (string?)x.Element("target")!.Attribute("dev") == "sdb").Remove()))));
    }

    [Fact]
    public void A_lun_of_a_shut_off_domain_is_detached_from_its_persistent_definition()
    {
        var domain = Fixtures.ShutOff("many-luns.config.xml");
        var step = LunRemovalPlanner.Plan(domain, "sdoj", Default(domain)).Steps.Single();
        Assert.False(step.Scope.Live);
        Assert.True(step.Scope.Config);
        Assert.DoesNotContain("--live", step.Command.ToVirshSyntax());
        Assert.Equal("iqn.2026-11.org.example:many/399", (string?)step.Device().Element("source")!.Attribute("name"));
    }

    [Fact]
    public void An_unknown_target_device_is_not_found()
    {
        var domain = Fixtures.Running("virtio-only.live.xml");
        var e = Dom.Fails(ErrorIds.LunNotFound, () => LunRemovalPlanner.Plan(domain, "sdz", Default(domain)));
        Assert.Equal(ErrorKind.ObjectNotFound, e.Kind);
        Dom.Fails(ErrorIds.LunNotFound, () => LunRemovalPlanner.Plan(Fixtures.ShutOff("many-luns.config.xml"), "sdh", Dom.ConfigOnly));
    }

    [Fact]
    public void A_lun_only_in_the_persistent_definition_is_detached_from_it_only()
    {
        var domain = MixedWithConfigOnlyLun();
        var step = LunRemovalPlanner.Plan(domain, "sdc", Default(domain)).Steps.Single();
        Assert.False(step.Scope.Live);
        Assert.True(step.Scope.Config);
        Assert.DoesNotContain("--live", step.Command.ToVirshSyntax());
    }

    [Fact]
    public void A_lun_only_in_the_persistent_definition_is_not_found_by_a_live_change()
    {
        Dom.Fails(ErrorIds.LunNotFound, () => LunRemovalPlanner.Plan(MixedWithConfigOnlyLun(), "sdc", Dom.LiveOnly));
    }

    [Fact]
    public void A_lun_only_in_the_running_domain_is_detached_live_only()
    {
        var live = Dom.Edit("virtio-only.live.xml", d => Dom.AddDevice(d, Dom.IscsiLun("sdc", 0, 2, 3)));
        var domain = Dom.Running(live, Fixtures.Text("virtio-only.live.xml"));
        var step = LunRemovalPlanner.Plan(domain, "sdc", Default(domain)).Steps.Single();
        Assert.True(step.Scope.Live);
        Assert.False(step.Scope.Config);
        Dom.Fails(ErrorIds.LunNotFound, () => LunRemovalPlanner.Plan(domain, "sdc", Dom.ConfigOnly));
    }

    [Fact]
    public void A_block_lun_detach_names_its_device()
    {
        var xml = Dom.Edit("virtio-only.live.xml", d => Dom.AddDevice(d, Dom.BlockLun("sdc", "/dev/sdx", 0, 2)));
        var domain = Dom.Running(xml);
        var disk = LunRemovalPlanner.Plan(domain, "sdc", Default(domain)).Steps.Single().Device();
        Assert.Equal("block", (string?)disk.Attribute("type"));
        Assert.Equal("/dev/sdx", (string?)disk.Element("source")!.Attribute("dev"));
    }

    // Regression (bug found by this test, fixed in 0684024): DetachDiskSteps looked the disk up in d.Disks,
    // every bus. On q35 the SATA boot disk is named sda too, so 'Remove-PassthroughLun -TargetDevice sda'
    // planned to detach the domain's SATA boot disk instead of failing with LunNotFound.
    [Fact]
    public void A_sata_disk_is_no_scsi_lun_to_remove()
    {
        var xml = Dom.Edit("q35.live.xml", d => Dom.AddDevice(d,
            "<disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='/var/lib/libvirt/images/boot.qcow2'/>" +
            "<target dev='sda' bus='sata'/><address type='drive' controller='0' bus='0' target='0' unit='0'/></disk>"));
        var domain = Dom.Running(xml);
        Dom.Fails(ErrorIds.LunNotFound, () => LunRemovalPlanner.Plan(domain, "sda", Default(domain)));
    }

    [Fact]
    public void A_lun_is_found_by_its_iscsi_source()
    {
        var domain = Fixtures.Running("virtio-only.live.xml");
        Assert.Equal("sdb", LunRemovalPlanner.FindTargetBySource(domain, LunSource.Iscsi("127.0.0.1", 13260, "iqn.2026-11.org.example:fixture", 2)));
        Assert.Equal("sda", LunRemovalPlanner.FindTargetBySource(domain, LunSource.Iscsi("127.0.0.1", 13260, "iqn.2026-11.org.example:fixture", 1)));
        Assert.Null(LunRemovalPlanner.FindTargetBySource(domain, LunSource.Iscsi("127.0.0.1", 13260, "iqn.2026-11.org.example:fixture", 3)));
    }

    [Fact]
    public void A_lun_is_found_by_its_block_device_under_another_name()
    {
        var xml = Dom.Edit("virtio-only.live.xml", d => Dom.AddDevice(d, Dom.BlockLun("sdc", "/dev/sdx", 0, 2)));
        var domain = Dom.Running(xml);
        Assert.Equal("sdc", LunRemovalPlanner.FindTargetBySource(domain, LunSource.Block("/dev/sdx")));
        Assert.Null(LunRemovalPlanner.FindTargetBySource(domain, LunSource.Block("/dev/disk/by-id/wwn-0x6001")));
        Assert.Equal("sdc", LunRemovalPlanner.FindTargetBySource(domain, LunSource.Block("/dev/disk/by-id/wwn-0x6001"),
            new LunSourceIdentity(p => p == "/dev/disk/by-id/wwn-0x6001" ? "/dev/sdx" : p)));
    }

    [Fact]
    public void A_source_used_by_a_non_scsi_disk_is_not_found()
    {
        var xml = Dom.Edit("virtio-only.live.xml", d => Dom.AddDevice(d,
            "<disk type='block' device='disk'><source dev='/dev/sdy'/><target dev='vda' bus='virtio'/></disk>"));
        Assert.Null(LunRemovalPlanner.FindTargetBySource(Dom.Running(xml), LunSource.Block("/dev/sdy")));
    }

    // ---- controllers ----

    [Fact]
    public void A_controller_with_disks_is_not_removed_without_force()
    {
        var domain = Fixtures.Running("mixed.live.xml", "mixed.config.xml");
        var e = Dom.Fails(ErrorIds.ControllerHasDisks, () => ControllerRemovalPlanner.Plan(domain, 1, Default(domain), force: false));
        Assert.Contains("sdb", e.Message);
        Assert.Contains("-Force", e.RecommendedAction);
        Dom.Fails(ErrorIds.ControllerHasDisks, () => ControllerRemovalPlanner.Plan(domain, 0, Default(domain), force: false));
    }

    [Fact]
    public void With_force_the_disks_are_detached_first_then_the_controller()
    {
        var domain = Fixtures.Running("mixed.live.xml", "mixed.config.xml");
        var plan = ControllerRemovalPlanner.Plan(domain, 1, Default(domain), force: true);
        Assert.Equal(2, plan.Steps.Count);
        Assert.True(IsDiskDetach(plan.Steps[0], "sdb"));
        Assert.True(plan.Steps[0].Scope.Live && plan.Steps[0].Scope.Config);

        var controller = plan.Steps[1];
        Assert.Equal(StepKind.DetachDevice, controller.Kind);
        Assert.Equal("controller", controller.Device().Name.LocalName);
        Assert.Equal("scsi", (string?)controller.Device().Attribute("type"));
        Assert.Equal("1", (string?)controller.Device().Attribute("index"));
        Assert.True(controller.Scope.Live && controller.Scope.Config);
        Assert.True(controller.IsGoneFromLive!(Fixtures.Definition("none.live.xml")));
        Assert.False(controller.IsGoneFromLive!(Fixtures.Definition("mixed.live.xml")));
    }

    [Fact]
    public void With_force_an_lsi_controller_goes_with_its_cdrom()
    {
        var domain = Fixtures.Running("mixed.live.xml", "mixed.config.xml");
        var plan = ControllerRemovalPlanner.Plan(domain, 0, Default(domain), force: true);
        Assert.Equal(2, plan.Steps.Count);
        Assert.True(IsDiskDetach(plan.Steps[0], "sda"));
        Assert.Equal("cdrom", (string?)plan.Steps[0].Device().Attribute("device"));
        Assert.Equal("0", (string?)plan.Steps[1].Device().Attribute("index"));
    }

    [Fact]
    public void With_force_every_lun_of_a_full_controller_is_detached_before_it()
    {
        var domain = Fixtures.ShutOff("many-luns.config.xml");
        var plan = ControllerRemovalPlanner.Plan(domain, 2, Default(domain), force: true);
        Assert.Equal(101, plan.Steps.Count);
        var disks = plan.Steps.Take(100).Select(s => (string?)s.Device().Element("target")!.Attribute("dev")).ToArray();
        Assert.Equal(100, disks.Distinct().Count());
        Assert.Contains("sdoj", disks);
        Assert.DoesNotContain("sda", disks); // on controller 1
        Assert.All(plan.Steps.Take(100), s => Assert.Equal("disk", s.Device().Name.LocalName));
        Assert.Equal("controller", plan.Steps[100].Device().Name.LocalName);
        Assert.All(plan.Steps, s => Assert.False(s.Scope.Live));
    }

    [Fact]
    public void An_empty_controller_is_removed_without_force()
    {
        var domain = Fixtures.ShutOff("many-luns.config.xml");
        var step = Assert.Single(ControllerRemovalPlanner.Plan(domain, 0, Default(domain), force: false).Steps);
        Assert.Equal("0", (string?)step.Device().Attribute("index"));
    }

    [Fact]
    public void A_controller_only_in_the_running_domain_is_removed_live_only()
    {
        var domain = Fixtures.Running("mixed.live.xml", "mixed.config.xml");
        var step = Assert.Single(ControllerRemovalPlanner.Plan(domain, 2, Default(domain), force: false).Steps);
        Assert.True(step.Scope.Live);
        Assert.False(step.Scope.Config);
        Assert.DoesNotContain("--config", step.Command.ToVirshSyntax());
        Dom.Fails(ErrorIds.ControllerNotFound, () => ControllerRemovalPlanner.Plan(domain, 2, Dom.ConfigOnly, force: false));
    }

    [Fact]
    public void A_missing_controller_is_not_found()
    {
        var domain = Fixtures.Running("virtio-only.live.xml");
        Dom.Fails(ErrorIds.ControllerNotFound, () => ControllerRemovalPlanner.Plan(domain, 9, Default(domain), force: true));
        // usb controller 0 is no SCSI controller.
        Dom.Fails(ErrorIds.ControllerNotFound, () => ControllerRemovalPlanner.Plan(Fixtures.Running("none.live.xml"), 0, Dom.Both, force: true));
    }

    [Fact]
    public void A_controller_carrying_scsi_hostdevs_is_not_removed_even_with_force()
    {
        var xml = Dom.Edit("virtio-only.live.xml", d => Dom.AddDevice(d, Dom.ScsiHostdev(0, 5)));
        var domain = Dom.Running(xml);
        Dom.Fails(ErrorIds.ControllerHasDisks, () => ControllerRemovalPlanner.Plan(domain, 0, Default(domain), force: true));
    }

    [Fact]
    public void A_config_only_lun_on_a_controller_is_detached_from_the_persistent_definition_only()
    {
        var domain = MixedWithConfigOnlyLun();
        var plan = ControllerRemovalPlanner.Plan(domain, 1, Default(domain), force: true);
        Assert.Equal(3, plan.Steps.Count);
        var sdc = plan.Steps.Single(s => IsDiskDetach(s, "sdc"));
        Assert.False(sdc.Scope.Live);
        Assert.True(sdc.Scope.Config);
        var sdb = plan.Steps.Single(s => IsDiskDetach(s, "sdb"));
        Assert.True(sdb.Scope.Live && sdb.Scope.Config);
        Assert.Equal("controller", plan.Steps.Last().Device().Name.LocalName);
    }
}

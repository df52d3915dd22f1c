using System;
using System.Linq;
using System.Xml.Linq;
using VirtioScsi.Libvirt;
using VirtioScsi.Errors;
using VirtioScsi.Model;
using VirtioScsi.Planning;
using VirtioScsi.Tests.Support;
using Xunit;

namespace VirtioScsi.Tests.Planning;

/// <summary>Add-PassthroughLun planning: controller, address, name, boot order, hot-plug and the steps that result.</summary>
public class LunAttachPlannerTests
{
    private static readonly LunSource NewIscsi = LunSource.Iscsi("192.0.2.10", 3260, "iqn.2026-11.org.example:san", 42);
    private static readonly LunSource NewBlock = LunSource.Block("/dev/disk/by-id/wwn-0x600a0b800012345678");

    /// <summary>Plans with the scope the cmdlet would resolve with neither -Live nor -Config.</summary>
    private static LunAttachPlan Plan(DomainState domain, LunRequest request, ChangeScope? scope = null, Func<string, string>? canonicalPath = null) =>
        LunAttachPlanner.Plan(domain, request, scope ?? ChangeScope.Resolve(domain, false, false),
            canonicalPath is null ? null : new LunSourceIdentity(canonicalPath));

    private static LunAttachPlan Plan(DomainState domain, LunSource source, ChangeScope? scope = null) => Plan(domain, new LunRequest(source), scope);

    private static bool IsScsiController(XElement c, int index, string model) =>
        c.Name.LocalName == "controller" && (string?)c.Attribute("type") == "scsi" && (string?)c.Attribute("index") == index.ToString() && (string?)c.Attribute("model") == model;

    // ---- the controller ----

    [Fact]
    public void An_lsi_only_domain_first_gets_a_virtio_scsi_controller_at_the_lowest_unused_index()
    {
        var domain = Fixtures.Running("lsi-only.live.xml");
        var plan = Plan(domain, NewIscsi);

        Assert.Equal(1, plan.NewControllerIndex);
        Assert.Equal(2, plan.Change.Steps.Count);
        var first = plan.Change.Steps[0];
        Assert.Equal(StepKind.AttachDevice, first.Kind);
        Assert.True(IsScsiController(first.Device(), 1, "virtio-scsi"));
        Assert.True(first.Scope.Live && first.Scope.Config);

        var undo = first.Undo;
        Assert.NotNull(undo);
        Assert.Equal(StepKind.DetachDevice, undo!.Kind);
        Assert.True(IsScsiController(undo.Device(), 1, "virtio-scsi"));
        Assert.True(undo.Scope.Live && undo.Scope.Config);
        Assert.Contains("detach-device", undo.Command.ToVirshSyntax());

        // The LUN goes to the new controller, never to the lsi one, and never without an address.
        var lun = plan.Change.Steps[1].Device();
        Assert.Equal(new DriveAddress(1, 0, 0, 0), Dom.AddressOf(lun));
        Assert.Equal(new DriveAddress(1, 0, 0, 0), plan.Address);
        Assert.Equal("sdb", plan.TargetDevice); // sda is the emulated disk
        Assert.Equal("sdb", (string?)lun.Element("target")!.Attribute("dev"));
    }

    [Fact]
    public void The_undo_of_the_new_controller_knows_when_it_has_left_the_running_domain()
    {
        var plan = Plan(Fixtures.Running("lsi-only.live.xml"), NewIscsi);
        var isGone = plan.Change.Steps[0].Undo!.IsGoneFromLive!;
        Assert.True(isGone(Fixtures.Definition("lsi-only.live.xml")));
        Assert.False(isGone(Fixtures.Definition("mixed.live.xml"))); // has a controller 1
    }

    [Fact]
    public void A_domain_without_scsi_controllers_gets_controller_0_and_the_lun_at_0_0_0_0_as_sda()
    {
        var plan = Plan(Fixtures.Running("none.live.xml"), NewBlock);
        Assert.Equal(0, plan.NewControllerIndex);
        Assert.True(IsScsiController(plan.Change.Steps[0].Device(), 0, "virtio-scsi"));
        Assert.Equal(new DriveAddress(0, 0, 0, 0), Dom.AddressOf(plan.Change.Steps[1].Device()));
        Assert.Equal("sda", plan.TargetDevice);
        Assert.Null(plan.Existing);
    }

    [Fact]
    public void A_controller_without_a_model_is_no_virtio_controller_so_a_new_one_is_added()
    {
        var xml = Dom.Edit("virtio-only.live.xml", d =>
            Dom.Devices(d).Elements("controller").Single(c => (string?)c.Attribute("type") == "scsi").Attribute("model")!.Remove());
        var domain = Dom.Running(xml);
        var plan = Plan(domain, NewIscsi);
        Assert.Equal(1, plan.NewControllerIndex);
        Assert.Equal(1, Dom.AddressOf(plan.Change.Steps.Last().Device())!.Value.Controller);

        Dom.Fails(ErrorIds.ControllerNotVirtioScsi, () => Plan(domain, new LunRequest(NewIscsi) { Controller = 0 }));
    }

    [Fact]
    public void The_new_controller_index_skips_an_index_used_only_in_the_running_domain()
    {
        // Live: lsi 0 and a virtio-scsi 1 hot-plugged earlier; persistent: only lsi 0. No virtio controller
        // is in both definitions, so one is added, and index 1 is taken in the running domain.
        var live = Dom.Edit("lsi-only.live.xml", d => Dom.AddDevice(d, "<controller type='scsi' index='1' model='virtio-scsi'/>"));
        var domain = Dom.Running(live, Fixtures.Text("lsi-only.live.xml"));
        var plan = Plan(domain, NewIscsi);
        Assert.Equal(2, plan.NewControllerIndex);
        // The persistent definition lacks index 1 below the new controller 2: it is filled with virtio-scsi
        // (persistent only) before controller 2 is added to both, so libvirt invents no lsilogic there.
        Assert.True(IsScsiController(plan.Change.Steps[0].Device(), 1, "virtio-scsi"));
        Assert.Equal((false, true), (plan.Change.Steps[0].Scope.Live, plan.Change.Steps[0].Scope.Config));
        Assert.True(IsScsiController(plan.Change.Steps[1].Device(), 2, "virtio-scsi"));
        Assert.Equal((true, true), (plan.Change.Steps[1].Scope.Live, plan.Change.Steps[1].Scope.Config));
        Assert.Equal(new DriveAddress(2, 0, 0, 0), plan.Address);
    }

    [Fact]
    public void The_new_controller_index_skips_an_index_used_only_in_the_persistent_definition()
    {
        // Persistent: lsi 0 and virtio-scsi 1 (added with -Config); live: only lsi 0. For a live and
        // persistent change no virtio controller is in both, so one is added, at 2, not at 1.
        var config = Dom.Edit("lsi-only.live.xml", d => Dom.AddDevice(d, "<controller type='scsi' index='1' model='virtio-scsi'/>"));
        var domain = Dom.Running(Fixtures.Text("lsi-only.live.xml"), config);
        var plan = Plan(domain, NewIscsi);
        Assert.Equal(2, plan.NewControllerIndex);
        Assert.Equal(new DriveAddress(2, 0, 0, 0), plan.Address);

        // A persistent-only change uses controller 1 instead.
        var persistent = Plan(domain, NewIscsi, Dom.ConfigOnly);
        Assert.Null(persistent.NewControllerIndex);
        Assert.Equal(new DriveAddress(1, 0, 0, 0), persistent.Address);
    }

    [Fact]
    public void An_existing_virtio_controller_is_used_without_adding_one()
    {
        var domain = Fixtures.Running("virtio-only.live.xml");
        var plan = Plan(domain, NewIscsi);
        Assert.Null(plan.NewControllerIndex);
        var step = Assert.Single(plan.Change.Steps);
        Assert.Equal(StepKind.AttachDevice, step.Kind);
        Assert.Equal(new DriveAddress(0, 0, 0, 2), Dom.AddressOf(step.Device()));
        Assert.Equal("sdc", plan.TargetDevice);
        Assert.True(step.Scope.Live && step.Scope.Config);
        var command = step.Command.ToVirshSyntax();
        Assert.StartsWith("attach-device ", command);
        Assert.Contains("--live", command);
        Assert.Contains("--config", command);
        Assert.Empty(plan.Change.Warnings);
    }

    [Fact]
    public void In_a_mixed_domain_the_virtio_controller_present_in_both_definitions_is_used()
    {
        var plan = Plan(Fixtures.Running("mixed.live.xml", "mixed.config.xml"), NewIscsi);
        Assert.Null(plan.NewControllerIndex);
        Assert.Equal(new DriveAddress(1, 0, 0, 1), plan.Address);
        Assert.Equal("sdc", plan.TargetDevice);
    }

    [Fact]
    public void An_explicit_live_only_controller_is_used_for_a_live_change_only()
    {
        var domain = Fixtures.Running("mixed.live.xml", "mixed.config.xml");
        var request = new LunRequest(NewIscsi) { Controller = 2 };
        var plan = Plan(domain, request, Dom.LiveOnly);
        Assert.Equal(new DriveAddress(2, 0, 0, 0), plan.Address);
        var step = Assert.Single(plan.Change.Steps);
        Assert.True(step.Scope.Live);
        Assert.False(step.Scope.Config);

        Dom.Fails(ErrorIds.ControllerNotFound, () => Plan(domain, request));
    }

    [Fact]
    public void An_explicit_lsi_controller_is_refused()
    {
        Dom.Fails(ErrorIds.ControllerNotVirtioScsi, () => Plan(Fixtures.Running("lsi-only.live.xml"), new LunRequest(NewIscsi) { Controller = 0 }));
        Dom.Fails(ErrorIds.ControllerNotVirtioScsi, () => Plan(Fixtures.ShutOff("many-luns.config.xml"), new LunRequest(NewIscsi) { Controller = 0 }));
    }

    [Fact]
    public void An_explicit_missing_controller_is_refused()
    {
        Dom.Fails(ErrorIds.ControllerNotFound, () => Plan(Fixtures.Running("lsi-only.live.xml"), new LunRequest(NewIscsi) { Controller = 7 }));
        Dom.Fails(ErrorIds.ControllerNotFound, () => Plan(Fixtures.Running("none.live.xml"), new LunRequest(NewIscsi) { Controller = 0 }));
    }

    [Fact]
    public void An_explicit_virtio_controller_other_than_the_lowest_is_honoured()
    {
        var plan = Plan(Fixtures.ShutOff("many-luns.config.xml"), new LunRequest(NewIscsi) { Controller = 2 });
        Assert.Equal(new DriveAddress(2, 0, 0, 100), plan.Address);
    }

    // ---- the address ----

    [Fact]
    public void In_the_many_luns_domain_the_gap_at_unit_7_and_the_name_sdh_are_reused()
    {
        var domain = Fixtures.ShutOff("many-luns.config.xml");
        var plan = Plan(domain, NewIscsi);
        Assert.Equal(new DriveAddress(1, 0, 0, 7), plan.Address);
        Assert.Equal("sdh", plan.TargetDevice);
        var step = Assert.Single(plan.Change.Steps);
        Assert.False(step.Scope.Live);
        Assert.True(step.Scope.Config);
        Assert.DoesNotContain("--live", step.Command.ToVirshSyntax());
        Assert.Equal(new DriveAddress(1, 0, 0, 7), Dom.AddressOf(step.Device()));
    }

    [Fact]
    public void Explicit_target_and_unit_are_checked()
    {
        var domain = Fixtures.ShutOff("many-luns.config.xml");
        Assert.Equal(new DriveAddress(1, 0, 1, 8), Plan(domain, new LunRequest(NewIscsi) { Target = 1, Unit = 8 }).Address);
        Assert.Equal(new DriveAddress(1, 0, 4, 0), Plan(domain, new LunRequest(NewIscsi) { Target = 4 }).Address);
        Assert.Equal(new DriveAddress(1, 0, 0, 7), Plan(domain, new LunRequest(NewIscsi) { Unit = 7 }).Address);
        Dom.Fails(ErrorIds.AddressInUse, () => Plan(domain, new LunRequest(NewIscsi) { Unit = 8 }));
        Dom.Fails(ErrorIds.AddressInUse, () => Plan(domain, new LunRequest(NewIscsi) { Controller = 2, Unit = 50 }));
        Dom.Fails(ErrorIds.AddressOutOfRange, () => Plan(domain, new LunRequest(NewIscsi) { Unit = 16384 }));
        Dom.Fails(ErrorIds.AddressOutOfRange, () => Plan(domain, new LunRequest(NewIscsi) { Unit = -1 }));
        Dom.Fails(ErrorIds.AddressOutOfRange, () => Plan(domain, new LunRequest(NewIscsi) { Target = 256 }));
        Dom.Fails(ErrorIds.AddressOutOfRange, () => Plan(domain, new LunRequest(NewIscsi) { Target = -1, Unit = 0 }));
    }

    [Fact]
    public void Explicit_target_and_unit_on_a_new_controller_are_checked_against_virtio_limits()
    {
        // lsi-only: the LUN goes to a new virtio-scsi controller, where target 3 unit 100 is fine.
        var plan = Plan(Fixtures.Running("lsi-only.live.xml"), new LunRequest(NewIscsi) { Target = 3, Unit = 100 });
        Assert.Equal(new DriveAddress(1, 0, 3, 100), plan.Address);
    }

    [Fact]
    public void Addresses_of_scsi_hostdevs_are_skipped()
    {
        var xml = Dom.Edit("virtio-only.live.xml", d => Dom.AddDevice(d, Dom.ScsiHostdev(0, 2)));
        var domain = Dom.Running(xml);
        Assert.Equal(new DriveAddress(0, 0, 0, 3), Plan(domain, NewIscsi).Address);
        Dom.Fails(ErrorIds.AddressInUse, () => Plan(domain, new LunRequest(NewIscsi) { Unit = 2 }));
    }

    [Fact]
    public void An_address_and_name_used_only_in_the_persistent_definition_are_skipped()
    {
        var config = Dom.Edit("virtio-only.live.xml", d => Dom.AddDevice(d, Dom.IscsiLun("sdc", 0, 2, 9)));
        var domain = Dom.Running(Fixtures.Text("virtio-only.live.xml"), config);
        var plan = Plan(domain, NewIscsi);
        Assert.Equal(new DriveAddress(0, 0, 0, 3), plan.Address);
        Assert.Equal("sdd", plan.TargetDevice);
    }

    [Fact]
    public void An_address_and_name_used_only_in_the_running_domain_are_skipped()
    {
        var live = Dom.Edit("virtio-only.live.xml", d => Dom.AddDevice(d, Dom.IscsiLun("sdc", 0, 2, 9)));
        var domain = Dom.Running(live, Fixtures.Text("virtio-only.live.xml"));
        var plan = Plan(domain, NewIscsi, Dom.ConfigOnly);
        Assert.Equal(new DriveAddress(0, 0, 0, 3), plan.Address);
        Assert.Equal("sdd", plan.TargetDevice);
    }

    // ---- the target name ----

    [Fact]
    public void A_free_explicit_target_device_is_used()
    {
        var plan = Plan(Fixtures.Running("virtio-only.live.xml"), new LunRequest(NewIscsi) { TargetDevice = "sdz" });
        Assert.Equal("sdz", plan.TargetDevice);
        Assert.Equal("sdz", (string?)plan.Change.Steps.Single().Device().Element("target")!.Attribute("dev"));
    }

    [Fact]
    public void A_target_device_in_use_is_refused()
    {
        var domain = Fixtures.Running("virtio-only.live.xml");
        var e = Dom.Fails(ErrorIds.TargetDeviceInUse, () => Plan(domain, new LunRequest(NewIscsi) { TargetDevice = "sdb" }));
        Assert.Contains("sdc", e.RecommendedAction); // the lowest free name
    }

    [Fact]
    public void A_target_device_used_only_in_the_persistent_definition_is_in_use()
    {
        var config = Dom.Edit("virtio-only.live.xml", d => Dom.AddDevice(d, Dom.IscsiLun("sdc", 0, 2, 9)));
        var domain = Dom.Running(Fixtures.Text("virtio-only.live.xml"), config);
        Dom.Fails(ErrorIds.TargetDeviceInUse, () => Plan(domain, new LunRequest(NewIscsi) { TargetDevice = "sdc" }, Dom.LiveOnly));
    }

    [Theory]
    [InlineData("vdb")]
    [InlineData("sd1")]
    [InlineData("SDC")]
    [InlineData("sdaaaa")]
    [InlineData("sd")]
    [InlineData("")]
    [InlineData("sdc'/><x a='")]
    public void A_malformed_target_device_is_refused(string name)
    {
        Dom.Fails(ErrorIds.TargetDeviceInvalid, () => Plan(Fixtures.Running("virtio-only.live.xml"), new LunRequest(NewIscsi) { TargetDevice = name }));
    }

    // Regression (bug found by these tests, fixed in 0684024): the sdX pattern ended in '$', which also
    // matches before a final newline, so -TargetDevice "sdb`n" passed validation, was not found in use
    // although sdb is taken, and reached libvirt as <target dev='sdb&#xA;'/>.
    [Fact]
    public void A_target_device_with_a_trailing_newline_is_refused()
    {
        Dom.Fails(ErrorIds.TargetDeviceInvalid, () => Plan(Fixtures.Running("virtio-only.live.xml"), new LunRequest(NewIscsi) { TargetDevice = "sdb\n" }));
    }

    // ---- the same source again ----

    [Fact]
    public void The_same_iscsi_lun_already_attached_is_returned_and_nothing_changes()
    {
        var domain = Fixtures.Running("virtio-only.live.xml");
        var plan = Plan(domain, LunSource.Iscsi("127.0.0.1", 13260, "iqn.2026-11.org.example:fixture", 2));
        Assert.True(plan.Change.ChangesNothing);
        Assert.Empty(plan.Change.Steps);
        Assert.NotNull(plan.Existing);
        Assert.Equal("sdb", plan.TargetDevice);
        Assert.Equal(new DriveAddress(0, 0, 0, 1), plan.Address);
        Assert.Null(plan.NewControllerIndex);
    }

    [Fact]
    public void Another_lun_of_the_same_target_or_another_portal_is_a_different_source()
    {
        var domain = Fixtures.Running("virtio-only.live.xml");
        Assert.False(Plan(domain, LunSource.Iscsi("127.0.0.1", 13260, "iqn.2026-11.org.example:fixture", 3)).Change.ChangesNothing);
        Assert.False(Plan(domain, LunSource.Iscsi("127.0.0.1", 3260, "iqn.2026-11.org.example:fixture", 2)).Change.ChangesNothing);
    }

    [Fact]
    public void The_same_block_lun_already_attached_is_returned_even_under_another_name_of_the_device()
    {
        var xml = Dom.Edit("virtio-only.live.xml", d => Dom.AddDevice(d, Dom.BlockLun("sdc", "/dev/sdx", 0, 2)));
        var domain = Dom.Running(xml);
        var direct = Plan(domain, LunSource.Block("/dev/sdx"));
        Assert.True(direct.Change.ChangesNothing);
        Assert.Equal("sdc", direct.TargetDevice);

        string Canonical(string p) => p == "/dev/disk/by-id/wwn-0x6001" ? "/dev/sdx" : p;
        var alias = Plan(domain, new LunRequest(LunSource.Block("/dev/disk/by-id/wwn-0x6001")), canonicalPath: Canonical);
        Assert.True(alias.Change.ChangesNothing);
        Assert.Equal("sdc", alias.TargetDevice);
        Assert.Equal(new DriveAddress(0, 0, 0, 2), alias.Address);
    }

    [Fact]
    public void The_same_source_attached_as_an_emulated_disk_is_refused()
    {
        // lsi-only: /tmp/rec/lunA.img is the emulated disk sda.
        var domain = Fixtures.Running("lsi-only.live.xml");
        var e = Dom.Fails(ErrorIds.SourceInUse, () => Plan(domain, LunSource.Block("/tmp/rec/lunA.img")));
        Assert.Contains("sda", e.Message);
        Dom.Fails(ErrorIds.SourceInUse, () =>
            Plan(domain, new LunRequest(LunSource.Block("/dev/mapper/lunA")), canonicalPath: p => p == "/dev/mapper/lunA" ? "/tmp/rec/lunA.img" : p));
    }

    [Fact]
    public void A_block_device_used_as_a_virtio_blk_disk_is_refused()
    {
        var xml = Dom.Edit("virtio-only.live.xml", d => Dom.AddDevice(d,
            "<disk type='block' device='disk'><driver name='qemu' type='raw'/><source dev='/dev/sdy'/><target dev='vda' bus='virtio'/></disk>"));
        Dom.Fails(ErrorIds.SourceInUse, () => Plan(Dom.Running(xml), LunSource.Block("/dev/sdy")));
    }

    // ---- options ----

    [Fact]
    public void An_unknown_sgio_value_is_refused()
    {
        Dom.Fails(ErrorIds.SourceInvalid, () =>
            Plan(Fixtures.Running("virtio-only.live.xml"), new LunRequest(NewIscsi) { Options = new LunOptions { Sgio = "raw" } }));
    }

    [Fact]
    public void Options_reach_the_device_xml()
    {
        var request = new LunRequest(NewBlock) { Options = new LunOptions { Sgio = "unfiltered", Shareable = true, ReadOnly = true, ManagedReservations = true } };
        var lun = Plan(Fixtures.Running("virtio-only.live.xml"), request).Change.Steps.Single().Device();
        Assert.Equal("block", (string?)lun.Attribute("type"));
        Assert.Equal("lun", (string?)lun.Attribute("device"));
        Assert.Equal("unfiltered", (string?)lun.Attribute("sgio"));
        Assert.Single(lun.Elements("shareable"));
        Assert.Single(lun.Elements("readonly"));
        Assert.Equal("yes", (string?)lun.Element("source")!.Element("reservations")!.Attribute("managed"));
        Assert.Equal(NewBlock.Path, (string?)lun.Element("source")!.Attribute("dev"));
        Assert.Empty(lun.Descendants("serial"));
        Assert.Empty(lun.Descendants("blockio"));
    }

    // ---- boot order ----

    private static XElement DiskIn(XDocument document, string targetDevice) =>
        document.Root!.Element("devices")!.Elements("disk").Single(d => (string?)d.Element("target")?.Attribute("dev") == targetDevice);

    [Fact]
    public void A_boot_order_on_a_shut_off_domain_with_os_boot_is_one_redefinition_with_an_undo_and_a_warning()
    {
        var domain = Fixtures.ShutOff("virtio-only.live.xml"); // <os><boot dev='hd'/>
        var plan = Plan(domain, new LunRequest(NewIscsi) { BootOrder = 1 });

        var define = Assert.Single(plan.Change.Steps);
        Assert.Equal(StepKind.Define, define.Kind);
        Assert.False(define.ShowXml);
        Assert.StartsWith("define ", define.Command.ToVirshSyntax());
        var redefined = Assert.IsType<XDocument>(define.Xml);
        Assert.Empty(redefined.Root!.Element("os")!.Elements("boot"));

        // The LUN is in the new persistent definition, with its boot order, at the planned address.
        var lun = DiskIn(redefined, "sdc");
        Assert.Equal("lun", (string?)lun.Attribute("device"));
        Assert.Equal("1", (string?)lun.Element("boot")!.Attribute("order"));
        Assert.Equal(new DriveAddress(0, 0, 0, 2), Dom.AddressOf(lun));
        Assert.Equal(new DriveAddress(0, 0, 0, 2), plan.Address);
        // Everything else stays: the two LUNs there were and the controller.
        Assert.Equal(3, redefined.Root.Element("devices")!.Elements("disk").Count());
        Assert.Single(redefined.Root.Element("devices")!.Elements("controller"), c => (string?)c.Attribute("type") == "scsi");

        var undo = define.Undo;
        Assert.NotNull(undo);
        Assert.Equal(StepKind.Define, undo!.Kind);
        var restored = Assert.IsType<XDocument>(undo.Xml);
        Assert.Equal("hd", (string?)restored.Root!.Element("os")!.Element("boot")!.Attribute("dev"));
        Assert.Equal(2, restored.Root.Element("devices")!.Elements("disk").Count());

        var warning = Assert.Single(plan.Change.Warnings);
        Assert.Contains("<boot dev='hd'/>", warning);
    }

    [Fact]
    public void Planning_the_redefinition_leaves_the_definition_read_alone()
    {
        var domain = Fixtures.ShutOff("virtio-only.live.xml");
        Plan(domain, new LunRequest(NewIscsi) { BootOrder = 1 });
        Assert.Single(domain.Config!.Document.Root!.Element("os")!.Elements("boot"));
        Assert.Equal(2, domain.Config.Document.Root.Element("devices")!.Elements("disk").Count());
    }

    [Fact]
    public void A_boot_order_on_a_running_domain_with_os_boot_redefines_the_persistent_definition_then_attaches_live_without_boot()
    {
        var plan = Plan(Fixtures.Running("virtio-only.live.xml"), new LunRequest(NewIscsi) { BootOrder = 1 });
        Assert.Equal(2, plan.Change.Steps.Count);

        var define = plan.Change.Steps[0];
        Assert.Equal(StepKind.Define, define.Kind);
        Assert.NotNull(define.Undo);
        var lunInConfig = DiskIn(Assert.IsType<XDocument>(define.Xml), "sdc");
        Assert.Equal("1", (string?)lunInConfig.Element("boot")!.Attribute("order"));

        var live = plan.Change.Steps[1];
        Assert.Equal(StepKind.AttachDevice, live.Kind);
        Assert.True(live.Scope.Live);
        Assert.False(live.Scope.Config);
        Assert.DoesNotContain("--config", live.Command.ToVirshSyntax());
        Assert.Empty(live.Device().Elements("boot"));
        Assert.Equal(Dom.AddressOf(lunInConfig), Dom.AddressOf(live.Device()));
        Assert.Equal("sdc", (string?)live.Device().Element("target")!.Attribute("dev"));
        Assert.Single(plan.Change.Warnings);
    }

    [Fact]
    public void A_boot_order_on_a_running_domain_without_os_boot_is_a_live_attach_without_boot_then_a_persistent_one_with_it()
    {
        var domain = Dom.Running(Dom.Edit("virtio-only.live.xml", Dom.RemoveOsBoot));
        var plan = Plan(domain, new LunRequest(NewIscsi) { BootOrder = 1 });

        Assert.DoesNotContain(plan.Change.Steps, s => s.Kind == StepKind.Define);
        Assert.Empty(plan.Change.Warnings);
        Assert.Equal(2, plan.Change.Steps.Count);
        var (live, config) = (plan.Change.Steps[0], plan.Change.Steps[1]);

        Assert.Equal(StepKind.AttachDevice, live.Kind);
        Assert.True(live.Scope.Live);
        Assert.False(live.Scope.Config);
        Assert.Empty(live.Device().Elements("boot"));
        Assert.Contains("--live", live.Command.ToVirshSyntax());
        Assert.DoesNotContain("--config", live.Command.ToVirshSyntax());
        Assert.NotNull(live.Undo);
        Assert.Equal(StepKind.DetachDevice, live.Undo!.Kind);
        Assert.True(live.Undo.Scope.Live);
        Assert.False(live.Undo.Scope.Config);
        Assert.Equal("sdc", (string?)live.Undo.Device().Element("target")!.Attribute("dev"));

        Assert.Equal(StepKind.AttachDevice, config.Kind);
        Assert.False(config.Scope.Live);
        Assert.True(config.Scope.Config);
        Assert.Equal("1", (string?)config.Device().Element("boot")!.Attribute("order"));
        Assert.Contains("--config", config.Command.ToVirshSyntax());
        Assert.DoesNotContain("--live", config.Command.ToVirshSyntax());

        Assert.Equal(new DriveAddress(0, 0, 0, 2), Dom.AddressOf(live.Device()));
        Assert.Equal(Dom.AddressOf(live.Device()), Dom.AddressOf(config.Device()));
    }

    [Fact]
    public void The_live_attach_undo_knows_when_the_lun_has_left_the_running_domain()
    {
        var domain = Dom.Running(Dom.Edit("virtio-only.live.xml", Dom.RemoveOsBoot));
        var plan = Plan(domain, new LunRequest(NewIscsi) { BootOrder = 1 });
        var isGone = plan.Change.Steps[0].Undo!.IsGoneFromLive!;
        Assert.True(isGone(Fixtures.Definition("virtio-only.live.xml")));
        Assert.False(isGone(Dom.Parse(Dom.Edit("virtio-only.live.xml", d => Dom.AddDevice(d, Dom.IscsiLun("sdc", 0, 2, 42))))));
    }

    [Fact]
    public void A_boot_order_on_a_shut_off_domain_without_os_boot_is_one_persistent_attach()
    {
        var plan = Plan(Dom.ShutOff(Dom.Edit("virtio-only.live.xml", Dom.RemoveOsBoot)), new LunRequest(NewIscsi) { BootOrder = 4 });
        var step = Assert.Single(plan.Change.Steps);
        Assert.Equal(StepKind.AttachDevice, step.Kind);
        Assert.False(step.Scope.Live);
        Assert.Equal("4", (string?)step.Device().Element("boot")!.Attribute("order"));
        Assert.Empty(plan.Change.Warnings);
    }

    [Fact]
    public void Os_boot_entries_only_in_the_running_domain_do_not_cause_a_redefinition()
    {
        var config = Dom.Edit("virtio-only.live.xml", Dom.RemoveOsBoot);
        var plan = Plan(Dom.Running(Fixtures.Text("virtio-only.live.xml"), config), new LunRequest(NewIscsi) { BootOrder = 1 });
        Assert.DoesNotContain(plan.Change.Steps, s => s.Kind == StepKind.Define);
    }

    [Fact]
    public void Without_a_boot_order_the_os_boot_entries_stay()
    {
        var plan = Plan(Fixtures.ShutOff("virtio-only.live.xml"), NewIscsi);
        Assert.DoesNotContain(plan.Change.Steps, s => s.Kind == StepKind.Define);
        Assert.Empty(plan.Change.Steps.Single().Device().Elements("boot"));
        Assert.Empty(plan.Change.Warnings);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_controller_the_plan_adds_is_in_the_redefinition_beside_the_lun(bool running)
    {
        // none.live: no SCSI controller, <os><boot dev='hd'/>. The persistent definition gets controller 0
        // and the LUN in one redefinition; nothing is attached with --config after it (libvirt would invent
        // an lsi controller for a LUN whose controller a later define had dropped).
        var domain = running ? Fixtures.Running("none.live.xml") : Fixtures.ShutOff("none.live.xml");
        var plan = Plan(domain, new LunRequest(NewIscsi) { BootOrder = 1 });
        Assert.Equal(0, plan.NewControllerIndex);

        var steps = plan.Change.Steps;
        var define = steps.Single(s => s.Kind == StepKind.Define);
        var devices = Assert.IsType<XDocument>(define.Xml).Root!.Element("devices")!;
        Assert.Contains(devices.Elements("controller"), c => IsScsiController(c, 0, "virtio-scsi"));
        var lun = DiskIn((XDocument)define.Xml, "sda");
        Assert.Equal(new DriveAddress(0, 0, 0, 0), Dom.AddressOf(lun));
        Assert.Equal("1", (string?)lun.Element("boot")!.Attribute("order"));

        var index = steps.ToList().IndexOf(define);
        Assert.All(steps.Skip(index + 1), s => Assert.False(s.Scope.Config));
        Assert.All(steps.Take(index), s => Assert.NotEqual(StepKind.AttachDevice, s.Kind));

        if (running)
        {
            // Then the running domain: the controller, then the LUN without boot order, both live only.
            Assert.Equal(3, steps.Count);
            Assert.True(IsScsiController(steps[1].Device(), 0, "virtio-scsi"));
            Assert.True(steps[1].Scope.Live);
            Assert.NotNull(steps[1].Undo);
            Assert.False(steps[1].Undo!.Scope.Config);
            Assert.Equal("disk", steps[2].Device().Name.LocalName);
            Assert.Empty(steps[2].Device().Elements("boot"));
        }
        else
        {
            Assert.Single(steps);
        }
    }

    [Fact]
    public void A_boot_order_given_to_another_disk_is_in_use()
    {
        var xml = Dom.Edit("virtio-only.live.xml", d =>
        {
            Dom.RemoveOsBoot(d);
            Dom.Devices(d).Elements("disk").First().Add(new XElement("boot", new XAttribute("order", 1)));
        });
        var domain = Dom.ShutOff(xml);
        var e = Dom.Fails(ErrorIds.BootOrderInUse, () => Plan(domain, new LunRequest(NewIscsi) { BootOrder = 1 }));
        Assert.Contains("sda", e.Message);
        Assert.Equal("2", (string?)Plan(domain, new LunRequest(NewIscsi) { BootOrder = 2 }).Change.Steps.Single().Device().Element("boot")!.Attribute("order"));
    }

    [Fact]
    public void A_boot_order_given_to_a_network_interface_is_in_use()
    {
        var xml = Dom.Edit("virtio-only.live.xml", d =>
        {
            Dom.RemoveOsBoot(d);
            Dom.AddDevice(d, "<interface type='network'><source network='default'/><model type='virtio'/><boot order='2'/></interface>");
        });
        Dom.Fails(ErrorIds.BootOrderInUse, () => Plan(Dom.ShutOff(xml), new LunRequest(NewIscsi) { BootOrder = 2 }));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-3)]
    public void A_boot_order_below_1_is_invalid(int order)
    {
        Dom.Fails(ErrorIds.BootOrderInvalid, () => Plan(Fixtures.ShutOff("virtio-only.live.xml"), new LunRequest(NewIscsi) { BootOrder = order }));
    }

    [Fact]
    public void A_boot_order_for_a_live_only_change_is_invalid()
    {
        Dom.Fails(ErrorIds.BootOrderInvalid, () => Plan(Fixtures.Running("virtio-only.live.xml"), new LunRequest(NewIscsi) { BootOrder = 1 }, Dom.LiveOnly));
        Dom.Fails(ErrorIds.BootOrderInvalid, () => Plan(Dom.Transient(Fixtures.Text("virtio-only.live.xml")), new LunRequest(NewIscsi) { BootOrder = 1 }));
    }

    // ---- hot-plug ----

    /// <summary>q35: the SCSI controller on pcie-root-port 1 becomes lsilogic, so the port stays in use.</summary>
    private static void MakeScsiControllerLsi(XDocument document) =>
        Dom.Devices(document).Elements("controller").Single(c => (string?)c.Attribute("type") == "scsi").SetAttributeValue("model", "lsilogic");

    [Fact]
    public void A_running_i440fx_domain_without_acpi_cannot_get_a_controller_live()
    {
        var domain = Fixtures.Running("no-acpi.live.xml");
        var e = Dom.Fails(ErrorIds.HotplugUnavailable, () => Plan(domain, NewIscsi));
        Assert.Contains("-Config", e.RecommendedAction);
        Dom.Fails(ErrorIds.HotplugUnavailable, () => Plan(domain, NewIscsi, Dom.LiveOnly));
    }

    [Fact]
    public void A_running_i440fx_domain_without_acpi_gets_controller_and_lun_in_its_persistent_definition_with_config()
    {
        var plan = Plan(Fixtures.Running("no-acpi.live.xml"), NewIscsi, Dom.ConfigOnly);
        Assert.Equal(1, plan.NewControllerIndex);
        Assert.All(plan.Change.Steps, s => Assert.False(s.Scope.Live));
        Assert.Equal(new DriveAddress(1, 0, 0, 0), plan.Address);
    }

    [Fact]
    public void A_shut_off_domain_without_acpi_needs_no_hotplug()
    {
        var plan = Plan(Fixtures.ShutOff("no-acpi.live.xml"), NewIscsi);
        Assert.Equal(1, plan.NewControllerIndex);
        Assert.Equal(2, plan.Change.Steps.Count);
    }

    [Fact]
    public void A_q35_domain_with_a_virtio_controller_needs_no_pci_hotplug_for_a_lun()
    {
        var plan = Plan(Fixtures.Running("q35.live.xml"), NewIscsi);
        Assert.Null(plan.NewControllerIndex);
        Assert.Equal(new DriveAddress(0, 0, 0, 0), plan.Address);
    }

    [Fact]
    public void A_running_q35_domain_without_a_free_root_port_cannot_get_a_controller_live()
    {
        var xml = Dom.Edit("q35.live.xml", MakeScsiControllerLsi);
        Dom.Fails(ErrorIds.HotplugUnavailable, () => Plan(Dom.Running(xml), NewIscsi));
    }

    [Fact]
    public void A_running_q35_domain_with_a_free_root_port_gets_a_controller_live()
    {
        var document = XDocument.Parse(HotplugAssessmentTests.Q35WithFreePort());
        MakeScsiControllerLsi(document);
        var plan = Plan(Dom.Running(document.ToString()), NewIscsi);
        Assert.Equal(1, plan.NewControllerIndex);
        Assert.True(plan.Change.Steps[0].Scope.Live);
    }

    [Fact]
    public void A_running_q35_domain_whose_free_root_port_has_hotplug_off_cannot_get_a_controller_live()
    {
        var document = XDocument.Parse(HotplugAssessmentTests.Q35WithFreePort("off"));
        MakeScsiControllerLsi(document);
        Dom.Fails(ErrorIds.HotplugUnavailable, () => Plan(Dom.Running(document.ToString()), NewIscsi));
    }

    // ---- scopes ----

    [Fact]
    public void A_transient_domain_gets_the_lun_live_only()
    {
        var domain = Dom.Transient(Fixtures.Text("virtio-only.live.xml"));
        var plan = Plan(domain, NewIscsi);
        var step = Assert.Single(plan.Change.Steps);
        Assert.True(step.Scope.Live);
        Assert.False(step.Scope.Config);
        Assert.Equal(new DriveAddress(0, 0, 0, 2), plan.Address);
    }

    [Fact]
    public void A_transient_domain_without_a_virtio_controller_gets_one_live()
    {
        var plan = Plan(Dom.Transient(Fixtures.Text("lsi-only.live.xml")), NewIscsi);
        Assert.Equal(1, plan.NewControllerIndex);
        Assert.All(plan.Change.Steps, s => Assert.False(s.Scope.Config));
    }

    // ---- large domains (correctness only; speed is measured elsewhere) ----

    [Theory]
    [InlineData(1000, -1)]
    [InlineData(2000, 1500)]
    public void In_a_domain_with_thousands_of_luns_the_lowest_free_unit_and_name_are_chosen(int count, int gap)
    {
        var domain = Dom.ShutOff(Dom.WithManyLuns(count, gap));
        var plan = Plan(domain, NewIscsi);
        var expected = gap >= 0 ? gap : count;
        Assert.Equal(new DriveAddress(0, 0, 0, expected), plan.Address);
        Assert.Equal(Dom.SdName(expected), plan.TargetDevice);
    }

    [Fact]
    public void Asking_again_for_an_attached_lun_with_its_own_boot_order_returns_it()
    {
        var attached = Fixtures.Definition("virtio-only.live.xml").ScsiDisks.First();
        var xml = Dom.Edit("virtio-only.live.xml", d =>
        {
            d.Root!.Element("os")!.Elements("boot").Remove();
            d.Descendants("disk").First().Add(new System.Xml.Linq.XElement("boot", new System.Xml.Linq.XAttribute("order", 1)));
        });
        var domain = Fixtures.ShutOffFromXml(xml);
        var plan = Plan(domain, new LunRequest(attached.Source) { BootOrder = 1 });
        Assert.True(plan.Change.ChangesNothing);
        Assert.Equal(attached.TargetDevice, plan.TargetDevice);
    }

    [Fact]
    public void A_new_controller_above_a_gap_comes_with_virtio_scsi_fillers_in_each_definition_lacking_one()
    {
        // Shut off, lsi 0 and virtio-scsi 2: a LUN on 2 would make libvirt add an lsilogic 1.
        var xml = Dom.Edit("lsi-only.live.xml", d => Dom.AddDevice(d, "<controller type='scsi' index='2' model='virtio-scsi'/>"));
        var plan = Plan(Fixtures.ShutOffFromXml(xml), NewIscsi);
        Assert.Equal(new DriveAddress(2, 0, 0, 0), plan.Address);
        Assert.True(IsScsiController(plan.Change.Steps[0].Device(), 1, "virtio-scsi"));
        Assert.Contains(plan.Change.Warnings, w => w.Contains("lsilogic"));
    }

    [Fact]
    public void Asking_for_an_attached_lun_at_another_place_is_refused_not_ignored()
    {
        var domain = Fixtures.Running("virtio-only.live.xml");
        var attached = domain.Live!.ScsiDisks.First();
        Dom.Fails(ErrorIds.SourceInUse, () => Plan(domain, new LunRequest(attached.Source) { Unit = 9 }));
        Dom.Fails(ErrorIds.SourceInUse, () => Plan(domain, new LunRequest(attached.Source) { TargetDevice = "sdz" }));
        // The same place again is the LUN returned.
        Assert.True(Plan(domain, new LunRequest(attached.Source) { Unit = attached.Address!.Value.Unit, TargetDevice = attached.TargetDevice }).Change.ChangesNothing);
    }
}

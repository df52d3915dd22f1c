using System;
using VirtioScsi.Errors;
using VirtioScsi.Model;
using VirtioScsi.Planning;
using Xunit;

namespace VirtioScsi.Tests.Live;

/// <summary>
/// Each error a user can meet, against the real libvirtd: the right ErrorId, a message naming the input,
/// and the domain exactly as it was (both definitions compared before and after).
/// </summary>
public class ErrorLiveTests
{
    private static void AssertUnchanged(string domain, Action act, string errorId)
    {
        var live = Try(() => LiveStack.DumpXml(domain));
        var config = LiveStack.DumpXml(domain, inactive: true);
        var e = Assert.Throws<VirtioScsiException>(act);
        Assert.Equal(errorId, e.ErrorId);
        Assert.False(string.IsNullOrWhiteSpace(e.RecommendedAction), "every error says what to do");
        Assert.Equal(live, Try(() => LiveStack.DumpXml(domain)));
        Assert.Equal(config, LiveStack.DumpXml(domain, inactive: true));
    }

    private static string? Try(Func<string> read)
    {
        try { return read(); } catch (InvalidOperationException) { return null; }
    }

    private static LunRequest Iscsi(IscsiLun lun) => new(LunSource.FromIscsiParameters(lun.Portal, lun.Iqn, lun.Lun));

    [SkippableFact]
    public void An_unknown_domain_is_reported_by_name()
    {
        LiveStack.Require();
        var e = Assert.Throws<VirtioScsiException>(() =>
            LiveStack.Manager().PlanLunAttach("vst-no-such-domain", new LunRequest(LunSource.Iscsi("127.0.0.1", 3260, "iqn.x:y", 1)), false, false));
        Assert.Equal(ErrorIds.DomainNotFound, e.ErrorId);
        Assert.Contains("vst-no-such-domain", e.Message);
    }

    [SkippableFact]
    public void Address_and_name_conflicts_and_ranges_change_nothing()
    {
        LiveStack.Require();
        using var first = IscsiLun.Create("conflict1");
        using var second = IscsiLun.Create("conflict2");
        using var domain = TestDomain.Create("conflict", "<controller type='scsi' index='0' model='virtio-scsi'/><controller type='scsi' index='1' model='lsilogic'/>");
        var manager = LiveStack.Manager();
        manager.ApplyLunAttach(manager.PlanLunAttach(domain.Name, Iscsi(first), false, false));

        void Attach(Action<LunRequest> set)
        {
            var request = Iscsi(second);
            set(request);
            manager.ApplyLunAttach(manager.PlanLunAttach(domain.Name, request, false, false));
        }

        AssertUnchanged(domain.Name, () => Attach(r => { r.Controller = 0; r.Unit = 0; }), ErrorIds.AddressInUse);
        AssertUnchanged(domain.Name, () => Attach(r => { r.Controller = 0; r.Target = 256; }), ErrorIds.AddressOutOfRange);
        AssertUnchanged(domain.Name, () => Attach(r => { r.Controller = 0; r.Unit = 16384; }), ErrorIds.AddressOutOfRange);
        AssertUnchanged(domain.Name, () => Attach(r => r.Controller = 1), ErrorIds.ControllerNotVirtioScsi);
        AssertUnchanged(domain.Name, () => Attach(r => r.Controller = 7), ErrorIds.ControllerNotFound);
        AssertUnchanged(domain.Name, () => Attach(r => r.TargetDevice = "vda"), ErrorIds.TargetDeviceInvalid);
        AssertUnchanged(domain.Name, () => Attach(r => r.TargetDevice = "sda"), ErrorIds.TargetDeviceInUse);
        AssertUnchanged(domain.Name, () => manager.ApplyNewController(
            manager.PlanNewController(domain.Name, new ControllerRequest { Index = 1 }, false, false)), ErrorIds.ControllerIndexInUse);
        AssertUnchanged(domain.Name, () => manager.PlanNewController(domain.Name, new ControllerRequest { IOThread = 1 }, false, false), ErrorIds.IOThreadInvalid);
    }

    [SkippableFact]
    public void A_running_domain_without_acpi_cannot_take_a_new_controller_and_says_how_to_fix_it()
    {
        LiveStack.Require();
        using var lun = IscsiLun.Create("noacpi");
        using var domain = TestDomain.Create("noacpi", "<controller type='scsi' index='0' model='lsilogic'/>", acpi: false);
        var manager = LiveStack.Manager();
        AssertUnchanged(domain.Name, () => manager.PlanLunAttach(domain.Name, Iscsi(lun), false, false), ErrorIds.HotplugUnavailable);
        var e = Assert.Throws<VirtioScsiException>(() => manager.PlanLunAttach(domain.Name, Iscsi(lun), false, false));
        Assert.Contains("<acpi/>", e.FullMessage);
        // The persistent definition alone can still take it.
        var disk = manager.ApplyLunAttach(manager.PlanLunAttach(domain.Name, Iscsi(lun), live: false, config: true));
        Assert.Equal(DefinitionPresence.ConfigOnly, disk.Presence);
    }

    [SkippableFact]
    public void Live_on_a_shut_off_domain_and_config_on_a_transient_one_are_refused()
    {
        LiveStack.Require();
        using var lun = IscsiLun.Create("scope");
        using var off = TestDomain.Create("scope-off", "<controller type='scsi' index='0' model='virtio-scsi'/>", start: false);
        using var transient = TestDomain.Create("scope-transient", "<controller type='scsi' index='0' model='virtio-scsi'/>", transient: true);
        var manager = LiveStack.Manager();
        AssertUnchanged(off.Name, () => manager.PlanLunAttach(off.Name, Iscsi(lun), live: true, config: false), ErrorIds.LiveChangeOnInactiveDomain);
        var e = Assert.Throws<VirtioScsiException>(() => manager.PlanLunAttach(transient.Name, Iscsi(lun), live: false, config: true));
        Assert.Equal(ErrorIds.ConfigChangeOnTransientDomain, e.ErrorId);
        // A transient domain takes the LUN live by default.
        var disk = manager.ApplyLunAttach(manager.PlanLunAttach(transient.Name, Iscsi(lun), false, false));
        Assert.True(disk.IsPassthrough);
    }

    [SkippableFact]
    public void Host_paths_are_checked_before_anything_changes()
    {
        LiveStack.Require();
        using var domain = TestDomain.Create("paths", "<controller type='scsi' index='0' model='virtio-scsi'/>", start: false);
        var manager = LiveStack.Manager();
        LunRequest Path(string p) => new(LunSource.Block(p));
        AssertUnchanged(domain.Name, () => manager.PlanLunAttach(domain.Name, Path("/dev/mapper/vst-does-not-exist"), false, false), ErrorIds.SourceNotFound);
        AssertUnchanged(domain.Name, () => manager.PlanLunAttach(domain.Name, Path("/etc/hostname"), false, false), ErrorIds.SourceNotBlockDevice);
        AssertUnchanged(domain.Name, () => manager.PlanLunAttach(domain.Name, Path("dev/sdb"), false, false), ErrorIds.SourceInvalid);

        using var loop = LoopDevice.TryCreate();
        Skip.If(loop is null, "this machine cannot create loop devices");
        AssertUnchanged(domain.Name, () => manager.PlanLunAttach(domain.Name, Path(loop!.Partition), false, false), ErrorIds.SourceIsPartition);
        // The whole loop device is a block device without a SCSI layer, which QEMU would refuse (SG_IO).
        AssertUnchanged(domain.Name, () => manager.PlanLunAttach(domain.Name, Path(loop!.Device), false, false), ErrorIds.SourceNotScsi);
    }
}

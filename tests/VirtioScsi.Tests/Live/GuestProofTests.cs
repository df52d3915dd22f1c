using System;
using System.IO;
using System.Linq;
using VirtioScsi.Model;
using VirtioScsi.Planning;
using Xunit;
using Xunit.Abstractions;

namespace VirtioScsi.Tests.Live;

/// <summary>
/// The guest is the judge: a real kernel must see the hot-attached LUN as the iSCSI target's own device
/// (tgtd answers INQUIRY with vendor IET, product VIRTUAL-DISK; an emulated disk would answer QEMU), and
/// must boot from a passthrough LUN.
/// </summary>
public class GuestProofTests
{
    private static readonly TimeSpan BootTimeout = TimeSpan.FromSeconds(90);
    private readonly ITestOutputHelper _output;

    public GuestProofTests(ITestOutputHelper output) => _output = output;

    private static LunRequest Iscsi(IscsiLun lun) => new(LunSource.FromIscsiParameters(lun.Portal, lun.Iqn, lun.Lun));

    [SkippableFact]
    public void A_guest_sees_the_hot_attached_lun_as_the_targets_own_device_and_sees_it_go()
    {
        LiveStack.Require();
        using var lun = IscsiLun.Create("guesthot");
        using var guest = TestGuest.Create("guesthot", "<controller type='scsi' index='0' model='lsilogic'/>", directKernel: true, _output, start: true);
        guest.WaitFor(l => l.StartsWith("ready"), BootTimeout, "that it is ready");

        var manager = LiveStack.Manager();
        var disk = manager.ApplyLunAttach(manager.PlanLunAttach(guest.Name, Iscsi(lun), false, false));
        Assert.Equal("1:0:0:0", disk.Address);

        var added = guest.WaitFor(l => l.StartsWith("add "), TimeSpan.FromSeconds(30), "the new SCSI device");
        var fields = TestGuest.Fields(added);
        Assert.Equal("IET", fields["vendor"]);
        Assert.Equal("VIRTUAL-DISK", fields["product"]);
        Assert.Equal("virtio_scsi", fields["driver"]);
        guest.WaitFor(l => l.StartsWith("inq " + fields["sg"] + ":") && l.Contains("Vendor identification: IET"), TimeSpan.FromSeconds(10), "sg_inq's vendor line");

        manager.ApplyRemoval(manager.PlanLunRemoval(guest.Name, disk.TargetDevice, null, false, false), TimeSpan.FromSeconds(30));
        guest.WaitFor(l => l.StartsWith("remove ") && l.Contains("sg=" + fields["sg"]), TimeSpan.FromSeconds(30), "that the device is gone");
    }

    [SkippableFact]
    public void A_failed_lun_takes_the_controller_it_brought_with_it_out_of_the_running_guest_again()
    {
        LiveStack.Require();
        using var guest = TestGuest.Create("guestrollback", "<controller type='scsi' index='0' model='lsilogic'/>", directKernel: true, _output, start: true);
        guest.WaitFor(l => l.StartsWith("ready"), BootTimeout, "that it is ready");
        var manager = LiveStack.Manager();
        // A target tgtd does not serve: QEMU fails to open the LUN after the controller was hot-plugged.
        var request = new LunRequest(LunSource.FromIscsiParameters(LiveStack.Portal, "iqn.2026-11.test.virtioscsi:no-such-target", 1));
        var plan = manager.PlanLunAttach(guest.Name, request, false, false);
        Assert.Equal(1, plan.NewControllerIndex);

        var e = Assert.Throws<VirtioScsi.Errors.VirtioScsiException>(() => manager.ApplyLunAttach(plan));
        Assert.Equal(VirtioScsi.Errors.ErrorIds.AttachFailed, e.ErrorId);
        Assert.Contains("Undone", e.Message);
        Assert.DoesNotContain("Rollback incomplete", e.Message);
        Assert.DoesNotContain("virtio-scsi", LiveStack.DumpXml(guest.Name));
        Assert.DoesNotContain("virtio-scsi", LiveStack.DumpXml(guest.Name, inactive: true));
    }

    [SkippableFact]
    public void A_guest_boots_from_a_passthrough_lun_given_boot_order_one()
    {
        LiveStack.Require();
        var image = Path.Combine(Path.GetTempPath(), $"virtioscsi-bootlun-{Environment.ProcessId}-{Guid.NewGuid():N}.img");
        var diskId = Random.Shared.Next(0x10000000, int.MaxValue).ToString("x8");
        var (code, _, error) = LiveStack.Run("bash", Path.Combine(TestGuest.RepoRoot, "tests", "Guest", "make-boot-lun.sh"), image, diskId, TestGuest.GuestDirectory!);
        Assert.True(code == 0, "make-boot-lun.sh failed: " + error);
        using var lun = IscsiLun.Create("bootlun", backingFile: image);
        // A shut-off domain with no kernel and no other disk, whose only SCSI controller is lsi index 0.
        using var guest = TestGuest.Create("guestboot", "<controller type='scsi' index='0' model='lsilogic'/>", directKernel: false, _output, start: false);

        var manager = LiveStack.Manager();
        var request = Iscsi(lun);
        request.BootOrder = 1;
        var disk = manager.ApplyLunAttach(manager.PlanLunAttach(guest.Name, request, false, false));
        Assert.Equal((1, "1:0:0:0"), (disk.BootOrder, disk.Address));

        guest.Start();
        var booted = guest.WaitFor(l => l.StartsWith("booted-from") || l.StartsWith("boot-disk-missing"), BootTimeout, "the disk it booted from");
        var fields = TestGuest.Fields(booted);
        Assert.StartsWith("booted-from", booted);
        Assert.Equal(diskId, fields["id"]);
        Assert.Equal("IET", fields["vendor"]);
        Assert.Equal("virtio_scsi", fields["driver"]);
    }
}

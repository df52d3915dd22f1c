using System;
using System.IO;
using VirtioScsi.Engine;
using Xunit;

namespace VirtioScsi.Tests.Engine;

public class HostBlockDevicesTests
{
    [Theory]
    [InlineData(null, true)]
    [InlineData("qemu:///system", true)]
    [InlineData("qemu+unix:///system?socket=/run/x", true)]
    [InlineData("qemu+ssh://root@kvm01/system", false)]
    [InlineData("qemu+tcp://localhost/system", true)]
    [InlineData("test:///default", true)]
    public void Host_paths_are_checked_only_where_the_connection_is_this_machine(string? uri, bool local) =>
        Assert.Equal(local, HostBlockDevices.IsLocalConnection(uri));

    /// <summary>
    /// The SCSI check reads sysfs. This machine has no SCSI disk, so the layout of one (as the kernel
    /// shows an sd disk and a multipath device over two of them) is laid out in a folder.
    /// </summary>
    [Fact]
    public void Scsi_disks_and_multipath_devices_over_them_are_scsi_while_loop_and_nvme_are_not()
    {
        var root = Path.Combine(Path.GetTempPath(), "virtioscsi-sysfs-" + Guid.NewGuid().ToString("N"));
        try
        {
            void Dir(string path) => Directory.CreateDirectory(Path.Combine(root, path));
            Dir("sdb/device/scsi_device/2:0:0:1");
            Dir("sdc/device/scsi_device/3:0:0:1");
            Dir("dm-3/slaves/sdb");
            Dir("dm-3/slaves/sdc");
            Dir("loop0");
            Dir("nvme0n1/device");
            Dir("dm-4/slaves/nvme0n1");
            Dir("dm-5/slaves/sdb");
            Dir("dm-5/slaves/loop0");
            Dir("dm-6/slaves");

            Assert.True(HostBlockDevices.IsScsiBacked(root, "sdb"));
            Assert.True(HostBlockDevices.IsScsiBacked(root, "dm-3"));
            Assert.False(HostBlockDevices.IsScsiBacked(root, "loop0"));
            Assert.False(HostBlockDevices.IsScsiBacked(root, "nvme0n1"));
            Assert.False(HostBlockDevices.IsScsiBacked(root, "dm-4"));
            Assert.False(HostBlockDevices.IsScsiBacked(root, "dm-5"));
            Assert.False(HostBlockDevices.IsScsiBacked(root, "dm-6"));
        }
        finally
        {
            Directory.Delete(root, true);
        }
    }
}

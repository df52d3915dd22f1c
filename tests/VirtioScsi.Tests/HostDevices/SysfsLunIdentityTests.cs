using System.Diagnostics;
using System.Linq;
using VirtioScsi.Engine;
using VirtioScsi.HostDevices;
using VirtioScsi.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace VirtioScsi.Tests.HostDevices;

/// <summary>Which LUN a block source is, from a laid-out sysfs, and the topology's disks that show it.</summary>
public class SysfsLunIdentityTests
{
    private const string Wwid = "3600a098038303053453f463045727a41";
    private readonly ITestOutputHelper _output;

    public SysfsLunIdentityTests(ITestOutputHelper output) => _output = output;

    private static HostTree Host() => new HostTree()
        .Disk("sdb", "8:16").Disk("sdc", "8:32").Disk("vdb", "254:16", scsi: false)
        .Inquiry("sdb", "naa.600a098038303053453f463045727a41", "NETAPP", "LUN C-Mode")
        .Inquiry("sdc", "naa.600a098038303053453f463045727a41", "NETAPP", "LUN C-Mode")
        .Mapper("dm-0", "253:0", "mpatha", "mpath-" + Wwid, "sdb", "sdc")
        .ById("wwn-0x600a098038303053453f463045727a41", "sdb");

    [Theory]
    [InlineData("/dev/sdb")]
    [InlineData("/dev/disk/by-id/wwn-0x600a098038303053453f463045727a41")]
    [InlineData("/dev/mapper/mpatha")]
    [InlineData("/dev/dm-0")]
    public void A_scsi_disk_or_its_multipath_map_by_any_name_is_the_lun_udev_names(string path)
    {
        using var tree = Host();
        var identity = new SysfsLunIdentity(tree.Roots).Identify(path)!;
        Assert.Equal((Wwid, "NETAPP", "LUN C-Mode"), (identity.Wwid, identity.Vendor, identity.Model));
    }

    [Theory]
    [InlineData("/dev/vdb")]
    [InlineData("/dev/nonexistent")]
    [InlineData("/var/lib/libvirt/images/a.img")]
    public void Anything_but_a_scsi_disk_or_map_has_no_identity(string path)
    {
        using var tree = Host();
        Assert.Null(new SysfsLunIdentity(tree.Roots).Identify(path));
    }

    [Theory]
    [InlineData("naa.600A098038303053453F463045727A41", Wwid)]
    [InlineData("eui.0025385b71b0e5a1", "20025385b71b0e5a1")]
    [InlineData("t10.ATA     QEMU HARDDISK", "t10.ATA     QEMU HARDDISK")]
    public void The_kernels_designator_becomes_udevs_wwid(string kernel, string udev) =>
        Assert.Equal(udev, SysfsLunIdentity.UdevWwid(kernel));

    [Fact]
    public void The_topologys_disks_show_which_lun_each_block_source_is_and_nothing_for_others()
    {
        using var tree = Host();
        var state = Fixtures.ShutOffFromXml("<domain type='kvm'><name>db1</name><devices>" +
            "<controller type='scsi' index='0' model='virtio-scsi'/>" +
            "<disk type='block' device='lun'><source dev='/dev/mapper/mpatha'/><target dev='sda' bus='scsi'/><address type='drive' controller='0' bus='0' target='0' unit='0'/></disk>" +
            "<disk type='block' device='lun'><source dev='/dev/vdb'/><target dev='sdb' bus='scsi'/><address type='drive' controller='0' bus='0' target='0' unit='1'/></disk>" +
            "<disk type='network' device='lun'><source protocol='iscsi' name='iqn.2026-11.test:t/1'><host name='127.0.0.1' port='3260'/></source><target dev='sdc' bus='scsi'/><address type='drive' controller='0' bus='0' target='0' unit='2'/></disk>" +
            "</devices></domain>");
        var identity = new SysfsLunIdentity(tree.Roots);
        var disks = TopologyBuilder.Build(state, "qemu:///system", identity.Identify).Disks;
        Assert.Equal(new[] { ("sda", Wwid, "NETAPP", "LUN C-Mode"), ("sdb", null, null, null), ("sdc", null, null, null) },
            disks.Select(d => (d.TargetDevice!, d.Wwid, d.Vendor, d.Model)));

        // Without a host to read (a remote connection) nothing is claimed.
        Assert.All(TopologyBuilder.Build(state, "qemu+ssh://kvm01/system").Disks, d => Assert.Null(d.Wwid));

        // Cheap by construction: a few small files a disk. Measured, not asserted (the machine is shared).
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < 1000; i++) identity.Identify("/dev/mapper/mpatha");
        _output.WriteLine($"1000 identities of a multipath map: {watch.ElapsedMilliseconds} ms");
    }
}

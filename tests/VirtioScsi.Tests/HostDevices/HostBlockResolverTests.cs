using System.Linq;
using VirtioScsi.HostDevices;
using Xunit;

namespace VirtioScsi.Tests.HostDevices;

/// <summary>The resolver on a laid-out /dev, /sys and /proc: multipath, by-id, holders, mounts and swap.</summary>
public class HostBlockResolverTests
{
    private const string Wwid = "3600a098038303053453f463045727a41";

    // Two SCSI paths of one LUN under a dm-multipath map named by its WWID, as with user_friendly_names no.
    private static HostTree Multipathed(string mapName = Wwid) => new HostTree()
        .Disk("sdb", "8:16").Disk("sdc", "8:32")
        .Mapper("dm-0", "253:0", mapName, "mpath-" + Wwid, "sdb", "sdc")
        .ById("wwn-0x600a098038303053453f463045727a41", "dm-0")
        .ById("scsi-" + Wwid, "dm-0")
        .ById("dm-uuid-mpath-" + Wwid, "dm-0");

    [Fact]
    public void A_path_of_a_multipath_map_resolves_to_the_map_with_every_path()
    {
        using var tree = Multipathed();
        var device = tree.Resolver().Resolve("/dev/sdc")!;

        Assert.Equal(("sdc", true, true), (device.KernelName, device.IsMultipathPath, device.IsScsi));
        Assert.Equal("/dev/mapper/" + Wwid, device.MultipathMap);
        Assert.Equal(Wwid, device.MultipathWwid);
        Assert.Equal("/dev/mapper/" + Wwid, device.StablePath);
        Assert.Equal(new[] { "/dev/sdb", "/dev/sdc" }, device.Paths);
        Assert.False(device.Use.IsInUse);
    }

    [Theory]
    [InlineData("/dev/mapper/" + Wwid)]
    [InlineData("/dev/disk/by-id/wwn-0x600a098038303053453f463045727a41")]
    [InlineData("/dev/dm-0")]
    [InlineData("dm-0")]
    public void The_map_itself_by_any_of_its_names_is_the_map_and_not_a_path_of_it(string path)
    {
        using var tree = Multipathed();
        var device = tree.Resolver().Resolve(path)!;

        Assert.Equal(("dm-0", false, true), (device.KernelName, device.IsMultipathPath, device.IsScsi));
        Assert.Equal("/dev/mapper/" + Wwid, device.StablePath);
        Assert.Equal(new[] { "/dev/sdb", "/dev/sdc" }, device.Paths);
    }

    [Fact]
    public void A_friendly_map_name_is_the_stable_path_and_the_wwid_comes_from_the_map_uuid()
    {
        using var tree = Multipathed("mpatha");
        var device = tree.Resolver().Resolve("/dev/sdb")!;
        Assert.Equal(("/dev/mapper/mpatha", Wwid), (device.StablePath, device.MultipathWwid));
    }

    [Fact]
    public void A_single_path_disk_gets_its_wwn_link_then_its_scsi_link_else_no_stable_path()
    {
        using var tree = new HostTree()
            .Disk("sdd", "8:48").Partition("sdd", "sdd1", "8:49")
            .ById("scsi-SSEAGATE_ST4000NM0023_Z1Z0ABCD", "sdd")
            .ById("scsi-35000c500a1b2c3d4", "sdd")
            .ById("wwn-0x5000c500a1b2c3d4", "sdd")
            .ById("wwn-0x5000c500a1b2c3d4-part1", "sdd1")
            .Disk("sde", "8:64")
            .ById("scsi-SLIO-ORG_disk01_abc", "sde")
            .ById("scsi-36001405abcdef0000000000000000001", "sde")
            .Disk("sdf", "8:80");
        var resolver = tree.Resolver();

        var sdd = resolver.Resolve("/dev/sdd")!;
        Assert.Equal(("/dev/disk/by-id/wwn-0x5000c500a1b2c3d4", false, null), (sdd.StablePath, sdd.IsMultipathPath, sdd.MultipathMap));
        Assert.Equal(new[] { "/dev/sdd" }, sdd.Paths);
        Assert.Equal("/dev/disk/by-id/wwn-0x5000c500a1b2c3d4-part1", resolver.Resolve("/dev/sdd1")!.StablePath);
        Assert.True(resolver.Resolve("/dev/sdd1")!.IsPartition);
        Assert.Equal("/dev/disk/by-id/scsi-36001405abcdef0000000000000000001", resolver.Resolve("/dev/sde")!.StablePath);
        Assert.Null(resolver.Resolve("/dev/sdf")!.StablePath);
        // A by-id name given as the path resolves to the same disk.
        Assert.Equal("sdd", resolver.Resolve("/dev/disk/by-id/scsi-35000c500a1b2c3d4")!.KernelName);
    }

    [Fact]
    public void A_virtio_disk_is_no_scsi_device()
    {
        using var tree = new HostTree().Disk("vda", "254:0", scsi: false).ById("virtio-serial123", "vda");
        var vda = tree.Resolver().Resolve("/dev/vda")!;
        Assert.False(vda.IsScsi);
        Assert.Equal("/dev/disk/by-id/virtio-serial123", vda.StablePath);
    }

    [Theory]
    [InlineData("/dev/nothere")]
    [InlineData("/dev/ttyS0")]
    [InlineData("/dev/disk/by-id/wwn-dangling")]
    [InlineData("/etc/passwd")]
    [InlineData("nothere")]
    [InlineData("../sdz")]
    [InlineData("..")]
    public void What_is_no_block_device_resolves_to_nothing(string path)
    {
        using var tree = new HostTree().ById("wwn-dangling", "sdz");
        System.IO.Directory.CreateDirectory(System.IO.Path.Combine(tree.Roots.Sys, "class", "sdz"));
        System.IO.File.WriteAllText(System.IO.Path.Combine(tree.Roots.Dev, "ttyS0"), "");
        Assert.Null(tree.Resolver().Resolve(path));
    }

    [Fact]
    public void An_lvm_volume_on_a_partition_and_an_md_array_are_holders()
    {
        using var tree = new HostTree()
            .Disk("sdg", "8:96").Partition("sdg", "sdg1", "8:97")
            .Mapper("dm-1", "253:1", "vg0-data", "LVM-Wk3f9Y0cYzqvA2xT1d", "sdg1")
            .Disk("sdh", "8:112").Md("md0", "9:0", "sdh");
        var resolver = tree.Resolver();

        var lvm = resolver.Resolve("/dev/sdg")!.Use;
        Assert.True(lvm.IsInUse);
        var holder = Assert.Single(lvm.Holders);
        Assert.Equal(("dm-1", BlockHolderKind.Lvm, "vg0-data", "sdg1"), (holder.Name, holder.Kind, holder.MapperName, holder.Holds));

        var md = Assert.Single(resolver.Resolve("/dev/sdh")!.Use.Holders);
        Assert.Equal(("md0", BlockHolderKind.Md, (string?)null), (md.Name, md.Kind, md.MapperName));
    }

    [Fact]
    public void Lvm_on_a_multipath_map_is_the_luns_use_but_the_map_and_its_partition_maps_are_not()
    {
        using var tree = Multipathed()
            .Mapper("dm-2", "253:2", "vg1-lv", "LVM-abcdef", "dm-0")
            .Mapper("dm-3", "253:3", Wwid + "1", "part1-mpath-" + Wwid, "dm-0")
            .Mount(@"40 27 253:2 / /srv/my\040data rw,relatime shared:5 - xfs /dev/mapper/vg1-lv rw")
            // btrfs shows an anonymous device number: the mount source names the partition map.
            .Mount("41 27 0:45 / /backup rw - btrfs /dev/mapper/" + Wwid + "1 rw");
        var use = tree.Resolver().Resolve("/dev/sdb")!.Use;

        var holder = Assert.Single(use.Holders);
        Assert.Equal(("dm-2", BlockHolderKind.Lvm, "dm-0"), (holder.Name, holder.Kind, holder.Holds));
        Assert.Equal(new[] { ("dm-2", "/srv/my data", "xfs"), ("dm-3", "/backup", "btrfs") },
            use.Mounts.Select(m => (m.Device, m.MountPoint, m.FileSystem)));
    }

    [Fact]
    public void A_mounted_partition_and_swap_are_found_and_other_devices_mounts_are_not()
    {
        using var tree = new HostTree()
            .Disk("vda", "254:0", scsi: false)
            .Disk("sdi", "8:128").Partition("sdi", "sdi1", "8:129")
            .Mount("42 27 8:129 / /boot rw - ext4 /dev/sdi1 rw")
            .Disk("sdj", "8:144").Partition("sdj", "sdj2", "8:146")
            .Swap("/dev/sdj2                               partition\t1048572\t\t0\t\t-2")
            .Swap("/swapfile                               file\t\t1048572\t\t0\t\t-3")
            .Disk("sdk", "8:160");
        var resolver = tree.Resolver();

        var boot = Assert.Single(resolver.Resolve("/dev/sdi")!.Use.Mounts);
        Assert.Equal(("sdi1", "/boot", "ext4"), (boot.Device, boot.MountPoint, boot.FileSystem));
        Assert.Equal(new[] { "sdj2" }, resolver.Resolve("/dev/sdj")!.Use.Swaps);
        Assert.Empty(resolver.Resolve("/dev/sdj")!.Use.Mounts);
        Assert.False(resolver.Resolve("/dev/sdk")!.Use.IsInUse);
        Assert.Equal("/", Assert.Single(resolver.Resolve("/dev/vda")!.Use.Mounts).MountPoint);
    }

    [Fact]
    public void The_catalog_on_a_local_host_joins_the_paths_of_a_multipath_lun_and_marks_the_virtio_disk()
    {
        using var tree = Multipathed().Disk("vda", "254:0", scsi: false);
        static NodeDevice Storage(string dev, string parent, string? serial) => NodeDevice.Parse(
            $"<device><name>block_{dev}</name><parent>{parent}</parent><capability type='storage'><block>/dev/{dev}</block>" +
            $"<drive_type>disk</drive_type><vendor>NETAPP</vendor><model>LUN C-Mode</model>{(serial is null ? "" : $"<serial>{serial}</serial>")}" +
            "<size>10737418240</size></capability></device>");
        static NodeDevice Scsi(int host) => NodeDevice.Parse(
            $"<device><name>scsi_{host}_0_0_3</name><parent>scsi_target{host}_0_0</parent><capability type='scsi'>" +
            $"<host>{host}</host><bus>0</bus><target>0</target><lun>3</lun><type>disk</type></capability></device>");

        var luns = HostLunCatalog.Build(new[]
        {
            Storage("sdc", "scsi_2_0_0_3", Wwid), Storage("vda", "pci_0000_00_02_0", null), Scsi(1), Scsi(2),
            Storage("sdb", "scsi_1_0_0_3", Wwid),
        }, tree.Resolver());

        Assert.Equal(2, luns.Count);
        var lun = luns[0];
        Assert.Equal((Wwid, "NETAPP", "LUN C-Mode", 10737418240L, "1:0:0:3"), (lun.Wwid, lun.Vendor, lun.Model, lun.SizeBytes, lun.HostAddress.ToString()));
        Assert.Equal(new[] { ("/dev/sdb", "1:0:0:3"), ("/dev/sdc", "2:0:0:3") }, lun.Paths.Select(p => (p.Device, p.HostAddress.ToString()!)));
        Assert.Equal(("/dev/mapper/" + Wwid, "/dev/mapper/" + Wwid), (lun.StablePath, lun.MultipathMap));
        Assert.True(lun.IsPassthroughCapable);
        Assert.False(lun.HostUse!.IsInUse);

        var vda = luns[1];
        Assert.False(vda.IsPassthroughCapable);
        Assert.Contains("block_vda → pci_0000_00_02_0", vda.NotPassthroughCapableReason);
        Assert.Equal("/", Assert.Single(vda.HostUse!.Mounts).MountPoint);
    }
}

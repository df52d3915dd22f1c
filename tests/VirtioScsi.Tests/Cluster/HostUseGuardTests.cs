using System.Linq;
using VirtioScsi.Engine;
using VirtioScsi.Errors;
using VirtioScsi.Tests.HostDevices;
using Xunit;

namespace VirtioScsi.Tests.Cluster;

/// <summary>
/// The attach-time guards against a host block device the host uses itself, on a laid-out /dev, /sys and
/// /proc (this machine has no SCSI disk, no multipath and no LVM to try them on): each refusal with its own
/// ErrorId, and -Force turning it into a warning.
/// </summary>
public class HostUseGuardTests
{
    private const string Wwid = "3600a098038303053453f463045727a41";

    private static VirtioScsiException Refused(HostTree tree, string path) =>
        Assert.Throws<VirtioScsiException>(() => HostUseGuard.Check(path, force: false, tree.Roots));

    [Fact]
    public void One_path_of_a_multipath_map_is_refused_naming_the_map_to_use_instead()
    {
        using var tree = new HostTree().Disk("sdb", "8:16").Disk("sdc", "8:32")
            .Mapper("dm-0", "253:0", "mpatha", "mpath-" + Wwid, "sdb", "sdc");
        var e = Refused(tree, "/dev/sdc");
        Assert.Equal(ErrorIds.SourceIsMultipathPath, e.ErrorId);
        Assert.Contains("/dev/mapper/mpatha", e.Summary);
        Assert.Contains("-Path /dev/mapper/mpatha", e.RecommendedAction);
        // The map itself is what to attach: no guard stands in its way.
        Assert.Empty(HostUseGuard.Check("/dev/mapper/mpatha", force: false, tree.Roots));
    }

    [Fact]
    public void A_disk_with_a_mounted_partition_is_refused_naming_the_mount()
    {
        using var tree = new HostTree().Disk("sdi", "8:128").Partition("sdi", "sdi1", "8:129")
            .Mount("42 27 8:129 / /srv/data rw - ext4 /dev/sdi1 rw");
        var e = Refused(tree, "/dev/sdi");
        Assert.Equal(ErrorIds.SourceMountedOnHost, e.ErrorId);
        Assert.Contains("/dev/sdi1 on /srv/data (ext4)", e.Summary);
    }

    [Fact]
    public void A_disk_used_as_swap_is_refused()
    {
        using var tree = new HostTree().Disk("sdj", "8:144")
            .Swap("/dev/sdj                                partition\t1048572\t\t0\t\t-2");
        var e = Refused(tree, "/dev/sdj");
        Assert.Equal(ErrorIds.SourceIsHostSwap, e.ErrorId);
        Assert.Contains("/dev/sdj", e.Summary);
    }

    [Fact]
    public void A_disk_held_by_lvm_or_md_is_refused_naming_the_holder()
    {
        using var tree = new HostTree()
            .Disk("sdg", "8:96").Partition("sdg", "sdg1", "8:97")
            .Mapper("dm-1", "253:1", "vg0-data", "LVM-Wk3f9Y0cYzqvA2xT1d", "sdg1")
            .Disk("sdh", "8:112").Md("md0", "9:0", "sdh");
        var lvm = Refused(tree, "/dev/sdg");
        Assert.Equal(ErrorIds.SourceHeldByHost, lvm.ErrorId);
        Assert.Contains("Lvm vg0-data on sdg1", lvm.Summary);
        var md = Refused(tree, "/dev/sdh");
        Assert.Equal(ErrorIds.SourceHeldByHost, md.ErrorId);
        Assert.Contains("Md md0 on sdh", md.Summary);
    }

    [Fact]
    public void Force_turns_each_refusal_into_a_warning_and_an_unused_disk_passes_without_one()
    {
        using var tree = new HostTree().Disk("sdb", "8:16").Disk("sdc", "8:32")
            .Mapper("dm-0", "253:0", "mpatha", "mpath-" + Wwid, "sdb", "sdc")
            .Mount("43 27 8:32 / /mnt rw - ext4 /dev/sdc rw")
            .Disk("sdk", "8:160");
        var warnings = HostUseGuard.Check("/dev/sdc", force: true, tree.Roots);
        Assert.Equal(2, warnings.Count);
        Assert.All(warnings, w => Assert.StartsWith("-Force overrides this: ", w));
        Assert.Contains(warnings, w => w.Contains("/dev/mapper/mpatha"));
        Assert.Contains(warnings, w => w.Contains("mounted"));
        Assert.Empty(HostUseGuard.Check("/dev/sdk", force: false, tree.Roots));
    }
}

using System;
using System.IO;
using System.Linq;
using VirtioScsi.Errors;

namespace VirtioScsi.Engine;

/// <summary>
/// Checks a LUN's host path where the libvirt host is this machine: it must exist, be a block device,
/// and be a whole device rather than a partition (a partition has no SCSI layer to pass through).
/// </summary>
public static class HostBlockDevices
{
    /// <summary>True when the connection URI names this machine (no host part), so host paths can be checked here.</summary>
    public static bool IsLocalConnection(string? connectionUri)
    {
        if (string.IsNullOrWhiteSpace(connectionUri)) return true;
        var uri = connectionUri!;
        var schemeEnd = uri.IndexOf("://", StringComparison.Ordinal);
        if (schemeEnd < 0) return true;
        var rest = uri.Substring(schemeEnd + 3);
        var host = rest.Split('/')[0];
        return host.Length == 0 || host == "localhost" || host == "127.0.0.1";
    }

    /// <summary>The device a path names, links resolved; the path itself where nothing can be resolved.</summary>
    public static string Canonical(string path) => NativeMethods.ResolvePath(path) ?? path;

    public static void CheckLunPath(string path, string domain)
    {
        if (!path.StartsWith("/", StringComparison.Ordinal))
            throw new VirtioScsiException(ErrorIds.SourceInvalid, ErrorKind.InvalidArgument,
                $"-Path '{path}' is not an absolute path.", path,
                "Give the device's full path, such as /dev/mapper/<wwid> or /dev/disk/by-id/<id>.");
        if (!NativeMethods.IsUnix || !Directory.Exists(SysClassBlock)) return;

        var resolved = NativeMethods.ResolvePath(path);
        if (resolved is null)
            throw new VirtioScsiException(ErrorIds.SourceNotFound, ErrorKind.ObjectNotFound,
                $"-Path '{path}' does not exist on this host (checked for domain '{domain}').", path,
                "Check the device name with 'ls -l /dev/mapper /dev/disk/by-id' and that multipath or the iSCSI session is up.");
        var name = Path.GetFileName(resolved);
        var shown = resolved != path ? $"-Path '{path}' (which is {resolved})" : $"-Path '{path}'";
        var sysfs = Path.Combine(SysClassBlock, name);
        if (!resolved.StartsWith("/dev/", StringComparison.Ordinal) || !Directory.Exists(sysfs))
            throw new VirtioScsiException(ErrorIds.SourceNotBlockDevice, ErrorKind.InvalidArgument,
                $"{shown} is not a block device.", path,
                "Pass a SAN LUN's block device, such as /dev/mapper/<wwid>; image files are attached as emulated disks, not passed through.");
        if (File.Exists(Path.Combine(sysfs, "partition")))
            throw new VirtioScsiException(ErrorIds.SourceIsPartition, ErrorKind.InvalidArgument,
                $"{shown} is a partition: only a whole device can be passed through.", path,
                "Pass the whole device (for example /dev/sdb, not /dev/sdb1), or attach the partition as an emulated disk with virsh.");
        if (!IsScsiBacked(SysClassBlock, name))
            throw new VirtioScsiException(ErrorIds.SourceNotScsi, ErrorKind.InvalidArgument,
                $"{shown} is a block device without a SCSI layer (a loop, NVMe, virtio or RAM disk): QEMU passes only SCSI devices through (SG_IO) and would refuse it.", path,
                "Pass the SAN LUN's SCSI disk or its multipath device (/dev/mapper/<wwid>, /dev/disk/by-id/wwn-…), or attach this device as an emulated disk with virsh.");
    }

    /// <summary>
    /// True when the kernel block device talks SCSI: an sd/sr disk (its sysfs device has a scsi_device),
    /// or a device-mapper device (multipath) whose every path is one.
    /// </summary>
    internal static bool IsScsiBacked(string sysClassBlock, string name, int depth = 0)
    {
        var block = Path.Combine(sysClassBlock, name);
        if (Directory.Exists(Path.Combine(block, "device", "scsi_device"))) return true;
        var slaves = Path.Combine(block, "slaves");
        if (depth > 8 || !Directory.Exists(slaves)) return false;
        var paths = Directory.GetFileSystemEntries(slaves);
        return paths.Length > 0 && paths.All(p => IsScsiBacked(sysClassBlock, Path.GetFileName(p), depth + 1));
    }

    private const string SysClassBlock = "/sys/class/block";
}

using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using VirtioScsi.Errors;

namespace VirtioScsi.Engine;

/// <summary>
/// Checks a LUN's host path where the libvirt host is this machine: it must exist, be a block device,
/// and be a whole device rather than a partition (a partition has no SCSI layer to pass through).
/// </summary>
internal static class HostBlockDevices
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

    /// <param name="force">-Force: the host's own use of the device is a warning, not an error.</param>
    /// <returns>Warnings for what <paramref name="force"/> overrode.</returns>
    public static IReadOnlyList<string> CheckLunPath(string path, string domain, bool force = false)
    {
        if (!path.StartsWith("/", StringComparison.Ordinal))
            throw Error.PathNotAbsolute(path);
        if (!NativeMethods.IsUnix || !Directory.Exists(SysClassBlock)) return new string[0];

        var resolved = NativeMethods.ResolvePath(path);
        if (resolved is null)
            throw Error.SourceNotFound(path, domain);
        var name = Path.GetFileName(resolved);
        var shown = resolved != path ? $"-Path '{path}' (which is {resolved})" : $"-Path '{path}'";
        var sysfs = Path.Combine(SysClassBlock, name);
        if (!resolved.StartsWith("/dev/", StringComparison.Ordinal) || !Directory.Exists(sysfs))
            throw Error.SourceNotBlockDevice(path, shown);
        if (File.Exists(Path.Combine(sysfs, "partition")))
            throw Error.SourceIsPartition(path, shown);
        // Before the SCSI check: that the host uses the device is the more urgent news, and -Force passes it.
        var warnings = HostUseGuard.Check(path, force);
        if (!IsScsiBacked(SysClassBlock, name))
            throw Error.SourceNotScsi(path, shown);
        return warnings;
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

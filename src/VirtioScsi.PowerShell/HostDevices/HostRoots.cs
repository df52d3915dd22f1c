using System;
using System.IO;

namespace VirtioScsi.HostDevices;

/// <summary>
/// Where the host's /dev, /sys and /proc are. The real ones by default; tests lay out a tree of their own
/// in a temporary folder. Host paths (/dev/sdb, as libvirt and users write them) map into the roots here.
/// </summary>
internal sealed class HostRoots
{
    public HostRoots(string dev = "/dev", string sys = "/sys", string proc = "/proc")
    {
        Dev = dev.TrimEnd('/');
        Sys = sys.TrimEnd('/');
        Proc = proc.TrimEnd('/');
    }

    /// <summary>This machine's own /dev, /sys and /proc.</summary>
    public static HostRoots ThisMachine { get; } = new();

    public string Dev { get; }
    public string Sys { get; }
    public string Proc { get; }

    public string SysClassBlock => Sys + "/class/block";
    public string DiskById => Dev + "/disk/by-id";

    /// <summary>Where a host path under /dev is in this tree, or null for a path outside /dev.</summary>
    public string? Local(string hostPath)
    {
        if (hostPath == "/dev") return Dev;
        return hostPath.StartsWith("/dev/", StringComparison.Ordinal) ? Dev + hostPath.Substring(4) : null;
    }

    /// <summary>The host path (/dev/…) of a path in this tree's /dev, or null for a path outside it.</summary>
    public string? Host(string localPath)
    {
        if (localPath == Dev) return "/dev";
        return localPath.StartsWith(Dev + "/", StringComparison.Ordinal) ? "/dev" + localPath.Substring(Dev.Length) : null;
    }

    /// <summary>The kernel's name for a /dev path: every symlink followed (udev's by-id and mapper links are).</summary>
    public string? KernelName(string hostPath)
    {
        var local = Local(hostPath);
        if (local is null) return null;
        for (var hop = 0; hop < 40; hop++)
        {
            var target = SymbolicLink.Target(local);
            if (target is null) break;
            // udev writes relative links (../../sdb); an absolute one names a host path, mapped into this tree.
            var next = target.StartsWith("/", StringComparison.Ordinal)
                ? Local(target)
                : Path.GetFullPath(Path.Combine(Path.GetDirectoryName(local) ?? Dev, target));
            if (next is null) return null;
            local = next;
        }
        var name = Path.GetFileName(local);
        return name.Length > 0 && Directory.Exists(Path.Combine(SysClassBlock, name)) ? name : null;
    }
}

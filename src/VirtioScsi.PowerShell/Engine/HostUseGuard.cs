using System.Collections.Generic;
using System.Linq;
using VirtioScsi.Errors;
using VirtioScsi.HostDevices;

namespace VirtioScsi.Engine;

/// <summary>
/// Refuses a host block device the host itself uses, before anything changes: one path of a multipath map
/// (attach the map), mounted (it or a partition, or what is built on it), swap, or held by LVM, dm or md.
/// -Force overrides each, with a warning. Reads the host through <see cref="HostBlockResolver"/>.
/// </summary>
internal static class HostUseGuard
{
    /// <returns>The warnings for what -Force overrode; none when the host does not use the device.</returns>
    public static IReadOnlyList<string> Check(string path, bool force, HostRoots? roots = null)
    {
        var device = new HostBlockResolver(roots).Resolve(path);
        if (device is null) return new string[0];
        var shown = device.DevicePath != path ? $"-Path '{path}' (which is {device.DevicePath})" : $"-Path '{path}'";
        var found = new List<VirtioScsiException>();
        if (device.IsMultipathPath && device.MultipathMap is not null)
            found.Add(Error.SourceIsMultipathPath(path, shown, device.MultipathMap));
        var use = device.Use;
        if (use.Mounts.Count > 0)
            found.Add(Error.SourceMountedOnHost(path, shown, string.Join(", ", use.Mounts.Select(m => "/dev/" + m))));
        if (use.Swaps.Count > 0)
            found.Add(Error.SourceIsHostSwap(path, shown, string.Join(", ", use.Swaps.Select(s => "/dev/" + s))));
        if (use.Holders.Count > 0)
            found.Add(Error.SourceHeldByHost(path, shown, string.Join(", ", use.Holders)));
        if (found.Count == 0) return new string[0];
        if (!force) throw found[0];
        return found.Select(e => "-Force overrides this: " + e.Summary).ToArray();
    }
}

using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;

namespace VirtioScsi.HostDevices;

/// <summary>
/// The identity of a LUN on this machine straight from sysfs, without asking libvirt: a few small files per
/// disk (the SCSI device's wwid, vendor and model; for a multipath map, its uuid and a path's vendor and
/// model), so Get-DomainScsiTopology can say which LUN each disk is without slowing down.
/// </summary>
internal sealed class SysfsLunIdentity
{
    private readonly HostRoots _roots;

    public SysfsLunIdentity(HostRoots? roots = null) => _roots = roots ?? HostRoots.ThisMachine;

    /// <summary>The identity of the SCSI disk or multipath map a /dev path names; null for anything else.</summary>
    public HostLunIdentity? Identify(string path)
    {
        var name = _roots.KernelName(path);
        if (name is null) return null;
        var uuid = Read(name, "dm", "uuid");
        if (uuid is not null && uuid.StartsWith("mpath-", StringComparison.Ordinal))
        {
            var path0 = Entries(name, "slaves").OrderBy(s => s, StringComparer.Ordinal).FirstOrDefault();
            return new HostLunIdentity(uuid.Substring("mpath-".Length),
                path0 is null ? null : Read(path0, "device", "vendor"), path0 is null ? null : Read(path0, "device", "model"));
        }
        if (!Directory.Exists(Path.Combine(_roots.SysClassBlock, name, "device", "scsi_device"))) return null;
        return new HostLunIdentity(UdevWwid(Read(name, "device", "wwid")), Read(name, "device", "vendor"), Read(name, "device", "model"));
    }

    /// <summary>
    /// The kernel writes the VPD page 0x83 designator as naa.600a0980…, eui.…, t10.…; udev's ID_SERIAL (what
    /// libvirt and multipath call the WWID) prefixes the designator type instead: 3 for NAA, 2 for EUI-64.
    /// </summary>
    internal static string? UdevWwid(string? kernelWwid)
    {
        if (kernelWwid is null) return null;
        if (kernelWwid.StartsWith("naa.", StringComparison.OrdinalIgnoreCase)) return "3" + kernelWwid.Substring(4).ToLowerInvariant();
        if (kernelWwid.StartsWith("eui.", StringComparison.OrdinalIgnoreCase)) return "2" + kernelWwid.Substring(4).ToLowerInvariant();
        return kernelWwid;
    }

    // Unreadable files count as absent, as for the resolver, whose readers these are.
    private string? Read(string name, params string[] parts) =>
        HostBlockResolver.ReadText(Path.Combine(new[] { _roots.SysClassBlock, name }.Concat(parts).ToArray()));

    private IReadOnlyList<string> Entries(string name, string folder) =>
        HostBlockResolver.Entries(Path.Combine(_roots.SysClassBlock, name, folder));
}

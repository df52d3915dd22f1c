using System;
using System.Collections.Generic;
using System.Linq;
using VirtioScsi.HostDevices;
using VirtioScsi.Libvirt;
using VirtioScsi.Model;

namespace VirtioScsi.Engine;

/// <summary>
/// Builds the <see cref="HostScsiLun"/> objects users see from the host LUNs libvirt lists, with the
/// connection's domains that hold each of them.
/// </summary>
internal static class HostScsiLunBuilder
{
    /// <param name="identity">
    /// The connection's one rule for which sources are the same LUN: where the host is this machine it follows
    /// links, so a domain's /dev/mapper/X and the LUN's dm-N are found equal; for a remote host, paths as written.
    /// </param>
    /// <param name="hostReadable">The host is this machine: the LUNs' stable paths were read from its /dev.</param>
    public static IReadOnlyList<HostScsiLun> Build(IReadOnlyList<HostLun> luns, IReadOnlyList<DomainState> domains,
        string? connectionUri, LunSourceIdentity identity, bool hostReadable)
    {
        string Key(string path) => identity.KeyOf(LunSource.Block(path));
        var disks = domains
            .SelectMany(state => DisksOf(state))
            .Select(d => (d.Domain, d.Disk, d.Presence, Key: identity.KeyOf(d.Disk.Source)))
            .ToArray();
        return luns.Select(lun =>
        {
            var (path, derived) = hostReadable ? (lun.StablePath, false) : (DerivedPath(lun), true);
            var names = new HashSet<string>(Names(lun, path).Select(Key), StringComparer.Ordinal);
            var uses = disks
                .Where(d => names.Contains(d.Key))
                .GroupBy(d => (d.Domain, d.Disk.TargetDevice))
                .Select(g => new HostScsiLunDomainUse
                {
                    Domain = g.Key.Domain,
                    TargetDevice = g.Key.TargetDevice,
                    Shareable = g.Any(d => d.Disk.Shareable),
                    Presence = g.Select(d => d.Presence).Distinct().Count() > 1 ? DefinitionPresence.Both : g.First().Presence,
                })
                .OrderBy(u => u.Domain, StringComparer.Ordinal).ThenBy(u => u.TargetDevice, StringComparer.Ordinal)
                .ToArray();
            return new HostScsiLun
            {
                ConnectionUri = connectionUri,
                Wwid = lun.Wwid,
                Vendor = lun.Vendor,
                Model = lun.Model,
                SizeBytes = lun.SizeBytes,
                DriveType = lun.DriveType,
                HostAddress = lun.HostAddress?.ToString(),
                Path = path,
                PathIsDerived = derived && path is not null,
                MultipathMap = lun.MultipathMap,
                Paths = lun.Paths.Select(p => p.Device).ToArray(),
                NodeDevices = lun.Paths.Select(p => p.NodeDevice).ToArray(),
                IsPassthroughCapable = lun.IsPassthroughCapable,
                NotPassthroughCapableReason = lun.NotPassthroughCapableReason,
                UsedByDomains = uses,
                HostUse = lun.HostUse is null ? null : Describe(lun.HostUse),
            };
        }).ToArray();
    }

    /// <summary>
    /// The name udev gives a LUN on any host, from what libvirt reports (for a remote host, whose /dev
    /// cannot be read): /dev/disk/by-id/wwn-0x&lt;NAA&gt; for an NAA WWID (udev's ID_WWN, the WWID without its
    /// leading 3), else /dev/disk/by-id/&lt;bus&gt;-&lt;serial&gt; (udev's ID_BUS-ID_SERIAL). None for a LUN of
    /// several paths: its multipath map's name is the host's to choose.
    /// </summary>
    internal static string? DerivedPath(HostLun lun)
    {
        if (lun.Wwid is not { Length: > 1 } wwid || lun.Paths.Count != 1) return null;
        if (wwid[0] == '3' && wwid.Skip(1).All(Uri.IsHexDigit) && (wwid.Length == 17 || wwid.Length == 33))
            return "/dev/disk/by-id/wwn-0x" + wwid.Substring(1).ToLowerInvariant();
        var bus = lun.Bus;
        return bus is "scsi" or "ata" or "usb" ? $"/dev/disk/by-id/{bus}-{wwid}" : null;
    }

    // Every name a domain may have used for the LUN: its stable path, multipath map, kernel paths, and the
    // by-id names udev makes from its WWID (a remote host's domains are compared by name only).
    private static IEnumerable<string> Names(HostLun lun, string? path)
    {
        if (path is not null) yield return path;
        if (lun.StablePath is not null) yield return lun.StablePath;
        if (lun.MultipathMap is not null) yield return lun.MultipathMap;
        foreach (var p in lun.Paths) yield return p.Device;
        if (lun.Wwid is { } wwid)
        {
            yield return "/dev/mapper/" + wwid;
            yield return "/dev/disk/by-id/scsi-" + wwid;
            yield return "/dev/disk/by-id/dm-uuid-mpath-" + wwid;
        }
    }

    private static IEnumerable<(string Domain, DiskElement Disk, DefinitionPresence Presence)> DisksOf(DomainState state)
    {
        IEnumerable<DiskElement> Blocks(DomainDefinition? d) =>
            d?.Disks.Where(disk => disk.Source.Kind == LunSourceKind.Block && disk.Source.Path is not null) ?? Enumerable.Empty<DiskElement>();
        var bothDefinitions = state.Live is not null && state.Config is not null;
        foreach (var disk in Blocks(state.Live)) yield return (state.Name, disk, bothDefinitions ? DefinitionPresence.LiveOnly : DefinitionPresence.Both);
        foreach (var disk in Blocks(state.Config)) yield return (state.Name, disk, bothDefinitions ? DefinitionPresence.ConfigOnly : DefinitionPresence.Both);
    }

    private static string[] Describe(HostUse use) =>
        use.Mounts.Select(m => "mounted " + m)
            .Concat(use.Swaps.Select(s => "swap on " + s))
            .Concat(use.Holders.Select(h => "held by " + h))
            .ToArray();
}

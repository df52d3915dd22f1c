using System;
using System.Collections.Generic;
using System.Linq;

namespace VirtioScsi.Model;

/// <summary>
/// One LUN of a connection's host, as Get-HostScsiLun lists it: which LUN it is (WWID, vendor, model, size),
/// where it is on the host (SCSI address, kernel paths, the stable path to attach) and who uses it (the
/// connection's domains and, on a local connection, the host itself). Piped into Add-PassthroughLun, its
/// <see cref="Path"/> binds to -Path and its <see cref="ConnectionUri"/> to -ConnectionUri.
/// </summary>
public sealed class HostScsiLun
{
    public string? ConnectionUri { get; internal set; }
    /// <summary>The WWID udev reports (for a SAN LUN: 3 followed by the NAA, e.g. 3600c0ff0…); null when the host has none.</summary>
    public string? Wwid { get; internal set; }
    public string? Vendor { get; internal set; }
    public string? Model { get; internal set; }
    public long? SizeBytes { get; internal set; }
    /// <summary>The size in GiB (2 decimals), as PowerCLI's CapacityGB.</summary>
    public double? SizeGB => SizeBytes is null ? null : Math.Round(SizeBytes.Value / (1024.0 * 1024 * 1024), 2);
    /// <summary>disk, cdrom, …</summary>
    public string? DriveType { get; internal set; }
    /// <summary>host:bus:target:lun of the first path on the host (lsscsi's numbering); null for a disk without SCSI layer.</summary>
    public string? HostAddress { get; internal set; }
    /// <summary>
    /// The stable path to attach: the multipath map when there is one, else the /dev/disk/by-id link. On a
    /// remote connection the host's /dev cannot be read: the path is then derived from the WWID by udev's
    /// naming rule (see <see cref="PathIsDerived"/>). Null when neither is known.
    /// </summary>
    public string? Path { get; internal set; }
    /// <summary>True when <see cref="Path"/> was derived from the WWID (a remote host), not read from the host's /dev.</summary>
    public bool PathIsDerived { get; internal set; }
    /// <summary>/dev/mapper/&lt;name&gt; of the LUN's multipath map, when this machine has one.</summary>
    public string? MultipathMap { get; internal set; }
    /// <summary>The LUN's kernel paths (/dev/sdX): one per SAN path when multipathed. Attach <see cref="Path"/>, not these.</summary>
    public string[] Paths { get; internal set; } = Array.Empty<string>();
    /// <summary>libvirt's node device of each path (block_sdb, …), for virsh nodedev-dumpxml.</summary>
    public string[] NodeDevices { get; internal set; } = Array.Empty<string>();
    /// <summary>True when QEMU can pass the LUN through: every path is a SCSI device of the host.</summary>
    public bool IsPassthroughCapable { get; internal set; }
    /// <summary>Why the LUN cannot be passed through; null when it can.</summary>
    public string? NotPassthroughCapableReason { get; internal set; }
    /// <summary>The connection's domains whose running or persistent definition has the LUN as a disk.</summary>
    public HostScsiLunDomainUse[] UsedByDomains { get; internal set; } = Array.Empty<HostScsiLunDomainUse>();
    /// <summary>What this machine does with the LUN (mounted, swap, held by LVM/dm/md); empty when nothing; null on a remote connection (unknown).</summary>
    public string[]? HostUse { get; internal set; }
    /// <summary>Used by no domain of the connection and (on a local connection) not by the host.</summary>
    public bool IsFree => UsedByDomains.Length == 0 && (HostUse is null || HostUse.Length == 0);

    /// <summary>Who uses the LUN, in one line: domains (shareable marked), then "host" when the host does.</summary>
    public string UsedBy => string.Join(", ", UsedByDomains.Select(d => d.ToString())
        .Concat(HostUse is { Length: > 0 } ? new[] { "host" } : Array.Empty<string>()));

    public override string ToString() => Path ?? (Paths.Length > 0 ? Paths[0] : Wwid ?? "");
}

using System;
using System.Collections.Generic;

namespace VirtioScsi.HostDevices;

/// <summary>
/// One LUN of the host, as libvirt's node devices (and, on a local connection, this machine) show it:
/// which LUN it is (WWID, vendor, model, size), where it is (SCSI address, paths, the stable path to
/// attach), whether QEMU can pass it through, and who uses it.
/// </summary>
internal sealed class HostLun
{
    public HostLun(string? wwid, string? vendor, string? model, long? sizeBytes, string? driveType,
        IReadOnlyList<HostLunPath> paths, string? stablePath, string? multipathMap, string? notPassthroughCapableReason, HostUse? hostUse)
    {
        Wwid = wwid;
        Vendor = vendor;
        Model = model;
        SizeBytes = sizeBytes;
        DriveType = driveType;
        Paths = paths;
        StablePath = stablePath;
        MultipathMap = multipathMap;
        NotPassthroughCapableReason = notPassthroughCapableReason;
        HostUse = hostUse;
    }

    /// <summary>The WWID udev reports (ID_SERIAL: for a SAN LUN, 3 followed by the NAA); null when the host has none.</summary>
    public string? Wwid { get; }
    public string? Vendor { get; }
    public string? Model { get; }
    public long? SizeBytes { get; }
    /// <summary>disk, cdrom, …</summary>
    public string? DriveType { get; }
    /// <summary>udev's ID_BUS of the first path that has one (scsi, ata, usb; old libvirt wrote pci for FC LUNs).</summary>
    public string? Bus { get; internal set; }
    /// <summary>host:bus:target:lun of the first path; each path has its own (see <see cref="Paths"/>).</summary>
    public HostScsiAddress? HostAddress => Paths.Count > 0 ? Paths[0].HostAddress : null;
    /// <summary>Every kernel path to the LUN (one per SAN path when multipathed), in device order.</summary>
    public IReadOnlyList<HostLunPath> Paths { get; }
    /// <summary>
    /// What to attach: the multipath map when there is one, else the /dev/disk/by-id link; null when the
    /// host cannot be inspected from here (a remote connection) or udev made no stable name.
    /// </summary>
    public string? StablePath { get; }
    /// <summary>The /dev/mapper/&lt;name&gt; of the LUN's multipath map, when this machine has one.</summary>
    public string? MultipathMap { get; }
    /// <summary>
    /// True when every path is a SCSI device of the host (its node device has a SCSI device, host:bus:target:lun,
    /// in its parent chain): QEMU passes only SCSI devices through (SG_IO). Virtio, NVMe and loop disks are not.
    /// </summary>
    public bool IsPassthroughCapable => NotPassthroughCapableReason is null;
    /// <summary>Why the LUN cannot be passed through; null when it can.</summary>
    public string? NotPassthroughCapableReason { get; }
    /// <summary>What this machine does with the LUN; null when the host is not this machine.</summary>
    public HostUse? HostUse { get; }
    /// <summary>The connection's domains that have the LUN attached (filled by the caller that reads them).</summary>
    public IReadOnlyList<HostLunDomainUse> UsedByDomains { get; internal set; } = Array.Empty<HostLunDomainUse>();

    public override string ToString() => StablePath ?? (Paths.Count > 0 ? Paths[0].Device : Wwid ?? "");
}

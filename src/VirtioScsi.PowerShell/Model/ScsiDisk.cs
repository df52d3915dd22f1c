namespace VirtioScsi.Model;

/// <summary>
/// A disk on a SCSI bus: a passthrough LUN (<c>device='lun'</c>), an emulated disk or a cdrom.
/// Add-PassthroughLun returns these, and Remove-PassthroughLun takes them from the pipeline.
/// </summary>
public sealed class ScsiDisk
{
    public string Domain { get; internal set; } = "";
    public string? ConnectionUri { get; internal set; }
    /// <summary>The guest-facing name in the definition (sda, sdb, …).</summary>
    public string? TargetDevice { get; internal set; }
    /// <summary>lun (passed through), disk (emulated) or cdrom.</summary>
    public string Device { get; internal set; } = "";
    public LunSource Source { get; internal set; } = LunSource.Other("");
    public int? Controller { get; internal set; }
    public int? Bus { get; internal set; }
    public int? Target { get; internal set; }
    public int? Unit { get; internal set; }
    /// <summary>controller:bus:target:unit, or null when the definition gives no drive address.</summary>
    public string? Address { get; internal set; }
    /// <summary>True for a LUN on a virtio-scsi controller: the guest talks to the device itself.</summary>
    public bool IsPassthrough { get; internal set; }
    public string? Sgio { get; internal set; }
    public bool Rawio { get; internal set; }
    public bool Shareable { get; internal set; }
    public bool ReadOnly { get; internal set; }
    public bool Reservations { get; internal set; }
    public bool ManagedReservations { get; internal set; }
    public int? BootOrder { get; internal set; }
    public string? Alias { get; internal set; }
    public DefinitionPresence Presence { get; internal set; }
    /// <summary>
    /// The WWID of the host LUN behind a block source, when the host is this machine and the source is a SCSI
    /// disk or multipath map (read from sysfs); null otherwise (remote host, iSCSI source, no SCSI layer).
    /// </summary>
    public string? Wwid { get; internal set; }
    /// <summary>The host LUN's vendor, when <see cref="Wwid"/> is known.</summary>
    public string? Vendor { get; internal set; }
    /// <summary>The host LUN's model (product), when <see cref="Wwid"/> is known.</summary>
    public string? Model { get; internal set; }

    public override string ToString() => $"{Domain}: {TargetDevice} ({Device}) {Source}";
}

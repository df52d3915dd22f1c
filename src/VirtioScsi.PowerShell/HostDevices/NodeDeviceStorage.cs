namespace VirtioScsi.HostDevices;

/// <summary>
/// A node device's <c>&lt;capability type='storage'&gt;</c>: the host block device, as libvirt read it from udev.
/// Every field is optional because libvirt writes only what udev knows (a virtio disk has no bus or serial).
/// </summary>
internal sealed class NodeDeviceStorage
{
    /// <summary>The kernel block device, e.g. /dev/sdj.</summary>
    public string? Block { get; internal set; }
    /// <summary>udev's ID_BUS (scsi, ata, usb; old libvirt wrote pci for FC LUNs).</summary>
    public string? Bus { get; internal set; }
    /// <summary>disk, cdrom, floppy, …</summary>
    public string? DriveType { get; internal set; }
    public string? Vendor { get; internal set; }
    public string? Model { get; internal set; }
    /// <summary>udev's ID_SERIAL: for a SAN LUN its WWID (3 followed by the NAA, e.g. 3600c0ff0…).</summary>
    public string? Serial { get; internal set; }
    /// <summary>The size in bytes; for removable media, the medium's size.</summary>
    public long? SizeBytes { get; internal set; }
    public int? LogicalBlockSize { get; internal set; }
    public long? NumBlocks { get; internal set; }
    /// <summary>True when libvirt nests a <c>&lt;capability type='removable'&gt;</c> (CD/DVD, card readers).</summary>
    public bool Removable { get; internal set; }
    public bool? MediaAvailable { get; internal set; }
    public string? MediaLabel { get; internal set; }
}

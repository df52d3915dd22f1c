using System.Xml.Linq;
using VirtioScsi.Model;

namespace VirtioScsi.Libvirt;

/// <summary>One disk element of a domain, as libvirt wrote it.</summary>
internal sealed class DiskElement
{
    public string Type { get; internal set; } = "";
    public string Device { get; internal set; } = "disk";
    public string? Bus { get; internal set; }
    public string? TargetDevice { get; internal set; }
    public LunSource Source { get; internal set; } = LunSource.Other("");
    public DriveAddress? Address { get; internal set; }
    public string? Sgio { get; internal set; }
    public bool Rawio { get; internal set; }
    public bool Shareable { get; internal set; }
    public bool ReadOnly { get; internal set; }
    public bool ManagedReservations { get; internal set; }
    public bool Reservations { get; internal set; }
    public int? BootOrder { get; internal set; }
    public string? Alias { get; internal set; }
    /// <summary>The element itself, for detaching exactly this device.</summary>
    public XElement Element { get; internal set; } = new("disk");

    public bool IsScsi => Bus == "scsi";
}

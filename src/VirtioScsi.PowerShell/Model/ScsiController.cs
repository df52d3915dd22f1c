namespace VirtioScsi.Model;

/// <summary>A SCSI controller of a domain, as Get-DomainScsiTopology and New-ScsiController show it.</summary>
public sealed class ScsiController
{
    public string Domain { get; internal set; } = "";
    public string? ConnectionUri { get; internal set; }
    public int Index { get; internal set; }
    /// <summary>The model, or null where the definition leaves it to libvirt's default (lsilogic on x86).</summary>
    public string? Model { get; internal set; }
    /// <summary>True for the virtio-scsi family, the only controllers that pass LUNs through.</summary>
    public bool IsVirtioScsi { get; internal set; }
    public int? Queues { get; internal set; }
    public int? IOThread { get; internal set; }
    /// <summary>The controller's own PCI address (domain:bus:slot.function).</summary>
    public string? PciAddress { get; internal set; }
    public string? Alias { get; internal set; }
    /// <summary>Drive addresses on this controller taken by disks and SCSI host devices.</summary>
    public int UnitsUsed { get; internal set; }
    /// <summary>Drive addresses still free on this controller, within its model's limits.</summary>
    public long UnitsFree { get; internal set; }
    public DefinitionPresence Presence { get; internal set; }

    public override string ToString() => $"{Domain}: scsi controller {Index} ({Model ?? "default model"})";
}

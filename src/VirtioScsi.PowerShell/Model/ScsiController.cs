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
    /// <summary>Units still free on target 0, where Add-PassthroughLun puts a LUN unless -Target says otherwise.</summary>
    public int UnitsFreeOnTarget0 { get; internal set; }
    /// <summary>The SCSI targets of the model (virtio-scsi: 256; the emulated HBAs: 1).</summary>
    public int Targets { get; internal set; }
    /// <summary>The units a target of the model takes (virtio-scsi: 16,384).</summary>
    public int UnitsPerTarget { get; internal set; }
    /// <summary>The model's address space in words: "256 targets × 16,384 units", "1 target × 7 units".</summary>
    public string Capacity => string.Format(System.Globalization.CultureInfo.InvariantCulture, "{0:N0} target{1} × {2:N0} units",
        Targets, Targets == 1 ? "" : "s", UnitsPerTarget);
    public DefinitionPresence Presence { get; internal set; }

    public override string ToString() => $"{Domain}: scsi controller {Index} ({Model ?? "default model"})";
}

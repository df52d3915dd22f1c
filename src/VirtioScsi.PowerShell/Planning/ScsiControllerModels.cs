using System;
using System.Collections.Generic;
using System.Linq;

namespace VirtioScsi.Planning;

/// <summary>The SCSI controller models libvirt knows, and their limits.</summary>
internal static class ScsiControllerModels
{
    public const string VirtioScsi = "virtio-scsi";

    /// <summary>Every value libvirt accepts in <c>&lt;controller type='scsi' model=…&gt;</c>.</summary>
    public static readonly IReadOnlyList<string> All = new[]
    {
        "virtio-scsi", "virtio-transitional", "virtio-non-transitional", "lsilogic", "lsisas1068", "lsisas1078",
        "buslogic", "vmpvscsi", "ibmvscsi", "ncr53c90", "am53c974", "dc390", "auto",
    };

    // QEMU's virtio-scsi bus: one bus, targets 0-255, LUNs 0-16383.
    private static readonly ScsiAddressLimits Virtio = new(255, 16383);
    // Narrow parallel SCSI (lsi and the other emulated HBAs): target 0, units 0-6 (7 is the HBA).
    private static readonly ScsiAddressLimits Narrow = new(0, 6);
    // VMware's paravirtual SCSI is wide: units 0-15 with 7 taken by the HBA.
    private static readonly ScsiAddressLimits Wide = new(0, 15, reservedUnit: 7);

    public static bool IsKnown(string model) => All.Contains(model, StringComparer.Ordinal);

    /// <summary>
    /// True for the virtio-scsi family, the only controllers that pass a LUN through (scsi-block).
    /// A controller with no model is not one: libvirt picks the machine's default, lsilogic on x86.
    /// </summary>
    public static bool IsVirtio(string? model) =>
        model is "virtio-scsi" or "virtio-transitional" or "virtio-non-transitional";

    public static ScsiAddressLimits LimitsOf(string? model) => model switch
    {
        _ when IsVirtio(model) => Virtio,
        "vmpvscsi" => Wide,
        _ => Narrow,
    };
}

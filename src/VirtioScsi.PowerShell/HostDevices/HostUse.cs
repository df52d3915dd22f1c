using System.Collections.Generic;
using System.Linq;

namespace VirtioScsi.HostDevices;

/// <summary>
/// What the host itself does with a LUN: filesystems mounted from it, swap on it, kernel devices (LVM,
/// dm, md) built on it. A LUN the host uses must not be handed to a guest as well.
/// </summary>
internal sealed class HostUse
{
    public HostUse(IReadOnlyList<HostMount> mounts, IReadOnlyList<string> swaps, IReadOnlyList<BlockHolder> holders)
    {
        Mounts = mounts;
        Swaps = swaps;
        Holders = holders;
    }

    public IReadOnlyList<HostMount> Mounts { get; }
    /// <summary>The kernel names of the LUN's devices that are active swap.</summary>
    public IReadOnlyList<string> Swaps { get; }
    /// <summary>Holders other than the LUN's own multipath map and its partition maps.</summary>
    public IReadOnlyList<BlockHolder> Holders { get; }

    public bool IsInUse => Mounts.Count > 0 || Swaps.Count > 0 || Holders.Count > 0;

    public override string ToString() => IsInUse
        ? string.Join(", ", Mounts.Select(m => "mounted " + m).Concat(Swaps.Select(s => "swap on " + s)).Concat(Holders.Select(h => "held by " + h)))
        : "unused";
}

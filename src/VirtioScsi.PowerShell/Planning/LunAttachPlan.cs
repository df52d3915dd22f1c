using System.Collections.Generic;
using System.Linq;
using VirtioScsi.Libvirt;

namespace VirtioScsi.Planning;

/// <summary>The plan for attaching a LUN, and what it will be once attached.</summary>
internal sealed class LunAttachPlan
{
    public LunAttachPlan(ChangePlan change, string targetDevice, DriveAddress address, int? newControllerIndex, DiskElement? existing)
    {
        Change = change;
        TargetDevice = targetDevice;
        Address = address;
        NewControllerIndex = newControllerIndex;
        Existing = existing;
    }

    public ChangePlan Change { get; }
    public string TargetDevice { get; }
    public DriveAddress Address { get; }
    /// <summary>The index of the virtio-scsi controller the plan adds first, if it adds one.</summary>
    public int? NewControllerIndex { get; }
    /// <summary>The LUN already attached from the same source; then the plan changes nothing.</summary>
    public DiskElement? Existing { get; }
    /// <summary>The connection's other domains that hold the same source, as read for the double-use guard.</summary>
    public SourceHolders Holders { get; private set; } = SourceHolders.None;

    /// <summary>The same plan, with the guards' warnings first and the holders they read.</summary>
    public LunAttachPlan WithGuards(IReadOnlyList<string> warnings, SourceHolders holders) =>
        new(warnings.Count == 0 ? Change : new ChangePlan(Change.Domain, Change.Scope, Change.Steps, warnings.Concat(Change.Warnings).ToArray()),
            TargetDevice, Address, NewControllerIndex, Existing) { Holders = holders };
}

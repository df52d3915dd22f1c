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
}

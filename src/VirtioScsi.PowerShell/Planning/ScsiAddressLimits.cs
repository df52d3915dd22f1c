namespace VirtioScsi.Planning;

/// <summary>The address space of one SCSI controller model: which targets and units a disk may use.</summary>
internal sealed class ScsiAddressLimits
{
    public ScsiAddressLimits(int maxTarget, int maxUnit, int? reservedUnit = null)
    {
        MaxTarget = maxTarget;
        MaxUnit = maxUnit;
        ReservedUnit = reservedUnit;
    }

    public int MaxTarget { get; }
    public int MaxUnit { get; }
    /// <summary>A unit the controller itself occupies (7 on wide parallel-SCSI controllers).</summary>
    public int? ReservedUnit { get; }

    public long Capacity => (long)(MaxTarget + 1) * (MaxUnit + 1) - (ReservedUnit is null ? 0 : MaxTarget + 1);

    public bool Allows(int target, int unit) =>
        target >= 0 && target <= MaxTarget && unit >= 0 && unit <= MaxUnit && unit != ReservedUnit;
}

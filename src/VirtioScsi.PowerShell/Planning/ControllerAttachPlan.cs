namespace VirtioScsi.Planning;

/// <summary>The plan for a new SCSI controller, and the index it will have.</summary>
internal sealed class ControllerAttachPlan
{
    public ControllerAttachPlan(ChangePlan change, int index)
    {
        Change = change;
        Index = index;
    }

    public ChangePlan Change { get; }
    public int Index { get; }

    public void Deconstruct(out ChangePlan change, out int index)
    {
        change = Change;
        index = Index;
    }
}

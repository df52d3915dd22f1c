namespace VirtioScsi.Planning;

/// <summary>What a step changes, so the executor knows how to confirm that a live removal finished.</summary>
internal enum StepKind
{
    AttachDevice,
    DetachDevice,
    Define,
}

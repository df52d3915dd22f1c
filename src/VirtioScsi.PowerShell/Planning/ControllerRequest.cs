namespace VirtioScsi.Planning;

/// <summary>What New-ScsiController asks for.</summary>
internal sealed class ControllerRequest
{
    public string Model { get; set; } = ScsiControllerModels.VirtioScsi;
    public int? Index { get; set; }
    public int? Queues { get; set; }
    public int? IOThread { get; set; }
}

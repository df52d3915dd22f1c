using VirtioScsi.Model;

namespace VirtioScsi.Planning;

/// <summary>What Add-PassthroughLun asks for.</summary>
internal sealed class LunRequest
{
    public LunRequest(LunSource source) => Source = source;

    public LunSource Source { get; }
    public int? Controller { get; set; }
    public int? Target { get; set; }
    public int? Unit { get; set; }
    public string? TargetDevice { get; set; }
    public int? BootOrder { get; set; }
    public LunOptions Options { get; set; } = new();
}

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
    /// <summary>-Force: attach although another domain or the host itself uses the source (with a warning).</summary>
    public bool Force { get; set; }
    /// <summary>With <see cref="Controller"/>: where the domain has no SCSI controller at that index, add a
    /// virtio-scsi controller there (several domains get one LUN at one index).</summary>
    public bool AddControllerWhereMissing { get; set; }
}

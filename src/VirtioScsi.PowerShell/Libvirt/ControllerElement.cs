namespace VirtioScsi.Libvirt;

/// <summary>One controller element of a domain, as libvirt wrote it.</summary>
internal sealed class ControllerElement
{
    public string Type { get; internal set; } = "";
    public int Index { get; internal set; }
    public string? Model { get; internal set; }
    public int? Queues { get; internal set; }
    public int? IOThread { get; internal set; }
    public string? PciAddress { get; internal set; }
    public string? Alias { get; internal set; }
    /// <summary>For pcie-root-port: false when <c>&lt;target hotplug='off'/&gt;</c>.</summary>
    public bool HotplugEnabled { get; internal set; } = true;
}

namespace VirtioScsi.Planning;

/// <summary>The optional settings of a passthrough LUN.</summary>
internal sealed class LunOptions
{
    public bool Shareable { get; set; }
    public bool ReadOnly { get; set; }
    /// <summary>filtered or unfiltered; null leaves libvirt's default (filtered).</summary>
    public string? Sgio { get; set; }
    public bool Rawio { get; set; }
    public bool ManagedReservations { get; set; }
}

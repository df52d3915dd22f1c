namespace VirtioScsi.HostDevices;

/// <summary>Which LUN a host block device is: its WWID (as udev writes it), vendor and model.</summary>
internal sealed class HostLunIdentity
{
    public HostLunIdentity(string? wwid, string? vendor, string? model)
    {
        Wwid = wwid;
        Vendor = vendor;
        Model = model;
    }

    public string? Wwid { get; }
    public string? Vendor { get; }
    public string? Model { get; }
}

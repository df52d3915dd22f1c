namespace VirtioScsi.HostDevices;

/// <summary>A domain of the connection that has a host LUN attached.</summary>
internal sealed class HostLunDomainUse
{
    public HostLunDomainUse(string domain, bool shareable)
    {
        Domain = domain;
        Shareable = shareable;
    }

    public string Domain { get; }
    public bool Shareable { get; }

    public override string ToString() => Shareable ? Domain + " (shareable)" : Domain;
}

namespace VirtioScsi.Model;

/// <summary>A domain of the connection that has a host LUN as one of its disks.</summary>
public sealed class HostScsiLunDomainUse
{
    public string Domain { get; internal set; } = "";
    /// <summary>The guest-facing name of the disk (sda, vdb, …).</summary>
    public string? TargetDevice { get; internal set; }
    /// <summary>The disk is marked shareable: other domains may use the LUN at the same time (clusters).</summary>
    public bool Shareable { get; internal set; }
    /// <summary>Which definitions hold the disk: running, persistent or both.</summary>
    public DefinitionPresence Presence { get; internal set; }

    public override string ToString() => Shareable ? Domain + " (shareable)" : Domain;
}

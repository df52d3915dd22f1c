using VirtioScsi.Errors;
using VirtioScsi.Libvirt;
using VirtioScsi.Planning;

namespace VirtioScsi.Engine;

/// <summary>A domain read for Get-DomainScsiTopology: its state, or the error that kept it from being read.</summary>
internal sealed class DomainReadResult
{
    public DomainReadResult(string name, DomainState? state, VirtioScsiException? error)
    {
        Name = name;
        State = state;
        Error = error;
    }

    public string Name { get; }
    public DomainState? State { get; }
    public VirtioScsiException? Error { get; }
    /// <summary>Which domains of the connection hold which sources, read with this one (for each LUN's SharedWith).</summary>
    public SourceHolders Holders { get; internal set; } = SourceHolders.None;
}

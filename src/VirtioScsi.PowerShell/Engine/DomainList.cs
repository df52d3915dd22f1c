using System.Collections.Generic;

namespace VirtioScsi.Engine;

/// <summary>The domains on a connection: all names in virsh's order, and which are persistent and active.</summary>
internal sealed class DomainList
{
    public DomainList(IReadOnlyList<string> all, ISet<string> persistent, ISet<string> active)
    {
        All = all;
        Persistent = persistent;
        Active = active;
    }

    public IReadOnlyList<string> All { get; }
    public ISet<string> Persistent { get; }
    public ISet<string> Active { get; }
}

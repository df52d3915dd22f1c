using System;
using System.Collections.Generic;

namespace VirtioScsi.Libvirt;

/// <summary>
/// A domain as read from libvirt at one moment: its run state and the definitions that exist for it.
/// A running persistent domain has a live and a persistent definition; a shut-off one only the
/// persistent one; a transient one only the live one.
/// </summary>
internal sealed class DomainState
{
    public DomainState(string name, bool isActive, bool isPersistent, string stateText, DomainDefinition? live, DomainDefinition? config)
    {
        if (live is null && config is null) throw new ArgumentException("A domain has at least one definition.");
        Name = name;
        IsActive = isActive;
        IsPersistent = isPersistent;
        StateText = stateText;
        Live = live;
        Config = config;
    }

    public string Name { get; }
    public bool IsActive { get; }
    public bool IsPersistent { get; }
    /// <summary>virsh's words for the state: running, paused, shut off, …</summary>
    public string StateText { get; }
    public DomainDefinition? Live { get; }
    public DomainDefinition? Config { get; }

    /// <summary>The definition that describes the domain now: the live one when it runs.</summary>
    public DomainDefinition Current => Live ?? Config!;

    /// <summary>Both definitions that exist (for names and addresses that must stay unique everywhere).</summary>
    public IEnumerable<DomainDefinition> AllDefinitions
    {
        get
        {
            if (Live is not null) yield return Live;
            if (Config is not null) yield return Config;
        }
    }
}

using System;
using System.Collections.Generic;
using VirtioScsi.Errors;
using VirtioScsi.Libvirt;

namespace VirtioScsi.Planning;

/// <summary>
/// Which definitions a change applies to: the running domain (virsh <c>--live</c>), the persistent
/// definition (<c>--config</c>), or both.
/// </summary>
internal readonly struct ChangeScope
{
    public ChangeScope(bool live, bool config)
    {
        Live = live;
        Config = config;
    }

    public bool Live { get; }
    public bool Config { get; }

    /// <summary>The definitions of <paramref name="domain"/> that a change with this scope touches.</summary>
    public IEnumerable<DomainDefinition> DefinitionsOf(DomainState domain)
    {
        if (Live && domain.Live is not null) yield return domain.Live;
        if (Config && domain.Config is not null) yield return domain.Config;
    }

    /// <summary>The part of this scope whose definitions of <paramref name="domain"/> hold a device.</summary>
    public ChangeScope WhereHeld(DomainState domain, Func<DomainDefinition, bool> holds) =>
        new(Live && domain.Live is not null && holds(domain.Live),
            Config && domain.Config is not null && holds(domain.Config));

    public override string ToString() => Live && Config ? "live and persistent" : Live ? "live only" : "persistent only";

    /// <summary>
    /// The scope for a domain, from the user's -Live and -Config switches. With neither, a change goes
    /// wherever the domain has a definition: running and persistent, as in Hyper-V and PowerCLI.
    /// </summary>
    public static ChangeScope Resolve(DomainState domain, bool liveRequested, bool configRequested)
    {
        if (liveRequested && !domain.IsActive)
            throw Error.LiveChangeOnInactiveDomain(domain.Name, domain.StateText);
        if (configRequested && !domain.IsPersistent)
            throw Error.ConfigChangeOnTransientDomain(domain.Name);
        if (!liveRequested && !configRequested)
            return new ChangeScope(domain.IsActive, domain.IsPersistent);
        return new ChangeScope(liveRequested, configRequested);
    }
}

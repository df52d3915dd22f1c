using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using VirtioScsi.Libvirt;
using VirtioScsi.Errors;
using VirtioScsi.Model;
using VirtioScsi.Virsh;

namespace VirtioScsi.Engine;

/// <summary>
/// Reads domains from libvirt through batched virsh calls: one process lists the domains, one more reads
/// the definitions of all of them, however many there are.
/// </summary>
internal sealed class DomainReader
{
    private readonly IVirshRunner _virsh;

    public DomainReader(IVirshRunner virsh) => _virsh = virsh;

    /// <summary>Every domain's name, with which ones run and which are persistent.</summary>
    public DomainList List(CancellationToken cancellationToken = default)
    {
        var results = _virsh.RunBatch(ListCommands, cancellationToken);
        return ParseList(results[0], results[1], _virsh.ConnectionUri);
    }

    // Two lists say all: a domain is persistent, or active, or both (a transient domain is always active).
    // Each is one call to libvirtd however many domains there are.
    private static readonly IReadOnlyList<VirshCommand> ListCommands = new[]
    {
        new VirshCommand("list").Flag("--all").Flag("--name").Flag("--persistent"),
        new VirshCommand("list").Flag("--name"),
    };

    private static DomainList ParseList(VirshResult persistentList, VirshResult activeList, string? connectionUri)
    {
        foreach (var result in new[] { persistentList, activeList })
        {
            if (!result.Succeeded) throw VirshErrors.ToException(result, "Listing domains", connectionUri ?? "default connection", ErrorIds.VirshFailed);
        }
        var persistent = Lines(persistentList.Output);
        var active = Lines(activeList.Output);
        var all = persistent.Concat(active).Distinct(StringComparer.Ordinal).OrderBy(n => n, StringComparer.Ordinal).ToArray();
        return new DomainList(all, new HashSet<string>(persistent), new HashSet<string>(active));
    }

    /// <summary>Reads the given domains (names from <see cref="List"/>) in one virsh process.</summary>
    /// <param name="persistentOnly">Read the persistent definition only (Get-DomainScsiTopology -Inactive).</param>
    public IReadOnlyList<DomainReadResult> Read(DomainList list, IReadOnlyList<string> names, bool persistentOnly, CancellationToken cancellationToken = default)
    {
        var commands = new List<VirshCommand>();
        var plans = new List<(string Name, bool Active, bool Persistent, int First, int Count)>();
        foreach (var name in names)
        {
            var active = list.Active.Contains(name);
            var persistent = list.Persistent.Contains(name);
            var first = commands.Count;
            if (active) commands.Add(new VirshCommand("domstate").Option("--domain", name));
            if (!active || !persistentOnly || !persistent) commands.Add(new VirshCommand("dumpxml").Option("--domain", name));
            if (active && persistent) commands.Add(new VirshCommand("dumpxml").Flag("--inactive").Option("--domain", name));
            plans.Add((name, active, persistent, first, commands.Count - first));
        }
        var results = _virsh.RunBatch(commands, cancellationToken);
        var read = new List<DomainReadResult>(names.Count);
        foreach (var (name, active, persistent, first, count) in plans)
        {
            var own = results.Skip(first).Take(count).ToArray();
            var failed = own.FirstOrDefault(r => !r.Succeeded);
            if (failed is not null)
            {
                read.Add(new DomainReadResult(name, null, VirshErrors.ToException(failed, $"Reading domain '{name}'", name, ErrorIds.VirshFailed)));
                continue;
            }
            try
            {
                var i = 0;
                var stateText = active ? own[i++].Output.Trim() : "shut off";
                DomainDefinition? live = null, config = null;
                if (!active || !persistentOnly || !persistent)
                {
                    var current = DomainDefinition.Parse(own[i++].Output);
                    if (active) live = current;
                    else config = current;
                }
                if (active && persistent) config = DomainDefinition.Parse(own[i].Output);
                if (persistentOnly && persistent) live = null;
                read.Add(new DomainReadResult(name, new DomainState(name, active, persistent, stateText, live, config), null));
            }
            catch (VirtioScsiException e)
            {
                read.Add(new DomainReadResult(name, null, e));
            }
        }
        return read;
    }

    /// <summary>
    /// Reads one domain for a change, in one round trip: its state, its live definition and its persistent
    /// definition with secrets (needed to write it back unchanged but for the change).
    /// </summary>
    public DomainState ReadForChange(string domain, CancellationToken cancellationToken = default)
    {
        var results = _virsh.RunBatch(ReadForChangeCommands(domain), cancellationToken);
        return ParseForChange(domain, results);
    }

    /// <summary>The same read, with the list of every domain in the same round trip (which the shared-LUN guard reads next).</summary>
    public DomainState ReadForChange(string domain, out DomainList list, CancellationToken cancellationToken = default)
    {
        var read = ReadForChangeCommands(domain);
        var results = _virsh.RunBatch(read.Concat(ListCommands).ToArray(), cancellationToken);
        var state = ParseForChange(domain, results.Take(read.Count).ToArray());
        list = ParseList(results[read.Count], results[read.Count + 1], _virsh.ConnectionUri);
        return state;
    }

    // domstate and a list of the persistent domains' UUIDs cost libvirtd three calls where dominfo costs nine (counted
    // with LIBVIRT_DEBUG); over ssh each call is a round trip. UUIDs, because a name may not survive the XML (a CR in it
    // comes back as LF) and the domain may be named by its UUID or id.
    internal static IReadOnlyList<VirshCommand> ReadForChangeCommands(string domain) => new[]
    {
        new VirshCommand("domstate").Option("--domain", domain),
        new VirshCommand("list").Flag("--all").Flag("--uuid").Flag("--persistent"),
        new VirshCommand("dumpxml").Option("--domain", domain),
        new VirshCommand("dumpxml").Flag("--inactive").Flag("--security-info").Option("--domain", domain),
    };

    internal static DomainState ParseForChange(string domain, IReadOnlyList<VirshResult> results)
    {
        foreach (var r in results)
        {
            if (!r.Succeeded) throw VirshErrors.ToException(r, $"Reading domain '{domain}'", domain, ErrorIds.VirshFailed);
        }
        var stateText = results[0].Output.Trim();
        if (stateText.Length == 0) stateText = "unknown";
        var current = DomainDefinition.Parse(results[2].Output);
        var persistentUuids = new HashSet<string>(Lines(results[1].Output).Select(l => l.Trim()), StringComparer.OrdinalIgnoreCase);
        var persistent = current.Uuid is { } uuid && persistentUuids.Contains(uuid);
        var active = stateText != "shut off";
        // Shut off and not persistent: a transient domain that is gone (or was undefined between the calls).
        if (!active && !persistent) throw Error.DomainNotFound(domain, null);
        var live = active ? current : null;
        var config = persistent ? DomainDefinition.Parse(results[3].Output) : null;
        var name = current.Name.Length > 0 ? current.Name : domain;
        return new DomainState(name, active, persistent, stateText, live, config);
    }

    /// <summary>
    /// The commands that read a domain again after a change, knowing its state from before (a device
    /// change does not start or stop a domain): just the definitions it has, without dominfo.
    /// </summary>
    internal static IReadOnlyList<VirshCommand> ReadBackCommands(DomainState before)
    {
        var commands = new List<VirshCommand>();
        if (before.Live is not null) commands.Add(new VirshCommand("dumpxml").Option("--domain", before.Name));
        if (before.Config is not null) commands.Add(new VirshCommand("dumpxml").Flag("--inactive").Option("--domain", before.Name));
        return commands;
    }

    internal static DomainState ParseReadBack(DomainState before, IReadOnlyList<VirshResult> results)
    {
        foreach (var r in results)
        {
            if (!r.Succeeded) throw VirshErrors.ToException(r, $"Reading domain '{before.Name}' after the change", before.Name, ErrorIds.VirshFailed);
        }
        var i = 0;
        var live = before.Live is not null ? DomainDefinition.Parse(results[i++].Output) : null;
        var config = before.Config is not null ? DomainDefinition.Parse(results[i].Output) : null;
        return new DomainState(before.Name, before.IsActive, before.IsPersistent, before.StateText, live, config);
    }

    /// <summary>The running domain's definition (used while waiting for a device to leave it).</summary>
    public DomainDefinition? ReadLive(string domain, CancellationToken cancellationToken = default)
    {
        var result = _virsh.Run(new VirshCommand("dumpxml").Option("--domain", domain), cancellationToken);
        return result.Succeeded ? DomainDefinition.Parse(result.Output) : null;
    }

    private static string[] Lines(string output) =>
        output.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.Length > 0).ToArray();
}

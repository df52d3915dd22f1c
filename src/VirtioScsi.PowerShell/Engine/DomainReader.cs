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
        // Two lists say all: a domain is persistent, or active, or both (a transient domain is always active).
        var results = _virsh.RunBatch(new[]
        {
            new VirshCommand("list").Flag("--all").Flag("--name").Flag("--persistent"),
            new VirshCommand("list").Flag("--name"),
        }, cancellationToken);
        foreach (var result in results)
        {
            if (!result.Succeeded) throw VirshErrors.ToException(result, "Listing domains", _virsh.ConnectionUri ?? "default connection", ErrorIds.VirshFailed);
        }
        var persistent = Lines(results[0].Output);
        var active = Lines(results[1].Output);
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
    /// Reads one domain for a change, in one virsh process: its state, its live definition and its
    /// persistent definition with secrets (needed to write it back unchanged but for the change).
    /// </summary>
    public DomainState ReadForChange(string domain, CancellationToken cancellationToken = default)
    {
        var results = _virsh.RunBatch(ReadForChangeCommands(domain), cancellationToken);
        return ParseForChange(domain, results);
    }

    internal static IReadOnlyList<VirshCommand> ReadForChangeCommands(string domain) => new[]
    {
        new VirshCommand("dominfo").Option("--domain", domain),
        new VirshCommand("dumpxml").Option("--domain", domain),
        new VirshCommand("dumpxml").Flag("--inactive").Flag("--security-info").Option("--domain", domain),
    };

    internal static DomainState ParseForChange(string domain, IReadOnlyList<VirshResult> results)
    {
        var info = results[0];
        if (!info.Succeeded) throw VirshErrors.ToException(info, $"Reading domain '{domain}'", domain, ErrorIds.VirshFailed);
        var fields = info.Output.Split('\n')
            .Select(l => l.Split(new[] { ':' }, 2))
            .Where(p => p.Length == 2)
            .GroupBy(p => p[0].Trim())
            .ToDictionary(g => g.Key, g => g.First()[1].Trim());
        var stateText = fields.TryGetValue("State", out var s) ? s : "unknown";
        var persistent = fields.TryGetValue("Persistent", out var p) && p == "yes";
        var active = stateText != "shut off";
        // Shut off and not persistent: a transient domain that is gone (or dominfo said something unknown).
        if (!active && !persistent) throw Error.DomainNotFound(domain, null);
        foreach (var r in results.Skip(1))
        {
            if (!r.Succeeded) throw VirshErrors.ToException(r, $"Reading domain '{domain}'", domain, ErrorIds.VirshFailed);
        }
        var current = DomainDefinition.Parse(results[1].Output);
        var live = active ? current : null;
        var config = persistent ? DomainDefinition.Parse(results[2].Output) : null;
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

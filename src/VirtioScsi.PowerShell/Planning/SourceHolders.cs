using System;
using System.Collections.Generic;
using System.Linq;
using VirtioScsi.Libvirt;
using VirtioScsi.Model;

namespace VirtioScsi.Planning;

/// <summary>One domain's use of a source: in its running domain, its persistent definition or both.</summary>
internal sealed class SourceHolder
{
    public SourceHolder(string domain, bool isActive, string? targetDevice, bool shareable)
    {
        Domain = domain;
        IsActive = isActive;
        TargetDevice = targetDevice;
        Shareable = shareable;
    }

    public string Domain { get; }
    public bool IsActive { get; }
    public string? TargetDevice { get; }
    /// <summary>True only when every disk of the domain with this source, in both definitions, is shareable.</summary>
    public bool Shareable { get; }

    public override string ToString() =>
        $"'{Domain}' ({TargetDevice ?? "no name"}, {(IsActive ? "running" : "shut off")}, {(Shareable ? "shareable" : "not shareable")})";
}

/// <summary>
/// Which domains of a connection hold which sources, from a read of their definitions (running and
/// persistent). A source is known by <see cref="LunSource.MatchKey"/>, so one LUN spelled two ways is one.
/// </summary>
internal sealed class SourceHolders
{
    private readonly Dictionary<string, List<SourceHolder>> _byKey;
    private readonly Func<LunSource, string> _keyOf;

    private SourceHolders(Dictionary<string, List<SourceHolder>> byKey, Func<LunSource, string> keyOf)
    {
        _byKey = byKey;
        _keyOf = keyOf;
    }

    /// <summary>A source's identity without asking the host (<see cref="LunSourceIdentity.Default"/>).</summary>
    public static string AsWritten(LunSource source) => source.MatchKey(LunSourceIdentity.Default);

    public static SourceHolders None { get; } = new(new Dictionary<string, List<SourceHolder>>(), AsWritten);

    /// <param name="keyOf">A source's identity on this connection (the engine's: host paths resolved where the
    /// host can be asked); <see cref="AsWritten"/> when not given.</param>
    public static SourceHolders Of(IEnumerable<DomainState> domains, Func<LunSource, string>? keyOf)
    {
        var key = keyOf ?? AsWritten;
        var byKey = new Dictionary<string, List<SourceHolder>>(StringComparer.Ordinal);
        foreach (var domain in domains)
        {
            // Sources with no identity of their own (an empty cdrom, a pool volume) cannot be told apart: not counted.
            var disks = domain.AllDefinitions.SelectMany(d => d.Disks).Where(d => d.Source.Kind != LunSourceKind.Other);
            foreach (var group in disks.GroupBy(d => key(d.Source)))
            {
                if (!byKey.TryGetValue(group.Key, out var list)) byKey[group.Key] = list = new List<SourceHolder>();
                list.Add(new SourceHolder(domain.Name, domain.IsActive, group.First().TargetDevice, group.All(d => d.Shareable)));
            }
        }
        return new SourceHolders(byKey, key);
    }

    /// <summary>The domains, other than <paramref name="except"/>, that hold <paramref name="source"/>.</summary>
    public IReadOnlyList<SourceHolder> Holding(LunSource source, ICollection<string> except)
    {
        if (source.Kind == LunSourceKind.Other || !_byKey.TryGetValue(_keyOf(source), out var list))
            return Array.Empty<SourceHolder>();
        return list.Where(h => !except.Contains(h.Domain)).ToArray();
    }

    /// <summary>The names of the other domains that hold the source, in name order.</summary>
    public string[] DomainsHolding(LunSource source, string except) =>
        Holding(source, new[] { except }).Select(h => h.Domain).OrderBy(d => d, StringComparer.Ordinal).ToArray();
}

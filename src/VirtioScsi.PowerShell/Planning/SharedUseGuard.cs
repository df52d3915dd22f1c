using System.Collections.Generic;
using System.Linq;
using VirtioScsi.Errors;
using VirtioScsi.Model;

namespace VirtioScsi.Planning;

/// <summary>
/// Two domains may use one LUN only when every attachment of it is shareable (cluster software then
/// arbitrates it): otherwise each guest writes a disk it believes its own, and data is lost. -Shareable on
/// the new attachment does not make an unshared one elsewhere safe; -Force overrides, with a warning.
/// </summary>
internal static class SharedUseGuard
{
    /// <param name="domains">The domains this call attaches the source to (one, or a cluster's nodes).</param>
    /// <returns>The warnings to show when <paramref name="force"/> overrode the guard; none when it is safe.</returns>
    public static IReadOnlyList<string> Check(LunSource source, bool shareable, IReadOnlyList<string> domains, SourceHolders holders, bool force)
    {
        var others = holders.Holding(source, domains.ToArray());
        var unsafeHere = others.Count > 0 && (!shareable || others.Any(h => !h.Shareable));
        var unsharedCluster = domains.Count > 1 && !shareable;
        if (!unsafeHere && !unsharedCluster) return new string[0];

        var names = string.Join(", ", domains.Select(d => $"'{d}'"));
        var error = Error.SourceHeldByOtherDomain(domains.Count == 1 ? domains[0] : names, source.ToString(),
            others.Select(h => h.ToString()).ToArray(), others.Where(h => !h.Shareable).Select(h => h.Domain).ToArray(), shareable);
        if (!force) throw error;
        return new[] { "-Force overrides this: " + error.Summary };
    }
}

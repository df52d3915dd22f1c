using System.Collections;
using System.Collections.Generic;
using System.Linq;
using VirtioScsi.Engine;

namespace VirtioScsi.Commands.Completers;

/// <summary>Completes the WWIDs of the host's LUNs QEMU can pass through, with vendor, model, size and paths as tooltip.</summary>
internal sealed class WwidCompleter : CompleterBase
{
    protected override IEnumerable<(string, string)> Candidates(ScsiManager manager, IDictionary boundParameters) =>
        manager.ListHostLuns(readDomains: false).Luns
            .Where(l => l.Wwid is not null && l.IsPassthroughCapable)
            .Select(l => (l.Wwid!, $"{l.Vendor} {l.Model} {l.SizeGB} GB {string.Join(" ", l.Paths)}".Trim()));
}

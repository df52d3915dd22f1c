using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using VirtioScsi.Engine;

namespace VirtioScsi.Commands.Completers;

/// <summary>Completes a controller index of the domain on the command line, virtio-scsi ones first.</summary>
internal sealed class ControllerIndexCompleter : CompleterBase
{
    protected override IEnumerable<(string, string)> Candidates(ScsiManager manager, IDictionary boundParameters)
    {
        var topology = BoundDomain(manager, boundParameters);
        if (topology is null) return Array.Empty<(string, string)>();
        return topology.Controllers
            .OrderByDescending(c => c.IsVirtioScsi).ThenBy(c => c.Index)
            .Select(c => (c.Index.ToString(System.Globalization.CultureInfo.InvariantCulture),
                $"controller {c.Index}: {c.Model ?? "default model"}, {c.UnitsUsed} unit(s) used"));
    }
}

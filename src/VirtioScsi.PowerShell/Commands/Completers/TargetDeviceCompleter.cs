using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using VirtioScsi.Engine;

namespace VirtioScsi.Commands.Completers;

/// <summary>Completes the target devices (sdX) of the domain's SCSI LUNs.</summary>
internal sealed class TargetDeviceCompleter : CompleterBase
{
    protected override IEnumerable<(string, string)> Candidates(ScsiManager manager, IDictionary boundParameters)
    {
        var topology = BoundDomain(manager, boundParameters);
        if (topology is null) return Array.Empty<(string, string)>();
        return topology.Disks.Where(d => d.TargetDevice is not null)
            .Select(d => (d.TargetDevice!, $"{d.TargetDevice} ({d.Device}) at {d.Address}: {d.Source}"));
    }
}

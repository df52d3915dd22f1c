using System.Collections.Generic;
using System.Linq;
using VirtioScsi.Model;

namespace VirtioScsi.Commands.Completers;

/// <summary>Completes the target devices (sdX) of the domain's SCSI LUNs.</summary>
internal sealed class TargetDeviceCompleter : DomainTopologyCompleter
{
    protected override IEnumerable<(string Text, string ToolTip)> Candidates(DomainScsiTopology topology) =>
        topology.Disks.Where(d => d.TargetDevice is not null)
            .Select(d => (d.TargetDevice!, $"{d.TargetDevice} ({d.Device}) at {d.Address}: {d.Source}"));
}

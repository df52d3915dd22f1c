using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using VirtioScsi.Model;

namespace VirtioScsi.Commands.Completers;

/// <summary>Completes a controller index of the domain on the command line, virtio-scsi ones first.</summary>
internal sealed class ControllerIndexCompleter : DomainTopologyCompleter
{
    protected override IEnumerable<(string Text, string ToolTip)> Candidates(DomainScsiTopology topology) =>
        topology.Controllers
            .OrderByDescending(c => c.IsVirtioScsi).ThenBy(c => c.Index)
            .Select(c => (c.Index.ToString(CultureInfo.InvariantCulture),
                $"controller {c.Index}: {c.Model ?? "default model"}, {c.UnitsUsed} unit(s) used"));
}

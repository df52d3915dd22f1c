using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using VirtioScsi.Commands.Completers;
using VirtioScsi.Model;

namespace VirtioScsi.Commands;

/// <summary>
/// Gets domains' SCSI controllers, filtered by domain and index; they pipe into Remove-ScsiController and
/// Add-PassthroughLun. The getter beside New-ScsiController, as Get-VMScsiController is in Hyper-V.
/// </summary>
[Cmdlet(VerbsCommon.Get, "ScsiController")]
[OutputType(typeof(ScsiController))]
public sealed class GetScsiControllerCommand : DomainPartReadCmdlet
{
    /// <summary>Only the controllers with these indexes.</summary>
    [Parameter(Position = 1)]
    [ArgumentCompleter(typeof(ControllerIndexCompleter))]
    public int[]? Index { get; set; }

    private protected override Func<DomainScsiTopology, IEnumerable<object>> Selection()
    {
        var indexes = Index;
        return topology => topology.Controllers
            .Where(c => indexes is null || indexes.Contains(c.Index));
    }
}

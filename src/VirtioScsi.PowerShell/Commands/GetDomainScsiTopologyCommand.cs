using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using VirtioScsi.Engine;
using VirtioScsi.Commands.Completers;
using VirtioScsi.Model;

namespace VirtioScsi.Commands;

/// <summary>Shows domains' SCSI controllers and SCSI-bus disks, and whether a controller can be hot-plugged.</summary>
[Cmdlet(VerbsCommon.Get, "DomainScsiTopology")]
[OutputType(typeof(DomainScsiTopology))]
public sealed class GetDomainScsiTopologyCommand : VirtioScsiCmdlet
{
    private readonly List<(string? Uri, string? Name)> _requests = new();

    /// <summary>Domain names; wildcards allowed. None: every domain.</summary>
    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("Domain", "DomainName")]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(DomainNameCompleter))]
    public string[]? Name { get; set; }

    /// <summary>Read the persistent definitions (what the domains boot with next), not the running ones.</summary>
    [Parameter]
    public SwitchParameter Inactive { get; set; }

    // Names are gathered first and read together in EndProcessing: one virsh process for all of them.
    protected override void ProcessRecord()
    {
        if (Name is null) _requests.Add((EffectiveUri, null));
        else foreach (var name in Name) _requests.Add((EffectiveUri, name));
    }

    // Reading is one batch; progress shows while the objects of many domains are built and written.
    private const int ProgressThreshold = 50;

    protected override void EndProcessing()
    {
        foreach (var group in _requests.GroupBy(r => r.Uri))
        {
            Guard(() =>
            {
                var manager = ManagerFor(group.Key);
                var filters = group.Where(r => r.Name is not null).Select(r => DomainNamePattern.For(r.Name!)).ToArray();
                var results = manager.ReadDomains(filters, Inactive.IsPresent, StopToken);
                var showProgress = results.Count >= ProgressThreshold;
                for (var i = 0; i < results.Count; i++)
                {
                    StopToken.ThrowIfCancellationRequested();
                    var result = results[i];
                    if (result.Error is not null) WriteError(ErrorRecords.From(result.Error));
                    else WriteObject(manager.Topology(result.State!));
                    if (showProgress && (i % 25 == 0 || i == results.Count - 1)) ReportProgress("Get-DomainScsiTopology", i + 1, results.Count);
                }
            });
        }
    }
}

using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using VirtioScsi.Engine;
using VirtioScsi.Model;

namespace VirtioScsi.Commands;

/// <summary>
/// What the cmdlets that read domains share (Get-DomainScsiTopology, Get-PassthroughLun, Get-ScsiController): -Inactive,
/// and the one way domains are read. Each record's names (wildcards allowed; none: every domain) and what it selects
/// from a domain are gathered, then read together in EndProcessing: one virsh process per connection for all of them.
/// </summary>
public abstract class DomainReadCmdlet : VirtioScsiCmdlet
{
    private readonly List<Request> _requests = new();

    /// <summary>Read the persistent definitions (what the domains boot with next), not the running ones.</summary>
    [Parameter]
    public SwitchParameter Inactive { get; set; }

    /// <summary>The domain names or patterns of the current record; null: every domain.</summary>
    private protected abstract string[]? DomainNames { get; }

    /// <summary>What the current record selects from a domain's topology, captured with this record's parameters.</summary>
    private protected abstract Func<DomainScsiTopology, IEnumerable<object>> Selection();

    protected override void ProcessRecord()
    {
        var select = Selection();
        var uri = EffectiveUri;
        if (DomainNames is null) _requests.Add(new Request(uri, null, select));
        else foreach (var name in DomainNames) _requests.Add(new Request(uri, DomainNamePattern.For(name), select));
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
                var requests = group.ToArray();
                var filters = requests.Where(r => r.Filter is not null).Select(r => r.Filter!).ToArray();
                // A request for every domain reads them all, whatever the others name.
                if (requests.Any(r => r.Filter is null)) filters = Array.Empty<NameFilter>();
                var results = manager.ReadDomains(filters, Inactive.IsPresent, StopToken);
                var showProgress = results.Count >= ProgressThreshold;
                for (var i = 0; i < results.Count; i++)
                {
                    StopToken.ThrowIfCancellationRequested();
                    var result = results[i];
                    if (result.Error is not null) WriteError(ErrorRecords.From(result.Error));
                    else Write(manager.Topology(result.State!), requests);
                    if (showProgress && (i % 25 == 0 || i == results.Count - 1)) ReportProgress(MyInvocation.MyCommand.Name, i + 1, results.Count);
                }
            });
        }
    }

    /// <summary>Writes what the requests that name this domain select from it, each object once.</summary>
    private void Write(DomainScsiTopology topology, IEnumerable<Request> requests)
    {
        var written = new List<object>();
        foreach (var request in requests.Where(r => r.Filter is null || r.Filter.Matches(topology.Name)))
            foreach (var item in request.Select(topology))
            {
                if (written.Any(w => ReferenceEquals(w, item))) continue;
                written.Add(item);
                WriteObject(item);
            }
    }

    private sealed class Request
    {
        public Request(string? uri, NameFilter? filter, Func<DomainScsiTopology, IEnumerable<object>> select)
        {
            Uri = uri;
            Filter = filter;
            Select = select;
        }

        public string? Uri { get; }
        public NameFilter? Filter { get; }
        public Func<DomainScsiTopology, IEnumerable<object>> Select { get; }
    }
}

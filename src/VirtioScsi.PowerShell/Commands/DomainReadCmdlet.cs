using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using VirtioScsi.Engine;
using VirtioScsi.Errors;
using VirtioScsi.Model;

namespace VirtioScsi.Commands;

/// <summary>
/// What the cmdlets that read domains share (Get-DomainScsiTopology, Get-PassthroughLun, Get-ScsiController): -Inactive,
/// and the one way domains are read. Each record's names (wildcards allowed; none: every domain) and what it selects
/// from a domain are gathered, then read together in EndProcessing: one virsh process per connection for all of them.
/// Several connections (-ConnectionUri takes many) are read in parallel.
/// </summary>
public abstract class DomainReadCmdlet : VirtioScsiCmdlet
{
    private readonly List<Request> _requests = new();

    /// <summary>Read the persistent definitions (what the domains boot with next), not the running ones.</summary>
    [Parameter]
    public SwitchParameter Inactive { get; set; }

    /// <summary>
    /// One or more libvirt URIs; several are read in parallel, and each object names its connection. Default (and
    /// for a null or empty one): $env:LIBVIRT_DEFAULT_URI, else virsh's own default.
    /// </summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("Connect")]
    public new string[]? ConnectionUri { get; set; }

    /// <summary>The domain names or patterns of the current record; null: every domain.</summary>
    private protected abstract string[]? DomainNames { get; }

    /// <summary>What the current record selects from a domain's topology, captured with this record's parameters.</summary>
    private protected abstract Func<DomainScsiTopology, IEnumerable<object>> Selection();

    protected override void ProcessRecord()
    {
        var select = Selection();
        var uris = ConnectionUri is null || ConnectionUri.Length == 0
            ? new[] { ScsiManagerFactory.ResolveUri(null) }
            : ConnectionUri.Select(ScsiManagerFactory.ResolveUri).Distinct().ToArray();
        foreach (var uri in uris)
        {
            if (DomainNames is null) _requests.Add(new Request(uri, null, select));
            else foreach (var name in DomainNames) _requests.Add(new Request(uri, DomainNamePattern.For(name), select));
        }
    }

    // Reading is one batch; progress shows while the objects of many domains are built and written.
    private const int ProgressThreshold = 50;

    protected override void EndProcessing()
    {
        var hosts = _requests.GroupBy(r => r.Uri).ToArray();
        if (hosts.Length > 1)
        {
            ReadInParallel(hosts);
            return;
        }
        foreach (var group in hosts)
        {
            Guard(() =>
            {
                var manager = ManagerFor(group.Key);
                var requests = group.ToArray();
                var results = manager.ReadDomains(Filters(requests), Inactive.IsPresent, StopToken);
                var showProgress = results.Count >= ProgressThreshold;
                for (var i = 0; i < results.Count; i++)
                {
                    StopToken.ThrowIfCancellationRequested();
                    var result = results[i];
                    if (result.Error is not null) WriteError(ErrorRecords.From(result.Error));
                    else Write(manager.Topology(result), requests);
                    if (showProgress && (i % 25 == 0 || i == results.Count - 1)) ReportProgress(MyInvocation.MyCommand.Name, i + 1, results.Count);
                }
            });
        }
    }

    private static NameFilter[] Filters(IReadOnlyList<Request> requests) =>
        // A request for every domain reads them all, whatever the others name.
        requests.Any(r => r.Filter is null) ? Array.Empty<NameFilter>() : requests.Select(r => r.Filter!).ToArray();

    /// <summary>
    /// Several connections: each is read on a thread of its own, with an engine (and virsh session) of its own,
    /// while this thread writes what they find as it comes (PowerShell's streams take writes from the pipeline
    /// thread only). A host that fails is a non-terminating error; the others go on.
    /// </summary>
    private void ReadInParallel(IReadOnlyList<IGrouping<string?, Request>> hosts)
    {
        using var found = new BlockingCollection<Found>();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(StopToken);
        var reading = hosts.Count;
        // A thread each (LongRunning), not the thread pool's: the readers block on virsh, and a pool that starts
        // with one thread per core would read 8 hosts on 2 cores in 4 waves.
        var readers = hosts.Select(host => Task.Factory.StartNew(() =>
        {
            try
            {
                var requests = host.ToArray();
                using var manager = ScsiManagerFactory.ForCmdlet(line => found.Add(new Found { Verbose = line })).Open(host.Key);
                foreach (var result in manager.ReadDomains(Filters(requests), Inactive.IsPresent, stop.Token))
                {
                    found.Add(result.Error is not null
                        ? new Found { Error = result.Error }
                        : new Found { Topology = manager.Topology(result.State!), Requests = requests });
                }
            }
            catch (VirtioScsiException e)
            {
                found.Add(new Found { Error = e });
            }
            catch (OperationCanceledException)
            {
            }
            finally
            {
                if (Interlocked.Decrement(ref reading) == 0) found.CompleteAdding();
            }
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default)).ToArray();
        try
        {
            foreach (var item in found.GetConsumingEnumerable(StopToken))
            {
                if (item.Verbose is not null) WriteVerbose(item.Verbose);
                else if (item.Topology is not null) Write(item.Topology, item.Requests!);
                else if (item.Error!.ErrorId == ErrorIds.VirshNotFound) ThrowTerminatingError(ErrorRecords.From(item.Error));
                else WriteError(ErrorRecords.From(item.Error));
            }
        }
        catch (OperationCanceledException) when (StopToken.IsCancellationRequested)
        {
            // Ctrl+C: each reader's virsh was stopped with the same token; PowerShell reports the stop itself.
        }
        finally
        {
            // Whatever ended the loop (a terminating error, Ctrl+C), the readers stop and give their sessions back
            // before the collection goes.
            stop.Cancel();
            Task.WaitAll(readers);
        }
    }

    private sealed class Found
    {
        public string? Verbose;
        public DomainScsiTopology? Topology;
        public Request[]? Requests;
        public VirtioScsiException? Error;
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

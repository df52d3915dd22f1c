using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using VirtioScsi.Engine;
using VirtioScsi.Commands.Completers;
using VirtioScsi.Errors;
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

    /// <summary>
    /// One or more libvirt URIs; several are read in parallel, and each object names its connection. Default:
    /// $env:LIBVIRT_DEFAULT_URI, else virsh's own default.
    /// </summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("Connect")]
    [ValidateNotNullOrEmpty]
    public new string[]? ConnectionUri { get; set; }

    /// <summary>Read the persistent definitions (what the domains boot with next), not the running ones.</summary>
    [Parameter]
    public SwitchParameter Inactive { get; set; }

    // Names are gathered first and read together in EndProcessing: one virsh process for all of them.
    protected override void ProcessRecord()
    {
        var uris = ConnectionUri is null ? new[] { ScsiManagerFactory.ResolveUri(null) } : ConnectionUri.Select(ScsiManagerFactory.ResolveUri);
        foreach (var uri in uris)
        {
            if (Name is null) _requests.Add((uri, null));
            else foreach (var name in Name) _requests.Add((uri, name));
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
                var results = manager.ReadDomains(Filters(group), Inactive.IsPresent, StopToken);
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

    private static NameFilter[] Filters(IEnumerable<(string? Uri, string? Name)> requests) =>
        requests.Where(r => r.Name is not null).Select(r => Filter(r.Name!)).ToArray();

    /// <summary>
    /// Several connections: each is read on a thread of its own, with an engine (and virsh session) of its
    /// own, while this thread writes what they find as it comes (PowerShell's streams take writes from the
    /// pipeline thread only). A host that fails is a non-terminating error; the others go on.
    /// </summary>
    private void ReadInParallel(IReadOnlyList<IGrouping<string?, (string? Uri, string? Name)>> hosts)
    {
        using var found = new BlockingCollection<Found>();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(StopToken);
        var reading = hosts.Count;
        // A thread each (LongRunning), not the thread pool's: the readers block on virsh, and a pool that
        // starts with one thread per core would read 8 hosts on 2 cores in 4 waves.
        var readers = hosts.Select(host => Task.Factory.StartNew(() =>
        {
            try
            {
                using var manager = ScsiManagerFactory.ForCmdlet(line => found.Add(new Found { Verbose = line })).Open(host.Key);
                foreach (var result in manager.ReadDomains(Filters(host), Inactive.IsPresent, stop.Token))
                {
                    found.Add(result.Error is not null ? new Found { Error = result.Error } : new Found { Topology = manager.Topology(result.State!) });
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
                else if (item.Topology is not null) WriteObject(item.Topology);
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
        public VirtioScsiException? Error;
    }

    private static NameFilter Filter(string text)
    {
        if (!WildcardPattern.ContainsWildcardCharacters(text))
            return new NameFilter(text, false, name => name == text);
        var pattern = new WildcardPattern(text, WildcardOptions.IgnoreCase | WildcardOptions.CultureInvariant);
        return new NameFilter(text, true, pattern.IsMatch);
    }
}

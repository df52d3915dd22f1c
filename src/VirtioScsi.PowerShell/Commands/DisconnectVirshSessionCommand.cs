using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using VirtioScsi.Engine;
using VirtioScsi.Virsh;

namespace VirtioScsi.Commands;

/// <summary>
/// Closes the virsh sessions the module keeps open between calls (one per connection in use): those of the
/// named connections, or all. The next cmdlet call on a connection opens a new one.
/// </summary>
[Cmdlet(VerbsCommunications.Disconnect, "VirshSession")]
[OutputType(typeof(void))]
public sealed class DisconnectVirshSessionCommand : PSCmdlet
{
    private readonly List<string?> _uris = new();
    private bool _all = true;

    /// <summary>
    /// The connections whose sessions close; a null or empty one is the default connection (as the module's
    /// objects read from it carry). Not given: every connection's.
    /// </summary>
    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("Connect")]
    [AllowNull]
    [AllowEmptyString]
    public string[]? ConnectionUri { get; set; }

    protected override void ProcessRecord()
    {
        if (!MyInvocation.BoundParameters.ContainsKey(nameof(ConnectionUri))) return;
        _all = false;
        if (ConnectionUri is null || ConnectionUri.Length == 0) _uris.Add(ScsiManagerFactory.ResolveUri(null));
        else _uris.AddRange(ConnectionUri.Select(ScsiManagerFactory.ResolveUri));
    }

    protected override void EndProcessing()
    {
        var closed = VirshSessionPool.Shared.Close(_all ? null : _uris.Distinct().ToArray());
        foreach (var (uri, sessions) in closed)
            WriteVerbose($"Closed {sessions} virsh session{(sessions == 1 ? "" : "s")} to {uri ?? "virsh's default connection"}.");
        if (closed.Count == 0) WriteVerbose("No virsh session was open" + (_all ? "." : " to " + string.Join(", ", _uris) + "."));
    }
}

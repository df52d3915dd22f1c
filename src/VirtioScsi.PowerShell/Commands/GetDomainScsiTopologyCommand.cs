using System;
using System.Collections.Generic;
using System.Management.Automation;
using VirtioScsi.Commands.Completers;
using VirtioScsi.Model;

namespace VirtioScsi.Commands;

/// <summary>Shows domains' SCSI controllers and SCSI-bus disks, and whether a controller can be hot-plugged.</summary>
[Cmdlet(VerbsCommon.Get, "DomainScsiTopology")]
[OutputType(typeof(DomainScsiTopology))]
public sealed class GetDomainScsiTopologyCommand : DomainReadCmdlet
{
    /// <summary>Domain names; wildcards allowed. None: every domain.</summary>
    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("Domain", "DomainName")]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(DomainNameCompleter))]
    public string[]? Name { get; set; }

    private protected override string[]? DomainNames => Name;

    private protected override Func<DomainScsiTopology, IEnumerable<object>> Selection() => topology => new object[] { topology };
}

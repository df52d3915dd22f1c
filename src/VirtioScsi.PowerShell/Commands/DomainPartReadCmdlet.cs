using System.Management.Automation;
using VirtioScsi.Commands.Completers;

namespace VirtioScsi.Commands;

/// <summary>
/// What the getters of a domain's parts share (Get-PassthroughLun, Get-ScsiController): -Domain as the Add, New and
/// Remove cmdlets name it, but many of them and with wildcards, as Get-DomainScsiTopology's -Name.
/// </summary>
public abstract class DomainPartReadCmdlet : DomainReadCmdlet
{
    /// <summary>Domain names; wildcards allowed. None: every domain.</summary>
    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("Name", "DomainName")]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(DomainNameCompleter))]
    public string[]? Domain { get; set; }

    private protected sealed override string[]? DomainNames => Domain;
}

using System.Management.Automation;
using VirtioScsi.Model;

namespace VirtioScsi.Commands;

/// <summary>What the LUN cmdlets share: the LUN's source, a host block device (-Path) or an iSCSI LUN (-Iscsi*).</summary>
public abstract class LunSourceCmdlet : DomainChangeCmdlet
{
    private protected const string PathSet = "Path";
    private protected const string IscsiSet = "Iscsi";

    /// <summary>The host block device: /dev/mapper/&lt;wwid&gt;, /dev/disk/by-id/…. Binds the Path of piped Get-HostScsiLun objects.</summary>
    [Parameter(Mandatory = true, ParameterSetName = PathSet, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = "";

    /// <summary>The iSCSI portal, host[:port] (port 3260 by default).</summary>
    [Parameter(Mandatory = true, ParameterSetName = IscsiSet)]
    [ValidateNotNullOrEmpty]
    public string IscsiPortal { get; set; } = "";

    /// <summary>The iSCSI target's IQN.</summary>
    [Parameter(Mandatory = true, ParameterSetName = IscsiSet)]
    [ValidateNotNullOrEmpty]
    public string IscsiTarget { get; set; } = "";

    /// <summary>The LUN number on the iSCSI target.</summary>
    [Parameter(Mandatory = true, ParameterSetName = IscsiSet)]
    [ValidateRange(0, 16383)]
    public int IscsiLun { get; set; }

    /// <summary>The source the parameters name, checked; null in a parameter set that names none.</summary>
    private protected LunSource? RequestedSource() => ParameterSetName switch
    {
        PathSet => LunSource.Block(Path),
        IscsiSet => LunSource.FromIscsiParameters(IscsiPortal, IscsiTarget, IscsiLun),
        _ => OtherSource(),
    };

    /// <summary>The source of a parameter set of the derived cmdlet's own (Add-PassthroughLun -Wwid); null when it has none.</summary>
    private protected virtual LunSource? OtherSource() => null;
}

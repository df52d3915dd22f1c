using System.Management.Automation;
using VirtioScsi.Model;
using VirtioScsi.Planning;

using VirtioScsi.Commands.Completers;

namespace VirtioScsi.Commands;

/// <summary>
/// Attaches a SAN LUN (host block device or iSCSI LUN) to a domain as a virtio-scsi passthrough device,
/// adding a virtio-scsi controller first when the domain has none.
/// </summary>
[Cmdlet(VerbsCommon.Add, "PassthroughLun", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = PathSet)]
[OutputType(typeof(ScsiDisk))]
public sealed class AddPassthroughLunCommand : VirtioScsiCmdlet
{
    private const string PathSet = "Path";
    private const string IscsiSet = "Iscsi";

    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("Name", "DomainName")]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(DomainNameCompleter))]
    public string Domain { get; set; } = "";

    /// <summary>The host block device: /dev/mapper/&lt;wwid&gt;, /dev/disk/by-id/….</summary>
    [Parameter(Mandatory = true, ParameterSetName = PathSet)]
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

    /// <summary>The index of the virtio-scsi controller to use. Default: the first virtio-scsi controller, or a new one.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("Index", "ControllerIndex")]
    [ArgumentCompleter(typeof(ControllerIndexCompleter))]
    public int? Controller { get; set; }

    /// <summary>The SCSI target on the controller (virtio-scsi: 0-255). Default: 0.</summary>
    [Parameter]
    public int? Target { get; set; }

    /// <summary>The unit (LUN) on the target (virtio-scsi: 0-16383). Default: the lowest free one.</summary>
    [Parameter]
    public int? Unit { get; set; }

    /// <summary>The guest-facing name in the definition, sdX. Default: the lowest free one.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? TargetDevice { get; set; }

    /// <summary>Several domains may use the LUN at once (clusters).</summary>
    [Parameter]
    public SwitchParameter Shareable { get; set; }

    [Parameter]
    public SwitchParameter ReadOnly { get; set; }

    /// <summary>filtered (default in libvirt) or unfiltered SG_IO: unfiltered lets the guest send any SCSI command (needs rawio or CAP_SYS_RAWIO).</summary>
    [Parameter]
    [ValidateSet("filtered", "unfiltered")]
    public string? Sgio { get; set; }

    /// <summary>Give QEMU CAP_SYS_RAWIO for this LUN (block sources).</summary>
    [Parameter]
    public SwitchParameter Rawio { get; set; }

    /// <summary>Let libvirt run qemu-pr-helper for persistent reservations (clusters).</summary>
    [Parameter]
    public SwitchParameter ManagedReservations { get; set; }

    /// <summary>Boot from this LUN: its place in the boot order (persistent definition).</summary>
    [Parameter]
    [ValidateRange(1, 1000)]
    public int? BootOrder { get; set; }

    [Parameter]
    public SwitchParameter Live { get; set; }

    [Parameter]
    public SwitchParameter Config { get; set; }

    protected override void ProcessRecord()
    {
        Guard(() =>
        {
            var request = new LunRequest(Source())
            {
                Controller = Controller,
                Target = Target,
                Unit = Unit,
                TargetDevice = TargetDevice,
                BootOrder = BootOrder,
                Options = new LunOptions
                {
                    Shareable = Shareable.IsPresent,
                    ReadOnly = ReadOnly.IsPresent,
                    Sgio = Sgio,
                    Rawio = Rawio.IsPresent,
                    ManagedReservations = ManagedReservations.IsPresent,
                },
            };
            var plan = Manager.PlanLunAttach(Domain, request, Live.IsPresent, Config.IsPresent, StopToken);
            if (plan.Existing is not null)
            {
                WriteVerbose($"{request.Source} is already attached to domain '{plan.Change.Domain.Name}' as {plan.TargetDevice}; nothing changes.");
                WriteObject(Manager.ApplyLunAttach(plan, StopToken));
                return;
            }
            if (!ShouldProcess(plan.Change.Describe(Manager.ConnectionUri),
                    $"Attach {request.Source} as passthrough LUN {plan.TargetDevice} to domain '{plan.Change.Domain.Name}'?", "Add-PassthroughLun"))
                return;
            WriteWarnings(plan.Change.Warnings);
            WriteObject(Manager.ApplyLunAttach(plan, StopToken));
        });
    }

    private LunSource Source() =>
        ParameterSetName == PathSet ? LunSource.Block(Path) : LunSource.FromIscsiParameters(IscsiPortal, IscsiTarget, IscsiLun);
}

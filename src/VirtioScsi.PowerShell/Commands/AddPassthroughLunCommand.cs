using System.Management.Automation;
using VirtioScsi.Commands.Completers;
using VirtioScsi.Errors;
using VirtioScsi.Model;
using VirtioScsi.Planning;

namespace VirtioScsi.Commands;

/// <summary>
/// Attaches a SAN LUN (host block device or iSCSI LUN) to a domain as a virtio-scsi passthrough device,
/// adding a virtio-scsi controller first when the domain has none.
/// </summary>
[Cmdlet(VerbsCommon.Add, "PassthroughLun", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = PathSet)]
[OutputType(typeof(ScsiDisk))]
public sealed class AddPassthroughLunCommand : LunSourceCmdlet
{
    /// <summary>Also from the pipeline as a plain string: 'vm1', 'vm2' | Add-PassthroughLun -Path ….</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("Name", "DomainName")]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(DomainNameCompleter))]
    public override string Domain { get => base.Domain; set => base.Domain = value; }

    private const string WwidSet = "Wwid";

    /// <summary>
    /// The LUN's WWID (3600a0980…, or the NAA as 600a0980…/naa.600a0980…; wildcards allowed if they match one
    /// LUN): the host's stable path to it (its multipath map, else its /dev/disk/by-id link) is attached.
    /// </summary>
    [Parameter(Mandatory = true, ParameterSetName = WwidSet)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(WwidCompleter))]
    public string Wwid { get; set; } = "";

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

    private protected override void Change()
    {
        RefusePipedLunWithoutDomain();
        var request = new LunRequest(RequestedSource()!)
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
        var domain = plan.Change.Domain.Name;
        var lun = $"{request.Source} as passthrough LUN {plan.TargetDevice} at {plan.Address} (controller:bus:target:unit) to domain '{domain}'";
        var action = plan.NewControllerIndex is { } index
            ? $"Add virtio-scsi controller {index} to domain '{domain}', then attach {lun}"
            : $"Attach {lun}";
        if (!ShouldChange(plan.Change, action))
            return;
        WriteWarnings(plan.Change.Warnings);
        WriteObject(Manager.ApplyLunAttach(plan, StopToken, ReportStep));
    }

    // A LUN from Get-HostScsiLun piped without -Domain: PowerShell binds its Path to -Path and, having no
    // domain, the object itself (as text: the same path) to -Domain. libvirt names never contain '/'.
    private void RefusePipedLunWithoutDomain()
    {
        var bound = MyInvocation.BoundParameters.TryGetValue("Domain", out var value) ? value : null;
        var domains = bound as string[] ?? (bound is string one ? new[] { one } : new string[0]);
        if (ParameterSetName == PathSet && Path.IndexOf('/') >= 0 && System.Array.IndexOf(domains, Path) >= 0)
            throw Error.PipedLunWithoutDomain(Path);
    }

    private protected override LunSource? OtherSource() => ParameterSetName == WwidSet ? WwidSource() : null;

    private LunSource WwidSource()
    {
        var lun = Manager.ResolveWwid(Wwid, StopToken);
        WriteVerbose($"-Wwid '{Wwid}' is the LUN {lun.Wwid} ({lun.Vendor} {lun.Model}, {string.Join(", ", lun.Paths)}): attaching {lun.Path}.");
        return LunSource.Block(lun.Path!);
    }
}

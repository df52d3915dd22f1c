using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using VirtioScsi.Commands.Completers;
using VirtioScsi.Engine;
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
    /// <summary>
    /// The domain, or several (a cluster's nodes): the LUN goes to the same controller index, target, unit and
    /// sdX on each, all or nothing. Also from the pipeline ('node1', 'node2' | Add-PassthroughLun …): the domains
    /// piped are gathered and attached together when the input ends.
    /// </summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("Name", "DomainName")]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(DomainNameCompleter))]
    public new string[] Domain { get; set; } = new string[0];

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

    /// <summary>Attach although another domain holds the source unshared, or the host itself uses the device (a warning says what was overridden).</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    // Each input record's connection, controller, source (all may come from a piped object) and domains, attached in EndProcessing.
    private readonly List<(string? Uri, int? Controller, LunSource Source, string[] Domains)> _records = new();

    private protected override void Change()
    {
        RefusePipedLunWithoutDomain();
        _records.Add((EffectiveUri, Controller, RequestedSource()!, Domain));
    }

    // The records that share a connection, a controller and a source are one attachment: one address on all their domains.
    protected override void EndProcessing()
    {
        foreach (var group in _records.GroupBy(r => (r.Uri, r.Controller, r.Source.IdentityKey)))
        {
            var domains = group.SelectMany(r => r.Domains).Distinct(StringComparer.Ordinal).ToArray();
            // The group's connection for everything that asks for the current one (ShouldChange's description).
            ConnectionUri = group.Key.Uri;
            var source = group.First().Source;
            Guard(() => Attach(ManagerFor(group.Key.Uri), Request(group.Key.Controller, source), domains));
        }
    }

    private LunRequest Request(int? controller, LunSource source) => new(source)
    {
        Controller = controller,
        Target = Target,
        Unit = Unit,
        TargetDevice = TargetDevice,
        BootOrder = BootOrder,
        Force = Force.IsPresent,
        Options = new LunOptions
        {
            Shareable = Shareable.IsPresent,
            ReadOnly = ReadOnly.IsPresent,
            Sgio = Sgio,
            Rawio = Rawio.IsPresent,
            ManagedReservations = ManagedReservations.IsPresent,
        },
    };

    private void Attach(ScsiManager manager, LunRequest request, string[] domains)
    {
        try
        {
            AttachPlanned(manager, request, domains);
        }
        finally
        {
            // A plan not carried out (-WhatIf, declined, failed) keeps the LUN's lock until here: the next group is another LUN.
            manager.ReleaseLuns();
        }
    }

    private void AttachPlanned(ScsiManager manager, LunRequest request, string[] domains)
    {
        if (domains.Length == 1)
        {
            AttachOne(manager, request, domains[0]);
            return;
        }
        var plans = manager.PlanLunAttachAll(domains, request, Live.IsPresent, Config.IsPresent, StopToken);
        // -WhatIf and -Confirm see each domain's plan; a domain declined is left out, the others keep the common place.
        var confirmed = new List<LunAttachPlan>();
        foreach (var plan in plans)
        {
            if (plan.Existing is not null)
            {
                WriteVerbose($"{request.Source} is already attached to domain '{plan.Change.Domain.Name}' as {plan.TargetDevice}; nothing changes there.");
                confirmed.Add(plan);
            }
            else if (ShouldChange(plan.Change, Action(plan, request) + $", the same place on all {domains.Length} domains ({string.Join(", ", domains)})"))
                confirmed.Add(plan);
        }
        if (plans.Any(p => p.Existing is null) && confirmed.All(p => p.Existing is not null)) return;
        foreach (var plan in confirmed) WriteWarnings(plan.Change.Warnings);
        foreach (var disk in manager.ApplyLunAttachAll(confirmed, StopToken, ReportStep)) WriteObject(disk);
    }

    private void AttachOne(ScsiManager manager, LunRequest request, string domain)
    {
        var plan = manager.PlanLunAttach(domain, request, Live.IsPresent, Config.IsPresent, StopToken);
        if (plan.Existing is not null)
        {
            WriteVerbose($"{request.Source} is already attached to domain '{plan.Change.Domain.Name}' as {plan.TargetDevice}; nothing changes.");
            WriteObject(manager.ApplyLunAttach(plan, StopToken));
            return;
        }
        if (!ShouldChange(plan.Change, Action(plan, request)))
            return;
        WriteWarnings(plan.Change.Warnings);
        WriteObject(manager.ApplyLunAttach(plan, StopToken, ReportStep));
    }

    private static string Action(LunAttachPlan plan, LunRequest request)
    {
        var name = plan.Change.Domain.Name;
        var lun = $"{request.Source} as passthrough LUN {plan.TargetDevice} at {plan.Address} (controller:bus:target:unit) to domain '{name}'";
        return plan.NewControllerIndex is { } index
            ? $"Add virtio-scsi controller {index} to domain '{name}', then attach {lun}"
            : $"Attach {lun}";
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

using System.Management.Automation;
using VirtioScsi.Commands.Completers;
using VirtioScsi.Model;
using VirtioScsi.Planning;

namespace VirtioScsi.Commands;

/// <summary>Adds a SCSI controller (virtio-scsi by default) to a domain, live and persistent.</summary>
[Cmdlet(VerbsCommon.New, "ScsiController", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(ScsiController))]
public sealed class NewScsiControllerCommand : DomainChangeCmdlet
{
    /// <summary>The controller model; only virtio-scsi passes LUNs through.</summary>
    [Parameter]
    [ValidateControllerModel]
    [ArgumentCompleter(typeof(ControllerModelCompleter))]
    public string Model { get; set; } = ScsiControllerModels.VirtioScsi;

    /// <summary>The controller index. Default: the lowest index no SCSI controller of the domain uses.</summary>
    [Parameter]
    [ValidateRange(0, 1023)]
    public int? Index { get; set; }

    /// <summary>virtio-scsi request queues (typically the vCPU count).</summary>
    [Parameter]
    [ValidateRange(1, 1024)]
    public int? Queues { get; set; }

    /// <summary>The domain iothread that serves the controller (1..the domain's iothreads).</summary>
    [Parameter]
    [ValidateRange(1, int.MaxValue)]
    public int? IOThread { get; set; }

    // -Domain as DomainChangeCmdlet has it, and also by value: 'vm1', 'vm2' | New-ScsiController. (Add-PassthroughLun
    // says the same; a base class cannot give it to both, as each already derives from the base its other parameters need.)
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("Name", "DomainName")]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(DomainNameCompleter))]
    public override string Domain { get => base.Domain; set => base.Domain = value; }

    private protected override void Change()
    {
        var request = new ControllerRequest { Model = Model, Index = Index, Queues = Queues, IOThread = IOThread };
        var plan = Manager.PlanNewController(Domain, request, Live.IsPresent, Config.IsPresent, StopToken);
        if (ShouldChange(plan.Change, $"Add {Model} controller {plan.Index} to domain '{plan.Change.Domain.Name}'"))
            WriteObject(Manager.ApplyNewController(plan, StopToken, ReportStep));
    }
}

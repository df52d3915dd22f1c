using System.Management.Automation;
using VirtioScsi.Model;
using VirtioScsi.Planning;

using VirtioScsi.Commands.Completers;

namespace VirtioScsi.Commands;

/// <summary>Adds a SCSI controller (virtio-scsi by default) to a domain, live and persistent.</summary>
[Cmdlet(VerbsCommon.New, "ScsiController", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(ScsiController))]
public sealed class NewScsiControllerCommand : VirtioScsiCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("Name", "DomainName")]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(DomainNameCompleter))]
    public string Domain { get; set; } = "";

    /// <summary>The controller model; only virtio-scsi passes LUNs through.</summary>
    [Parameter]
    [ValidateSet("virtio-scsi", "virtio-transitional", "virtio-non-transitional", "lsilogic", "lsisas1068", "lsisas1078",
        "buslogic", "vmpvscsi", "ibmvscsi", "ncr53c90", "am53c974", "dc390", "auto")]
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

    /// <summary>Change only the running domain.</summary>
    [Parameter]
    public SwitchParameter Live { get; set; }

    /// <summary>Change only the persistent definition (takes effect at the next start).</summary>
    [Parameter]
    public SwitchParameter Config { get; set; }

    protected override void ProcessRecord()
    {
        Guard(() =>
        {
            var request = new ControllerRequest { Model = Model, Index = Index, Queues = Queues, IOThread = IOThread };
            var (plan, index) = Manager.PlanNewController(Domain, request, Live.IsPresent, Config.IsPresent, StopToken);
            if (!ShouldProcess(plan.Describe(Manager.ConnectionUri), $"Add {Model} controller {index} to domain '{plan.Domain.Name}'?", "New-ScsiController"))
                return;
            WriteObject(Manager.ApplyNewController(plan, index, StopToken));
        });
    }
}

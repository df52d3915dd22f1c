using System;
using System.Management.Automation;
using VirtioScsi.Commands.Completers;

namespace VirtioScsi.Commands;

/// <summary>Removes a SCSI controller; one that still has disks only with -Force, which detaches them first.</summary>
[Cmdlet(VerbsCommon.Remove, "ScsiController", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(void))]
public sealed class RemoveScsiControllerCommand : DomainChangeCmdlet
{
    // No "Controller" alias: a piped ScsiDisk has a Controller property, and binding it here would
    // turn "remove these disks" into "remove their controllers".
    [Parameter(Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true)]
    [ValidateRange(0, 1023)]
    [ArgumentCompleter(typeof(ControllerIndexCompleter))]
    public int Index { get; set; }

    /// <summary>Detach the controller's disks first instead of refusing.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>Seconds to wait for the guest to release each device.</summary>
    [Parameter]
    [ValidateRange(1, 3600)]
    [Alias("TimeoutSec")]
    public int Timeout { get; set; } = 30;

    private protected override void Change()
    {
        var plan = Manager.PlanControllerRemoval(Domain, Index, Force.IsPresent, Live.IsPresent, Config.IsPresent, StopToken);
        if (ShouldChange(plan, $"Remove SCSI controller {Index} from domain '{plan.Domain.Name}'?"))
            Manager.ApplyRemoval(plan, TimeSpan.FromSeconds(Timeout), StopToken, ReportStep);
    }
}

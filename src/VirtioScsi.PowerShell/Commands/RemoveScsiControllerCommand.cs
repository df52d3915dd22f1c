using System;
using System.Linq;
using System.Management.Automation;
using VirtioScsi.Commands.Completers;
using VirtioScsi.Model;

namespace VirtioScsi.Commands;

/// <summary>Removes a SCSI controller; one that still has disks only with -Force, which detaches them first.</summary>
[Cmdlet(VerbsCommon.Remove, "ScsiController", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(ScsiController))]
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

    /// <summary>Write the removed controller, as it was before the removal.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    private protected override void Change()
    {
        var plan = Manager.PlanControllerRemoval(Domain, Index, Force.IsPresent, Live.IsPresent, Config.IsPresent, StopToken);
        var controller = Manager.ControllerToRemove(plan, Index);
        var disks = Manager.DisksOn(plan, Index);
        var detachedFirst = disks.Count == 0 ? "" :
            ", detaching its disks first: " + string.Join(", ", disks.Select(d => $"{d.TargetDevice} ({d.Source})"));
        if (!ShouldChange(plan, $"Remove SCSI controller {Index} ({controller.Model ?? "default model"}) from domain '{plan.Domain.Name}'{detachedFirst}"))
            return;
        Manager.ApplyRemoval(plan, TimeSpan.FromSeconds(Timeout), StopToken, ReportStep);
        if (PassThru) WriteObject(controller);
    }
}

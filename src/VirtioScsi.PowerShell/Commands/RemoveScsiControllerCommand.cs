using System;
using System.Management.Automation;

using VirtioScsi.Commands.Completers;

namespace VirtioScsi.Commands;

/// <summary>Removes a SCSI controller; one that still has disks only with -Force, which detaches them first.</summary>
[Cmdlet(VerbsCommon.Remove, "ScsiController", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(void))]
public sealed class RemoveScsiControllerCommand : VirtioScsiCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("Name", "DomainName")]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(DomainNameCompleter))]
    public string Domain { get; set; } = "";

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

    [Parameter]
    public SwitchParameter Live { get; set; }

    [Parameter]
    public SwitchParameter Config { get; set; }

    protected override void ProcessRecord()
    {
        Guard(() =>
        {
            var plan = Manager.PlanControllerRemoval(Domain, Index, Force.IsPresent, Live.IsPresent, Config.IsPresent, StopToken);
            if (!ShouldProcess(plan.Describe(Manager.ConnectionUri), $"Remove SCSI controller {Index} from domain '{plan.Domain.Name}'?", "Remove-ScsiController"))
                return;
            Manager.ApplyRemoval(plan, TimeSpan.FromSeconds(Timeout), StopToken);
        });
    }
}

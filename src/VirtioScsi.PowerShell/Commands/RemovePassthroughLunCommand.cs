using System;
using System.Management.Automation;
using VirtioScsi.Commands.Completers;

namespace VirtioScsi.Commands;

/// <summary>
/// Detaches a LUN from a domain, by target device, by source, or from piped LUN objects, and waits
/// (bounded by -Timeout) until the guest has released it.
/// </summary>
[Cmdlet(VerbsCommon.Remove, "PassthroughLun", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High, DefaultParameterSetName = TargetSet)]
[OutputType(typeof(void))]
public sealed class RemovePassthroughLunCommand : LunSourceCmdlet
{
    private const string TargetSet = "TargetDevice";

    /// <summary>The LUN's target device in the definition (sda, sdb, …).</summary>
    [Parameter(Mandatory = true, Position = 1, ParameterSetName = TargetSet, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(TargetDeviceCompleter))]
    public string TargetDevice { get; set; } = "";

    /// <summary>Seconds to wait for the guest to release the LUN (hot-unplug is asynchronous).</summary>
    [Parameter]
    [ValidateRange(1, 3600)]
    [Alias("TimeoutSec")]
    public int Timeout { get; set; } = 30;

    private protected override void Change()
    {
        var source = RequestedSource();
        var plan = Manager.PlanLunRemoval(Domain, source is null ? TargetDevice : null, source, Live.IsPresent, Config.IsPresent, StopToken);
        if (ShouldChange(plan, $"Detach the LUN from domain '{plan.Domain.Name}'?"))
            Manager.ApplyRemoval(plan, TimeSpan.FromSeconds(Timeout), StopToken, ReportStep);
    }
}

using System;
using System.Management.Automation;
using VirtioScsi.Commands.Completers;
using VirtioScsi.Model;

namespace VirtioScsi.Commands;

/// <summary>
/// Detaches a LUN from a domain, by target device, by source, or from piped LUN objects, and waits
/// (bounded by -Timeout) until the guest has released it.
/// </summary>
[Cmdlet(VerbsCommon.Remove, "PassthroughLun", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High, DefaultParameterSetName = TargetSet)]
[OutputType(typeof(ScsiDisk))]
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

    /// <summary>Write the removed LUN, as it was before the removal.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    private protected override void Change()
    {
        var source = RequestedSource();
        var targetDevice = source is null ? TargetDevice : null;
        var plan = Manager.PlanLunRemoval(Domain, targetDevice, source, Live.IsPresent, Config.IsPresent, StopToken);
        var disk = Manager.DiskToRemove(plan, targetDevice, source);
        if (!ShouldChange(plan, $"Detach LUN {disk.TargetDevice} ({disk.Source}{(disk.Address is null ? "" : ", address " + disk.Address)}) from domain '{plan.Domain.Name}'"))
            return;
        Manager.ApplyRemoval(plan, TimeSpan.FromSeconds(Timeout), StopToken, ReportStep);
        if (PassThru) WriteObject(disk);
    }
}

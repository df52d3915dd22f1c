using System;
using System.Management.Automation;
using VirtioScsi.Model;

using VirtioScsi.Commands.Completers;

namespace VirtioScsi.Commands;

/// <summary>
/// Detaches a LUN from a domain, by target device, by source, or from piped LUN objects, and waits
/// (bounded by -Timeout) until the guest has released it.
/// </summary>
[Cmdlet(VerbsCommon.Remove, "PassthroughLun", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High, DefaultParameterSetName = TargetSet)]
[OutputType(typeof(void))]
public sealed class RemovePassthroughLunCommand : VirtioScsiCmdlet
{
    private const string TargetSet = "TargetDevice";
    private const string PathSet = "Path";
    private const string IscsiSet = "Iscsi";

    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("Name", "DomainName")]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(DomainNameCompleter))]
    public string Domain { get; set; } = "";

    /// <summary>The LUN's target device in the definition (sda, sdb, …).</summary>
    [Parameter(Mandatory = true, Position = 1, ParameterSetName = TargetSet, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(TargetDeviceCompleter))]
    public string TargetDevice { get; set; } = "";

    /// <summary>The LUN's host block device.</summary>
    [Parameter(Mandatory = true, ParameterSetName = PathSet)]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = "";

    [Parameter(Mandatory = true, ParameterSetName = IscsiSet)]
    [ValidateNotNullOrEmpty]
    public string IscsiPortal { get; set; } = "";

    [Parameter(Mandatory = true, ParameterSetName = IscsiSet)]
    [ValidateNotNullOrEmpty]
    public string IscsiTarget { get; set; } = "";

    [Parameter(Mandatory = true, ParameterSetName = IscsiSet)]
    [ValidateRange(0, 16383)]
    public int IscsiLun { get; set; }

    /// <summary>Seconds to wait for the guest to release the LUN (hot-unplug is asynchronous).</summary>
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
            LunSource? source = ParameterSetName switch
            {
                PathSet => LunSource.Block(Path),
                IscsiSet => LunSource.FromIscsiParameters(IscsiPortal, IscsiTarget, IscsiLun),
                _ => null,
            };
            var plan = Manager.PlanLunRemoval(Domain, source is null ? TargetDevice : null, source, Live.IsPresent, Config.IsPresent, StopToken);
            if (!ShouldProcess(plan.Describe(Manager.ConnectionUri), $"Detach the LUN from domain '{plan.Domain.Name}'?", "Remove-PassthroughLun"))
                return;
            Manager.ApplyRemoval(plan, TimeSpan.FromSeconds(Timeout), StopToken);
        });
    }
}

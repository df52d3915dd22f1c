using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using VirtioScsi.Commands.Completers;
using VirtioScsi.Model;

namespace VirtioScsi.Commands;

/// <summary>
/// Gets domains' passthrough LUNs (SCSI disks with device='lun'), filtered by domain, target device, controller and
/// source; they pipe into Remove-PassthroughLun. The getter beside Add-PassthroughLun, as Get-VMHardDiskDrive is in Hyper-V.
/// </summary>
[Cmdlet(VerbsCommon.Get, "PassthroughLun")]
[OutputType(typeof(ScsiDisk))]
public sealed class GetPassthroughLunCommand : DomainPartReadCmdlet
{
    /// <summary>The LUNs' target devices in the definition (sda, sdb, …); wildcards allowed.</summary>
    [Parameter(Position = 1)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(TargetDeviceCompleter))]
    public string[]? TargetDevice { get; set; }

    /// <summary>Only the LUNs on these controller indexes (a piped ScsiController binds its Index).</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("Index", "ControllerIndex")]
    [ArgumentCompleter(typeof(ControllerIndexCompleter))]
    public int[]? Controller { get; set; }

    /// <summary>Only the LUNs whose source matches: a host path, an IQN, or iscsi://portal/iqn/lun; wildcards allowed.</summary>
    [Parameter]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[]? Source { get; set; }

    private protected override Func<DomainScsiTopology, IEnumerable<object>> Selection()
    {
        var targets = Patterns(TargetDevice);
        var sources = Patterns(Source);
        var controllers = Controller;
        return topology => topology.Luns
            .Where(d => targets is null || (d.TargetDevice is not null && targets.Any(t => t(d.TargetDevice))))
            .Where(d => controllers is null || (d.Controller is not null && controllers.Contains(d.Controller.Value)))
            .Where(d => sources is null || sources.Any(s => SourceTexts(d.Source).Any(s)));
    }

    /// <summary>What a -Source pattern is compared with: the source as shown, its path, its IQN.</summary>
    private static IEnumerable<string> SourceTexts(LunSource source)
    {
        yield return source.ToString();
        if (source.Path is not null) yield return source.Path;
        if (source.IscsiTarget is not null) yield return source.IscsiTarget;
    }

    private static Func<string, bool>[]? Patterns(string[]? texts) =>
        texts?.Select(t => DomainNamePattern.For(t).Matches).ToArray();
}

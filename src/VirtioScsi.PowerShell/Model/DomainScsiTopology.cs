using System;
using System.Collections.Generic;
using System.Linq;

namespace VirtioScsi.Model;

/// <summary>A domain's SCSI side: its controllers, its SCSI-bus disks, and whether a controller can be hot-plugged now.</summary>
public sealed class DomainScsiTopology
{
    public string Name { get; internal set; } = "";
    public string? Uuid { get; internal set; }
    public string? ConnectionUri { get; internal set; }
    /// <summary>running, paused, shut off, …</summary>
    public string State { get; internal set; } = "";
    public bool IsActive { get; internal set; }
    public bool IsPersistent { get; internal set; }
    public string? MachineType { get; internal set; }
    public string? Architecture { get; internal set; }
    /// <summary>True when a new controller can be hot-plugged into the running domain now.</summary>
    public bool CanHotplugController { get; internal set; }
    /// <summary>Why a controller cannot be hot-plugged now, and what to do; null when it can.</summary>
    public string? HotplugBlocker { get; internal set; }
    public IReadOnlyList<ScsiController> Controllers { get; internal set; } = Array.Empty<ScsiController>();
    public IReadOnlyList<ScsiDisk> Disks { get; internal set; } = Array.Empty<ScsiDisk>();
    /// <summary>The passthrough LUNs among <see cref="Disks"/>.</summary>
    public IReadOnlyList<ScsiDisk> Luns => Disks.Where(d => d.Device == "lun").ToArray();
    /// <summary>True when the running domain and its persistent definition disagree about SCSI devices.</summary>
    public bool DefinitionsDiffer => Differences.Count > 0;
    /// <summary>Each SCSI device that is only live, only persistent, or different between the two.</summary>
    public IReadOnlyList<string> Differences { get; internal set; } = Array.Empty<string>();

    public override string ToString() => Name;
}

using System.Collections.Generic;

namespace VirtioScsi.HostDevices;

/// <summary>
/// A host block device as this machine's /dev, /sys and /proc show it: which kernel device a path names,
/// the stable path to attach instead, the LUN's other paths, and what the host does with it.
/// </summary>
internal sealed class HostBlockDevice
{
    public HostBlockDevice(string kernelName, bool isPartition, bool isScsi, string? multipathMap, string? multipathWwid,
        bool isMultipathPath, string? stablePath, IReadOnlyList<string> paths, HostUse use)
    {
        KernelName = kernelName;
        IsPartition = isPartition;
        IsScsi = isScsi;
        MultipathMap = multipathMap;
        MultipathWwid = multipathWwid;
        IsMultipathPath = isMultipathPath;
        StablePath = stablePath;
        Paths = paths;
        Use = use;
    }

    /// <summary>The kernel's name for the device the path named (sdb, dm-3): every link followed.</summary>
    public string KernelName { get; }
    public string DevicePath => "/dev/" + KernelName;
    public bool IsPartition { get; }
    /// <summary>True for a device on the kernel's SCSI layer (an sd/sr disk, or a multipath map of them).</summary>
    public bool IsScsi { get; }
    /// <summary>/dev/mapper/&lt;name&gt; of the dm-multipath map the device is, or is one path of.</summary>
    public string? MultipathMap { get; }
    /// <summary>The WWID multipath knows the map by (its dm uuid without mpath-).</summary>
    public string? MultipathWwid { get; }
    /// <summary>
    /// True when the device is one path of a multipath map: attaching it would bypass multipath (attach
    /// <see cref="MultipathMap"/> instead).
    /// </summary>
    public bool IsMultipathPath { get; }
    /// <summary>
    /// The name to attach: the multipath map; else the device's /dev/disk/by-id link (wwn-…, then scsi-…,
    /// then any other); null when udev made none (a kernel name like /dev/sdb can change at the next boot).
    /// </summary>
    public string? StablePath { get; }
    /// <summary>The LUN's kernel paths (/dev/sdX): the map's paths, or the device itself.</summary>
    public IReadOnlyList<string> Paths { get; }
    public HostUse Use { get; }
}

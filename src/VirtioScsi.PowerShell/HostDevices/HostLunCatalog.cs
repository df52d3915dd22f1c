using System;
using System.Collections.Generic;
using System.Linq;

namespace VirtioScsi.HostDevices;

/// <summary>
/// Builds the host's LUNs from libvirt's node devices: each storage device is one path, linked through its
/// parent chain to the SCSI device that gives its host:bus:target:lun; paths with the same WWID (or the same
/// multipath map, where this machine is the host) are one LUN.
/// </summary>
internal static class HostLunCatalog
{
    private const int MaxParentChain = 32;

    /// <summary>
    /// The LUNs among <paramref name="devices"/> (storage and SCSI node devices; others are only followed as
    /// parents), in device order. With a <paramref name="resolver"/> (the connection's host is this machine)
    /// each LUN also gets its stable path, multipath map and host use.
    /// </summary>
    public static IReadOnlyList<HostLun> Build(IEnumerable<NodeDevice> devices, HostBlockResolver? resolver = null)
    {
        var byName = new Dictionary<string, NodeDevice>(StringComparer.Ordinal);
        foreach (var device in devices) if (!byName.ContainsKey(device.Name)) byName.Add(device.Name, device);

        var paths = byName.Values
            .Where(d => d.Storage?.Block is not null)
            .Select(d => (Device: d, Address: ScsiAddressOf(d, byName, out var chain), Chain: chain,
                Resolved: resolver?.Resolve(d.Storage!.Block!)))
            .ToArray();

        return paths
            .GroupBy(p => p.Resolved?.MultipathMap ?? (p.Device.Storage!.Serial is { } serial ? "wwid:" + serial : "node:" + p.Device.Name))
            .Select(group =>
            {
                var members = group.OrderBy(p => p.Device.Storage!.Block!, DeviceNameOrder.Instance).ToArray();
                string? First(Func<NodeDeviceStorage, string?> field) => members.Select(p => field(p.Device.Storage!)).FirstOrDefault(v => v is not null);
                var resolved = members.Select(p => p.Resolved).Where(r => r is not null).Select(r => r!).ToArray();
                var notScsi = members.FirstOrDefault(p => p.Address is null);
                return new HostLun(
                    First(s => s.Serial) ?? resolved.Select(r => r.MultipathWwid).FirstOrDefault(w => w is not null),
                    First(s => s.Vendor),
                    First(s => s.Model),
                    members.Select(p => p.Device.Storage!.SizeBytes).FirstOrDefault(s => s is not null),
                    First(s => s.DriveType),
                    members.Select(p => new HostLunPath(p.Device.Storage!.Block!, p.Device.Name, p.Address)).ToArray(),
                    resolved.Select(r => r.StablePath).FirstOrDefault(s => s is not null),
                    resolved.Select(r => r.MultipathMap).FirstOrDefault(m => m is not null),
                    notScsi.Device is null ? null :
                        $"{notScsi.Device.Storage!.Block} is not a SCSI device of the host (no SCSI device in its node device's parent chain: {notScsi.Chain}): " +
                        "QEMU passes only SCSI devices through (SG_IO); a virtio, NVMe or loop disk can only be attached as an emulated disk.",
                    resolver is null ? null : MergedUse(resolved))
                {
                    Bus = First(s => s.Bus),
                };
            })
            .OrderBy(lun => lun.Paths[0].Device, DeviceNameOrder.Instance)
            .ToArray();
    }

    // The SCSI device (capability 'scsi') among the device's ancestors; chain names the ancestors walked.
    private static HostScsiAddress? ScsiAddressOf(NodeDevice device, IReadOnlyDictionary<string, NodeDevice> byName, out string chain)
    {
        var walked = new List<string> { device.Name };
        var current = device;
        while (current.ScsiAddress is null && current.Parent is { } parent && walked.Count <= MaxParentChain && !walked.Contains(parent))
        {
            walked.Add(parent);
            if (!byName.TryGetValue(parent, out var next)) break;
            current = next;
        }
        chain = string.Join(" → ", walked);
        return current.ScsiAddress;
    }

    // A multipath map's use covers all its paths; paths without a map (same WWID, multipath not set up)
    // are each looked at.
    private static HostUse MergedUse(IReadOnlyList<HostBlockDevice> resolved)
    {
        var distinct = resolved.GroupBy(r => r.MultipathMap ?? r.KernelName).Select(g => g.First()).ToArray();
        return new HostUse(
            distinct.SelectMany(r => r.Use.Mounts).ToArray(),
            distinct.SelectMany(r => r.Use.Swaps).Distinct().ToArray(),
            distinct.SelectMany(r => r.Use.Holders).ToArray());
    }

    /// <summary>Kernel device names in the kernel's order: sdz before sdaa (shorter first, then ordinal).</summary>
    private sealed class DeviceNameOrder : IComparer<string>
    {
        public static readonly DeviceNameOrder Instance = new();

        public int Compare(string? x, string? y)
        {
            var byLength = (x?.Length ?? 0).CompareTo(y?.Length ?? 0);
            return byLength != 0 ? byLength : string.CompareOrdinal(x, y);
        }
    }
}

using System;
using System.Linq;

namespace VirtioScsi.HostDevices;

/// <summary>The output of <c>virsh nodedev-list [--cap …]</c>: one device name a line.</summary>
internal static class NodeDeviceList
{
    public static string[] Parse(string? output) =>
        (output ?? "").Split(new[] { '\n', '\r' }, StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Trim())
            .Where(line => line.Length > 0)
            .Distinct(StringComparer.Ordinal)
            .ToArray();
}

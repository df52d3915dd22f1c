using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using VirtioScsi.Errors;
using VirtioScsi.Virsh;

namespace VirtioScsi.HostDevices;

/// <summary>
/// Lists the LUNs of a connection's host through virsh, locally or over any remote URI: one
/// <c>nodedev-list --cap storage,scsi</c>, then every device's <c>nodedev-dumpxml</c> in one batch. With a
/// runner that keeps its session open, both go to one virsh process (while the batch is small enough for
/// the session; a larger one goes to one process of its own, as the runner decides).
/// </summary>
internal sealed class HostLunReader
{
    private readonly IVirshRunner _virsh;

    public HostLunReader(IVirshRunner virsh) => _virsh = virsh;

    /// <summary>
    /// The host's LUNs. Pass a <paramref name="resolver"/> only when the connection's host is this machine
    /// (see HostBlockDevices.IsLocalConnection): it adds stable paths, multipath maps and host use.
    /// </summary>
    public IReadOnlyList<HostLun> List(HostBlockResolver? resolver, CancellationToken cancellationToken = default)
    {
        var list = _virsh.Run(new VirshCommand("nodedev-list").Option("--cap", "storage,scsi"), cancellationToken);
        if (!list.Succeeded)
            throw VirshErrors.ToException(list, "Listing the host's storage devices", _virsh.ConnectionUri ?? "default connection", ErrorIds.VirshFailed);

        var commands = NodeDeviceList.Parse(list.Output)
            .Select(name => new VirshCommand("nodedev-dumpxml").Option("--device", name))
            .ToArray();
        var devices = new List<NodeDevice>();
        foreach (var result in _virsh.RunBatch(commands, cancellationToken))
        {
            if (result.Succeeded)
            {
                devices.Add(NodeDevice.Parse(result.Output));
                continue;
            }
            // A device unplugged between the list and its read is simply no longer there.
            if (result.ErrorMessage.IndexOf("Node device not found", StringComparison.OrdinalIgnoreCase) >= 0) continue;
            throw VirshErrors.ToException(result, "Reading a host storage device", result.Command.ToVirshSyntax(), ErrorIds.VirshFailed);
        }
        return HostLunCatalog.Build(devices, resolver);
    }
}

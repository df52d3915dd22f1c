using System.Linq;
using VirtioScsi.HostDevices;
using VirtioScsi.Tests.Live;
using Xunit;

namespace VirtioScsi.Tests.HostDevices;

/// <summary>
/// This machine's own node devices through the real virsh. It has no host SCSI disk: its virtio disk
/// (block_vda) is listed, and must come out as not passthrough-capable, with this machine's use of it.
/// </summary>
public class HostLunLiveTests
{
    [SkippableFact]
    public void This_machines_storage_devices_parse_and_the_virtio_disk_is_marked_not_passthrough_capable()
    {
        LiveStack.Require();
        var names = NodeDeviceList.Parse(LiveStack.Virsh("nodedev-list", "--cap", "storage"))
            .Concat(NodeDeviceList.Parse(LiveStack.Virsh("nodedev-list", "--cap", "scsi")))
            .ToArray();
        Assert.NotEmpty(names);
        var devices = names.Select(n => NodeDevice.Parse(LiveStack.Virsh("nodedev-dumpxml", n))).ToArray();
        var storage = devices.Where(d => d.Storage is not null).ToArray();
        var luns = HostLunCatalog.Build(devices, new HostBlockResolver());

        // Every storage device is a path of exactly one LUN.
        Assert.Equal(storage.Select(d => d.Name).OrderBy(n => n), luns.SelectMany(l => l.Paths).Select(p => p.NodeDevice).OrderBy(n => n));
        // A virtio disk has no SCSI layer, whatever machine this is.
        Assert.All(luns.Where(l => l.Paths.Any(p => p.Device.StartsWith("/dev/vd"))), l => Assert.False(l.IsPassthroughCapable));

        var vdaDevice = storage.SingleOrDefault(d => d.Name == "block_vda");
        Skip.If(vdaDevice is null, "this machine has no block_vda (the checks below are for the project's own machine)");
        Assert.Equal(("/dev/vda", "disk"), (vdaDevice!.Storage!.Block, vdaDevice.Storage.DriveType));
        Assert.True(vdaDevice.Storage.SizeBytes > 0);

        var vda = luns.Single(l => l.Paths.Single().NodeDevice == "block_vda");
        Assert.False(vda.IsPassthroughCapable);
        Assert.Null(vda.HostAddress);
        Assert.Contains("block_vda → " + vdaDevice.Parent, vda.NotPassthroughCapableReason);
        // The root filesystem's device, as findmnt (not the module) reads it, shows as this machine's use.
        var rootSource = LiveStack.Run("findmnt", "-n", "-o", "SOURCE", "/").Output.Trim();
        if (rootSource == "/dev/vda")
            Assert.Contains(vda.HostUse!.Mounts, m => m.MountPoint == "/" && m.Device == "vda");
    }
}

using System;
using System.IO;
using VirtioScsi.Errors;
using VirtioScsi.Tests.Cmdlets;
using VirtioScsi.Tests.Live;
using Xunit;

namespace VirtioScsi.Tests.Cluster;

/// <summary>
/// The host-use guards on this machine's real block layer: a loop device whose partition is mounted, or is
/// swap. A loop device has no SCSI layer, so the guard must come before the SCSI check to be reached; with
/// -Force it is passed, and the SCSI check then refuses the loop device as before. (This kernel has no
/// device-mapper: LVM, dm and multipath are tested on a laid-out sysfs in HostUseGuardTests.)
/// </summary>
public sealed class HostUseLiveTests : IClassFixture<ModuleRunspace>
{
    private const string Add = "Add-PassthroughLun -ConnectionUri $uri -Domain $args[0] -Path $args[1]";
    private readonly ModuleRunspace _ps;

    public HostUseLiveTests(ModuleRunspace ps) => _ps = ps;

    private void RefusedThenForced(LoopDevice loop, string errorId, string says)
    {
        using var domain = TestDomain.Create("cl", TestDevices.Virtio0, start: false);
        var before = LiveStack.DumpXml(domain.Name, inactive: true);

        var error = _ps.Run(Add, domain.Name, loop.Device).SingleError();
        Assert.StartsWith(errorId + ",", error.FullyQualifiedErrorId);
        Assert.Contains(says, error.Exception.Message);
        Assert.Contains("-Force", error.ErrorDetails.RecommendedAction);

        // -Force passes this guard, so the next check speaks: a loop device is no SCSI device. (The warning
        // -Force leaves on a device that passes every check is HostUseGuardTests' and the plan's.)
        var forced = _ps.Run(Add + " -Force", domain.Name, loop.Device);
        Assert.StartsWith(ErrorIds.SourceNotScsi + ",", forced.SingleError().FullyQualifiedErrorId);
        Assert.Equal(before, LiveStack.DumpXml(domain.Name, inactive: true));
    }

    [SkippableFact]
    public void A_loop_device_with_a_mounted_partition_is_refused_as_mounted_before_it_is_refused_as_not_scsi()
    {
        LiveStack.Require();
        using var loop = LoopDevice.TryCreate();
        Skip.If(loop is null, "this machine cannot make loop devices");
        var mountPoint = Path.Combine(Path.GetTempPath(), $"vst-cl-{Environment.ProcessId}-mnt-{Guid.NewGuid():N}");
        Directory.CreateDirectory(mountPoint);
        Assert.Equal(0, LiveStack.Run("mkfs.ext4", "-q", "-F", loop!.Partition).Code);
        Assert.Equal(0, LiveStack.Run("mount", loop.Partition, mountPoint).Code);
        try
        {
            RefusedThenForced(loop, ErrorIds.SourceMountedOnHost, $"{loop.Partition} on {mountPoint} (ext4)");
        }
        finally
        {
            LiveStack.Run("umount", mountPoint);
            Directory.Delete(mountPoint);
        }
    }

    [SkippableFact]
    public void A_loop_device_whose_partition_is_swap_is_refused_as_swap()
    {
        LiveStack.Require();
        using var loop = LoopDevice.TryCreate();
        Skip.If(loop is null, "this machine cannot make loop devices");
        Assert.Equal(0, LiveStack.Run("mkswap", loop!.Partition).Code);
        var (code, _, error) = LiveStack.Run("swapon", loop.Partition);
        Skip.If(code != 0, "swapon is not allowed here: " + error);
        try
        {
            RefusedThenForced(loop, ErrorIds.SourceIsHostSwap, loop.Partition);
        }
        finally
        {
            LiveStack.Run("swapoff", loop.Partition);
        }
    }
}

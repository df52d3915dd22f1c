using System;
using System.IO;
using System.Threading;

namespace VirtioScsi.Tests.Live;

/// <summary>
/// A real host block device (a loop device over a sparse file, with one partition). QEMU will not pass a
/// loop device through as a LUN (it has no SCSI layer), so it serves the host-path checks and changes to
/// persistent definitions only.
/// </summary>
public sealed class LoopDevice : IDisposable
{
    private LoopDevice(string device, string file)
    {
        Device = device;
        File = file;
    }

    public string Device { get; }
    public string Partition => Device + "p1";
    public string File { get; }

    /// <summary>A loop device, or null where this machine cannot make one (not root, no loop driver).</summary>
    public static LoopDevice? TryCreate()
    {
        var file = Path.Combine(Path.GetTempPath(), $"virtioscsi-loop-{Guid.NewGuid():N}.img");
        using (var stream = System.IO.File.Create(file)) stream.SetLength(16 * 1024 * 1024);
        var (sfdisk, _, _) = LiveStack.Run("sh", "-c", "printf 'label: dos\\n,8M\\n' | sfdisk -q \"$1\"", "sh", file);
        var (code, output, _) = LiveStack.Run("losetup", "-P", "--show", "-f", file);
        if (sfdisk != 0 || code != 0)
        {
            System.IO.File.Delete(file);
            return null;
        }
        var device = output.Trim();
        // Without udev the partition may need announcing to the kernel.
        var name = Path.GetFileName(device);
        for (var i = 0; i < 20 && !Directory.Exists($"/sys/class/block/{name}p1"); i++)
        {
            LiveStack.Run("partx", "-a", device);
            Thread.Sleep(50);
        }
        return new LoopDevice(device, file);
    }

    public void Dispose()
    {
        LiveStack.Run("losetup", "-d", Device);
        System.IO.File.Delete(File);
    }
}

namespace VirtioScsi.HostDevices;

/// <summary>A filesystem the host has mounted from a LUN (or one of its partitions).</summary>
internal sealed class HostMount
{
    public HostMount(string device, string mountPoint, string fileSystem)
    {
        Device = device;
        MountPoint = mountPoint;
        FileSystem = fileSystem;
    }

    /// <summary>The kernel name of what is mounted (sdb1, dm-3).</summary>
    public string Device { get; }
    public string MountPoint { get; }
    public string FileSystem { get; }

    public override string ToString() => $"{Device} on {MountPoint} ({FileSystem})";
}

namespace VirtioScsi.HostDevices;

/// <summary>A kernel device built on a block device: an LVM volume, a dm map or an md array holds it open.</summary>
internal sealed class BlockHolder
{
    public BlockHolder(string name, BlockHolderKind kind, string? mapperName, string holds)
    {
        Name = name;
        Kind = kind;
        MapperName = mapperName;
        Holds = holds;
    }

    /// <summary>The holder's kernel name (dm-2, md0).</summary>
    public string Name { get; }
    public BlockHolderKind Kind { get; }
    /// <summary>For a device-mapper holder, its /dev/mapper name (vg0-data).</summary>
    public string? MapperName { get; }
    /// <summary>The kernel name of the device it holds (the LUN itself or one of its partitions).</summary>
    public string Holds { get; }

    public override string ToString() => $"{Kind} {MapperName ?? Name} on {Holds}";
}

namespace VirtioScsi.HostDevices;

/// <summary>What kind of kernel device holds a block device (its /sys/class/block/&lt;dev&gt;/holders entry).</summary>
internal enum BlockHolderKind
{
    /// <summary>An LVM logical volume (device-mapper uuid LVM-…): the device is a physical volume.</summary>
    Lvm,
    /// <summary>A dm-multipath map (uuid mpath-…).</summary>
    Multipath,
    /// <summary>A dm-crypt mapping (uuid CRYPT-…).</summary>
    Crypt,
    /// <summary>Any other device-mapper target.</summary>
    DeviceMapper,
    /// <summary>An md software RAID array.</summary>
    Md,
    Other,
}

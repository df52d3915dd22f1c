namespace VirtioScsi.HostDevices;

/// <summary>One kernel path to a host LUN: its block device, node device and SCSI address.</summary>
internal sealed class HostLunPath
{
    public HostLunPath(string device, string nodeDevice, HostScsiAddress? hostAddress)
    {
        Device = device;
        NodeDevice = nodeDevice;
        HostAddress = hostAddress;
    }

    /// <summary>The kernel block device (/dev/sdb).</summary>
    public string Device { get; }
    /// <summary>libvirt's node device name (block_sdb, storage_serial_…).</summary>
    public string NodeDevice { get; }
    /// <summary>host:bus:target:lun, or null when no SCSI device is in the block device's parent chain.</summary>
    public HostScsiAddress? HostAddress { get; }

    public override string ToString() => Device;
}

using System;

namespace VirtioScsi.HostDevices;

/// <summary>
/// Where a SCSI device sits on the host: host adapter, bus (channel), target and LUN, written
/// <c>host:bus:target:lun</c> as lsscsi and /sys/class/scsi_device name it.
/// </summary>
internal readonly struct HostScsiAddress : IEquatable<HostScsiAddress>
{
    public HostScsiAddress(int host, int bus, int target, long lun)
    {
        Host = host;
        Bus = bus;
        Target = target;
        Lun = lun;
    }

    public int Host { get; }
    public int Bus { get; }
    public int Target { get; }
    /// <summary>A LUN can exceed 32 bits (SAM-5 flat and extended addressing), so it is a long.</summary>
    public long Lun { get; }

    public override string ToString() => $"{Host}:{Bus}:{Target}:{Lun}";

    public bool Equals(HostScsiAddress other) =>
        Host == other.Host && Bus == other.Bus && Target == other.Target && Lun == other.Lun;

    public override bool Equals(object? obj) => obj is HostScsiAddress other && Equals(other);

    public override int GetHashCode() => ((Host * 397 ^ Bus) * 397 ^ Target) * 397 ^ Lun.GetHashCode();
}

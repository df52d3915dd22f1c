using System;

namespace VirtioScsi.Libvirt;

/// <summary>A SCSI drive address: controller index, bus, target and unit (libvirt's <c>&lt;address type='drive'&gt;</c>).</summary>
internal readonly struct DriveAddress : IEquatable<DriveAddress>
{
    public DriveAddress(int controller, int bus, int target, int unit)
    {
        Controller = controller;
        Bus = bus;
        Target = target;
        Unit = unit;
    }

    public int Controller { get; }
    public int Bus { get; }
    public int Target { get; }
    public int Unit { get; }

    public bool Equals(DriveAddress other) =>
        Controller == other.Controller && Bus == other.Bus && Target == other.Target && Unit == other.Unit;

    public static bool operator ==(DriveAddress left, DriveAddress right) => left.Equals(right);
    public static bool operator !=(DriveAddress left, DriveAddress right) => !left.Equals(right);

    public override bool Equals(object? obj) => obj is DriveAddress other && Equals(other);

    public override int GetHashCode()
    {
        unchecked
        {
            var hash = Controller;
            hash = hash * 397 ^ Bus;
            hash = hash * 397 ^ Target;
            return hash * 397 ^ Unit;
        }
    }

    /// <summary>The address as <c>controller:bus:target:unit</c>, the form lsscsi and the tables use.</summary>
    public override string ToString() => $"{Controller}:{Bus}:{Target}:{Unit}";
}

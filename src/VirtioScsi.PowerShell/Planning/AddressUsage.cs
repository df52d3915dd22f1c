using System.Collections.Generic;
using System.Linq;
using VirtioScsi.Libvirt;
using VirtioScsi.Model;

namespace VirtioScsi.Planning;

/// <summary>
/// The drive addresses taken in a set of definitions (disks and SCSI host devices). Planning looks at
/// the live and the persistent definition together, so an address is free only where it is free in both.
/// </summary>
internal sealed class AddressUsage
{
    private readonly HashSet<DriveAddress> _used = new();
    private readonly Dictionary<int, HashSet<DriveAddress>> _byController = new();

    private AddressUsage() { }

    public static AddressUsage Of(IEnumerable<DomainDefinition> definitions)
    {
        var usage = new AddressUsage();
        foreach (var definition in definitions)
        {
            foreach (var disk in definition.Disks.Where(d => d.IsScsi && d.Address is not null)) usage.Add(disk.Address!.Value);
            foreach (var address in definition.HostdevAddresses) usage.Add(address);
        }
        return usage;
    }

    private void Add(DriveAddress address)
    {
        _used.Add(address);
        if (!_byController.TryGetValue(address.Controller, out var set)) _byController[address.Controller] = set = new HashSet<DriveAddress>();
        set.Add(address);
    }

    public bool IsUsed(DriveAddress address) => _used.Contains(address);

    public int CountOn(int controller) => _byController.TryGetValue(controller, out var set) ? set.Count : 0;

    /// <summary>The addresses taken on one target of a controller (bus 0).</summary>
    public int CountOn(int controller, int target) =>
        _byController.TryGetValue(controller, out var set) ? set.Count(a => a.Bus == 0 && a.Target == target) : 0;
}

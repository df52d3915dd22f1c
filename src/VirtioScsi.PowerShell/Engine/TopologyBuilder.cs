using System;
using System.Collections.Generic;
using System.Linq;
using VirtioScsi.HostDevices;
using VirtioScsi.Libvirt;
using VirtioScsi.Model;
using VirtioScsi.Planning;

namespace VirtioScsi.Engine;

/// <summary>
/// Builds the objects users see (<see cref="DomainScsiTopology"/>, <see cref="ScsiController"/>,
/// <see cref="ScsiDisk"/>) from the libvirt read model: the one place where the two meet.
/// </summary>
internal static class TopologyBuilder
{
    /// <param name="identify">Where the host is this machine: the identity of the LUN a block source names.</param>
    public static DomainScsiTopology Build(DomainState state, string? connectionUri, Func<string, HostLunIdentity?>? identify = null)
    {
        var current = state.Current;
        var (canHotplug, blocker) = HotplugAssessment.ForController(state);
        var differences = new List<string>();
        var topology = new DomainScsiTopology
        {
            // The name virsh listed is exact; the XML's may not be (XML reads a CR that libvirt wrote as LF).
            Name = state.Name.Length > 0 ? state.Name : current.Name,
            Uuid = current.Uuid,
            ConnectionUri = connectionUri,
            State = state.StateText,
            IsActive = state.IsActive,
            IsPersistent = state.IsPersistent,
            MachineType = current.MachineType,
            Architecture = current.Architecture,
            CanHotplugController = canHotplug,
            HotplugBlocker = blocker,
        };
        var usage = AddressUsage.Of(state.AllDefinitions);
        topology.Controllers = Merge(state, d => d.ScsiControllers, c => c.Index, differences, "controller")
            .Select(m => ToController(topology.Name, connectionUri, m.Item, m.Presence, usage))
            .OrderBy(c => c.Index)
            .ToArray();
        // A damaged definition may repeat an index (libvirt never does): both controllers are shown, the first one's model counts.
        var models = topology.Controllers.GroupBy(c => c.Index).ToDictionary(g => g.Key, g => g.First().Model);
        topology.Disks = Merge(state, d => d.ScsiDisks, d => d.TargetDevice ?? "", differences, "disk")
            .Select(m => WithIdentity(ToDisk(topology.Name, connectionUri, m.Item, m.Other, m.Presence, models), identify))
            .OrderBy(d => d.Controller ?? int.MaxValue).ThenBy(d => d.Target).ThenBy(d => d.Unit).ThenBy(d => d.TargetDevice)
            .ToArray();
        topology.Differences = differences;
        return topology;
    }

    private sealed class Merged<T>
    {
        public Merged(T item, T? other, DefinitionPresence presence)
        {
            Item = item;
            Other = other;
            Presence = presence;
        }

        public T Item { get; }
        /// <summary>The same device in the persistent definition, when the item is the live one.</summary>
        public T? Other { get; }
        public DefinitionPresence Presence { get; }
    }

    private static IEnumerable<Merged<T>> Merge<T, TKey>(DomainState state, Func<DomainDefinition, IEnumerable<T>> select,
        Func<T, TKey> key, List<string> differences, string noun) where T : class where TKey : notnull
    {
        if (state.Live is null || state.Config is null)
        {
            foreach (var item in select(state.Current)) yield return new Merged<T>(item, null, DefinitionPresence.Both);
            yield break;
        }
        var config = new Dictionary<TKey, T>();
        foreach (var item in select(state.Config)) config[key(item)] = item;
        foreach (var item in select(state.Live))
        {
            if (config.TryGetValue(key(item), out var other))
            {
                config.Remove(key(item));
                if (item is DiskElement liveDisk && other is DiskElement configDisk && !liveDisk.Source.Equals(configDisk.Source))
                    differences.Add($"disk {key(item)} has source {liveDisk.Source} in the running domain but {configDisk.Source} in the persistent definition");
                if (item is ControllerElement liveController && other is ControllerElement configController && liveController.Model != configController.Model)
                    differences.Add($"controller {key(item)} is {liveController.Model ?? "of the default model"} in the running domain but {configController.Model ?? "of the default model"} in the persistent definition");
                yield return new Merged<T>(item, other, DefinitionPresence.Both);
            }
            else
            {
                differences.Add($"{noun} {key(item)} is only in the running domain (gone after a restart)");
                yield return new Merged<T>(item, null, DefinitionPresence.LiveOnly);
            }
        }
        foreach (var pair in config)
        {
            differences.Add($"{noun} {pair.Key} is only in the persistent definition (appears after a restart)");
            yield return new Merged<T>(pair.Value, null, DefinitionPresence.ConfigOnly);
        }
    }

    private static ScsiController ToController(string domain, string? uri, ControllerElement c, DefinitionPresence presence, AddressUsage usage)
    {
        var used = usage.CountOn(c.Index);
        var limits = ScsiControllerModels.LimitsOf(c.Model);
        var unitsPerTarget = limits.MaxUnit + 1 - (limits.ReservedUnit is null ? 0 : 1);
        return new ScsiController
        {
            Domain = domain,
            ConnectionUri = uri,
            Index = c.Index,
            Model = c.Model,
            IsVirtioScsi = ScsiControllerModels.IsVirtio(c.Model),
            Queues = c.Queues,
            IOThread = c.IOThread,
            PciAddress = c.PciAddress,
            Alias = c.Alias,
            UnitsUsed = used,
            UnitsFree = Math.Max(0, limits.Capacity - used),
            UnitsFreeOnTarget0 = Math.Max(0, unitsPerTarget - usage.CountOn(c.Index, 0)),
            Targets = limits.MaxTarget + 1,
            UnitsPerTarget = unitsPerTarget,
            Presence = presence,
        };
    }

    private static ScsiDisk WithIdentity(ScsiDisk disk, Func<string, HostLunIdentity?>? identify)
    {
        if (identify is null || disk.Source.Kind != LunSourceKind.Block || disk.Source.Path is null) return disk;
        var identity = identify(disk.Source.Path);
        disk.Wwid = identity?.Wwid;
        disk.Vendor = identity?.Vendor;
        disk.Model = identity?.Model;
        return disk;
    }

    private static ScsiDisk ToDisk(string domain, string? uri, DiskElement d, DiskElement? persistent, DefinitionPresence presence,
        IReadOnlyDictionary<int, string?> models)
    {
        var address = d.Address;
        var onVirtio = address is not null && models.TryGetValue(address.Value.Controller, out var model) && ScsiControllerModels.IsVirtio(model);
        return new ScsiDisk
        {
            Domain = domain,
            ConnectionUri = uri,
            TargetDevice = d.TargetDevice,
            Device = d.Device,
            Source = d.Source,
            Controller = address?.Controller,
            Bus = address?.Bus,
            Target = address?.Target,
            Unit = address?.Unit,
            Address = address?.ToString(),
            IsPassthrough = d.Device == "lun" && onVirtio,
            Sgio = d.Sgio,
            Rawio = d.Rawio,
            Shareable = d.Shareable,
            ReadOnly = d.ReadOnly,
            Reservations = d.Reservations,
            ManagedReservations = d.ManagedReservations,
            // Boot order matters for the next boot, so the persistent definition's value wins.
            BootOrder = persistent?.BootOrder ?? d.BootOrder,
            Alias = d.Alias,
            Presence = presence,
        };
    }
}

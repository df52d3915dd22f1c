using System;
using System.Collections.Generic;
using System.Linq;
using VirtioScsi.Errors;
using VirtioScsi.Libvirt;
using VirtioScsi.Model;

namespace VirtioScsi.Planning;

/// <summary>
/// One place for a LUN on several domains (a cluster's nodes): the same controller index, target, unit and
/// sdX on every one, so the guests see the disk at the same H:C:T:L. Pure: it fills in what the request
/// leaves open, and the per-domain planner then checks and plans each domain at that place.
/// </summary>
internal static class CommonPlacement
{
    /// <param name="keyOf">A source's identity on this connection; <see cref="SourceHolders.AsWritten"/> when not given.</param>
    public static LunRequest Choose(IReadOnlyList<DomainState> domains, IReadOnlyList<ChangeScope> scopes, LunRequest request,
        Func<LunSource, string>? keyOf)
    {
        var placed = new LunRequest(request.Source)
        {
            Controller = request.Controller,
            Target = request.Target,
            Unit = request.Unit,
            TargetDevice = request.TargetDevice,
            BootOrder = request.BootOrder,
            Options = request.Options,
            Force = request.Force,
        };
        var names = string.Join(", ", domains.Select(d => $"'{d.Name}'"));

        // A node that has the LUN already fixes the place: the others get it there too (the planner refuses
        // where that place is taken, or where the request asks for another).
        keyOf ??= SourceHolders.AsWritten;
        var key = keyOf(request.Source);
        var held = domains.SelectMany(d => d.AllDefinitions).SelectMany(d => d.Disks)
            .FirstOrDefault(d => d.Device == "lun" && d.Address is not null && keyOf(d.Source) == key);
        if (held is not null)
        {
            placed.Controller ??= held.Address!.Value.Controller;
            placed.Target ??= held.Address!.Value.Target;
            placed.Unit ??= held.Address!.Value.Unit;
            placed.TargetDevice ??= held.TargetDevice;
        }

        // The controller: the lowest index that is a virtio-scsi controller in every definition each change
        // touches, or that no SCSI controller uses at all (there one is added). Never an lsi one, never one
        // that is in one definition only.
        if (placed.Controller is null)
        {
            var index = 0;
            while (!domains.Select((d, i) => Fits(d, scopes[i], index)).All(f => f)) index++;
            placed.Controller = index;
        }
        placed.AddControllerWhereMissing = true;
        var controller = placed.Controller.Value;

        if (placed.Unit is null)
        {
            var model = domains.SelectMany(d => d.AllDefinitions).SelectMany(d => d.ScsiControllers)
                .FirstOrDefault(c => c.Index == controller)?.Model ?? ScsiControllerModels.VirtioScsi;
            var limits = ScsiControllerModels.LimitsOf(model);
            var usages = domains.Select(d => AddressUsage.Of(d.AllDefinitions)).ToArray();
            var found = false;
            for (var t = placed.Target ?? 0; t <= (placed.Target ?? limits.MaxTarget) && !found; t++)
            {
                for (var u = 0; u <= limits.MaxUnit && !found; u++)
                {
                    if (u == limits.ReservedUnit) continue;
                    var candidate = new DriveAddress(controller, 0, t, u);
                    if (usages.Any(usage => usage.IsUsed(candidate))) continue;
                    placed.Target = t;
                    placed.Unit = u;
                    found = true;
                }
            }
            if (!found)
                throw Error.NoCommonAddress(names, placed.Target is null
                    ? $"controller {controller} has no drive address that is free on all of them"
                    : $"target {placed.Target} of controller {controller} has no unit that is free on all of them");
        }
        placed.Target ??= 0;

        placed.TargetDevice ??= TargetDeviceNames.LowestFree(domains.SelectMany(d => d.AllDefinitions));
        return placed;
    }

    private static bool Fits(DomainState domain, ChangeScope scope, int index)
    {
        if (domain.AllDefinitions.All(d => d.ScsiControllers.All(c => c.Index != index))) return true;
        return scope.DefinitionsOf(domain).All(d => d.ScsiControllers.Any(c => c.Index == index && ScsiControllerModels.IsVirtio(c.Model)));
    }
}

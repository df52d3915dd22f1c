using System.Collections.Generic;
using System.Linq;
using VirtioScsi.Libvirt;
using VirtioScsi.Errors;
using VirtioScsi.Model;

namespace VirtioScsi.Planning;

/// <summary>Controller indexes and the choice of a controller for a passthrough LUN.</summary>
public static class ControllerPlanner
{
    /// <summary>The lowest index that no SCSI controller uses in any of the definitions.</summary>
    public static int LowestFreeIndex(IEnumerable<DomainDefinition> definitions)
    {
        var used = new HashSet<int>(definitions.SelectMany(d => d.ScsiControllers).Select(c => c.Index));
        var index = 0;
        while (used.Contains(index)) index++;
        return index;
    }

    public static void CheckIndexFree(DomainState domain, int index)
    {
        var holder = domain.AllDefinitions.SelectMany(d => d.ScsiControllers).FirstOrDefault(c => c.Index == index);
        if (holder is not null)
            throw new VirtioScsiException(ErrorIds.ControllerIndexInUse, ErrorKind.ResourceExists,
                $"Domain '{domain.Name}' already has SCSI controller index {index} (model {holder.Model ?? "default"}).", domain.Name,
                $"Leave out -Index to take the lowest free index ({LowestFreeIndex(domain.AllDefinitions)}), or choose another.");
    }

    /// <summary>
    /// The controller with <paramref name="index"/>, in every definition the scope changes; an error
    /// when it is missing from one of them or is no virtio-scsi controller.
    /// </summary>
    public static ControllerElement RequireVirtio(DomainState domain, ChangeScope scope, int index)
    {
        ControllerElement? found = null;
        foreach (var definition in scope.DefinitionsOf(domain))
        {
            var controller = definition.ScsiControllers.FirstOrDefault(c => c.Index == index);
            if (controller is null)
            {
                var where = definition == domain.Live ? "the running domain" : "the persistent definition";
                throw new VirtioScsiException(ErrorIds.ControllerNotFound, ErrorKind.ObjectNotFound,
                    $"Domain '{domain.Name}' has no SCSI controller {index} in {where}.", domain.Name,
                    "Add it with New-ScsiController, or leave out -Controller to let the module choose or add one.");
            }
            if (!ScsiControllerModels.IsVirtio(controller.Model))
                throw new VirtioScsiException(ErrorIds.ControllerNotVirtioScsi, ErrorKind.InvalidArgument,
                    $"SCSI controller {index} of domain '{domain.Name}' is {controller.Model ?? "of libvirt's default model (lsilogic on x86)"}, not virtio-scsi. The module puts passthrough LUNs on virtio-scsi only: the emulated HBAs take 7 units, are slow, and current guests lack drivers for them.",
                    domain.Name, "Leave out -Controller to use or add a virtio-scsi controller, or add one with New-ScsiController.");
            found ??= controller;
        }
        return found!;
    }

    /// <summary>The lowest-index virtio-scsi controller present in every definition the scope changes, if any.</summary>
    public static ControllerElement? FindUsableVirtio(DomainState domain, ChangeScope scope)
    {
        var definitions = scope.DefinitionsOf(domain).ToArray();
        return definitions[0].ScsiControllers
            .Where(c => ScsiControllerModels.IsVirtio(c.Model))
            .Where(c => definitions.All(d => d.ScsiControllers.Any(o => o.Index == c.Index && ScsiControllerModels.IsVirtio(o.Model))))
            .OrderBy(c => c.Index)
            .FirstOrDefault();
    }
}

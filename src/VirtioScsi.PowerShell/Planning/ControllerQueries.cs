using System.Collections.Generic;
using System.Linq;
using VirtioScsi.Libvirt;
using VirtioScsi.Errors;
using VirtioScsi.Model;

namespace VirtioScsi.Planning;

/// <summary>Questions about a domain's SCSI controllers: free indexes, and which controller a passthrough LUN can use.</summary>
internal static class ControllerQueries
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
            throw Error.ControllerIndexInUse(domain.Name, index, holder.Model, LowestFreeIndex(domain.AllDefinitions));
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
                throw Error.ControllerNotFoundForLun(domain.Name, index, where);
            }
            if (!ScsiControllerModels.IsVirtio(controller.Model))
                throw Error.ControllerNotVirtioScsi(domain.Name, index, controller.Model);
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

using System;
using System.Collections.Generic;
using System.Linq;
using System.Xml.Linq;
using VirtioScsi.Errors;
using VirtioScsi.Libvirt;

namespace VirtioScsi.Planning;

/// <summary>Plans the removal of a SCSI controller (Remove-ScsiController), with its disks under -Force.</summary>
internal static class ControllerRemovalPlanner
{
    public static ChangePlan Plan(DomainState domain, int index, ChangeScope scope, bool force)
    {
        var name = domain.Name;
        DefinitionChecks.RequirePlannable(domain);
        var definitions = scope.DefinitionsOf(domain).ToArray();
        if (!definitions.Any(d => d.ScsiControllers.Any(c => c.Index == index)))
            throw Error.ControllerNotFoundForRemoval(name, index, scope.ToString());
        var disks = definitions.SelectMany(d => d.ScsiDisks)
            .Where(d => d.Address?.Controller == index && d.TargetDevice is not null)
            .Select(d => d.TargetDevice!)
            .Distinct()
            .ToArray();
        var hostdevs = definitions.Any(d => d.HostdevAddresses.Any(a => a.Controller == index));
        if (hostdevs)
            throw Error.ControllerHasHostdevs(name, index);
        if (disks.Length > 0 && !force)
            throw Error.ControllerHasDisks(name, index, string.Join(", ", disks));

        var steps = new List<ChangeStep>();
        foreach (var disk in disks) steps.AddRange(LunRemovalPlanner.DetachDiskSteps(domain, scope, disk));
        var xml = new XElement("controller", new XAttribute("type", "scsi"), new XAttribute("index", index));
        var presentScope = scope.WhereHeld(domain, d => d.ScsiControllers.Any(c => c.Index == index));
        steps.Add(ChangeStep.Detach(name, $"Remove SCSI controller {index} from domain '{name}' ({presentScope})", xml, presentScope,
            live => live.ScsiControllers.All(c => c.Index != index)));
        return new ChangePlan(domain, scope, steps, Array.Empty<string>());
    }
}

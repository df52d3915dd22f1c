using System;
using System.Collections.Generic;
using System.Linq;
using System.Xml.Linq;
using VirtioScsi.Libvirt;
using VirtioScsi.Errors;
using VirtioScsi.Model;

namespace VirtioScsi.Planning;

/// <summary>Plans removals: a LUN by its target name, or a controller with (under -Force) its disks.</summary>
public static class DetachPlanner
{
    /// <summary>Finds a disk of the domain by its source (for Remove-PassthroughLun -Path / -Iscsi*).</summary>
    public static string? FindTargetBySource(DomainState domain, LunSource source, Func<string, string>? canonicalPath = null)
    {
        canonicalPath ??= p => p;
        var wanted = source.MatchKey(canonicalPath);
        return domain.AllDefinitions.SelectMany(d => d.ScsiDisks).FirstOrDefault(d => d.Source.MatchKey(canonicalPath) == wanted)?.TargetDevice;
    }

    public static ChangePlan PlanLunRemoval(DomainState domain, string targetDevice, ChangeScope scope)
    {
        var name = domain.Name;
        var steps = DetachDiskSteps(domain, scope, targetDevice).ToArray();
        if (steps.Length == 0)
            throw new VirtioScsiException(ErrorIds.LunNotFound, ErrorKind.ObjectNotFound,
                $"Domain '{name}' has no SCSI disk {targetDevice} in {(scope.Live && scope.Config ? "its running or persistent definition" : scope.Live ? "the running domain" : "its persistent definition")}.",
                name, "List its LUNs with Get-DomainScsiTopology.");
        return new ChangePlan(domain, scope, steps, Array.Empty<string>());
    }

    public static ChangePlan PlanControllerRemoval(DomainState domain, int index, ChangeScope scope, bool force)
    {
        var name = domain.Name;
        var definitions = scope.DefinitionsOf(domain).ToArray();
        if (!definitions.Any(d => d.ScsiControllers.Any(c => c.Index == index)))
            throw new VirtioScsiException(ErrorIds.ControllerNotFound, ErrorKind.ObjectNotFound,
                $"Domain '{name}' has no SCSI controller {index} ({scope}).", name, "List its controllers with Get-DomainScsiTopology.");
        var disks = definitions.SelectMany(d => d.ScsiDisks)
            .Where(d => d.Address?.Controller == index && d.TargetDevice is not null)
            .Select(d => d.TargetDevice!)
            .Distinct()
            .ToArray();
        var hostdevs = definitions.Any(d => d.HostdevAddresses.Any(a => a.Controller == index));
        if (hostdevs)
            throw new VirtioScsiException(ErrorIds.ControllerHasDisks, ErrorKind.InvalidOperation,
                $"SCSI controller {index} of domain '{name}' carries SCSI host devices (<hostdev type='scsi'>), which this module does not manage.",
                name, "Detach them with 'virsh detach-device' first.");
        if (disks.Length > 0 && !force)
            throw new VirtioScsiException(ErrorIds.ControllerHasDisks, ErrorKind.InvalidOperation,
                $"SCSI controller {index} of domain '{name}' still has disks: {string.Join(", ", disks)}.", name,
                "Remove them with Remove-PassthroughLun first, or pass -Force to detach them with the controller.");

        var steps = new List<ChangeStep>();
        foreach (var disk in disks) steps.AddRange(DetachDiskSteps(domain, scope, disk));
        var xml = new XElement("controller", new XAttribute("type", "scsi"), new XAttribute("index", index));
        var presentScope = PresentIn(domain, scope, d => d.ScsiControllers.Any(c => c.Index == index));
        steps.Add(ChangeStep.Detach(name, $"Remove SCSI controller {index} from domain '{name}' ({presentScope})", xml, presentScope,
            live => live.ScsiControllers.All(c => c.Index != index)));
        return new ChangePlan(domain, scope, steps, Array.Empty<string>());
    }

    private static IEnumerable<ChangeStep> DetachDiskSteps(DomainState domain, ChangeScope scope, string targetDevice)
    {
        // SCSI disks only: on q35 a SATA boot disk may be called sda too, and it is not ours to remove.
        var present = PresentIn(domain, scope, d => d.ScsiDisks.Any(x => x.TargetDevice == targetDevice));
        if (!present.Live && !present.Config) yield break;
        var disk = present.DefinitionsOf(domain).SelectMany(d => d.ScsiDisks).First(d => d.TargetDevice == targetDevice);
        // libvirt finds the disk to detach by its target name; the source and type make the XML valid.
        var xml = new XElement("disk",
            new XAttribute("type", disk.Type),
            new XAttribute("device", disk.Device),
            disk.Element.Element("source") is { } source ? new XElement(source) : null,
            new XElement("target", new XAttribute("dev", targetDevice), new XAttribute("bus", disk.Bus ?? "scsi")));
        yield return ChangeStep.Detach(domain.Name, $"Detach {targetDevice} ({disk.Source}) from domain '{domain.Name}' ({present})", xml, present,
            live => live.ScsiDisks.All(d => d.TargetDevice != targetDevice));
    }

    /// <summary>The part of the scope whose definitions hold the device.</summary>
    private static ChangeScope PresentIn(DomainState domain, ChangeScope scope, Func<DomainDefinition, bool> holds) =>
        new(scope.Live && domain.Live is not null && holds(domain.Live),
            scope.Config && domain.Config is not null && holds(domain.Config));
}

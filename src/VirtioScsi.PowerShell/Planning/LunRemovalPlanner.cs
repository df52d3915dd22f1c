using System;
using System.Collections.Generic;
using System.Linq;
using System.Xml.Linq;
using VirtioScsi.Errors;
using VirtioScsi.Libvirt;
using VirtioScsi.Model;

namespace VirtioScsi.Planning;

/// <summary>Plans the removal of a passthrough LUN (Remove-PassthroughLun), found by its target name or its source.</summary>
internal static class LunRemovalPlanner
{
    /// <summary>Finds a disk of the domain by its source (for Remove-PassthroughLun -Path / -Iscsi*), by <see cref="LunSourceIdentity"/>.</summary>
    public static string? FindTargetBySource(DomainState domain, LunSource source, LunSourceIdentity? identity = null)
    {
        identity ??= LunSourceIdentity.Default;
        var wanted = source.MatchKey(identity);
        return domain.AllDefinitions.SelectMany(d => d.ScsiDisks).FirstOrDefault(d => d.Source.MatchKey(identity) == wanted)?.TargetDevice;
    }

    public static ChangePlan Plan(DomainState domain, string targetDevice, ChangeScope scope)
    {
        var name = domain.Name;
        DefinitionChecks.RequirePlannable(domain);
        var steps = DetachDiskSteps(domain, scope, targetDevice).ToArray();
        if (steps.Length == 0)
            throw Error.LunNotFound(name, targetDevice,
                scope.Live && scope.Config ? "its running or persistent definition" : scope.Live ? "the running domain" : "its persistent definition");
        return new ChangePlan(domain, scope, steps, Array.Empty<string>());
    }

    /// <summary>The steps that detach one SCSI disk from the definitions of the scope that hold it (none when none does).</summary>
    internal static IEnumerable<ChangeStep> DetachDiskSteps(DomainState domain, ChangeScope scope, string targetDevice)
    {
        // SCSI disks only: on q35 a SATA boot disk may be called sda too, and it is not ours to remove.
        var present = scope.WhereHeld(domain, d => d.ScsiDisks.Any(x => x.TargetDevice == targetDevice));
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
}

using System.Linq;
using System.Xml.Linq;
using VirtioScsi.Libvirt;
using VirtioScsi.Planning;

namespace VirtioScsi.Engine;

/// <summary>
/// The device a change step attaches, known from the step's own XML: whether a definition holds it, how to
/// take it out again, and the command a user runs to remove it when the module could not.
/// </summary>
internal static class StepDevices
{
    /// <summary>True when <paramref name="definition"/> holds the device of <paramref name="xml"/> (a disk by name and address, a controller by index and model).</summary>
    public static bool Holds(DomainDefinition definition, XNode xml)
    {
        if (xml is not XElement element) return false;
        if (element.Name == "disk")
        {
            var target = element.Element("target")?.Attribute("dev")?.Value;
            var address = AddressOf(element);
            return definition.Disks.Any(d => d.TargetDevice == target && (address is null || d.Address == address));
        }
        if (element.Name == "controller" && int.TryParse(element.Attribute("index")?.Value, out var index))
        {
            var model = element.Attribute("model")?.Value;
            return definition.ScsiControllers.Any(c => c.Index == index && c.Model == model);
        }
        return false;
    }

    /// <summary>The scope, within <paramref name="step"/>'s own, whose definitions of <paramref name="domain"/> hold its device.</summary>
    public static ChangeScope WhereHeld(ChangeStep step, DomainState domain) =>
        step.Scope.WhereHeld(domain, d => Holds(d, step.Xml));

    /// <summary>
    /// What undoes a step that took effect: its planned undo, else (a LUN step, planned as the last and so
    /// never undone by a later failure) the detach of the device it attached.
    /// </summary>
    public static ChangeStep? UndoOf(ChangeStep step) =>
        step.Undo ?? (step.Kind == StepKind.AttachDevice && step.Xml is XElement element ? DetachOf(step, element, step.Scope) : null);

    /// <summary>The detach of <paramref name="step"/>'s device from the definitions of <paramref name="scope"/>.</summary>
    public static ChangeStep DetachOf(ChangeStep step, XElement device, ChangeScope scope) =>
        ChangeStep.Detach(step.Domain, $"Take out again what '{step.Description}' added ({scope})", device, scope, live => !Holds(live, device));

    /// <summary>The device in words: "passthrough LUN sdc (live only)".</summary>
    public static string Describe(ChangeStep step, ChangeScope scope)
    {
        if (step.Kind == StepKind.Define) return "the persistent definition as redefined by: " + FirstLine(step.Description);
        var element = step.Xml as XElement;
        if (element?.Name == "disk") return $"passthrough LUN {element.Element("target")?.Attribute("dev")?.Value} ({scope})";
        if (element?.Name == "controller") return $"{element.Attribute("model")?.Value ?? "SCSI"} controller {element.Attribute("index")?.Value} ({scope})";
        return $"{FirstLine(step.Description)} ({scope})";
    }

    /// <summary>The module's command that removes what <paramref name="step"/> added, as a user types it.</summary>
    public static string RemovalCommand(ChangeStep step, ChangeScope scope)
    {
        var domain = "'" + step.Domain.Replace("'", "''") + "'";
        var flags = scope.Live && scope.Config ? "" : scope.Live ? " -Live" : " -Config";
        var element = step.Xml as XElement;
        if (element?.Name == "disk")
            return $"Remove-PassthroughLun -Domain {domain} -TargetDevice {element.Element("target")?.Attribute("dev")?.Value}{flags}";
        if (element?.Name == "controller")
            return $"Remove-ScsiController -Domain {domain} -Index {element.Attribute("index")?.Value}{flags} -Force";
        return $"virsh edit {domain} (put back the <os><boot dev=…/> lines and remove the LUN)";
    }

    private static DriveAddress? AddressOf(XElement disk)
    {
        var address = disk.Element("address");
        if (address is null || (string?)address.Attribute("type") != "drive") return null;
        int Number(string name) => int.TryParse(address.Attribute(name)?.Value, out var n) ? n : 0;
        return new DriveAddress(Number("controller"), Number("bus"), Number("target"), Number("unit"));
    }

    /// <summary>A step's description up to its first line break (boot-order redefinitions carry their XML after it).</summary>
    public static string FirstLine(string text)
    {
        var end = text.IndexOf('\n');
        return (end < 0 ? text : text.Substring(0, end)).TrimEnd('\r', ':');
    }
}

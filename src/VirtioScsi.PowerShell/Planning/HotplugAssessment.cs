using System.Linq;
using VirtioScsi.Libvirt;
using VirtioScsi.Errors;
using VirtioScsi.Model;

namespace VirtioScsi.Planning;

/// <summary>
/// Whether a new PCI controller can be hot-plugged into a running domain, judged from its definition.
/// </summary>
/// <remarks>
/// On i440fx, PCI hot-plug goes through ACPI: without <c>&lt;acpi/&gt;</c> QEMU answers "Bus 'pci.0' does not
/// support hotplugging". On q35 the root complex takes no hot-plug at all; a device needs a
/// pcie-root-port that nothing uses yet and whose hot-plug is not switched off.
/// </remarks>
internal static class HotplugAssessment
{
    public static (bool CanHotplug, string? Blocker) ForController(DomainState state)
    {
        if (!state.IsActive)
            return (false, $"the domain is {state.StateText}; changes go to its persistent definition");
        if (state.Live is null)
            return (false, "not judged: this shows the persistent definition only (-Inactive); read the domain without -Inactive to see its running state");
        var live = state.Live;
        var machine = live.MachineType ?? "";
        if (IsQ35(machine))
        {
            var free = live.Controllers.Any(c => c.Type == "pci" && c.Model == "pcie-root-port" && c.HotplugEnabled
                                                 && !live.PciBusesInUse.Contains(c.Index));
            return free
                ? (true, null)
                : (false, "q35 domain without a free hot-pluggable pcie-root-port: add <controller type='pci' model='pcie-root-port'/> to the persistent definition (virsh edit) and restart the domain, or make the change with -Config");
        }
        if (IsI440fx(machine))
        {
            return live.HasAcpi
                ? (true, null)
                : (false, "i440fx domain without ACPI, so its PCI bus takes no hot-plug: add <features><acpi/></features> (virsh edit) and restart the domain, or make the change with -Config");
        }
        // Other machines (virt, pseries, s390-ccw) have their own rules: libvirt and QEMU decide.
        return (true, null);
    }

    /// <summary>Throws HotplugUnavailable, saying why and what to do, when a controller cannot be hot-plugged now.</summary>
    /// <param name="situation">What needs the controller, as the start of the message.</param>
    /// <param name="what">What to add with -Config instead (the LUN, the controller).</param>
    public static void RequireController(DomainState domain, string situation, string what)
    {
        var (canHotplug, blocker) = ForController(domain);
        if (!canHotplug)
            throw Error.ControllerNotHotpluggable(domain.Name, situation, blocker!, what);
    }

    public static bool IsQ35(string machine) => machine.Contains("q35");

    public static bool IsI440fx(string machine) => machine == "pc" || machine.Contains("i440fx") || (machine.StartsWith("pc-") && !machine.Contains("q35"));
}

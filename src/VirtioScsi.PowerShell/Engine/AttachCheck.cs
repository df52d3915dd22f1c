using System.Linq;
using VirtioScsi.Errors;
using VirtioScsi.Libvirt;
using VirtioScsi.Planning;

namespace VirtioScsi.Engine;

/// <summary>
/// Checks a read-back against the plan before an attach is reported: the LUN is a passthrough device
/// (device='lun', bus='scsi') at the planned address, on a virtio-scsi controller, in every definition the
/// change touched. libvirt reports success for less (it invents an lsilogic controller for a missing index).
/// </summary>
internal static class AttachCheck
{
    public static VirtioScsiException? Lun(LunAttachPlan plan, DomainState after)
    {
        var what = $"Attaching passthrough LUN {plan.TargetDevice} at {plan.Address}";
        foreach (var (definition, where) in Definitions(plan.Change.Scope, after))
        {
            var disk = definition.Disks.FirstOrDefault(d => d.TargetDevice == plan.TargetDevice);
            string? found = null;
            if (disk is null) found = $"no disk {plan.TargetDevice} in {where}";
            else if (disk.Device != "lun" || !disk.IsScsi) found = $"{plan.TargetDevice} as device='{disk.Device}' bus='{disk.Bus}' in {where}";
            else if (disk.Address != plan.Address) found = $"{plan.TargetDevice} at {disk.Address?.ToString() ?? "no drive address"} in {where}";
            else
            {
                var controllers = definition.ScsiControllers.Where(c => c.Index == plan.Address.Controller).ToArray();
                if (controllers.Length != 1 || !ScsiControllerModels.IsVirtio(controllers[0].Model))
                    found = $"{plan.TargetDevice} on SCSI controller {plan.Address.Controller} of model " +
                            $"{string.Join(", ", controllers.Select(c => c.Model ?? "default (lsilogic)"))} in {where}";
            }
            if (found is not null) return Error.AttachNotAsPlanned(after.Name, what, found);
        }
        return null;
    }

    public static VirtioScsiException? Controller(ControllerAttachPlan plan, string? model, DomainState after)
    {
        foreach (var (definition, where) in Definitions(plan.Change.Scope, after))
        {
            var held = definition.ScsiControllers.Where(c => c.Index == plan.Index).ToArray();
            if (held.Length != 1 || (model is not null && held[0].Model != model))
                return Error.AttachNotAsPlanned(after.Name, $"Adding SCSI controller {plan.Index}",
                    held.Length == 0 ? $"no controller {plan.Index} in {where}" : $"controller {plan.Index} of model {string.Join(", ", held.Select(c => c.Model ?? "default"))} in {where}");
        }
        return null;
    }

    private static System.Collections.Generic.IEnumerable<(DomainDefinition Definition, string Where)> Definitions(ChangeScope scope, DomainState after)
    {
        if (scope.Live && after.Live is not null) yield return (after.Live, "the running domain");
        if (scope.Config && after.Config is not null) yield return (after.Config, "the persistent definition");
    }
}

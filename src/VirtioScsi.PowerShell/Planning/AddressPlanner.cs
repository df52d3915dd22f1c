using VirtioScsi.Libvirt;
using VirtioScsi.Errors;
using VirtioScsi.Model;

namespace VirtioScsi.Planning;

/// <summary>Chooses or checks the drive address of a new disk on a SCSI controller.</summary>
internal static class AddressPlanner
{
    /// <summary>
    /// The address for a new disk on <paramref name="controller"/>: the one asked for, checked, or the
    /// lowest free unit on the requested target (target 0 by default), reusing gaps; when that target is
    /// full and no target was asked for, the next target.
    /// </summary>
    public static DriveAddress Plan(string domain, AddressUsage usage, int controller, string? model, int? target, int? unit)
    {
        var limits = ScsiControllerModels.LimitsOf(model);
        var modelText = model ?? "default-model";
        if (target is not null && (target < 0 || target > limits.MaxTarget))
            throw Error.AddressOutOfRange(domain, $"Target {target} is out of range for the {modelText} controller {controller}, which takes targets 0 to {limits.MaxTarget}.");
        if (unit is not null && !limits.Allows(target ?? 0, unit.Value))
            throw Error.AddressOutOfRange(domain, $"Unit {unit} is out of range for the {modelText} controller {controller}, which takes units 0 to {limits.MaxUnit}" +
                                     (limits.ReservedUnit is null ? "." : $" except {limits.ReservedUnit} (the controller's own)."));

        if (unit is not null)
        {
            var wanted = new DriveAddress(controller, 0, target ?? 0, unit.Value);
            if (usage.IsUsed(wanted))
                throw Error.AddressInUse(domain, wanted.ToString());
            return wanted;
        }

        var firstTarget = target ?? 0;
        var lastTarget = target ?? limits.MaxTarget;
        for (var t = firstTarget; t <= lastTarget; t++)
        {
            for (var u = 0; u <= limits.MaxUnit; u++)
            {
                if (u == limits.ReservedUnit) continue;
                var candidate = new DriveAddress(controller, 0, t, u);
                if (!usage.IsUsed(candidate)) return candidate;
            }
        }
        throw Error.NoFreeAddress(domain, controller, target);
    }
}

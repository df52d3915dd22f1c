using System;
using System.Collections.Generic;
using System.Linq;
using System.Xml.Linq;
using VirtioScsi.Libvirt;
using VirtioScsi.Errors;
using VirtioScsi.Model;

namespace VirtioScsi.Planning;

/// <summary>
/// Plans a passthrough LUN: the controller (an existing virtio-scsi one, or a new one at an unused
/// index), the drive address, the target name, the boot order, and the device XML. Pure: it reads the
/// domain state it is given and runs nothing.
/// </summary>
internal static class LunAttachPlanner
{
    /// <param name="identity">Says which attached disk is the requested LUN, however it is spelled
    /// (<see cref="LunSourceIdentity"/>); <see cref="LunSourceIdentity.Default"/> when not given.</param>
    public static LunAttachPlan Plan(DomainState domain, LunRequest request, ChangeScope scope, LunSourceIdentity? identity = null)
    {
        var name = domain.Name;
        identity ??= LunSourceIdentity.Default;
        DefinitionChecks.RequirePlannable(domain);

        var existing = FindSameSource(domain.AllDefinitions, request.Source, identity);
        if (existing is not null)
        {
            if (existing.Device != "lun")
                throw Error.SourceAttachedEmulated(name, request.Source.ToString(), existing.TargetDevice, existing.Device);
            CheckSamePlacement(domain, existing, request);
            return PlanExisting(domain, existing, request.Source, scope, identity);
        }

        // Checked after the same-source lookup: asking again for a LUN that is there (with its own boot
        // order) returns it rather than calling its boot order taken.
        CheckRequest(domain, request, scope);
        var steps = new List<ChangeStep>();
        var warnings = new List<string>();

        // The controller: never leave the choice to libvirt, which would invent an lsi controller.
        int controllerIndex;
        string controllerModel;
        XElement? newControllerXml = null;
        if (request.Controller is not null)
        {
            var controller = ControllerQueries.RequireVirtio(domain, scope, request.Controller.Value);
            controllerIndex = controller.Index;
            controllerModel = controller.Model!;
        }
        // A virtio-scsi controller far above the gaps below it (index 1,000,000) is passed over for a new one.
        else if (ControllerQueries.FindUsableVirtio(domain, scope) is { } usable &&
                 DefinitionChecks.MissingBelow(domain, scope, usable.Index) <= DefinitionChecks.MaxGapControllers)
        {
            controllerIndex = usable.Index;
            controllerModel = usable.Model!;
        }
        else
        {
            if (scope.Live)
            {
                HotplugAssessment.RequireController(domain, $"Domain '{name}' has no virtio-scsi controller", "the LUN");
            }
            controllerIndex = ControllerQueries.LowestFreeIndex(domain.AllDefinitions);
            controllerModel = ScsiControllerModels.VirtioScsi;
            newControllerXml = DeviceXml.Controller(controllerIndex, controllerModel, null, null);
        }

        // libvirt gives every disk controllers at all indexes below its own, and fills a gap with a
        // controller of the default model (lsilogic) in the persistent definition. So gaps below the LUN's
        // controller are filled here, explicitly, with virtio-scsi controllers.
        // Bounded: a controller at index 1,000,000 must not make a million controllers.
        DefinitionChecks.RequireFewGaps(domain, scope, controllerIndex);
        var added = new List<(int Index, XElement Xml, ChangeScope Scope)>();
        foreach (var gap in Enumerable.Range(0, controllerIndex))
        {
            var missing = new ChangeScope(
                scope.Live && domain.Live is not null && domain.Live.ScsiControllers.All(c => c.Index != gap),
                scope.Config && domain.Config is not null && domain.Config.ScsiControllers.All(c => c.Index != gap));
            if (!missing.Live && !missing.Config) continue;
            added.Add((gap, DeviceXml.Controller(gap, ScsiControllerModels.VirtioScsi, null, null), missing));
            warnings.Add($"Domain '{name}' has no SCSI controller {gap} below controller {controllerIndex}. libvirt would fill that gap with an " +
                         $"lsilogic controller when the LUN is added, so virtio-scsi controller {gap} is added explicitly.");
        }
        if (added.Any(a => a.Scope.Live))
        {
            HotplugAssessment.RequireController(domain, $"Domain '{name}' lacks SCSI controllers below index {controllerIndex}", "the LUN");
        }
        if (newControllerXml is not null) added.Add((controllerIndex, newControllerXml, scope));

        var address = AddressPlanner.Plan(name, AddressUsage.Of(domain.AllDefinitions), controllerIndex, controllerModel, request.Target, request.Unit);
        var targetDevice = PlanTargetDevice(domain, request.TargetDevice);
        var liveXml = DeviceXml.Lun(request.Source, address, targetDevice, request.Options, null);
        var configXml = DeviceXml.Lun(request.Source, address, targetDevice, request.Options, request.BootOrder);
        var what = $"Attach {request.Source} as passthrough LUN {targetDevice} at {address} (controller:bus:target:unit) to domain '{name}'";

        // libvirt refuses per-device boot order beside <os><boot dev=…>, and writes <boot dev='hd'/> into
        // every definition that names no boot device, even right after it was removed. So the persistent
        // half is one redefinition: <os><boot> removed, the controller and the LUN (with its boot order)
        // added. It runs first, as it is the surest to undo; the running domain is changed after it.
        var osBoot = request.BootOrder is not null && scope.Config ? domain.Config!.OsBootDevices : Array.Empty<string>();
        var deviceScope = scope;
        if (osBoot.Count > 0)
        {
            var devs = string.Join(", ", osBoot.Select(d => $"<boot dev='{d}'/>"));
            var redefined = new XDocument(domain.Config!.Document);
            redefined.Root!.Element("os")!.Elements("boot").Remove();
            var devices = redefined.Root.Element("devices") ?? new XElement("devices");
            if (devices.Parent is null) redefined.Root.Add(devices);
            foreach (var controller in added.Where(a => a.Scope.Config)) devices.Add(new XElement(controller.Xml));
            devices.Add(new XElement(configXml));
            steps.Add(ChangeStep.Define(name,
                    $"Redefine domain '{name}' (persistent definition): remove {devs} from <os>, which libvirt allows no per-device boot order beside" +
                    string.Concat(added.Where(a => a.Scope.Config).Select(a => $", add virtio-scsi controller {a.Index}")) +
                    $", and add passthrough LUN {targetDevice} with boot order {request.BootOrder}:" + Environment.NewLine +
                    string.Concat(added.Where(a => a.Scope.Config).Select(a => "    " + a.Xml + Environment.NewLine)) + "    " + configXml.ToString().Replace("\n", "\n    "),
                    redefined)
                .WithUndo(ChangeStep.Define(name, $"Restore the persistent definition of domain '{name}'", new XDocument(domain.Config.Document))));
            warnings.Add($"Domain '{name}': removed {devs} from <os> in the persistent definition, because libvirt allows no per-device boot order beside it. " +
                         "The LUN now leads the boot order; give other devices a <boot order='N'/> with 'virsh edit' if they should stay bootable.");
            deviceScope = new ChangeScope(scope.Live, false);
        }

        foreach (var (index, xml, where) in added)
        {
            var controllerScope = new ChangeScope(where.Live && deviceScope.Live, where.Config && deviceScope.Config);
            if (!controllerScope.Live && !controllerScope.Config) continue;
            steps.Add(ChangeStep.Attach(name, $"Add virtio-scsi controller {index} to domain '{name}' ({controllerScope}), for the LUN",
                    xml, controllerScope)
                .WithUndo(ChangeStep.Detach(name, $"Remove virtio-scsi controller {index} again", xml, controllerScope,
                    live => live.ScsiControllers.All(c => c.Index != index))));
        }

        bool IsGone(DomainDefinition live) => live.Disks.All(d => d.TargetDevice != targetDevice);
        if (deviceScope.Live && deviceScope.Config && request.BootOrder is not null)
        {
            // Boot order is a persistent setting: the running domain gets the LUN without it. Two steps,
            // and the live one is undone if the persistent one fails.
            var live = new ChangeScope(true, false);
            steps.Add(ChangeStep.Attach(name, what + " (live)", liveXml, live)
                .WithUndo(ChangeStep.Detach(name, $"Detach {targetDevice} from the running domain again", liveXml, live, IsGone)));
            steps.Add(ChangeStep.Attach(name, what + $" (persistent, boot order {request.BootOrder})", configXml, new ChangeScope(false, true)));
        }
        else if (deviceScope.Live || deviceScope.Config)
        {
            steps.Add(ChangeStep.Attach(name, what + $" ({deviceScope})", deviceScope.Config ? configXml : liveXml, deviceScope));
        }
        return new LunAttachPlan(new ChangePlan(domain, scope, steps, warnings), targetDevice, address,
            newControllerXml is null ? null : controllerIndex, null);
    }

    /// <summary>
    /// Asking again for an attached LUN returns it; asking for it somewhere else is an error rather than a
    /// request silently ignored.
    /// </summary>
    private static void CheckSamePlacement(DomainState domain, DiskElement existing, LunRequest request)
    {
        var address = existing.Address;
        var differs = new List<string>();
        if (request.TargetDevice is not null && request.TargetDevice != existing.TargetDevice) differs.Add($"-TargetDevice {request.TargetDevice}");
        if (request.Controller is not null && request.Controller != address?.Controller) differs.Add($"-Controller {request.Controller}");
        if (request.Target is not null && request.Target != address?.Target) differs.Add($"-Target {request.Target}");
        if (request.Unit is not null && request.Unit != address?.Unit) differs.Add($"-Unit {request.Unit}");
        if (request.BootOrder is not null && request.BootOrder != existing.BootOrder) differs.Add($"-BootOrder {request.BootOrder}");
        if (differs.Count == 0) return;
        throw Error.SourceAttachedElsewhere(domain.Name, request.Source.ToString(), existing.TargetDevice,
            address?.ToString() ?? "no drive address", existing.BootOrder, string.Join(", ", differs));
    }

    /// <summary>
    /// The LUN is attached already. Where it is in every definition the change touches, nothing changes;
    /// where one of them lacks it (added earlier with -Live or -Config only), it is added there with the
    /// same name and address, so both definitions agree.
    /// </summary>
    private static LunAttachPlan PlanExisting(DomainState domain, DiskElement existing, LunSource source, ChangeScope scope, LunSourceIdentity identity)
    {
        var name = domain.Name;
        bool Holds(DomainDefinition? d) => d is not null && FindSameSource(new[] { d }, source, identity) is not null;
        var missing = new ChangeScope(scope.Live && !Holds(domain.Live), scope.Config && !Holds(domain.Config));
        var target = existing.TargetDevice ?? "";
        var address = existing.Address ?? default;
        if (!missing.Live && !missing.Config)
            return new LunAttachPlan(new ChangePlan(domain, scope, Array.Empty<ChangeStep>(), Array.Empty<string>()), target, address, null, existing);

        if (existing.Address is null)
            throw Error.LunWithoutAddress(name, source.ToString(), target);
        ControllerQueries.RequireVirtio(domain, missing, address.Controller);
        foreach (var definition in missing.DefinitionsOf(domain))
        {
            var taken = definition.Disks.FirstOrDefault(d => d.TargetDevice == target || (d.IsScsi && d.Address == address));
            if (taken is not null)
                throw Error.DefinitionsDisagreeOnAddress(name, source.ToString(), target, address.ToString(), taken.TargetDevice, taken.Source.ToString());
        }
        // The device as libvirt keeps it, less what libvirt generates itself; the running domain takes no boot order.
        var xml = new XElement(existing.Element);
        xml.Elements("alias").Remove();
        if (!missing.Config) xml.Elements("boot").Remove();
        var where = missing.Live ? "the running domain" : "the persistent definition";
        var step = ChangeStep.Attach(name, $"Attach {source} as passthrough LUN {target} at {address} to {where} of domain '{name}', where it is missing ({missing})", xml, missing);
        var warning = $"{source} was already {target} in domain '{name}', but not in {where}: it is added there at the same address.";
        return new LunAttachPlan(new ChangePlan(domain, scope, new[] { step }, new[] { warning }), target, address, null, null);
    }

    private static void CheckRequest(DomainState domain, LunRequest request, ChangeScope scope)
    {
        var name = domain.Name;
        if (request.Options.Sgio is not null && request.Options.Sgio is not ("filtered" or "unfiltered"))
            throw Error.SgioInvalid(name, request.Options.Sgio);
        if (request.BootOrder is not null)
        {
            if (request.BootOrder < 1)
                throw Error.BootOrderBelowOne(name, request.BootOrder.Value);
            if (!scope.Config)
                throw Error.BootOrderNeedsConfig(name, scope.ToString(), domain.IsPersistent);
            var holder = domain.Config?.Disks.FirstOrDefault(d => d.BootOrder == request.BootOrder);
            if (domain.Config?.BootOrdersInUse.Contains(request.BootOrder.Value) == true)
                throw Error.BootOrderInUse(name, request.BootOrder.Value, holder?.TargetDevice is { } t ? "disk " + t : "another device");
        }
    }

    private static string PlanTargetDevice(DomainState domain, string? requested)
    {
        if (requested is null) return TargetDeviceNames.LowestFree(domain.AllDefinitions);
        if (!TargetDeviceNames.IsValid(requested))
            throw Error.TargetDeviceInvalid(domain.Name, requested);
        var holder = domain.AllDefinitions.SelectMany(d => d.Disks).FirstOrDefault(d => d.TargetDevice == requested);
        if (holder is not null)
            throw Error.TargetDeviceInUse(domain.Name, requested, holder.Source.ToString(), TargetDeviceNames.LowestFree(domain.AllDefinitions));
        return requested;
    }

    private static DiskElement? FindSameSource(IEnumerable<DomainDefinition> definitions, LunSource source, LunSourceIdentity identity)
    {
        var wanted = source.MatchKey(identity);
        return definitions.SelectMany(d => d.Disks).FirstOrDefault(d => d.Source.MatchKey(identity) == wanted);
    }
}

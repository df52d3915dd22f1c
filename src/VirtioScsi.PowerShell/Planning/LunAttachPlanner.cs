using System;
using System.Collections.Generic;
using System.Linq;
using System.Xml.Linq;
using VirtioScsi.Libvirt;
using VirtioScsi.Errors;
using VirtioScsi.Model;

namespace VirtioScsi.Planning;

/// <summary>What Add-PassthroughLun asks for.</summary>
public sealed class LunRequest
{
    public LunRequest(LunSource source) => Source = source;

    public LunSource Source { get; }
    public int? Controller { get; set; }
    public int? Target { get; set; }
    public int? Unit { get; set; }
    public string? TargetDevice { get; set; }
    public int? BootOrder { get; set; }
    public LunOptions Options { get; set; } = new();
}

/// <summary>The plan for attaching a LUN, and what it will be once attached.</summary>
public sealed class LunAttachPlan
{
    public LunAttachPlan(ChangePlan change, string targetDevice, DriveAddress address, int? newControllerIndex, DiskElement? existing)
    {
        Change = change;
        TargetDevice = targetDevice;
        Address = address;
        NewControllerIndex = newControllerIndex;
        Existing = existing;
    }

    public ChangePlan Change { get; }
    public string TargetDevice { get; }
    public DriveAddress Address { get; }
    /// <summary>The index of the virtio-scsi controller the plan adds first, if it adds one.</summary>
    public int? NewControllerIndex { get; }
    /// <summary>The LUN already attached from the same source; then the plan changes nothing.</summary>
    public DiskElement? Existing { get; }
}

/// <summary>
/// Plans a passthrough LUN: the controller (an existing virtio-scsi one, or a new one at an unused
/// index), the drive address, the target name, the boot order, and the device XML. Pure: it reads the
/// domain state it is given and runs nothing.
/// </summary>
public static class LunAttachPlanner
{
    /// <param name="canonicalPath">Resolves a host path to the device it names (symlinks followed), so two
    /// names of one device are known as the same source; identity where the host cannot be asked.</param>
    public static LunAttachPlan Plan(DomainState domain, LunRequest request, ChangeScope scope, Func<string, string>? canonicalPath = null)
    {
        var name = domain.Name;

        var existing = FindSameSource(domain, request.Source, canonicalPath ?? (p => p));
        if (existing is not null)
        {
            if (existing.Device != "lun")
                throw new VirtioScsiException(ErrorIds.SourceInUse, ErrorKind.ResourceExists,
                    $"{request.Source} is already attached to domain '{name}' as {existing.TargetDevice} (device='{existing.Device}', emulated, not passed through).",
                    name, "Remove that disk first (virsh detach-disk), then add the LUN again.");
            CheckSamePlacement(domain, existing, request);
            return PlanExisting(domain, existing, request.Source, scope, canonicalPath ?? (p => p));
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
            var controller = ControllerPlanner.RequireVirtio(domain, scope, request.Controller.Value);
            controllerIndex = controller.Index;
            controllerModel = controller.Model!;
        }
        else if (ControllerPlanner.FindUsableVirtio(domain, scope) is { } usable)
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
            controllerIndex = ControllerPlanner.LowestFreeIndex(domain.AllDefinitions);
            controllerModel = ScsiControllerModels.VirtioScsi;
            newControllerXml = DeviceXml.Controller(controllerIndex, controllerModel, null, null);
        }

        // libvirt gives every disk controllers at all indexes below its own, and fills a gap with a
        // controller of the default model (lsilogic) in the persistent definition. So gaps below the LUN's
        // controller are filled here, explicitly, with virtio-scsi controllers.
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
        throw new VirtioScsiException(ErrorIds.SourceInUse, ErrorKind.ResourceExists,
            $"{request.Source} is already attached to domain '{domain.Name}' as {existing.TargetDevice} at {address?.ToString() ?? "no drive address"}" +
            (existing.BootOrder is null ? "" : $" with boot order {existing.BootOrder}") + $", not as asked ({string.Join(", ", differs)}).",
            domain.Name, "To move it, remove it with Remove-PassthroughLun first and add it again; to keep it, leave those parameters out.");
    }

    /// <summary>
    /// The LUN is attached already. Where it is in every definition the change touches, nothing changes;
    /// where one of them lacks it (added earlier with -Live or -Config only), it is added there with the
    /// same name and address, so both definitions agree.
    /// </summary>
    private static LunAttachPlan PlanExisting(DomainState domain, DiskElement existing, LunSource source, ChangeScope scope, Func<string, string> canonicalPath)
    {
        var name = domain.Name;
        bool Holds(DomainDefinition? d) => d is not null && FindSameSource(new[] { d }, source, canonicalPath) is not null;
        var missing = new ChangeScope(scope.Live && !Holds(domain.Live), scope.Config && !Holds(domain.Config));
        var target = existing.TargetDevice ?? "";
        var address = existing.Address ?? default;
        if (!missing.Live && !missing.Config)
            return new LunAttachPlan(new ChangePlan(domain, scope, Array.Empty<ChangeStep>(), Array.Empty<string>()), target, address, null, existing);

        if (existing.Address is null)
            throw new VirtioScsiException(ErrorIds.AddressInUse, ErrorKind.InvalidOperation,
                $"{source} is in domain '{name}' as {target} without a drive address, so it cannot be added to the other definition at the same place.",
                name, "Remove it with Remove-PassthroughLun and add it again.");
        ControllerPlanner.RequireVirtio(domain, missing, address.Controller);
        foreach (var definition in missing.DefinitionsOf(domain))
        {
            var taken = definition.Disks.FirstOrDefault(d => d.TargetDevice == target || (d.IsScsi && d.Address == address));
            if (taken is not null)
                throw new VirtioScsiException(ErrorIds.AddressInUse, ErrorKind.ResourceExists,
                    $"{source} is {target} at {address} in one definition of domain '{name}', but the other has {taken.TargetDevice} ({taken.Source}) there.",
                    name, "Remove one of them with Remove-PassthroughLun so the definitions agree, then add the LUN again.");
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
            throw new VirtioScsiException(ErrorIds.SourceInvalid, ErrorKind.InvalidArgument,
                $"-Sgio '{request.Options.Sgio}' is not valid.", name, "Use filtered or unfiltered.");
        if (request.BootOrder is not null)
        {
            if (request.BootOrder < 1)
                throw new VirtioScsiException(ErrorIds.BootOrderInvalid, ErrorKind.InvalidArgument,
                    $"-BootOrder {request.BootOrder} is not valid: boot orders start at 1.", name, "Pass 1 to boot from this LUN first.");
            if (!scope.Config)
                throw new VirtioScsiException(ErrorIds.BootOrderInvalid, ErrorKind.InvalidArgument,
                    $"-BootOrder needs the persistent definition of domain '{name}', which this change does not touch ({scope}).", name,
                    domain.IsPersistent ? "Leave out -Live." : "Boot order applies at the next boot, which a transient domain does not have: define the domain with 'virsh define' first.");
            var holder = domain.Config?.Disks.FirstOrDefault(d => d.BootOrder == request.BootOrder);
            if (domain.Config?.BootOrdersInUse.Contains(request.BootOrder.Value) == true)
                throw new VirtioScsiException(ErrorIds.BootOrderInUse, ErrorKind.ResourceExists,
                    $"Boot order {request.BootOrder} is already given to {(holder?.TargetDevice is { } t ? "disk " + t : "another device")} of domain '{name}'.",
                    name, "Choose another -BootOrder, or change the other device's order with 'virsh edit'.");
        }
    }

    private static string PlanTargetDevice(DomainState domain, string? requested)
    {
        if (requested is null) return TargetDeviceNames.LowestFree(domain.AllDefinitions);
        if (!TargetDeviceNames.IsValid(requested))
            throw new VirtioScsiException(ErrorIds.TargetDeviceInvalid, ErrorKind.InvalidArgument,
                $"-TargetDevice '{requested}' is not a SCSI disk name.", domain.Name,
                "Use sd followed by one to three lower-case letters (sdb, sdaa), or leave it out to take the lowest free name.");
        var holder = domain.AllDefinitions.SelectMany(d => d.Disks).FirstOrDefault(d => d.TargetDevice == requested);
        if (holder is not null)
            throw new VirtioScsiException(ErrorIds.TargetDeviceInUse, ErrorKind.ResourceExists,
                $"Target device {requested} is already used by {holder.Source} in domain '{domain.Name}'.", domain.Name,
                $"Leave out -TargetDevice to take the lowest free name ({TargetDeviceNames.LowestFree(domain.AllDefinitions)}), or choose another.");
        return requested;
    }

    private static DiskElement? FindSameSource(DomainState domain, LunSource source, Func<string, string> canonicalPath) =>
        FindSameSource(domain.AllDefinitions, source, canonicalPath);

    private static DiskElement? FindSameSource(IEnumerable<DomainDefinition> definitions, LunSource source, Func<string, string> canonicalPath)
    {
        var wanted = source.MatchKey(canonicalPath);
        return definitions.SelectMany(d => d.Disks).FirstOrDefault(d => d.Source.MatchKey(canonicalPath) == wanted);
    }
}

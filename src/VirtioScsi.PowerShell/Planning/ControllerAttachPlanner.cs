using System.Linq;
using VirtioScsi.Libvirt;
using VirtioScsi.Errors;
using VirtioScsi.Model;

namespace VirtioScsi.Planning;

/// <summary>What New-ScsiController asks for.</summary>
public sealed class ControllerRequest
{
    public string Model { get; set; } = ScsiControllerModels.VirtioScsi;
    public int? Index { get; set; }
    public int? Queues { get; set; }
    public int? IOThread { get; set; }
}

/// <summary>Plans a new SCSI controller: a valid model, an unused index, queues and iothread checked.</summary>
public static class ControllerAttachPlanner
{
    public static (ChangePlan Plan, int Index) Plan(DomainState domain, ControllerRequest request, ChangeScope scope)
    {
        var name = domain.Name;
        if (!ScsiControllerModels.IsKnown(request.Model))
            throw new VirtioScsiException(ErrorIds.ControllerModelInvalid, ErrorKind.InvalidArgument,
                $"-Model '{request.Model}' is not a SCSI controller model libvirt knows.", name,
                "Use one of: " + string.Join(", ", ScsiControllerModels.All) + ". For LUN passthrough use virtio-scsi.");
        var index = request.Index ?? ControllerPlanner.LowestFreeIndex(domain.AllDefinitions);
        if (index < 0)
            throw new VirtioScsiException(ErrorIds.ControllerIndexInUse, ErrorKind.InvalidArgument,
                $"-Index {index} is not valid: indexes start at 0.", name, "Leave out -Index to take the lowest free one.");
        ControllerPlanner.CheckIndexFree(domain, index);
        if (request.Queues is not null && request.Queues < 1)
            throw new VirtioScsiException(ErrorIds.QueuesInvalid, ErrorKind.InvalidArgument,
                $"-Queues {request.Queues} is not valid: a controller has at least one queue.", name, "Pass 1 or more, typically the number of vCPUs.");
        if ((request.Queues is not null || request.IOThread is not null) && !ScsiControllerModels.IsVirtio(request.Model))
            throw new VirtioScsiException(ErrorIds.QueuesInvalid, ErrorKind.InvalidArgument,
                $"-Queues and -IOThread apply to virtio-scsi controllers only, not to {request.Model}.", name,
                "Leave them out, or use -Model virtio-scsi.");
        if (request.IOThread is not null)
        {
            foreach (var definition in scope.DefinitionsOf(domain))
            {
                if (request.IOThread < 1 || request.IOThread > definition.IOThreads)
                    throw new VirtioScsiException(ErrorIds.IOThreadInvalid, ErrorKind.InvalidArgument,
                        $"-IOThread {request.IOThread} does not exist in domain '{name}', which defines {definition.IOThreads} iothread(s).", name,
                        definition.IOThreads == 0
                            ? "Add <iothreads>N</iothreads> to the domain (virsh edit) first, or leave out -IOThread."
                            : $"Pass a number from 1 to {definition.IOThreads}.");
            }
        }
        if (scope.Live)
        {
            HotplugAssessment.RequireController(domain, $"Domain '{name}' is running", "the controller");
        }
        var xml = DeviceXml.Controller(index, request.Model, request.Queues, request.IOThread);
        var step = ChangeStep.Attach(name, $"Add {request.Model} controller {index} to domain '{name}' ({scope})", xml, scope);
        return (new ChangePlan(domain, scope, new[] { step }, System.Array.Empty<string>()), index);
    }
}

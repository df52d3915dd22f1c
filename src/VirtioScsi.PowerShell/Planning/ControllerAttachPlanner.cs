using System.Linq;
using VirtioScsi.Libvirt;
using VirtioScsi.Errors;
using VirtioScsi.Model;

namespace VirtioScsi.Planning;

/// <summary>Plans a new SCSI controller: a valid model, an unused index, queues and iothread checked.</summary>
internal static class ControllerAttachPlanner
{
    public static ControllerAttachPlan Plan(DomainState domain, ControllerRequest request, ChangeScope scope)
    {
        var name = domain.Name;
        DefinitionChecks.RequirePlannable(domain);
        if (!ScsiControllerModels.IsKnown(request.Model))
            throw Error.ControllerModelInvalid(name, request.Model, string.Join(", ", ScsiControllerModels.All));
        var index = request.Index ?? ControllerQueries.LowestFreeIndex(domain.AllDefinitions);
        if (index < 0)
            throw Error.ControllerIndexNegative(name, index);
        ControllerQueries.CheckIndexFree(domain, index);
        if (request.Queues is not null && request.Queues < 1)
            throw Error.QueuesInvalid(name, request.Queues.Value);
        if ((request.Queues is not null || request.IOThread is not null) && !ScsiControllerModels.IsVirtio(request.Model))
            throw Error.QueuesNeedVirtio(name, request.Model);
        if (request.IOThread is not null)
        {
            foreach (var definition in scope.DefinitionsOf(domain))
            {
                if (request.IOThread < 1 || request.IOThread > definition.IOThreads)
                    throw Error.IOThreadInvalid(name, request.IOThread.Value, definition.IOThreads);
            }
        }
        if (scope.Live)
        {
            HotplugAssessment.RequireController(domain, $"Domain '{name}' is running", "the controller");
        }
        var xml = DeviceXml.Controller(index, request.Model, request.Queues, request.IOThread);
        var step = ChangeStep.Attach(name, $"Add {request.Model} controller {index} to domain '{name}' ({scope})", xml, scope);
        return new ControllerAttachPlan(new ChangePlan(domain, scope, new[] { step }, System.Array.Empty<string>()), index);
    }
}

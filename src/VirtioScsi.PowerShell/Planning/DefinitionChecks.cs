using System.Linq;
using VirtioScsi.Errors;
using VirtioScsi.Libvirt;

namespace VirtioScsi.Planning;

/// <summary>
/// What planning relies on in the XML libvirt gave, checked before any plan is made: libvirt itself never
/// writes a negative or a duplicate SCSI controller index, but a hand-edited or damaged definition might,
/// and a plan built on one would pick an address twice. Such a definition is reported (DomainXmlInvalid),
/// never thrown as another exception.
/// </summary>
internal static class DefinitionChecks
{
    /// <summary>The most SCSI controllers one change adds to fill index gaps below the one a LUN goes on.</summary>
    public const int MaxGapControllers = 4;

    public static void RequirePlannable(DomainState domain)
    {
        foreach (var definition in domain.AllDefinitions)
        {
            var where = definition == domain.Live ? "the running domain" : "the persistent definition";
            var negative = definition.ScsiControllers.FirstOrDefault(c => c.Index < 0);
            if (negative is not null)
                throw Error.DomainXmlUnusable(domain.Name, $"{where} has a SCSI controller with the negative index {negative.Index}");
            var twice = definition.ScsiControllers.GroupBy(c => c.Index).FirstOrDefault(g => g.Count() > 1);
            if (twice is not null)
                throw Error.DomainXmlUnusable(domain.Name, $"{where} has {twice.Count()} SCSI controllers with index {twice.Key}");
        }
    }

    /// <summary>The most SCSI controllers below <paramref name="index"/> that one of the scope's definitions lacks.</summary>
    public static int MissingBelow(DomainState domain, ChangeScope scope, int index) =>
        scope.DefinitionsOf(domain)
            .Select(d => index - d.ScsiControllers.Select(c => c.Index).Where(i => i >= 0 && i < index).Distinct().Count())
            .DefaultIfEmpty(0)
            .Max();

    /// <summary>An error when putting a device on <paramref name="index"/> would need more than <see cref="MaxGapControllers"/> new controllers below it.</summary>
    public static void RequireFewGaps(DomainState domain, ChangeScope scope, int index)
    {
        var missing = MissingBelow(domain, scope, index);
        if (missing > MaxGapControllers)
            throw Error.ControllerIndexGap(domain.Name, index, missing, MaxGapControllers);
    }
}

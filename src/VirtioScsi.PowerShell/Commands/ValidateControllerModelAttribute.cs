using System;
using System.Linq;
using System.Management.Automation;
using VirtioScsi.Planning;

namespace VirtioScsi.Commands;

/// <summary>
/// Accepts only the SCSI controller models of <see cref="ScsiControllerModels.All"/>, ignoring case as
/// ValidateSet does. A ValidateSet would need the list written out a second time: Windows PowerShell 5.1
/// has no IValidateSetValuesGenerator.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
internal sealed class ValidateControllerModelAttribute : ValidateArgumentsAttribute
{
    protected override void Validate(object arguments, EngineIntrinsics engineIntrinsics)
    {
        var model = arguments as string ?? Convert.ToString(arguments, System.Globalization.CultureInfo.InvariantCulture);
        if (ScsiControllerModels.All.Any(m => string.Equals(m, model, StringComparison.OrdinalIgnoreCase))) return;
        throw new ValidationMetadataException(
            $"The argument \"{model}\" does not belong to the set \"{string.Join(",", ScsiControllerModels.All)}\" of SCSI controller models. " +
            "Supply an argument that is in the set and then try the command again.");
    }
}

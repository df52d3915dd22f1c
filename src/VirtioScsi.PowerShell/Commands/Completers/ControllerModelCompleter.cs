using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using VirtioScsi.Planning;

namespace VirtioScsi.Commands.Completers;

/// <summary>Completes -Model from the one list of SCSI controller models (<see cref="ScsiControllerModels.All"/>).</summary>
internal sealed class ControllerModelCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var typed = (wordToComplete ?? "").Trim('\'', '"');
        return ScsiControllerModels.All
            .Where(m => m.StartsWith(typed, StringComparison.OrdinalIgnoreCase))
            .Select(m => new CompletionResult(m, m, CompletionResultType.ParameterValue, m))
            .ToArray();
    }
}

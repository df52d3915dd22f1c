using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using VirtioScsi.Engine;
using VirtioScsi.Errors;
using VirtioScsi.Model;

namespace VirtioScsi.Commands.Completers;

/// <summary>
/// Tab completion from the libvirt connection the command line names (-ConnectionUri, else
/// LIBVIRT_DEFAULT_URI, else virsh's default). A completer must never throw or hang: failures complete nothing.
/// </summary>
internal abstract class CompleterBase : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        try
        {
            var uri = ScsiManagerFactory.ResolveUri(fakeBoundParameters.Contains("ConnectionUri") ? fakeBoundParameters["ConnectionUri"] as string : null);
            using var manager = ScsiManagerFactory.ForCompletion().Open(uri);
            var typed = Unquote(wordToComplete ?? "");
            var pattern = new WildcardPattern(typed + "*", WildcardOptions.IgnoreCase | WildcardOptions.CultureInvariant);
            return Candidates(manager, fakeBoundParameters)
                .Where(c => pattern.IsMatch(c.Text))
                .Select(c => new CompletionResult(Quote(c.Text), c.Text, CompletionResultType.ParameterValue, c.ToolTip))
                .ToArray();
        }
        catch (VirtioScsiException)
        {
            return Array.Empty<CompletionResult>();
        }
        catch (InvalidOperationException)
        {
            return Array.Empty<CompletionResult>();
        }
    }

    protected abstract IEnumerable<(string Text, string ToolTip)> Candidates(ScsiManager manager, IDictionary boundParameters);

    /// <summary>Single-quotes a value when PowerShell would otherwise split or interpret it.</summary>
    internal static string Quote(string text)
    {
        if (text.Length > 0 && text.All(c => char.IsLetterOrDigit(c) || c is '-' or '_' or '.' or ':' or '/'))
            return text;
        return "'" + text.Replace("'", "''") + "'";
    }

    private static string Unquote(string word)
    {
        if (word.Length > 0 && (word[0] == '\'' || word[0] == '"')) word = word.Substring(1);
        if (word.Length > 0 && (word[word.Length - 1] == '\'' || word[word.Length - 1] == '"')) word = word.Substring(0, word.Length - 1);
        return WildcardPattern.Escape(word.Replace("''", "'"));
    }
}

using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using VirtioScsi.Engine;
using VirtioScsi.Errors;
using VirtioScsi.Model;
using VirtioScsi.Virsh;

namespace VirtioScsi.Commands.Completers;

/// <summary>
/// Tab completion from the libvirt connection the command line names (-ConnectionUri, else
/// LIBVIRT_DEFAULT_URI, else virsh's default). A completer must never throw or hang: failures complete nothing.
/// </summary>
public abstract class CompleterBase : IArgumentCompleter
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        try
        {
            var uri = VirtioScsiCmdlet.ResolveUri(fakeBoundParameters.Contains("ConnectionUri") ? fakeBoundParameters["ConnectionUri"] as string : null);
            var manager = new ScsiManager(new VirshRunner(uri, Timeout));
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

    /// <summary>The topology of the domain named by -Domain (or -Name) on the command line, if any.</summary>
    protected static DomainScsiTopology? BoundDomain(ScsiManager manager, IDictionary boundParameters)
    {
        var domain = (boundParameters.Contains("Domain") ? boundParameters["Domain"] : boundParameters.Contains("Name") ? boundParameters["Name"] : null) as string;
        if (string.IsNullOrEmpty(domain)) return null;
        return manager.Topology(manager.ReadDomain(domain!));
    }

    /// <summary>Single-quotes a value when PowerShell would otherwise split or interpret it.</summary>
    public static string Quote(string text)
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

/// <summary>Completes domain names.</summary>
public sealed class DomainNameCompleter : CompleterBase
{
    protected override IEnumerable<(string, string)> Candidates(ScsiManager manager, IDictionary boundParameters)
    {
        var list = manager.Reader.List();
        return list.All.Select(n => (n, $"{n} ({(list.Active.Contains(n) ? "running" : "shut off")}{(list.Persistent.Contains(n) ? "" : ", transient")})"));
    }
}

/// <summary>Completes a controller index of the domain on the command line, virtio-scsi ones first.</summary>
public sealed class ControllerIndexCompleter : CompleterBase
{
    protected override IEnumerable<(string, string)> Candidates(ScsiManager manager, IDictionary boundParameters)
    {
        var topology = BoundDomain(manager, boundParameters);
        if (topology is null) return Array.Empty<(string, string)>();
        return topology.Controllers
            .OrderByDescending(c => c.IsVirtioScsi).ThenBy(c => c.Index)
            .Select(c => (c.Index.ToString(System.Globalization.CultureInfo.InvariantCulture),
                $"controller {c.Index}: {c.Model ?? "default model"}, {c.UnitsUsed} unit(s) used"));
    }
}

/// <summary>Completes the target devices (sdX) of the domain's SCSI LUNs.</summary>
public sealed class TargetDeviceCompleter : CompleterBase
{
    protected override IEnumerable<(string, string)> Candidates(ScsiManager manager, IDictionary boundParameters)
    {
        var topology = BoundDomain(manager, boundParameters);
        if (topology is null) return Array.Empty<(string, string)>();
        return topology.Disks.Where(d => d.TargetDevice is not null)
            .Select(d => (d.TargetDevice!, $"{d.TargetDevice} ({d.Device}) at {d.Address}: {d.Source}"));
    }
}

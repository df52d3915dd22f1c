using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using Xunit;

namespace VirtioScsi.Tests.Cmdlets;

/// <summary>
/// A real PowerShell runspace, in this process, with the built module imported as a user imports it: a
/// module folder laid out from the repository's manifest, format file and en-US help beside the DLL that
/// the project reference copies into bin. The tests see only what a user sees: cmdlets, parameters, the
/// properties of output objects, ErrorRecords. One import per test class (a class fixture); a runspace
/// runs one pipeline at a time, and xunit runs the tests of one class one after another.
/// </summary>
public sealed class ModuleRunspace : IDisposable
{
    private readonly Runspace _runspace;
    private readonly string _moduleRoot;

    public ModuleRunspace()
    {
        var repo = RepoRoot();
        _moduleRoot = Path.Combine(Path.GetTempPath(), $"virtioscsi-sdk-{Environment.ProcessId}-{Guid.NewGuid():N}");
        var module = Path.Combine(_moduleRoot, "VirtioScsi");
        Directory.CreateDirectory(Path.Combine(module, "en-US"));
        File.Copy(Path.Combine(AppContext.BaseDirectory, "VirtioScsi.PowerShell.dll"), Path.Combine(module, "VirtioScsi.PowerShell.dll"));
        foreach (var file in new[] { "VirtioScsi.psd1", "VirtioScsi.Format.ps1xml", "VirtioScsi.Types.ps1xml" })
            File.Copy(Path.Combine(repo, file), Path.Combine(module, file));
        foreach (var help in Directory.GetFiles(Path.Combine(repo, "en-US")))
            File.Copy(help, Path.Combine(module, "en-US", Path.GetFileName(help)));
        Manifest = Path.Combine(module, "VirtioScsi.psd1");

        // CreateDefault (not CreateDefault2): Select-Object, Where-Object and friends are there without module auto-loading.
        _runspace = RunspaceFactory.CreateRunspace(InitialSessionState.CreateDefault());
        _runspace.Open();
        Run("Import-Module -Name $args[0] -ErrorAction Stop", Manifest).ThrowOnError();
        // Scripts name the test connection as $uri; nothing sets it behind their back ($PSDefaultParameterValues
        // would hide how piped ConnectionUri properties bind).
        _runspace.SessionStateProxy.SetVariable("uri", Live.LiveStack.Uri);
    }

    /// <summary>The manifest of the laid-out module.</summary>
    public string Manifest { get; }

    /// <summary>
    /// Runs a script in the module's runspace with <c>$args</c> bound to <paramref name="arguments"/>. A
    /// terminating error does not throw: it is returned as <see cref="PipelineResult.Terminating"/>.
    /// </summary>
    public PipelineResult Run(string script, params object?[] arguments)
    {
        using var shell = PowerShell.Create();
        shell.Runspace = _runspace;
        shell.AddScript(script);
        foreach (var argument in arguments) shell.AddArgument(argument);
        try
        {
            var output = shell.Invoke();
            return new PipelineResult(output.ToList(), shell.Streams.Error.ToList(), shell.Streams.Warning.Select(w => w.Message).ToList(), null);
        }
        catch (RuntimeException e)
        {
            return new PipelineResult(new List<PSObject>(), shell.Streams.Error.ToList(), shell.Streams.Warning.Select(w => w.Message).ToList(), e.ErrorRecord);
        }
    }

    /// <summary>The full name of the class behind a cmdlet, as its FullyQualifiedErrorIds name it.</summary>
    public string CmdletClass(string cmdlet) =>
        (string)Run("(Get-Command -Name $args[0] -Module VirtioScsi).ImplementingType.FullName", cmdlet).ThrowOnError().Output.Single().BaseObject;

    public void Dispose()
    {
        _runspace.Dispose();
        try { Directory.Delete(_moduleRoot, recursive: true); } catch (IOException) { }
    }

    /// <summary>The repository: the folder above bin that holds VirtioScsi.psd1.</summary>
    public static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "VirtioScsi.psd1"))) return dir.FullName;
        throw new InvalidOperationException($"No folder above {AppContext.BaseDirectory} holds VirtioScsi.psd1.");
    }
}

/// <summary>What one pipeline produced: its output, its non-terminating errors, its warnings and the terminating error, if any.</summary>
public sealed record PipelineResult(IReadOnlyList<PSObject> Output, IReadOnlyList<ErrorRecord> Errors, IReadOnlyList<string> Warnings, ErrorRecord? Terminating)
{
    /// <summary>Every error, non-terminating first, then the terminating one.</summary>
    public IEnumerable<ErrorRecord> AllErrors => Terminating is null ? Errors : Errors.Append(Terminating);

    /// <summary>Fails the test with the errors' messages, for pipelines that must succeed.</summary>
    public PipelineResult ThrowOnError()
    {
        var errors = AllErrors.ToList();
        if (errors.Count > 0)
            throw new Xunit.Sdk.XunitException("The pipeline failed: " + string.Join(" | ", errors.Select(e => e.FullyQualifiedErrorId + ": " + e)));
        return this;
    }

    /// <summary>The single error the pipeline raised (terminating or not).</summary>
    public ErrorRecord SingleError()
    {
        var errors = AllErrors.ToList();
        Assert.True(errors.Count == 1, $"expected one error, got {errors.Count}: " + string.Join(" | ", errors.Select(e => e.FullyQualifiedErrorId + ": " + e)));
        return errors[0];
    }

    /// <summary>A property of the single output object, as PowerShell sees it.</summary>
    public object? Property(string name) => Output.Single().Properties[name]?.Value;
}

/// <summary>Device XML for the test domains of the cmdlet tests.</summary>
public static class TestDevices
{
    public const string Virtio0 = "<controller type='scsi' index='0' model='virtio-scsi'/>";
    public const string Lsi0 = "<controller type='scsi' index='0' model='lsilogic'/>";

    /// <summary>
    /// An iSCSI source that planning accepts; nothing logs into it (the domains that carry it are shut off). Its
    /// own per test process, as the double-use guard refuses to attach it where another process's domain holds it.
    /// </summary>
    public static readonly string UnusedIqn = $"iqn.2026-11.test.virtioscsi:sdk-unused-{System.Environment.ProcessId}";

    /// <summary>A LUN (or an emulated disk) at controller 0, target 0 of a definition; libvirt opens it only when the domain starts.</summary>
    public static string IscsiDisk(string dev, int unit, string iqn, string device = "lun", string extra = "") =>
        $"<disk type='network' device='{device}'><driver name='qemu' type='raw' cache='none'/>" +
        $"<source protocol='iscsi' name='{iqn}/1'><host name='127.0.0.1' port='{Live.LiveStack.IscsiPort}'/></source>" +
        $"<target dev='{dev}' bus='scsi'/>{extra}<address type='drive' controller='0' bus='0' target='0' unit='{unit}'/></disk>";
}

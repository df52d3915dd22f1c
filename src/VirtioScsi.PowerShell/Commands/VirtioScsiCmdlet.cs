using System;
using System.Collections.Generic;
using System.Management.Automation;
using System.Threading;
using VirtioScsi.Engine;
using VirtioScsi.Errors;

namespace VirtioScsi.Commands;

/// <summary>
/// What every VirtioScsi cmdlet shares: -ConnectionUri, an engine per connection whose virsh commands show
/// under -Verbose, Ctrl+C that stops the running virsh process, and errors as ErrorRecords with stable ids.
/// </summary>
public abstract class VirtioScsiCmdlet : PSCmdlet, IDisposable
{
    private readonly CancellationTokenSource _stopSource = new();
    private ScsiManagerFactory? _factory;
    private ScsiManager? _manager;

    /// <summary>
    /// The libvirt URI (qemu:///system, qemu+ssh://host/system). Default: $env:LIBVIRT_DEFAULT_URI, else virsh's own default.
    /// Null or empty means that default too: the module's objects carry a null ConnectionUri when they were read from
    /// the default connection, and piping them back must reach the same one.
    /// </summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("Connect")]
    public string? ConnectionUri { get; set; }

    private protected CancellationToken StopToken => _stopSource.Token;

    /// <summary>The URI in effect for this record: the parameter, else LIBVIRT_DEFAULT_URI, else null (virsh decides).</summary>
    private protected string? EffectiveUri => ScsiManagerFactory.ResolveUri(ConnectionUri);

    /// <summary>The engine for the current record's connection (piped objects may name different ones).</summary>
    private protected ScsiManager Manager => ManagerFor(EffectiveUri);

    /// <summary>
    /// The engine for <paramref name="uri"/>. One engine, and so one virsh session, serves every record on the
    /// same connection; a record on another connection closes it and opens one there.
    /// </summary>
    private protected ScsiManager ManagerFor(string? uri)
    {
        if (_manager is not null && _manager.ConnectionUri == uri) return _manager;
        _manager?.Dispose();
        _factory ??= ScsiManagerFactory.ForCmdlet(line => WriteVerbose(AnnotateTemporaryFile(line)));
        _manager = _factory.Open(uri);
        return _manager;
    }

    // The device XML goes to virsh in a temporary file that is removed once the step has run: a -Verbose line that
    // names it says so, as pasting it later would fail. -WhatIf shows the same command with the XML inline.
    private static readonly string TemporaryXmlFile = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "virtioscsi-");

    private static string AnnotateTemporaryFile(string line) =>
        line.IndexOf(TemporaryXmlFile, StringComparison.Ordinal) < 0 ? line
            : line + "   # illustrative: the --file is temporary and already removed; -WhatIf shows this command with the XML inline";

    protected override void StopProcessing() => _stopSource.Cancel();

    /// <summary>PowerShell disposes a cmdlet when its pipeline ends, however it ends: the virsh session closes.</summary>
    public void Dispose()
    {
        _manager?.Dispose();
        _manager = null;
        _stopSource.Dispose();
    }

    private const int ProgressId = 0x5C51;
    private bool _stepProgressShown;

    /// <summary>Progress over a change of several steps (a controller with its disks, a LUN with a new controller).</summary>
    private protected void ReportStep(int index, int count, string description)
    {
        if (count < 2) return;
        _stepProgressShown = true;
        WriteProgress(new ProgressRecord(ProgressId, MyInvocation.MyCommand.Name, description)
        {
            PercentComplete = index * 100 / count,
            StatusDescription = $"Step {index + 1} of {count}: {description}",
        });
    }

    /// <summary>Progress over many items (domains read, objects written).</summary>
    private protected void ReportProgress(string activity, int done, int total)
    {
        var record = new ProgressRecord(ProgressId, activity, $"{done} of {total}")
        {
            PercentComplete = total == 0 ? 100 : done * 100 / total,
        };
        if (done >= total) record.RecordType = ProgressRecordType.Completed;
        // Until it is complete, the record's end (Guard) completes it, on every way out.
        _stepProgressShown = done < total;
        WriteProgress(record);
    }

    private void CompleteStepProgress()
    {
        if (!_stepProgressShown) return;
        _stepProgressShown = false;
        WriteProgress(new ProgressRecord(ProgressId, MyInvocation.MyCommand.Name, "Done") { RecordType = ProgressRecordType.Completed });
    }

    /// <summary>
    /// Runs one record's work. A failure concerning this record is a non-terminating error, so the other
    /// domains in the pipeline go on; a missing virsh stops the command, as nothing could work.
    /// </summary>
    private protected void Guard(Action work)
    {
        try
        {
            work();
        }
        catch (VirtioScsiException e) when (e.ErrorId == ErrorIds.VirshNotFound)
        {
            ThrowTerminatingError(ErrorRecords.From(e));
        }
        catch (VirtioScsiException e)
        {
            WriteError(ErrorRecords.From(e));
        }
        catch (OperationCanceledException) when (StopToken.IsCancellationRequested)
        {
            // Ctrl+C: PowerShell reports the stop itself.
        }
        finally
        {
            CompleteStepProgress();
        }
    }

    private protected void WriteWarnings(IEnumerable<string> warnings)
    {
        foreach (var warning in warnings) WriteWarning(warning);
    }
}

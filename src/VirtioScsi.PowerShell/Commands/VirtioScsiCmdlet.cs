using System;
using System.Management.Automation;
using System.Threading;
using VirtioScsi.Engine;
using VirtioScsi.Errors;
using VirtioScsi.Virsh;

namespace VirtioScsi.Commands;

/// <summary>
/// What every VirtioScsi cmdlet shares: -ConnectionUri, a virsh runner whose commands show under
/// -Verbose, Ctrl+C that stops the running virsh process, and errors as ErrorRecords with stable ids.
/// </summary>
public abstract class VirtioScsiCmdlet : PSCmdlet, IDisposable
{
    private readonly CancellationTokenSource _stopSource = new();
    private ScsiManager? _manager;

    /// <summary>The libvirt URI (qemu:///system, qemu+ssh://host/system). Default: $env:LIBVIRT_DEFAULT_URI, else virsh's own default.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("Connect")]
    [ValidateNotNullOrEmpty]
    public string? ConnectionUri { get; set; }

    protected CancellationToken StopToken => _stopSource.Token;

    /// <summary>The URI in effect for this record: the parameter, else LIBVIRT_DEFAULT_URI, else null (virsh decides).</summary>
    protected string? EffectiveUri => ResolveUri(ConnectionUri);

    /// <summary>A -ConnectionUri as given, else LIBVIRT_DEFAULT_URI, else null (virsh decides). Completers use it too.</summary>
    internal static string? ResolveUri(string? given)
    {
        if (!string.IsNullOrWhiteSpace(given)) return given;
        var fromEnvironment = Environment.GetEnvironmentVariable("LIBVIRT_DEFAULT_URI");
        return string.IsNullOrWhiteSpace(fromEnvironment) ? null : fromEnvironment;
    }

    /// <summary>The engine for the current record's connection (piped objects may name different ones).</summary>
    protected ScsiManager Manager
    {
        get
        {
            var uri = EffectiveUri;
            if (_manager is null || _manager.ConnectionUri != uri)
            {
                _manager?.Virsh.Dispose();
                // One virsh process serves the whole call: every read and change goes through it.
                var runner = new VirshRunner(uri, VirshTimeout(), log: line => WriteVerbose(line)) { KeepSessionOpen = true };
                _manager = new ScsiManager(runner);
                _manager.Executor.StepStarting = ReportStep;
            }
            return _manager;
        }
    }

    protected override void StopProcessing() => _stopSource.Cancel();

    /// <summary>PowerShell disposes a cmdlet when its pipeline ends, however it ends: the virsh session closes.</summary>
    public void Dispose()
    {
        _manager?.Virsh.Dispose();
        _manager = null;
        _stopSource.Dispose();
    }

    private const int ProgressId = 0x5C51;
    private bool _stepProgressShown;

    /// <summary>Progress over a change of several steps (a controller with its disks, a LUN with a new controller).</summary>
    private void ReportStep(int index, int count, string description)
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
    protected void ReportProgress(string activity, int done, int total)
    {
        var record = new ProgressRecord(ProgressId, activity, $"{done} of {total}")
        {
            PercentComplete = total == 0 ? 100 : done * 100 / total,
        };
        if (done >= total) record.RecordType = ProgressRecordType.Completed;
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
    protected void Guard(Action work)
    {
        try
        {
            work();
        }
        catch (VirtioScsiException e) when (e.ErrorId == ErrorIds.VirshNotFound)
        {
            ThrowTerminatingError(ToErrorRecord(e));
        }
        catch (VirtioScsiException e)
        {
            WriteError(ToErrorRecord(e));
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

    protected void WriteWarnings(System.Collections.Generic.IEnumerable<string> warnings)
    {
        foreach (var warning in warnings) WriteWarning(warning);
    }

    internal static ErrorRecord ToErrorRecord(VirtioScsiException e)
    {
        var record = new ErrorRecord(e, e.ErrorId, Category(e.Kind), e.TargetObject)
        {
            ErrorDetails = new ErrorDetails(e.FullMessage),
        };
        if (e.RecommendedAction is not null) record.ErrorDetails.RecommendedAction = e.RecommendedAction;
        return record;
    }

    internal static ErrorCategory Category(ErrorKind kind) => kind switch
    {
        ErrorKind.NotInstalled => ErrorCategory.NotInstalled,
        ErrorKind.ObjectNotFound => ErrorCategory.ObjectNotFound,
        ErrorKind.InvalidArgument => ErrorCategory.InvalidArgument,
        ErrorKind.ResourceExists => ErrorCategory.ResourceExists,
        ErrorKind.ResourceUnavailable => ErrorCategory.ResourceUnavailable,
        ErrorKind.LimitsExceeded => ErrorCategory.LimitsExceeded,
        ErrorKind.OperationTimeout => ErrorCategory.OperationTimeout,
        ErrorKind.DeviceError => ErrorCategory.DeviceError,
        ErrorKind.InvalidData => ErrorCategory.InvalidData,
        _ => ErrorCategory.InvalidOperation,
    };

    private static TimeSpan? VirshTimeout()
    {
        var text = Environment.GetEnvironmentVariable("VIRTIOSCSI_VIRSH_TIMEOUT_SEC");
        return int.TryParse(text, out var seconds) && seconds > 0 ? TimeSpan.FromSeconds(seconds) : null;
    }
}

using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading;
using VirtioScsi.Libvirt;
using VirtioScsi.Errors;
using VirtioScsi.Model;
using VirtioScsi.Planning;
using VirtioScsi.Virsh;

namespace VirtioScsi.Engine;

/// <summary>
/// Carries out a <see cref="ChangePlan"/> step by step. When a step fails, or the user stops the
/// command, the steps already done are undone in reverse order, so the domain is left as it was.
/// </summary>
internal sealed class ChangeExecutor
{
    /// <summary>How long a rollback waits for a hot-plugged controller to leave again.</summary>
    private static readonly TimeSpan RollbackRemovalTimeout = TimeSpan.FromSeconds(10);

    private readonly IVirshRunner _virsh;
    private readonly DomainReader _reader;

    public ChangeExecutor(IVirshRunner virsh, DomainReader reader)
    {
        _virsh = virsh;
        _reader = reader;
    }

    /// <summary>
    /// Runs the plan. With <paramref name="readBack"/>, the domain is read again in the same virsh
    /// process as the last step, and returned.
    /// </summary>
    /// <param name="removalTimeout">How long a hot-unplug may take before the guest is said not to let go.</param>
    /// <param name="stepStarting">Told before each step: its position, the number of steps, and what it does (for progress).</param>
    public DomainState? Execute(ChangePlan plan, bool readBack, TimeSpan removalTimeout, Action<int, int, string>? stepStarting,
        CancellationToken cancellationToken)
    {
        var done = new List<ChangeStep>();
        DomainState? after = null;
        try
        {
            for (var i = 0; i < plan.Steps.Count; i++)
            {
                var step = plan.Steps[i];
                stepStarting?.Invoke(i, plan.Steps.Count, step.Description);
                var last = i == plan.Steps.Count - 1;
                var readWithStep = readBack && last && !(step.Kind == StepKind.DetachDevice && step.Scope.Live);
                after = Run(step, readWithStep ? plan.Domain : null, cancellationToken);
                done.Add(step);
                if (step.Kind == StepKind.DetachDevice && step.Scope.Live)
                    WaitUntilGone(step, removalTimeout, cancellationToken, ErrorIds.DetachTimedOut);
            }
        }
        catch (VirtioScsiException e)
        {
            var rollback = Rollback(done);
            if (rollback is null) throw;
            throw Error.WithRollback(e, rollback);
        }
        catch (OperationCanceledException)
        {
            Rollback(done);
            throw;
        }
        if (readBack && after is null) after = _reader.ReadForChange(plan.Domain.Name, cancellationToken);
        return after;
    }

    /// <summary>Runs a step; with <paramref name="readBackOf"/>, reads that domain again in the same call.</summary>
    private DomainState? Run(ChangeStep step, DomainState? readBackOf, CancellationToken cancellationToken)
    {
        WritePrivate(step.FilePath, step.XmlText);
        try
        {
            if (readBackOf is null)
            {
                var result = _virsh.Run(step.Command, cancellationToken);
                if (!result.Succeeded) throw Failure(step, result);
                return null;
            }
            var commands = new List<VirshCommand> { step.Command };
            commands.AddRange(DomainReader.ReadBackCommands(readBackOf));
            var results = _virsh.RunBatch(commands, cancellationToken);
            if (!results[0].Succeeded) throw Failure(step, results[0]);
            return DomainReader.ParseReadBack(readBackOf, results.Skip(1).ToArray());
        }
        finally
        {
            TryDelete(step.FilePath);
        }
    }

    private static VirtioScsiException Failure(ChangeStep step, VirshResult result) =>
        VirshErrors.ToException(result, step.Description + " failed", step.Domain,
            step.Kind == StepKind.DetachDevice ? ErrorIds.DetachFailed : ErrorIds.AttachFailed);

    private void WaitUntilGone(ChangeStep step, TimeSpan timeout, CancellationToken cancellationToken, string errorId)
    {
        var deadline = DateTime.UtcNow + timeout;
        var delay = 50;
        while (true)
        {
            var live = _reader.ReadLive(step.Domain, cancellationToken);
            // A domain that stopped meanwhile has no live devices left to wait for.
            if (live is null || live.Id is null || step.IsGoneFromLive!(live)) return;
            if (DateTime.UtcNow > deadline)
                throw Error.DeviceNotReleased(errorId, step.Description, timeout, step.Domain);
            if (cancellationToken.WaitHandle.WaitOne(delay)) cancellationToken.ThrowIfCancellationRequested();
            delay = Math.Min(delay * 2, 500);
        }
    }

    /// <summary>Undoes the steps done, newest first; returns what the user must know, or null when all is undone.</summary>
    private string? Rollback(List<ChangeStep> done)
    {
        var notes = new List<string>();
        foreach (var step in Enumerable.Reverse(done))
        {
            if (step.Undo is null) continue;
            try
            {
                Run(step.Undo, null, CancellationToken.None);
                if (step.Undo.Kind == StepKind.DetachDevice && step.Undo.Scope.Live)
                    WaitUntilGone(step.Undo, RollbackRemovalTimeout, CancellationToken.None, ErrorIds.RollbackIncomplete);
                notes.Add($"Undone: {step.Description}.");
            }
            catch (VirtioScsiException e)
            {
                notes.Add($"Could not undo '{step.Description}': {e.FullMessage}");
                return "Rollback incomplete. " + string.Join(" ", notes);
            }
        }
        return notes.Count == 0 ? null : string.Join(" ", notes);
    }

    private static void WritePrivate(string path, string text)
    {
        // A definition may hold secrets (graphics passwords): the file is made private before anything is
        // written to it, and removed right after virsh has read it.
        using var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.Read);
        NativeMethods.MakePrivate(path);
        var bytes = new UTF8Encoding(false).GetBytes(text);
        stream.Write(bytes, 0, bytes.Length);
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}

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
/// Carries out a <see cref="ChangePlan"/> step by step. When a step fails, the read-back shows a wrong
/// result, or the user stops the command, what this call did is undone in reverse order, so the domain is
/// left as it was; a step whose outcome is unknown (virsh timed out, was stopped or lost libvirtd) is looked
/// up in the domain first and undone where it took effect. A rollback that cannot finish ends in
/// RollbackIncomplete, which names what is left and the command that removes it.
/// </summary>
internal sealed class ChangeExecutor
{
    private readonly IVirshRunner _virsh;
    private readonly DomainReader _reader;
    private readonly TimeSpan _rollbackTimeout;

    /// <param name="rollbackTimeout">How long undoing a failed change may take in all, waits for the guest to
    /// release hot-plugged devices included (default: <see cref="DefaultRollbackTimeout"/>).</param>
    public ChangeExecutor(IVirshRunner virsh, DomainReader reader, TimeSpan? rollbackTimeout = null)
    {
        _virsh = virsh;
        _reader = reader;
        _rollbackTimeout = rollbackTimeout ?? DefaultRollbackTimeout;
    }

    /// <summary>VIRTIOSCSI_ROLLBACK_TIMEOUT_SEC, 30 s by default: a guest that answers releases a controller in well under a second.</summary>
    public static TimeSpan DefaultRollbackTimeout
    {
        get
        {
            var text = Environment.GetEnvironmentVariable("VIRTIOSCSI_ROLLBACK_TIMEOUT_SEC");
            return TimeSpan.FromSeconds(int.TryParse(text, out var seconds) && seconds > 0 ? seconds : 30);
        }
    }

    /// <summary>
    /// Runs the plan. With <paramref name="readBack"/>, the domain is read again in the same virsh
    /// process as the last step, and returned.
    /// </summary>
    /// <param name="removalTimeout">How long a hot-unplug may take, counted from the start of its step, before the guest is said not to let go.</param>
    /// <param name="stepStarting">Told before each step: its position, the number of steps, and what it does (for progress).</param>
    /// <param name="verify">Checks the read-back; an error it returns is treated as a failed step: the change is undone.</param>
    public DomainState? Execute(ChangePlan plan, bool readBack, TimeSpan removalTimeout, Action<int, int, string>? stepStarting,
        CancellationToken cancellationToken, Func<DomainState, VirtioScsiException?>? verify = null)
    {
        StepXmlFile.RemoveStale();
        var done = new List<ChangeStep>();
        ChangeStep? unsure = null;
        DomainState? after = null;
        try
        {
            for (var i = 0; i < plan.Steps.Count; i++)
            {
                var step = plan.Steps[i];
                stepStarting?.Invoke(i, plan.Steps.Count, step.Description);
                var last = i == plan.Steps.Count - 1;
                var readWithStep = readBack && last && !(step.Kind == StepKind.DetachDevice && step.Scope.Live);
                var started = DateTime.UtcNow;
                IReadOnlyList<VirshResult> readResults;
                try
                {
                    readResults = Run(step, readWithStep ? plan.Domain : null, cancellationToken);
                }
                catch (Exception e) when (OutcomeUnknown(e))
                {
                    unsure = step;
                    throw;
                }
                done.Add(step);
                if (readWithStep) after = DomainReader.ParseReadBack(plan.Domain, readResults);
                if (step.Kind == StepKind.DetachDevice && step.Scope.Live)
                    WaitUntilGone(step, started + removalTimeout, removalTimeout, cancellationToken, ErrorIds.DetachTimedOut);
            }
            if (readBack && after is null) after = _reader.ReadForChange(plan.Domain.Name, cancellationToken);
            if (after is not null && verify?.Invoke(after) is { } wrong) throw wrong;
            return after;
        }
        catch (VirtioScsiException e)
        {
            throw AfterRollback(plan, done, unsure, e);
        }
        catch (OperationCanceledException e)
        {
            var stopped = new VirtioScsiException(plan.Steps.Any(s => s.Kind == StepKind.DetachDevice) ? ErrorIds.DetachFailed : ErrorIds.AttachFailed,
                ErrorKind.OperationTimeout, $"The change to domain '{plan.Domain.Name}' was stopped (Ctrl+C or Stop()).", plan.Domain.Name, inner: e);
            var outcome = Rollback(plan, done, unsure);
            if (outcome.Complete) throw;
            throw outcome.ToError(stopped, plan.Domain.Name);
        }
    }

    private VirtioScsiException AfterRollback(ChangePlan plan, List<ChangeStep> done, ChangeStep? unsure, VirtioScsiException cause)
    {
        var outcome = Rollback(plan, done, unsure);
        if (!outcome.Complete) return outcome.ToError(cause, plan.Domain.Name);
        return outcome.Undone.Count == 0 ? cause : Error.WithRollback(cause, outcome.UndoneSentences);
    }

    /// <summary>
    /// True when a failed step may still have taken effect: virsh was stopped, timed out or lost libvirtd
    /// before it said. A step libvirt refused in its own words changed nothing.
    /// </summary>
    internal static bool OutcomeUnknown(Exception e) => e switch
    {
        OperationCanceledException => true,
        VirtioScsiException v when v.ErrorId == ErrorIds.VirshTimedOut => true,
        VirtioScsiException v => string.IsNullOrWhiteSpace(v.VirshMessage) || ConnectionLost(v.VirshMessage!),
        _ => false,
    };

    private static bool ConnectionLost(string message) =>
        new[] { "End of file while reading data", "client socket is closed", "Cannot recv data", "Cannot write data",
                "failed to connect to the hypervisor", "no connection driver available", "Broken pipe", "Connection reset",
                VirshSession.EndedUnfinished }
            .Any(m => message.IndexOf(m, StringComparison.OrdinalIgnoreCase) >= 0);

    /// <summary>Runs a step; with <paramref name="readBackOf"/>, reads that domain again in the same call and returns those results.</summary>
    private IReadOnlyList<VirshResult> Run(ChangeStep step, DomainState? readBackOf, CancellationToken cancellationToken)
    {
        using var file = StepXmlFile.Write(step.FilePath, step.XmlText);
        if (readBackOf is null)
        {
            var result = _virsh.Run(step.Command, cancellationToken);
            if (!result.Succeeded) throw Failure(step, result);
            return Array.Empty<VirshResult>();
        }
        var commands = new List<VirshCommand> { step.Command };
        commands.AddRange(DomainReader.ReadBackCommands(readBackOf));
        var results = _virsh.RunBatch(commands, cancellationToken);
        if (!results[0].Succeeded) throw Failure(step, results[0]);
        return results.Skip(1).ToArray();
    }

    private static VirtioScsiException Failure(ChangeStep step, VirshResult result) =>
        VirshErrors.ToException(result, step.Description + " failed", step.Domain,
            step.Kind == StepKind.DetachDevice ? ErrorIds.DetachFailed : ErrorIds.AttachFailed);

    private void WaitUntilGone(ChangeStep step, DateTime deadline, TimeSpan timeout, CancellationToken cancellationToken, string errorId)
    {
        var delay = 50;
        while (true)
        {
            var live = _reader.ReadLive(step.Domain, cancellationToken);
            // A domain that stopped meanwhile has no live devices left to wait for.
            if (live is null || live.Id is null || step.IsGoneFromLive!(live)) return;
            if (DateTime.UtcNow > deadline)
                throw Error.DeviceNotReleased(errorId, step.Description, timeout, step.Domain);
            var wait = (int)Math.Max(1, Math.Min(delay, (deadline - DateTime.UtcNow).TotalMilliseconds + 1));
            if (cancellationToken.WaitHandle.WaitOne(wait)) cancellationToken.ThrowIfCancellationRequested();
            delay = Math.Min(delay * 2, 500);
        }
    }

    /// <summary>
    /// Undoes the steps done, newest first, and an unsure step where the domain shows it took effect; all
    /// within the rollback's own time, whatever stopped the change.
    /// </summary>
    private RollbackOutcome Rollback(ChangePlan plan, List<ChangeStep> done, ChangeStep? unsure)
    {
        var outcome = new RollbackOutcome();
        using var budget = new CancellationTokenSource(_rollbackTimeout);
        var deadline = DateTime.UtcNow + _rollbackTimeout;
        var toUndo = new List<(ChangeStep Step, ChangeStep Undo, ChangeScope Scope)>();
        var unsureNotSeen = false;
        foreach (var step in done)
        {
            if (StepDevices.UndoOf(step) is { } undo) toUndo.Add((step, undo, step.Scope));
        }
        if (unsure is not null)
        {
            try
            {
                var now = _reader.ReadForChange(plan.Domain.Name, budget.Token);
                if (unsure.Kind == StepKind.Define)
                {
                    if (unsure.Undo is not null) toUndo.Add((unsure, unsure.Undo, unsure.Scope));
                }
                else if (unsure.Kind == StepKind.AttachDevice && unsure.Xml is System.Xml.Linq.XElement device)
                {
                    var held = StepDevices.WhereHeld(unsure, now);
                    if (held.Live || held.Config) toUndo.Add((unsure, StepDevices.DetachOf(unsure, device, held), held));
                    else unsureNotSeen = true;
                }
            }
            catch (Exception e) when (e is VirtioScsiException || e is OperationCanceledException)
            {
                // Without a look at the domain nothing below the unsure step may go either (a controller under a LUN that may be there).
                outcome.WhyNotFinished = $"the domain could not be read to see whether '{StepDevices.FirstLine(unsure.Description)}' took effect ({Reason(e)}).";
                outcome.Left.Add((unsure, unsure.Scope, true));
                foreach (var (step, _, scope) in Enumerable.Reverse(toUndo)) outcome.Left.Add((step, scope, false));
                return outcome;
            }
        }
        for (var i = toUndo.Count - 1; i >= 0; i--)
        {
            var (step, undo, scope) = toUndo[i];
            var ran = false;
            try
            {
                Run(undo, null, budget.Token);
                ran = true;
                if (undo.Kind == StepKind.DetachDevice && undo.Scope.Live)
                    WaitUntilGone(undo, deadline, _rollbackTimeout, budget.Token, ErrorIds.RollbackIncomplete);
                outcome.Undone.Add(StepDevices.FirstLine(step.Description));
            }
            catch (VirtioScsiException e) when (unsureNotSeen && !ran && e.Message.Contains("device is busy"))
            {
                // A virsh stopped mid-attach does not stop libvirtd's job: the LUN the look above did not see
                // may have arrived since, and now holds the controller this undo removes. Look once more, take
                // that LUN out first, then undo this step again.
                unsureNotSeen = false;
                if (TakeOutLateArrival(plan, unsure!, deadline, budget.Token)) outcome.Undone.Add(StepDevices.FirstLine(unsure!.Description));
                i++;
                continue;
            }
            catch (Exception e) when (e is VirtioScsiException || e is OperationCanceledException)
            {
                outcome.WhyNotFinished = $"'{StepDevices.FirstLine(undo.Description)}' did not finish: {Reason(e)}";
                // A detach that ran but whose device the guest still holds is left in the running domain only.
                var leftScope = ran && undo.Kind == StepKind.DetachDevice ? new ChangeScope(scope.Live, false) : scope;
                outcome.Left.Add((step, leftScope, false));
                for (var j = i - 1; j >= 0; j--) outcome.Left.Add((toUndo[j].Step, toUndo[j].Scope, false));
                return LookAgain(plan, outcome);
            }
        }
        return outcome;

        string Reason(Exception e) => e is OperationCanceledException
            ? $"the rollback ran out of its {_rollbackTimeout.TotalSeconds:0} s (VIRTIOSCSI_ROLLBACK_TIMEOUT_SEC)"
            : ((VirtioScsiException)e).Message;
    }

    /// <summary>Detaches an unsure attach's device where the domain shows it now; false where it is not there.</summary>
    private bool TakeOutLateArrival(ChangePlan plan, ChangeStep unsure, DateTime deadline, CancellationToken cancellationToken)
    {
        if (unsure.Xml is not System.Xml.Linq.XElement device) return false;
        var now = _reader.ReadForChange(plan.Domain.Name, cancellationToken);
        var held = StepDevices.WhereHeld(unsure, now);
        if (!held.Live && !held.Config) return false;
        var detach = StepDevices.DetachOf(unsure, device, held);
        Run(detach, null, cancellationToken);
        if (detach.Scope.Live) WaitUntilGone(detach, deadline, _rollbackTimeout, cancellationToken, ErrorIds.RollbackIncomplete);
        return true;
    }

    /// <summary>
    /// Says exactly what is left where a step stopped half-way (a detach killed at the rollback's time limit):
    /// one more read, with a few seconds of its own, keeps of each leftover the definitions that still hold it.
    /// </summary>
    private RollbackOutcome LookAgain(ChangePlan plan, RollbackOutcome outcome)
    {
        try
        {
            using var look = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            var now = _reader.ReadForChange(plan.Domain.Name, look.Token);
            var left = outcome.Left.ToArray();
            outcome.Left.Clear();
            foreach (var (step, _, _) in left)
            {
                if (step.Kind == StepKind.Define) outcome.Left.Add((step, step.Scope, false));
                else if (StepDevices.WhereHeld(step, now) is var held && (held.Live || held.Config)) outcome.Left.Add((step, held, false));
            }
            if (outcome.Left.Count == 0)
            {
                outcome.Undone.Add("what was left went meanwhile");
                outcome.WhyNotFinished = null;
            }
        }
        catch (Exception e) when (e is VirtioScsiException || e is OperationCanceledException)
        {
            // Then the list stays as the rollback knew it.
        }
        return outcome;
    }

    /// <summary>What a rollback undid, and what it left.</summary>
    private sealed class RollbackOutcome
    {
        public List<string> Undone { get; } = new();
        /// <summary>What is left: the step that added it, the definitions it is in, and whether it may be there only.</summary>
        public List<(ChangeStep Step, ChangeScope Scope, bool Perhaps)> Left { get; } = new();
        public string? WhyNotFinished { get; set; }
        public bool Complete => Left.Count == 0 && WhyNotFinished is null;

        public string UndoneText => string.Concat(Undone.Select(u => $"Undone: {u}. "));

        /// <summary>The same, for the end of a message.</summary>
        public string UndoneSentences => UndoneText.TrimEnd();

        public VirtioScsiException ToError(VirtioScsiException cause, string domain) =>
            Error.RollbackIncomplete(cause, domain, UndoneText, Sentence(WhyNotFinished ?? "the rollback stopped."),
                string.Join("; ", Left.Select(l => StepDevices.Describe(l.Step, l.Scope) + (l.Perhaps ? ", perhaps" : ""))) + ".",
                string.Join("; ", Left.Select(l => StepDevices.RemovalCommand(l.Step, l.Scope))));

        private static string Sentence(string text)
        {
            text = text.Trim();
            return text.EndsWith(".", StringComparison.Ordinal) ? text : text + ".";
        }
    }
}

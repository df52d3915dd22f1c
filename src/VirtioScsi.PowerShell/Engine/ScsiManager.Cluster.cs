using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using VirtioScsi.Errors;
using VirtioScsi.Libvirt;
using VirtioScsi.Model;
using VirtioScsi.Planning;

namespace VirtioScsi.Engine;

/// <summary>
/// Shared LUNs (issue 12): the guards against unsafe double use (another domain, the host itself), and one
/// LUN attached to several domains at one address, all or nothing. The per-domain work goes through the
/// engine's own plan, apply and removal; this only orchestrates it.
/// </summary>
internal sealed partial class ScsiManager
{
    private static readonly IReadOnlyList<string> NoWarnings = new string[0];

    // How long undoing a completed domain waits for the guest to let the LUN (or a new controller) go.
    private static readonly TimeSpan UndoRemovalTimeout = TimeSpan.FromSeconds(20);

    // The one place the guard and the placement learn what makes two sources the same LUN here: the engine's identity.
    private Func<LunSource, string> KeyOf => Identity.KeyOf;

    // The LUN locks this engine holds, by the LUN's identity: taken when an attach is planned, let go when it is done.
    private readonly Dictionary<string, DomainChangeLock> _lunLocks = new(StringComparer.Ordinal);

    /// <summary>
    /// Takes the lock of the LUN <paramref name="source"/> names on this connection (held already: nothing more).
    /// From the guard's look at the other domains to the attach's read-back, no other call (another runspace or
    /// process on this machine) attaches the same LUN, so two calls cannot both find it free and both attach it.
    /// A call waiting at a -Confirm prompt keeps it: the other attach of that LUN waits, or fails clearly after
    /// VIRTIOSCSI_LOCK_TIMEOUT_SEC.
    /// </summary>
    /// <returns>True when this call took it.</returns>
    private bool HoldLun(LunSource source, CancellationToken cancellationToken)
    {
        var key = KeyOf(source);
        if (_lunLocks.ContainsKey(key)) return false;
        _lunLocks[key] = DomainChangeLock.AcquireForLun(ConnectionUri, key, source.ToString(), DomainChangeLock.DefaultWait, cancellationToken);
        return true;
    }

    /// <summary>Plans with the LUN's lock held, and keeps it for the apply; a plan that fails lets go of a lock it took.</summary>
    private T PlanWithLunHeld<T>(LunSource source, Func<T> plan, CancellationToken cancellationToken)
    {
        var taken = HoldLun(source, cancellationToken);
        try
        {
            return plan();
        }
        catch
        {
            if (taken) ReleaseLuns();
            throw;
        }
    }

    /// <summary>Lets go of every LUN lock this engine holds (an attach planned but not carried out: -WhatIf, declined).</summary>
    public void ReleaseLuns()
    {
        foreach (var held in _lunLocks.Values) held.Dispose();
        _lunLocks.Clear();
    }

    /// <summary>A domain's topology, each LUN with the other domains read with it that hold the same source.</summary>
    public DomainScsiTopology Topology(DomainReadResult read) => Topology(read.State!, read.Holders);

    /// <summary>A -Path checked on this host (local connections): exists, whole, SCSI, and not used by the host itself.</summary>
    private IReadOnlyList<string> CheckHostPath(LunRequest request, string domain) =>
        request.Source.Kind == LunSourceKind.Block && HostBlockDevices.IsLocalConnection(ConnectionUri)
            ? HostBlockDevices.CheckLunPath(request.Source.Path!, domain, request.Force)
            : NoWarnings;

    /// <summary>
    /// Every other domain of the list (taken with the planning read), read in one batch (running and persistent
    /// definitions): who holds which source. A domain undefined between the list and the read holds nothing.
    /// </summary>
    private SourceHolders ReadHolders(IReadOnlyCollection<string> except, DomainList list, CancellationToken cancellationToken)
    {
        var others = list.All.Where(n => !except.Contains(n)).ToArray();
        if (others.Length == 0) return SourceHolders.None;
        var read = _reader.Read(list, others, persistentOnly: false, cancellationToken);
        var failed = read.FirstOrDefault(r => r.Error is not null && r.Error.ErrorId != ErrorIds.DomainNotFound);
        if (failed is not null) throw failed.Error!;
        return SourceHolders.Of(read.Where(r => r.State is not null).Select(r => r.State!), KeyOf);
    }

    /// <summary>
    /// Gives each domain read the holders of the sources it uses, for its LUNs' SharedWith: the other domains
    /// of the list are read in one more batch, and only when a domain read has a disk with a source.
    /// </summary>
    private void WithHolders(DomainList list, IReadOnlyList<DomainReadResult> read, bool persistentOnly, CancellationToken cancellationToken)
    {
        var states = read.Where(r => r.State is not null).Select(r => r.State!).ToList();
        if (!states.SelectMany(s => s.AllDefinitions).SelectMany(d => d.Disks).Any(d => d.Source.Kind != LunSourceKind.Other)) return;
        var others = list.All.Except(read.Select(r => r.Name), StringComparer.Ordinal).ToArray();
        if (others.Length > 0)
            states.AddRange(_reader.Read(list, others, persistentOnly, cancellationToken).Where(r => r.State is not null).Select(r => r.State!));
        var holders = SourceHolders.Of(states, KeyOf);
        foreach (var result in read) result.Holders = holders;
    }

    /// <summary>The plans with the double-use guard applied (once, for all their domains) and the host's warnings.</summary>
    private LunAttachPlan[] GuardSharedUse(IReadOnlyList<LunAttachPlan> plans, LunRequest request, IReadOnlyList<string> hostWarnings,
        DomainList list, CancellationToken cancellationToken)
    {
        var domains = plans.Select(p => p.Change.Domain.Name).ToArray();
        var holders = ReadHolders(domains, list, cancellationToken);
        var warnings = hostWarnings;
        if (plans.Any(p => !p.Change.ChangesNothing))
            warnings = hostWarnings.Concat(SharedUseGuard.Check(request.Source, request.Options.Shareable, domains, holders, request.Force)).ToArray();
        return plans.Select((p, i) => p.WithGuards(i == 0 ? warnings : NoWarnings, holders)).ToArray();
    }

    /// <summary>
    /// Plans one LUN on several domains at one controller index, target, unit and sdX, free on all of them
    /// (with a virtio-scsi controller added at that index where a domain lacks it). Nothing changes here; an
    /// error for any domain stops the whole call before anything changes.
    /// </summary>
    public IReadOnlyList<LunAttachPlan> PlanLunAttachAll(IReadOnlyList<string> domains, LunRequest request, bool live, bool config,
        CancellationToken cancellationToken = default)
    {
        var names = domains.Distinct(StringComparer.Ordinal).ToArray();
        if (names.Length == 1) return new[] { PlanLunAttach(names[0], request, live, config, cancellationToken) };
        foreach (var name in names) InputValidation.DomainName(name);
        InputValidation.Source(request.Source);
        return PlanWithLunHeld(request.Source, () => PlanLunAttachAllHeld(names, request, live, config, cancellationToken), cancellationToken);
    }

    private IReadOnlyList<LunAttachPlan> PlanLunAttachAllHeld(string[] names, LunRequest request, bool live, bool config, CancellationToken cancellationToken)
    {
        var hostWarnings = CheckHostPath(request, string.Join(", ", names));
        // One batch reads them all (the same three reads ReadDomain makes for each).
        var results = _virsh.RunBatch(names.SelectMany(DomainReader.ReadForChangeCommands).ToArray(), cancellationToken);
        var per = results.Count / names.Length;
        var states = names.Select((n, i) => DomainReader.ParseForChange(n, results.Skip(i * per).Take(per).ToArray())).ToArray();
        var scopes = states.Select(s => ChangeScope.Resolve(s, live, config)).ToArray();
        var placed = CommonPlacement.Choose(states, scopes, request, KeyOf);
        var plans = states.Select((s, i) => LunAttachPlanner.Plan(s, placed, scopes[i], Identity)).ToArray();
        var places = plans.Select(p => (p.Address, p.TargetDevice)).Distinct().ToArray();
        if (places.Length > 1)
            throw Error.NoCommonAddress(string.Join(", ", names.Select(n => $"'{n}'")),
                "they would get " + string.Join(" and ", plans.Select(p => $"{p.TargetDevice} at {p.Address} on '{p.Change.Domain.Name}'")));
        var guarded = GuardSharedUse(plans, request, hostWarnings, _reader.List(cancellationToken), cancellationToken);
        // Each domain is planned again under its lock from a fresh read, at the same place (which must still be free there).
        foreach (var plan in guarded)
            PlanAgain.Remember(plan, fresh => LunAttachPlanner.Plan(fresh, placed, ChangeScope.Resolve(fresh, live, config), Identity).WithGuards(NoWarnings, plan.Holders));
        return guarded;
    }

    /// <summary>
    /// Carries out the plans one domain after another. When one fails (or the user stops the command), the
    /// domains already done are undone, newest first, through the engine's own removal: the LUN, then the
    /// controllers the plan added. The error says what was undone, or what could not be.
    /// </summary>
    public IReadOnlyList<ScsiDisk> ApplyLunAttachAll(IReadOnlyList<LunAttachPlan> plans, CancellationToken cancellationToken = default,
        Action<int, int, string>? stepStarting = null)
    {
        var done = new List<LunAttachPlan>();
        var disks = new List<ScsiDisk>();
        try
        {
            foreach (var plan in plans)
            {
                disks.Add(ApplyLunAttachHeld(plan, cancellationToken, stepStarting));
                done.Add(plan);
            }
        }
        catch (VirtioScsiException e)
        {
            throw Error.WithRollback(e, UndoDomains(done));
        }
        catch (OperationCanceledException)
        {
            UndoDomains(done);
            throw;
        }
        finally
        {
            ReleaseLuns();
        }
        return disks;
    }

    private string UndoDomains(List<LunAttachPlan> done)
    {
        var notes = new List<string>();
        foreach (var plan in Enumerable.Reverse(done).Where(p => !p.Change.ChangesNothing))
        {
            var name = plan.Change.Domain.Name;
            try
            {
                UndoDomain(plan);
                notes.Add($"Undone on domain '{name}': {plan.TargetDevice} (and the controllers added for it) removed again.");
            }
            catch (VirtioScsiException e)
            {
                notes.Add($"Rollback incomplete: could not undo domain '{name}': {e.FullMessage}");
            }
        }
        return notes.Count == 0 ? "No other domain had been changed." : string.Join(" ", notes);
    }

    // What the plan added is what the domain has now and did not have before: the LUN in each definition, then
    // each SCSI controller index. Only that is removed, so a LUN that was already there in one definition stays.
    private void UndoDomain(LunAttachPlan plan)
    {
        var before = plan.Change.Domain;
        var name = before.Name;
        var now = ReadDomain(name);
        bool HasDisk(DomainDefinition? d) => d is not null && d.Disks.Any(x => x.TargetDevice == plan.TargetDevice);
        var addedLive = HasDisk(now.Live) && !HasDisk(before.Live);
        var addedConfig = HasDisk(now.Config) && !HasDisk(before.Config);
        if (addedLive || addedConfig)
            ApplyRemoval(PlanLunRemoval(name, plan.TargetDevice, null, addedLive, addedConfig), UndoRemovalTimeout);

        now = ReadDomain(name);
        bool HasController(DomainDefinition? d, int index) => d is not null && d.ScsiControllers.Any(c => c.Index == index);
        var indexes = now.AllDefinitions.SelectMany(d => d.ScsiControllers).Select(c => c.Index).Distinct().OrderByDescending(i => i);
        foreach (var index in indexes)
        {
            var live = HasController(now.Live, index) && !HasController(before.Live, index);
            var config = HasController(now.Config, index) && !HasController(before.Config, index);
            if (live || config)
                ApplyRemoval(PlanControllerRemoval(name, index, force: false, live, config), UndoRemovalTimeout);
        }
    }
}

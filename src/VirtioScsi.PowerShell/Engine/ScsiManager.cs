using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using VirtioScsi.Errors;
using VirtioScsi.Libvirt;
using VirtioScsi.Model;
using VirtioScsi.Planning;
using VirtioScsi.Virsh;

namespace VirtioScsi.Engine;

/// <summary>
/// The engine behind the cmdlets, bound to one libvirt connection (open it with
/// <see cref="ScsiManagerFactory"/>): it reads domains, plans changes (so -WhatIf can show them), and
/// carries them out. What a call does depends on its arguments only. No PowerShell types pass through it.
/// </summary>
internal sealed class ScsiManager : IDisposable
{
    private readonly IVirshRunner _virsh;
    private readonly DomainReader _reader;
    private readonly ChangeExecutor _executor;

    internal ScsiManager(IVirshRunner virsh)
    {
        _virsh = virsh;
        _reader = new DomainReader(virsh);
        _executor = new ChangeExecutor(virsh, _reader);
    }

    // Attach plans have no detach step of their own (their rollback has its own bound), but the executor takes one.
    private static readonly TimeSpan AttachRemovalTimeout = TimeSpan.FromSeconds(30);

    public string? ConnectionUri => _virsh.ConnectionUri;

    /// <summary>How many virsh processes this engine has started (the session and batching keep it low).</summary>
    public int ProcessesStarted => _virsh.ProcessesStarted;

    /// <summary>Closes the virsh session, if one is open.</summary>
    public void Dispose() => _virsh.Dispose();

    /// <summary>Every domain's name, with which ones run and which are persistent.</summary>
    public DomainList ListDomains(CancellationToken cancellationToken = default) => _reader.List(cancellationToken);

    /// <summary>
    /// Reads the domains the filters select (all domains when there are none). A literal name that
    /// matches no domain comes back as a DomainNotFound result; a wildcard that matches none, as nothing.
    /// </summary>
    public IReadOnlyList<DomainReadResult> ReadDomains(IReadOnlyList<NameFilter> filters, bool persistentOnly, CancellationToken cancellationToken = default)
    {
        var list = _reader.List(cancellationToken);
        var selected = new List<string>();
        var missing = new List<DomainReadResult>();
        if (filters.Count == 0) selected.AddRange(list.All);
        foreach (var filter in filters)
        {
            var matched = list.All.Where(filter.Matches).ToArray();
            if (matched.Length == 0 && !filter.IsWildcard)
                missing.Add(new DomainReadResult(filter.Text, null, Error.DomainNotFound(filter.Text, ConnectionUri)));
            selected.AddRange(matched);
        }
        var names = selected.Distinct(StringComparer.Ordinal).ToArray();
        var read = _reader.Read(list, names, persistentOnly, cancellationToken);
        return missing.Concat(read).ToArray();
    }

    public DomainScsiTopology Topology(DomainState state) => TopologyBuilder.Build(state, ConnectionUri);

    public DomainState ReadDomain(string domain, CancellationToken cancellationToken = default) =>
        _reader.ReadForChange(domain, cancellationToken);

    public ControllerAttachPlan PlanNewController(string domain, ControllerRequest request, bool live, bool config, CancellationToken cancellationToken = default)
    {
        var state = ReadDomain(domain, cancellationToken);
        return ControllerAttachPlanner.Plan(state, request, ChangeScope.Resolve(state, live, config));
    }

    /// <param name="stepStarting">Told before each step: its position, the number of steps, and what it does.</param>
    public ScsiController ApplyNewController(ControllerAttachPlan plan, CancellationToken cancellationToken = default,
        Action<int, int, string>? stepStarting = null)
    {
        var after = _executor.Execute(plan.Change, readBack: true, AttachRemovalTimeout, stepStarting, cancellationToken)!;
        return Topology(after).Controllers.First(c => c.Index == plan.Index);
    }

    public LunAttachPlan PlanLunAttach(string domain, LunRequest request, bool live, bool config, CancellationToken cancellationToken = default)
    {
        var local = HostBlockDevices.IsLocalConnection(ConnectionUri);
        if (request.Source.Kind == LunSourceKind.Block && local) HostBlockDevices.CheckLunPath(request.Source.Path!, domain);
        var state = ReadDomain(domain, cancellationToken);
        var plan = LunAttachPlanner.Plan(state, request, ChangeScope.Resolve(state, live, config),
            local ? HostBlockDevices.Canonical : null);
        if (request.Source.Kind != LunSourceKind.Block || local || plan.Existing is not null) return plan;
        // The device is on the far host: libvirt checks it there, and its words map to the same ErrorIds.
        var warnings = plan.Change.Warnings.Append(Error.PathNotCheckedRemotely(request.Source.Path!, ConnectionUri)).ToArray();
        return new LunAttachPlan(new ChangePlan(plan.Change.Domain, plan.Change.Scope, plan.Change.Steps, warnings),
            plan.TargetDevice, plan.Address, plan.NewControllerIndex, plan.Existing);
    }

    /// <summary>Attaches the planned LUN (or returns the one already there) as the domain now shows it.</summary>
    /// <param name="stepStarting">Told before each step: its position, the number of steps, and what it does.</param>
    public ScsiDisk ApplyLunAttach(LunAttachPlan plan, CancellationToken cancellationToken = default, Action<int, int, string>? stepStarting = null)
    {
        var after = plan.Change.ChangesNothing ? plan.Change.Domain : _executor.Execute(plan.Change, readBack: true, AttachRemovalTimeout, stepStarting, cancellationToken)!;
        return Topology(after).Disks.First(d => d.TargetDevice == plan.TargetDevice);
    }

    public ChangePlan PlanLunRemoval(string domain, string? targetDevice, LunSource? source, bool live, bool config, CancellationToken cancellationToken = default)
    {
        var state = ReadDomain(domain, cancellationToken);
        var scope = ChangeScope.Resolve(state, live, config);
        if (targetDevice is null)
        {
            targetDevice = LunRemovalPlanner.FindTargetBySource(state, source!, HostBlockDevices.IsLocalConnection(ConnectionUri) ? HostBlockDevices.Canonical : null);
            if (targetDevice is null)
                throw Error.LunNotFoundBySource(state.Name, source!.ToString());
        }
        return LunRemovalPlanner.Plan(state, targetDevice, scope);
    }

    public ChangePlan PlanControllerRemoval(string domain, int index, bool force, bool live, bool config, CancellationToken cancellationToken = default)
    {
        var state = ReadDomain(domain, cancellationToken);
        return ControllerRemovalPlanner.Plan(state, index, ChangeScope.Resolve(state, live, config), force);
    }

    /// <summary>Carries out a removal plan, waiting (up to <paramref name="timeout"/>) for the guest to release live devices.</summary>
    /// <param name="stepStarting">Told before each step: its position, the number of steps, and what it does.</param>
    public void ApplyRemoval(ChangePlan plan, TimeSpan timeout, CancellationToken cancellationToken = default, Action<int, int, string>? stepStarting = null) =>
        _executor.Execute(plan, readBack: false, timeout, stepStarting, cancellationToken);
}

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

    internal ScsiManager(IVirshRunner virsh) : this(virsh, null)
    {
    }

    /// <param name="rollbackTimeout">How long undoing a failed change may take (default: VIRTIOSCSI_ROLLBACK_TIMEOUT_SEC, 30 s).</param>
    internal ScsiManager(IVirshRunner virsh, TimeSpan? rollbackTimeout)
    {
        _virsh = virsh;
        _reader = new DomainReader(virsh);
        _executor = new ChangeExecutor(virsh, _reader, rollbackTimeout);
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

    /// <summary>
    /// The read a change is planned from (and -WhatIf shows): taken while no other change to the domain runs,
    /// so that it never sees one half done (a controller in the running domain but not yet in the persistent one).
    /// </summary>
    private DomainState ReadToPlan(string domain, CancellationToken cancellationToken) =>
        DomainChanges.ReadSettled(ConnectionUri, domain, _reader, cancellationToken);

    public ControllerAttachPlan PlanNewController(string domain, ControllerRequest request, bool live, bool config, CancellationToken cancellationToken = default)
    {
        var state = ReadToPlan(domain, cancellationToken);
        return PlanAgain.Remember(ControllerAttachPlanner.Plan(state, request, ChangeScope.Resolve(state, live, config)),
            fresh => ControllerAttachPlanner.Plan(fresh, request, ChangeScope.Resolve(fresh, live, config)));
    }

    /// <param name="stepStarting">Told before each step: its position, the number of steps, and what it does.</param>
    public ScsiController ApplyNewController(ControllerAttachPlan plan, CancellationToken cancellationToken = default,
        Action<int, int, string>? stepStarting = null)
    {
        return DomainChanges.Run(ConnectionUri, plan.Change.Domain.Name, _reader, fresh =>
        {
            var current = PlanAgain.From(plan, fresh);
            var model = current.Change.Steps.Select(s => (s.Xml as System.Xml.Linq.XElement)?.Attribute("model")?.Value).LastOrDefault(m => m is not null);
            var after = _executor.Execute(current.Change, readBack: true, AttachRemovalTimeout, stepStarting, cancellationToken,
                state => AttachCheck.Controller(current, model, state))!;
            return Topology(after).Controllers.First(c => c.Index == current.Index);
        }, cancellationToken);
    }

    public LunAttachPlan PlanLunAttach(string domain, LunRequest request, bool live, bool config, CancellationToken cancellationToken = default)
    {
        var local = HostBlockDevices.IsLocalConnection(ConnectionUri);
        if (request.Source.Kind == LunSourceKind.Block && local) HostBlockDevices.CheckLunPath(request.Source.Path!, domain);
        var state = ReadToPlan(domain, cancellationToken);
        Func<string, string>? canonical = local ? HostBlockDevices.Canonical : null;
        return PlanAgain.Remember(LunAttachPlanner.Plan(state, request, ChangeScope.Resolve(state, live, config), canonical),
            fresh => LunAttachPlanner.Plan(fresh, request, ChangeScope.Resolve(fresh, live, config), canonical));
    }

    /// <summary>Attaches the planned LUN (or returns the one already there) as the domain now shows it.</summary>
    /// <param name="stepStarting">Told before each step: its position, the number of steps, and what it does.</param>
    public ScsiDisk ApplyLunAttach(LunAttachPlan plan, CancellationToken cancellationToken = default, Action<int, int, string>? stepStarting = null)
    {
        if (plan.Change.ChangesNothing) return Topology(plan.Change.Domain).Disks.First(d => d.TargetDevice == plan.TargetDevice);
        return DomainChanges.Run(ConnectionUri, plan.Change.Domain.Name, _reader, fresh => AttachLun(PlanAgain.From(plan, fresh), stepStarting, cancellationToken), cancellationToken);
    }

    /// <summary>One attempt of an attach, under the domain's lock: reported only once the read-back shows the LUN as planned.</summary>
    private ScsiDisk AttachLun(LunAttachPlan plan, Action<int, int, string>? stepStarting, CancellationToken cancellationToken)
    {
        var after = plan.Change.ChangesNothing ? plan.Change.Domain
            : _executor.Execute(plan.Change, readBack: true, AttachRemovalTimeout, stepStarting, cancellationToken, state => AttachCheck.Lun(plan, state))!;
        return Topology(after).Disks.First(d => d.TargetDevice == plan.TargetDevice);
    }

    public ChangePlan PlanLunRemoval(string domain, string? targetDevice, LunSource? source, bool live, bool config, CancellationToken cancellationToken = default)
    {
        var state = ReadToPlan(domain, cancellationToken);
        return PlanAgain.Remember(PlanLunRemoval(state, targetDevice, source, live, config), fresh => PlanLunRemoval(fresh, targetDevice, source, live, config));
    }

    private ChangePlan PlanLunRemoval(DomainState state, string? targetDevice, LunSource? source, bool live, bool config)
    {
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
        var state = ReadToPlan(domain, cancellationToken);
        return PlanAgain.Remember(ControllerRemovalPlanner.Plan(state, index, ChangeScope.Resolve(state, live, config), force),
            fresh => ControllerRemovalPlanner.Plan(fresh, index, ChangeScope.Resolve(fresh, live, config), force));
    }

    /// <summary>Carries out a removal plan, waiting (up to <paramref name="timeout"/>) for the guest to release live devices.</summary>
    /// <param name="stepStarting">Told before each step: its position, the number of steps, and what it does.</param>
    public void ApplyRemoval(ChangePlan plan, TimeSpan timeout, CancellationToken cancellationToken = default, Action<int, int, string>? stepStarting = null) =>
        DomainChanges.Run(ConnectionUri, plan.Domain.Name, _reader,
            fresh => _executor.Execute(PlanAgain.From(plan, fresh), readBack: false, timeout, stepStarting, cancellationToken), cancellationToken);
}

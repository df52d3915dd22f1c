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
    /// matches no domain comes back as a DomainNotFound result; a wildcard that matches none, as nothing,
    /// and so does a domain a wildcard matched that is gone by the time it is read.
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
        // A domain that only a wildcard (or "all") selected and that was undefined between the list and the read is
        // gone, as if the list had been taken a moment later: on a busy host that is no error. A name given literally is.
        var literal = new HashSet<string>(filters.Where(f => !f.IsWildcard).Select(f => f.Text), StringComparer.Ordinal);
        var read = _reader.Read(list, names, persistentOnly, cancellationToken)
            .Where(r => r.Error?.ErrorId != ErrorIds.DomainNotFound || literal.Contains(r.Name));
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
        if (request.Options.Sgio == "unfiltered") CheckUnfilteredSgio(domain, cancellationToken);
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

    // libvirt 9.0 dropped unfiltered SG_IO (the kernel's unpriv_sgio never reached upstream Linux) and refuses the
    // attribute in every definition; older libvirt took it. Asked only when -Sgio unfiltered is given.
    private static readonly System.Text.RegularExpressions.Regex DaemonVersion =
        new(@"Running against daemon: (\d+)\.(\d+)\.(\d+)", System.Text.RegularExpressions.RegexOptions.CultureInvariant);

    private void CheckUnfilteredSgio(string domain, CancellationToken cancellationToken)
    {
        var result = _virsh.Run(new VirshCommand("version").Flag("--daemon"), cancellationToken);
        var match = DaemonVersion.Match(result.Output);
        if (match.Success && int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) >= 9)
            throw Error.SgioUnfilteredUnsupported(domain, $"{match.Groups[1].Value}.{match.Groups[2].Value}.{match.Groups[3].Value}");
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
        return LunRemovalPlanner.Plan(state, LunTargetDevice(state, targetDevice, source), scope);
    }

    /// <summary>The target device (sdX) of the disk a removal detaches: the one named, else the one with that source.</summary>
    private string LunTargetDevice(DomainState state, string? targetDevice, LunSource? source) =>
        targetDevice
        ?? LunRemovalPlanner.FindTargetBySource(state, source!, HostBlockDevices.IsLocalConnection(ConnectionUri) ? HostBlockDevices.Canonical : null)
        ?? throw Error.LunNotFoundBySource(state.Name, source!.ToString());

    /// <summary>The disk a LUN removal plan detaches, as the domain shows it before the change (for prompts and -PassThru).</summary>
    public ScsiDisk DiskToRemove(ChangePlan plan, string? targetDevice, LunSource? source)
    {
        var device = LunTargetDevice(plan.Domain, targetDevice, source);
        return Topology(plan.Domain).Disks.First(d => d.TargetDevice == device);
    }

    /// <summary>The controller a removal plan removes, as the domain shows it before the change (for prompts and -PassThru).</summary>
    public ScsiController ControllerToRemove(ChangePlan plan, int index) =>
        Topology(plan.Domain).Controllers.First(c => c.Index == index);

    /// <summary>The disks on a controller, which Remove-ScsiController -Force detaches first.</summary>
    public IReadOnlyList<ScsiDisk> DisksOn(ChangePlan plan, int index) =>
        Topology(plan.Domain).Disks.Where(d => d.Controller == index).ToArray();

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

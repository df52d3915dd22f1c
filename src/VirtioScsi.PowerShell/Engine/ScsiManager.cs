using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using VirtioScsi.Libvirt;
using VirtioScsi.Errors;
using VirtioScsi.Model;
using VirtioScsi.Planning;
using VirtioScsi.Virsh;

namespace VirtioScsi.Engine;

/// <summary>A name or wildcard pattern a user gave, with the matcher the caller compiled for it.</summary>
public sealed class NameFilter
{
    public NameFilter(string text, bool isWildcard, Func<string, bool> matches)
    {
        Text = text;
        IsWildcard = isWildcard;
        Matches = matches;
    }

    public string Text { get; }
    public bool IsWildcard { get; }
    public Func<string, bool> Matches { get; }
}

/// <summary>
/// The engine behind the cmdlets, bound to one libvirt connection: it reads domains, plans changes
/// (so -WhatIf can show them), and carries them out. No PowerShell types pass through it.
/// </summary>
public sealed class ScsiManager
{
    public ScsiManager(VirshRunner virsh)
    {
        Virsh = virsh;
        Reader = new DomainReader(virsh);
        Executor = new ChangeExecutor(virsh, Reader);
    }

    public VirshRunner Virsh { get; }
    public DomainReader Reader { get; }
    public ChangeExecutor Executor { get; }
    public string? ConnectionUri => Virsh.ConnectionUri;

    /// <summary>
    /// Reads the domains the filters select (all domains when there are none). A literal name that
    /// matches no domain comes back as a DomainNotFound result; a wildcard that matches none, as nothing.
    /// </summary>
    public IReadOnlyList<DomainReadResult> ReadDomains(IReadOnlyList<NameFilter> filters, bool persistentOnly, CancellationToken cancellationToken = default)
    {
        var list = Reader.List(cancellationToken);
        var selected = new List<string>();
        var missing = new List<DomainReadResult>();
        if (filters.Count == 0) selected.AddRange(list.All);
        foreach (var filter in filters)
        {
            var matched = list.All.Where(filter.Matches).ToArray();
            if (matched.Length == 0 && !filter.IsWildcard)
                missing.Add(new DomainReadResult(filter.Text, null, new VirtioScsiException(ErrorIds.DomainNotFound, ErrorKind.ObjectNotFound,
                    $"Domain '{filter.Text}' was not found{(ConnectionUri is null ? "" : " on " + ConnectionUri)}.", filter.Text,
                    "Check the name with Get-DomainScsiTopology or 'virsh list --all', and the connection URI.")));
            selected.AddRange(matched);
        }
        var names = selected.Distinct(StringComparer.Ordinal).ToArray();
        var read = Reader.Read(list, names, persistentOnly, cancellationToken);
        return missing.Concat(read).ToArray();
    }

    public DomainScsiTopology Topology(DomainState state) => TopologyBuilder.Build(state, ConnectionUri);

    public DomainState ReadDomain(string domain, CancellationToken cancellationToken = default) =>
        Reader.ReadForChange(domain, cancellationToken);

    public (ChangePlan Plan, int Index) PlanNewController(string domain, ControllerRequest request, bool live, bool config, CancellationToken cancellationToken = default)
    {
        var state = ReadDomain(domain, cancellationToken);
        return ControllerAttachPlanner.Plan(state, request, ChangeScope.Resolve(state, live, config));
    }

    public ScsiController ApplyNewController(ChangePlan plan, int index, CancellationToken cancellationToken = default)
    {
        var after = Executor.Execute(plan, readBack: true, cancellationToken)!;
        return Topology(after).Controllers.First(c => c.Index == index);
    }

    public LunAttachPlan PlanLunAttach(string domain, LunRequest request, bool live, bool config, CancellationToken cancellationToken = default)
    {
        var local = HostBlockDevices.IsLocalConnection(ConnectionUri);
        if (request.Source.Kind == LunSourceKind.Block && local) HostBlockDevices.CheckLunPath(request.Source.Path!, domain);
        var state = ReadDomain(domain, cancellationToken);
        return LunAttachPlanner.Plan(state, request, ChangeScope.Resolve(state, live, config),
            local ? HostBlockDevices.Canonical : null);
    }

    /// <summary>Attaches the planned LUN (or returns the one already there) as the domain now shows it.</summary>
    public ScsiDisk ApplyLunAttach(LunAttachPlan plan, CancellationToken cancellationToken = default)
    {
        var after = plan.Change.ChangesNothing ? plan.Change.Domain : Executor.Execute(plan.Change, readBack: true, cancellationToken)!;
        return Topology(after).Disks.First(d => d.TargetDevice == plan.TargetDevice);
    }

    public ChangePlan PlanLunRemoval(string domain, string? targetDevice, LunSource? source, bool live, bool config, CancellationToken cancellationToken = default)
    {
        var state = ReadDomain(domain, cancellationToken);
        var scope = ChangeScope.Resolve(state, live, config);
        if (targetDevice is null)
        {
            targetDevice = DetachPlanner.FindTargetBySource(state, source!, HostBlockDevices.IsLocalConnection(ConnectionUri) ? HostBlockDevices.Canonical : null);
            if (targetDevice is null)
                throw new VirtioScsiException(ErrorIds.LunNotFound, ErrorKind.ObjectNotFound,
                    $"Domain '{state.Name}' has no SCSI disk with source {source}.", state.Name, "List its LUNs with Get-DomainScsiTopology.");
        }
        return DetachPlanner.PlanLunRemoval(state, targetDevice, scope);
    }

    public ChangePlan PlanControllerRemoval(string domain, int index, bool force, bool live, bool config, CancellationToken cancellationToken = default)
    {
        var state = ReadDomain(domain, cancellationToken);
        return DetachPlanner.PlanControllerRemoval(state, index, ChangeScope.Resolve(state, live, config), force);
    }

    /// <summary>Carries out a removal plan, waiting (up to <paramref name="timeout"/>) for the guest to release live devices.</summary>
    public void ApplyRemoval(ChangePlan plan, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        Executor.RemovalTimeout = timeout;
        Executor.Execute(plan, readBack: false, cancellationToken);
    }
}

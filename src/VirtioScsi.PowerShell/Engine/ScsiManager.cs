using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using VirtioScsi.Errors;
using VirtioScsi.HostDevices;
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
internal sealed partial class ScsiManager : IDisposable
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

    private LunSourceIdentity? _identity;

    /// <summary>
    /// Which LUN a source names on this connection (<see cref="LunSourceIdentity"/>): host paths resolved
    /// where the libvirt host is this machine, portals by resolved address. The one identity for re-runs,
    /// detach by source and the shared-LUN guard.
    /// </summary>
    internal LunSourceIdentity Identity => _identity ??=
        new LunSourceIdentity(HostBlockDevices.IsLocalConnection(ConnectionUri) ? HostBlockDevices.Canonical : null);

    /// <summary>How many virsh processes this engine has started (the session and batching keep it low).</summary>
    public int ProcessesStarted => _virsh.ProcessesStarted;

    /// <summary>Lets go of any LUN lock still held and closes the virsh session, if one is open.</summary>
    public void Dispose()
    {
        ReleaseLuns();
        _virsh.Dispose();
    }

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
            try
            {
                InputValidation.DomainName(filter.Text);
            }
            catch (VirtioScsiException e)
            {
                missing.Add(new DomainReadResult(filter.Text, null, e));
                continue;
            }
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
            .Where(r => r.Error?.ErrorId != ErrorIds.DomainNotFound || literal.Contains(r.Name)).ToArray();
        WithHolders(list, read, persistentOnly, cancellationToken);
        return missing.Concat(read).ToArray();
    }

    /// <summary>
    /// The host's LUNs (libvirt's node devices; on a local connection also this machine's /dev, /sys and
    /// /proc). With <paramref name="readDomains"/>, every domain of the connection is read in the one batch
    /// <see cref="ReadDomains"/> makes, to say which hold each LUN; domains that could not be read come back
    /// as errors beside the LUNs (but for those undefined meanwhile, which hold nothing).
    /// </summary>
    public (IReadOnlyList<HostScsiLun> Luns, IReadOnlyList<VirtioScsiException> Errors) ListHostLuns(bool readDomains, CancellationToken cancellationToken = default)
    {
        var local = HostBlockDevices.IsLocalConnection(ConnectionUri);
        var luns = new HostLunReader(_virsh).List(local ? new HostBlockResolver() : null, cancellationToken);
        var read = readDomains ? ReadDomains(Array.Empty<NameFilter>(), persistentOnly: false, cancellationToken) : Array.Empty<DomainReadResult>();
        var built = HostScsiLunBuilder.Build(luns, read.Where(r => r.State is not null).Select(r => r.State!).ToArray(),
            ConnectionUri, Identity, local);
        // A domain undefined between the list and its read holds nothing any more: not an error of the listing.
        return (built, read.Where(r => r.Error is not null && r.Error.ErrorId != ErrorIds.DomainNotFound).Select(r => r.Error!).ToArray());
    }

    /// <summary>Add-PassthroughLun -Wwid: the host LUN the WWID names (one, multipathed or single-path, with a stable path).</summary>
    public HostScsiLun ResolveWwid(string wwid, CancellationToken cancellationToken = default) =>
        WwidResolver.Resolve(wwid, ListHostLuns(readDomains: false, cancellationToken).Luns, ConnectionUri,
            HostBlockDevices.IsLocalConnection(ConnectionUri));

    // Which LUN each block source is, read from this machine's sysfs (a few small files a disk, no virsh):
    // only where the connection's host is this machine.
    private SysfsLunIdentity? _sysfsIdentity;

    /// <param name="holders">Which other domains hold which sources, for each LUN's SharedWith (none when not read).</param>
    public DomainScsiTopology Topology(DomainState state, SourceHolders? holders = null) =>
        TopologyBuilder.Build(state, ConnectionUri,
            HostBlockDevices.IsLocalConnection(ConnectionUri) ? (_sysfsIdentity ??= new SysfsLunIdentity()).Identify : null, holders);

    /// <summary>Reads a domain to change it; a name that cannot round-trip through libvirt's XML is refused first.</summary>
    public DomainState ReadDomain(string domain, CancellationToken cancellationToken = default) =>
        Checked(domain, () => _reader.ReadForChange(domain, cancellationToken));

    /// <summary>The same read, with every domain of the connection listed in the same round trip (for the shared-LUN guard).</summary>
    private DomainState ReadDomain(string domain, out DomainList list, CancellationToken cancellationToken)
    {
        DomainList? listed = null;
        var state = Checked(domain, () => _reader.ReadForChange(domain, out listed, cancellationToken));
        list = listed!;
        return state;
    }

    private static DomainState Checked(string domain, Func<DomainState> read)
    {
        InputValidation.DomainName(domain);
        var state = read();
        // Found by UUID or id, a domain whose name has a control character still cannot be changed by name.
        InputValidation.DomainName(state.Name);
        return state;
    }

    /// <summary>
    /// The read a change is planned from (and -WhatIf shows): taken while no other change to the domain runs,
    /// so that it never sees one half done (a controller in the running domain but not yet in the persistent one).
    /// </summary>
    private DomainState ReadToPlan(string domain, CancellationToken cancellationToken) =>
        Settled(domain, () => ReadDomain(domain, cancellationToken), cancellationToken);

    /// <summary>The same read with the list of every domain (an attach's: the shared-LUN guard reads the others next).</summary>
    private DomainState ReadToPlan(string domain, out DomainList list, CancellationToken cancellationToken)
    {
        DomainList? listed = null;
        var state = Settled(domain, () => ReadDomain(domain, out listed, cancellationToken), cancellationToken);
        list = listed!;
        return state;
    }

    private DomainState Settled(string domain, Func<DomainState> read, CancellationToken cancellationToken)
    {
        // Checked before the name goes into a lock file's name.
        InputValidation.DomainName(domain);
        return DomainChanges.ReadSettled(ConnectionUri, domain, read, cancellationToken);
    }

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

    /// <summary>
    /// Plans a LUN attach, the shared-LUN guard included. The LUN's lock (<see cref="HoldLun"/>) is taken first
    /// and kept until <see cref="ApplyLunAttach"/> has finished or <see cref="ReleaseLuns"/> is called.
    /// </summary>
    public LunAttachPlan PlanLunAttach(string domain, LunRequest request, bool live, bool config, CancellationToken cancellationToken = default)
    {
        InputValidation.DomainName(domain);
        InputValidation.Source(request.Source);
        return PlanWithLunHeld(request.Source, () => PlanLunAttachHeld(domain, request, live, config, cancellationToken), cancellationToken);
    }

    private LunAttachPlan PlanLunAttachHeld(string domain, LunRequest request, bool live, bool config, CancellationToken cancellationToken)
    {
        if (request.Options.Sgio == "unfiltered") CheckUnfilteredSgio(domain, cancellationToken);
        var local = HostBlockDevices.IsLocalConnection(ConnectionUri);
        var hostWarnings = CheckHostPath(request, domain);
        var state = ReadToPlan(domain, out var list, cancellationToken);
        var plan = LunAttachPlanner.Plan(state, request, ChangeScope.Resolve(state, live, config), Identity);
        if (request.Source.Kind == LunSourceKind.Block && !local && plan.Existing is null)
        {
            // The device is on the far host: libvirt checks it there, and its words map to the same ErrorIds.
            var warnings = plan.Change.Warnings.Append(Error.PathNotCheckedRemotely(request.Source.Path!, ConnectionUri)).ToArray();
            plan = new LunAttachPlan(new ChangePlan(plan.Change.Domain, plan.Change.Scope, plan.Change.Steps, warnings),
                plan.TargetDevice, plan.Address, plan.NewControllerIndex, plan.Existing);
        }
        var guarded = GuardSharedUse(new[] { plan }, request, hostWarnings, list, cancellationToken)[0];
        // Planned again under the domain's lock from a fresh read; the other domains' holders stay as read here.
        return PlanAgain.Remember(guarded,
            fresh => LunAttachPlanner.Plan(fresh, request, ChangeScope.Resolve(fresh, live, config), Identity).WithGuards(NoWarnings, guarded.Holders));
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
    /// <remarks>Lets go of the LUN's lock when done: the next attach of it then sees this one.</remarks>
    public ScsiDisk ApplyLunAttach(LunAttachPlan plan, CancellationToken cancellationToken = default, Action<int, int, string>? stepStarting = null)
    {
        try
        {
            return ApplyLunAttachHeld(plan, cancellationToken, stepStarting);
        }
        finally
        {
            ReleaseLuns();
        }
    }

    private ScsiDisk ApplyLunAttachHeld(LunAttachPlan plan, CancellationToken cancellationToken, Action<int, int, string>? stepStarting)
    {
        if (plan.Change.ChangesNothing) return Topology(plan.Change.Domain, plan.Holders).Disks.First(d => d.TargetDevice == plan.TargetDevice);
        return DomainChanges.Run(ConnectionUri, plan.Change.Domain.Name, _reader, fresh => AttachLun(PlanAgain.From(plan, fresh), stepStarting, cancellationToken), cancellationToken);
    }

    /// <summary>One attempt of an attach, under the domain's lock: reported only once the read-back shows the LUN as planned.</summary>
    private ScsiDisk AttachLun(LunAttachPlan plan, Action<int, int, string>? stepStarting, CancellationToken cancellationToken)
    {
        var after = plan.Change.ChangesNothing ? plan.Change.Domain
            : _executor.Execute(plan.Change, readBack: true, AttachRemovalTimeout, stepStarting, cancellationToken, state => AttachCheck.Lun(plan, state))!;
        return Topology(after, plan.Holders).Disks.First(d => d.TargetDevice == plan.TargetDevice);
    }

    public ChangePlan PlanLunRemoval(string domain, string? targetDevice, LunSource? source, bool live, bool config, CancellationToken cancellationToken = default)
    {
        if (source is not null) InputValidation.Source(source);
        var state = ReadToPlan(domain, cancellationToken);
        return PlanAgain.Remember(PlanLunRemoval(state, targetDevice, source, live, config), fresh => PlanLunRemoval(fresh, targetDevice, source, live, config));
    }

    private ChangePlan PlanLunRemoval(DomainState state, string? targetDevice, LunSource? source, bool live, bool config)
    {
        var scope = ChangeScope.Resolve(state, live, config);
        return LunRemovalPlanner.Plan(state, LunTargetDevice(state, targetDevice, source), scope);
    }

    /// <summary>The target device (sdX) of the disk a removal detaches: the one named, else the one with that source.</summary>
    private string LunTargetDevice(DomainState state, string? targetDevice, LunSource? source) =>
        targetDevice
        ?? LunRemovalPlanner.FindTargetBySource(state, source!, Identity)
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

using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading;
using VirtioScsi.Engine;
using VirtioScsi.Model;
using VirtioScsi.Planning;
using VirtioScsi.Virsh;

namespace VirtioScsi.Bench;

/// <summary>
/// b. Adding a real iSCSI LUN (tgtd) to a running domain: the engine's PlanLunAttach + ApplyLunAttach
/// against a bare <c>virsh attach-device --live --config</c> of the XML the engine generated. The LUN is
/// detached (untimed) between runs, so every run attaches to the same empty domain.
/// </summary>
public sealed class LunBench
{
    private readonly Cli _cli;
    private readonly Fleet _fleet;
    private readonly Options _options;

    public LunBench(Cli cli, Fleet fleet, Options options)
    {
        _cli = cli;
        _fleet = fleet;
        _options = options;
    }

    public void Run(Report report)
    {
        Report.Section("b. Adding a LUN to a running domain");
        using var lun = BenchLun.Create(_cli, _fleet.WorkDir);
        var started = Stopwatch.StartNew();
        _fleet.DefineAndStartLive();
        var domain = _fleet.LiveName;
        Report.Line($"domain {domain} ({Fleet.DomainType}, i440fx, ACPI, virtio-scsi controller 0) defined and started in {Fmt.Ms(started.Elapsed.TotalMilliseconds)}");
        Report.Line($"LUN: tgtd target {lun.Tid} ({lun.Iqn}), LUN 1 backed by a 32 MiB sparse file, portal 127.0.0.1:{_cli.IscsiPort}");

        var source = LunSource.Iscsi("127.0.0.1", _cli.IscsiPort, lun.Iqn, 1);
        var xmlFile = Path.Combine(_fleet.WorkDir, "lun-device.xml");
        string? deviceXml = null;
        var engineProcesses = 0;
        string? targetDevice = null;
        var planParts = new List<double>();
        var applyParts = new List<double>();

        double EngineOnce()
        {
            // As a cmdlet runs it: one virsh session for the call, closed at its end (and timed).
            var runner = new VirshRunner(_cli.Uri) { KeepSessionOpen = true };
            var manager = new ScsiManager(runner);
            var stopwatch = Stopwatch.StartNew();
            var plan = manager.PlanLunAttach(domain, new LunRequest(source), live: false, config: false, _cli.Cancel);
            var planned = stopwatch.Elapsed.TotalMilliseconds;
            var disk = manager.ApplyLunAttach(plan, _cli.Cancel);
            runner.Dispose();
            stopwatch.Stop();
            planParts.Add(planned);
            applyParts.Add(stopwatch.Elapsed.TotalMilliseconds - planned);
            engineProcesses = manager.Virsh.ProcessesStarted;
            if (plan.Change.Steps.Count != 1 || !plan.Change.Scope.Live || !plan.Change.Scope.Config)
                throw new BenchFailure($"unexpected plan: {plan.Change.Steps.Count} steps, scope {plan.Change.Scope}");
            if (!disk.IsPassthrough || disk.Presence != DefinitionPresence.Both)
                throw new BenchFailure($"the attached disk is not a passthrough LUN in both definitions: {disk}");
            var xml = plan.Change.Steps[^1].XmlText;
            if (deviceXml is null)
            {
                deviceXml = xml;
                targetDevice = disk.TargetDevice;
                File.WriteAllText(xmlFile, deviceXml);
            }
            else if (xml != deviceXml) throw new BenchFailure("the engine planned a different device on a later run:\n" + xml);
            return stopwatch.Elapsed.TotalMilliseconds;
        }

        double BareOnce()
        {
            var result = _cli.TryVirsh("attach-device", "--domain", domain, "--file", xmlFile, "--live", "--config");
            if (result.ExitCode != 0) throw new BenchFailure("virsh attach-device failed: " + result.Stderr.Trim());
            return result.Ms;
        }

        var detaches = new List<double>();
        void Detach()
        {
            var result = _cli.TryVirsh("detach-device", "--domain", domain, "--file", xmlFile, "--live", "--config");
            if (result.ExitCode != 0) throw new BenchFailure("virsh detach-device failed: " + result.Stderr.Trim());
            detaches.Add(result.Ms);
            WaitUntilEmpty(domain);
        }

        // The same steps as the engine (read, plan, attach, read back, topology) through one kept-open
        // virsh: what the engine would take with a session runner instead of a process per batch.
        var sessionParts = new List<double[]>();
        double SessionOnce()
        {
            var stopwatch = Stopwatch.StartNew();
            var laps = new double[5];
            var session = new VirshSession(_cli);
            try
            {
                var state = ReadState(session, domain);
                laps[0] = stopwatch.Elapsed.TotalMilliseconds;
                var plan = LunAttachPlanner.Plan(state, new LunRequest(source), ChangeScope.Resolve(state, false, false));
                var file = Path.Combine(_fleet.WorkDir, "session-" + Guid.NewGuid().ToString("N") + ".xml");
                File.WriteAllText(file, plan.Change.Steps[^1].XmlText);
                laps[1] = stopwatch.Elapsed.TotalMilliseconds;
                session.Run($"attach-device --domain {Cli.Quote(domain)} --file {Cli.Quote(file)} --live --config");
                File.Delete(file);
                laps[2] = stopwatch.Elapsed.TotalMilliseconds;
                var after = DomainScsiTopology.Build(ReadState(session, domain), _cli.Uri);
                laps[3] = stopwatch.Elapsed.TotalMilliseconds;
                if (plan.Change.Steps[^1].XmlText != deviceXml || !after.Disks.Any(d => d.TargetDevice == plan.TargetDevice && d.IsPassthrough))
                    throw new BenchFailure("the session prototype attached something else than the engine");
            }
            finally
            {
                session.Dispose();
            }
            laps[4] = stopwatch.Elapsed.TotalMilliseconds;
            sessionParts.Add(new[] { laps[0], laps[1] - laps[0], laps[2] - laps[1], laps[3] - laps[2], laps[4] - laps[3] });
            return laps[4];
        }

        EngineOnce();
        Detach();
        BareOnce();
        Detach();
        SessionOnce();
        Detach();
        planParts.Clear();
        applyParts.Clear();
        sessionParts.Clear();
        var engine = new List<double>();
        var bare = new List<double>();
        var sessions = new List<double>();
        // The noisiest part (QEMU logs into the iSCSI target on every attach): twice the runs.
        var runs = 2 * _options.Runs;
        for (var i = 0; i < runs; i++)
        {
            engine.Add(EngineOnce());
            Detach();
            bare.Add(BareOnce());
            Detach();
            sessions.Add(SessionOnce());
            Detach();
        }
        var how = $"{runs} runs after 1 warm-up, alternating, LUN detached between runs";
        var engineSample = new Sample(engine, how);
        var bareSample = new Sample(bare, how);
        var sessionSample = new Sample(sessions, how);
        Report.Line($"engine  PlanLunAttach + ApplyLunAttach: {engineSample.Describe()}; {engineProcesses} virsh processes");
        Report.Line($"          of which PlanLunAttach (read in 1 process + plan) median {Fmt.Ms(Stats.Median(planParts))}, " +
                    $"ApplyLunAttach (attach + read-back in 1 process, parse, topology) median {Fmt.Ms(Stats.Median(applyParts))}");
        Report.Line($"bare    virsh attach-device --live --config: {bareSample.Describe()}; 1 virsh process");
        Report.Line($"(untimed) virsh detach-device between runs: median {Fmt.Ms(Stats.Median(detaches))}");
        Report.Line("device XML (from plan.Change.Steps[^1].XmlText), attached as " + targetDevice + ":");
        foreach (var line in deviceXml!.Split('\n')) Report.Line("    " + line.TrimEnd());

        // Where the engine's extra time goes: its read before planning, and the read-back after the attach.
        var runner = new VirshRunner(_cli.Uri);
        var reads = Stats.Repeat(1, _options.Runs, () =>
        {
            var stopwatch = Stopwatch.StartNew();
            runner.RunBatch(DomainReaderCommands(domain), _cli.Cancel);
            return stopwatch.Elapsed.TotalMilliseconds;
        });
        var readOne = Stats.Median(reads);
        var empty = Stats.Repeat(1, _options.Runs, () => _cli.TryVirsh("version").Ms);
        Report.Line($"engine overhead: extra {Fmt.Ms(engineSample.Median - bareSample.Median)}; one engine read (dominfo + 2 × dumpxml, 1 process) alone takes {Fmt.Ms(readOne)}, " +
                    $"an empty virsh process ('version') {Fmt.Ms(Stats.Median(empty))}");
        Report.Line("the engine reads the domain before planning (1 process) and reads it back in the attach's own process (3 more commands)");
        using (var session = new VirshSession(_cli))
        {
            ReadState(session, domain);
            var inSession = Stats.Repeat(0, _options.Runs, () =>
            {
                var stopwatch = Stopwatch.StartNew();
                ReadState(session, domain);
                return stopwatch.Elapsed.TotalMilliseconds;
            });
            SessionReadMs = Stats.Median(inSession);
        }
        Report.Line($"diagnostic: the same read inside an already open virsh takes {Fmt.Ms(SessionReadMs)} (with parsing)");
        Report.Line($"diagnostic: the engine's steps through one kept-open virsh (prototype, bench only): {sessionSample.Describe()}; " +
                    $"{Fmt.X(sessionSample.Median / bareSample.Median)} bare");
        double Part(int i) => Stats.Median(sessionParts.Select(p => p[i]).ToArray());
        Report.Line($"            its parts (medians): start virsh + read {Fmt.Ms(Part(0))}, plan + write file {Fmt.Ms(Part(1))}, attach-device {Fmt.Ms(Part(2))}, " +
                    $"read-back + topology {Fmt.Ms(Part(3))}, quit virsh {Fmt.Ms(Part(4))}");
        var noReadBack = Stats.Median(sessionParts.Select(p => p[0] + p[1] + p[2] + p[4]).ToArray());
        Report.Line($"            the same without the read-back (the result built from the plan instead): {Fmt.Ms(noReadBack)}, {Fmt.X(noReadBack / bareSample.Median)} bare (computed from the parts)");
        SessionMs = sessionSample.Median;
        SessionNoReadBackMs = noReadBack;

        var ratio = engineSample.Median / bareSample.Median;
        report.Check("b", "a LUN add ≤ 1.5× bare virsh attach-device", Fmt.X(ratio), ratio <= 1.5,
            $"engine {Fmt.Ms(engineSample.Median)}, bare {Fmt.Ms(bareSample.Median)}");
        report.Row("b. engine LUN add (iSCSI, running domain)", Fmt.Ms(engineSample.Median));
        report.Row("b. bare virsh attach-device", Fmt.Ms(bareSample.Median));
        report.Row("b. engine steps in one kept-open virsh (prototype)", $"{Fmt.Ms(sessionSample.Median)} ({Fmt.X(sessionSample.Median / bareSample.Median)} bare)");
        EngineMs = engineSample.Median;
        BareMs = bareSample.Median;
        ReadMs = readOne;
    }

    public double EngineMs { get; private set; }
    public double BareMs { get; private set; }
    public double ReadMs { get; private set; }
    public double SessionReadMs { get; private set; }
    public double SessionMs { get; private set; }
    public double SessionNoReadBackMs { get; private set; }

    /// <summary>Reads a domain as DomainReader.ReadForChange does (dominfo, dumpxml, dumpxml --inactive --security-info), through a session.</summary>
    private static DomainState ReadState(VirshSession session, string domain)
    {
        var q = Cli.Quote(domain);
        var info = session.Run("dominfo --domain " + q);
        var current = DomainDefinition.Parse(session.Run("dumpxml --domain " + q));
        var fields = info.Split('\n').Select(l => l.Split(':', 2)).Where(p => p.Length == 2)
            .GroupBy(p => p[0].Trim()).ToDictionary(g => g.Key, g => g.First()[1].Trim());
        var stateText = fields.GetValueOrDefault("State", "unknown");
        var persistent = fields.GetValueOrDefault("Persistent") == "yes";
        var active = stateText != "shut off";
        var config = persistent ? DomainDefinition.Parse(session.Run("dumpxml --inactive --security-info --domain " + q)) : null;
        return new DomainState(current.Name, active, persistent, stateText, active ? current : null, config);
    }

    private static IReadOnlyList<VirshCommand> DomainReaderCommands(string domain) => new[]
    {
        new VirshCommand("dominfo").Option("--domain", domain),
        new VirshCommand("dumpxml").Option("--domain", domain),
        new VirshCommand("dumpxml").Flag("--inactive").Flag("--security-info").Option("--domain", domain),
    };

    /// <summary>Waits until the domain has no disk left, live and persistent (a live detach can lag).</summary>
    private void WaitUntilEmpty(string domain)
    {
        var stopwatch = Stopwatch.StartNew();
        while (true)
        {
            var live = DomainDefinition.Parse(_cli.Virsh("dumpxml", "--domain", domain).Stdout);
            var config = DomainDefinition.Parse(_cli.Virsh("dumpxml", "--inactive", "--domain", domain).Stdout);
            if (live.Disks.Count == 0 && config.Disks.Count == 0) return;
            if (stopwatch.Elapsed > TimeSpan.FromSeconds(15)) throw new BenchFailure($"the LUN did not leave {domain} within 15 s");
            if (_cli.Cancel.WaitHandle.WaitOne(50)) _cli.Cancel.ThrowIfCancellationRequested();
        }
    }
}

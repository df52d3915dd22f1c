using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading;
using VirtioScsi.Libvirt;
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
            var manager = new ScsiManagerFactory(keepSessionOpen: true).Open(_cli.Uri);
            var stopwatch = Stopwatch.StartNew();
            var plan = manager.PlanLunAttach(domain, new LunRequest(source), live: false, config: false, _cli.Cancel);
            var planned = stopwatch.Elapsed.TotalMilliseconds;
            var disk = manager.ApplyLunAttach(plan, _cli.Cancel);
            manager.Dispose();
            stopwatch.Stop();
            planParts.Add(planned);
            applyParts.Add(stopwatch.Elapsed.TotalMilliseconds - planned);
            engineProcesses = manager.ProcessesStarted;
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

        EngineOnce();
        Detach();
        BareOnce();
        Detach();
        planParts.Clear();
        applyParts.Clear();
        var engine = new List<double>();
        var bare = new List<double>();
        // The noisiest part (QEMU logs into the iSCSI target on every attach): twice the runs.
        var runs = 2 * _options.Runs;
        for (var i = 0; i < runs; i++)
        {
            engine.Add(EngineOnce());
            Detach();
            bare.Add(BareOnce());
            Detach();
        }
        var how = $"{runs} runs after 1 warm-up, alternating, LUN detached between runs";
        var engineSample = new Sample(engine, how);
        var bareSample = new Sample(bare, how);
        Report.Line($"engine  PlanLunAttach + ApplyLunAttach: {engineSample.Describe()}; {engineProcesses} virsh process (its session)");
        Report.Line($"          of which PlanLunAttach (start virsh, read, plan) median {Fmt.Ms(Stats.Median(planParts))}, " +
                    $"ApplyLunAttach (attach + read-back in the session, parse, topology, close) median {Fmt.Ms(Stats.Median(applyParts))}");
        Report.Line($"bare    virsh attach-device --live --config: {bareSample.Describe()}; 1 virsh process");
        Report.Line($"(untimed) virsh detach-device between runs: median {Fmt.Ms(Stats.Median(detaches))}");
        Report.Line("device XML (from plan.Change.Steps[^1].XmlText), attached as " + targetDevice + ":");
        foreach (var line in deviceXml!.Split('\n')) Report.Line("    " + line.TrimEnd());

        // Where the engine's extra time goes: the read before planning, in a process of its own and inside one.
        var runner = new VirshProcessRunner(_cli.Uri);
        var reads = Stats.Repeat(1, _options.Runs, () =>
        {
            var stopwatch = Stopwatch.StartNew();
            runner.RunBatch(DomainReaderCommands(domain), _cli.Cancel);
            return stopwatch.Elapsed.TotalMilliseconds;
        });
        var readOne = Stats.Median(reads);
        var empty = Stats.Repeat(1, _options.Runs, () => _cli.TryVirsh("version").Ms);
        using (var session = new VirshSessionRunner(_cli.Uri))
        {
            session.RunBatch(DomainReaderCommands(domain), _cli.Cancel);
            SessionReadMs = Stats.Median(Stats.Repeat(0, _options.Runs, () =>
            {
                var stopwatch = Stopwatch.StartNew();
                session.RunBatch(DomainReaderCommands(domain), _cli.Cancel);
                return stopwatch.Elapsed.TotalMilliseconds;
            }));
        }
        Report.Line($"engine overhead: extra {Fmt.Ms(engineSample.Median - bareSample.Median)}; the engine's read (dominfo + 2 × dumpxml) takes {Fmt.Ms(readOne)} " +
                    $"in a virsh process of its own and {Fmt.Ms(SessionReadMs)} in an open session; an empty virsh process ('version') {Fmt.Ms(Stats.Median(empty))}");

        var ratio = engineSample.Median / bareSample.Median;
        report.Check("b", "a LUN add ≤ 1.5× bare virsh attach-device", Fmt.X(ratio), ratio <= 1.5,
            $"engine {Fmt.Ms(engineSample.Median)}, bare {Fmt.Ms(bareSample.Median)}");
        report.Row("b. engine LUN add (iSCSI, running domain)", Fmt.Ms(engineSample.Median));
        report.Row("b. bare virsh attach-device", Fmt.Ms(bareSample.Median));
        EngineMs = engineSample.Median;
        BareMs = bareSample.Median;
        ReadMs = readOne;
    }

    public double EngineMs { get; private set; }
    public double BareMs { get; private set; }
    public double ReadMs { get; private set; }
    public double SessionReadMs { get; private set; }

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

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
    private readonly string? _pwsh;
    private readonly string? _module;

    /// <param name="pwsh">The pwsh for the headline figures (the cmdlet, and its peers run from the same pwsh); null: engine only.</param>
    public LunBench(Cli cli, Fleet fleet, Options options, string? pwsh = null, string? module = null)
    {
        _cli = cli;
        _fleet = fleet;
        _options = options;
        _pwsh = pwsh;
        _module = module;
    }

    public void Run(Report report, string? noPwsh = null)
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
        report.Row("b. engine LUN add (iSCSI, running domain)", Fmt.Ms(engineSample.Median));
        report.Row("b. bare virsh attach-device (from the benchmark)", Fmt.Ms(bareSample.Median));
        report.Row("b. engine / bare virsh attach-device", Fmt.X(ratio));
        if (_pwsh is not null && _module is not null) Cmdlet(report, domain, lun, xmlFile, targetDevice!);
        else
        {
            report.NotMeasured("b", "Add-PassthroughLun ≤ 1.1× a bare virsh attach-device", noPwsh ?? "no pwsh");
            report.NotMeasured("b", "Add-PassthroughLun ≥ 5× faster than virt-xml", noPwsh ?? "no pwsh");
        }
        EngineMs = engineSample.Median;
        BareMs = bareSample.Median;
        ReadMs = readOne;
    }

    /// <summary>
    /// The headline: Add-PassthroughLun in a warm pwsh (its session open from earlier calls) against a bare
    /// 'virsh attach-device' of the same XML and against virt-xml, both started from the same pwsh.
    /// </summary>
    private void Cmdlet(Report report, string domain, BenchLun lun, string xmlFile, string targetDevice)
    {
        var virtXml = Proc.Which("virt-xml");
        var runs = 2 * _options.Runs;
        var peerRuns = Math.Max(3, _options.Runs / 2);
        // virt-xml's --disk names the same device the cmdlet makes (address, driver, target).
        var disk = $"type=network,device=lun,source.protocol=iscsi,source.name={lun.Iqn}/1,source.host0.name=127.0.0.1,source.host0.port={_cli.IscsiPort}," +
                   $"driver.name=qemu,driver.type=raw,driver.cache=none,target.dev={targetDevice},target.bus=scsi," +
                   "address.type=drive,address.controller=0,address.bus=0,address.target=0,address.unit=0";
        static string Ps(string text) => "'" + text.Replace("'", "''") + "'";
        var lines = new List<string>
        {
            $"$ErrorActionPreference = 'Stop'; $ProgressPreference = 'SilentlyContinue'; Import-Module {Ps(_module!)}",
            $"$u = {Ps(_cli.Uri)}; $d = {Ps(domain)}; $f = {Ps(xmlFile)}; $iqn = {Ps(lun.Iqn)}; $portal = {Ps("127.0.0.1:" + _cli.IscsiPort)}; $disk = {Ps(disk)}",
            "function Ms($t) { $t.TotalMilliseconds.ToString([cultureinfo]::InvariantCulture) }",
            "function Wait-Empty { $deadline = [DateTime]::UtcNow.AddSeconds(15)",
            "  while (((virsh -c $u dumpxml $d) -match '<disk') -or ((virsh -c $u dumpxml --inactive $d) -match '<disk')) {",
            "    if ([DateTime]::UtcNow -gt $deadline) { throw 'the LUN did not leave the domain' }; Start-Sleep -Milliseconds 50 } }",
            "function Detach { $out = virsh -c $u detach-device --domain $d --file $f --live --config 2>&1; if ($LASTEXITCODE) { throw \"detach: $out\" }; Wait-Empty }",
            "function Cmdlet { $null = Add-PassthroughLun $d -ConnectionUri $u -IscsiPortal $portal -IscsiTarget $iqn -IscsiLun 1 }",
            "function Bare { $out = virsh -c $u attach-device --domain $d --file $f --live --config 2>&1; if ($LASTEXITCODE) { throw \"virsh: $out\" } }",
            "function VirtXml { $out = virt-xml --connect $u $d --add-device --disk $disk --update 2>&1; if ($LASTEXITCODE) { throw \"virt-xml: $out\" } }",
            "Cmdlet; Detach; Bare; Detach" + (virtXml is null ? "" : "; VirtXml; Detach"),
            $"foreach ($i in 1..{runs}) {{",
            "  $t = Measure-Command { Cmdlet }; 'B-CMDLET ' + (Ms $t); Detach",
            "  $t = Measure-Command { Bare }; 'B-BARE ' + (Ms $t); Detach",
            virtXml is null ? "" : $"  if ($i -le {peerRuns}) {{ $t = Measure-Command {{ VirtXml }}; 'B-VIRTXML ' + (Ms $t); Detach }}",
            "}",
        };
        var output = PwshBench.RunScript(_pwsh!, string.Join("\n", lines), _cli.Cancel);
        double[] Values(string key) => System.Text.RegularExpressions.Regex.Matches(output, "^" + key + @" (\S+)\r?$", System.Text.RegularExpressions.RegexOptions.Multiline)
            .Select(m => double.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        var how = $"{runs} runs alternating in one pwsh after 1 warm-up each, the LUN detached between (untimed)";
        var cmdlet = new Sample(Values("B-CMDLET"), how);
        var bare = new Sample(Values("B-BARE"), how);
        Report.Line($"Add-PassthroughLun in pwsh (session open from earlier calls): {cmdlet.Describe()}");
        Report.Line($"virsh attach-device of the same XML, from the same pwsh:      {bare.Describe()}");
        var ratio = cmdlet.Median / bare.Median;
        report.Check("b", "Add-PassthroughLun ≤ 1.1× a bare virsh attach-device", Fmt.X(ratio), ratio <= 1.1,
            $"cmdlet {Fmt.Ms(cmdlet.Median)}, bare {Fmt.Ms(bare.Median)} (both from one warm pwsh)");
        report.Row("b. Add-PassthroughLun (cmdlet, warm pwsh)", Fmt.Ms(cmdlet.Median));
        if (virtXml is null)
        {
            Report.Line("virt-xml: not installed (apt install virtinst; bench/run.sh installs it as root)");
            report.NotMeasured("b", "Add-PassthroughLun ≥ 5× faster than virt-xml", "virt-xml is not installed");
            return;
        }
        var peer = new Sample(Values("B-VIRTXML"), $"{peerRuns} runs in the same rounds");
        Report.Line($"virt-xml DOMAIN --add-device --disk … --update, same pwsh:  {peer.Describe()}");
        var faster = peer.Median / cmdlet.Median;
        report.Check("b", "Add-PassthroughLun ≥ 5× faster than virt-xml", Fmt.X(faster), faster >= 5,
            $"virt-xml {Fmt.Ms(peer.Median)}, cmdlet {Fmt.Ms(cmdlet.Median)}");
        report.Row("b. virt-xml --add-device --disk … --update", Fmt.Ms(peer.Median));
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

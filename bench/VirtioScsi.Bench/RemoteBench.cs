using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace VirtioScsi.Bench;

/// <summary>
/// f. Other hosts over qemu+ssh (the second host of .ci/setup-remote.sh: a qemu:///session daemon behind an
/// sshd on 127.0.0.1-9:12222), through the cmdlets in one pwsh:
/// f1. N separate Add-PassthroughLun calls against one virsh process doing the same N attaches;
/// f2. the topology of 8 hosts (8 distinct URIs, one daemon) in one Get-DomainScsiTopology call against
///     the slowest of the 8 read alone.
/// </summary>
public sealed class RemoteBench
{
    public const int Attaches = 20;
    public const int Hosts = 8;
    public const int DomainsPerHost = 10;

    private readonly Cli _local;
    private readonly Options _options;
    private readonly string _pwsh;
    private readonly string _module;
    private readonly string _workDir;

    public RemoteBench(Cli local, Options options, string pwsh, string module, string workDir)
    {
        _local = local;
        _options = options;
        _pwsh = pwsh;
        _module = module;
        _workDir = workDir;
    }

    /// <summary>The same daemon reached as another loopback address: a distinct URI, a distinct connection.</summary>
    public static string OnAddress(string uri, int lastOctet) => Regex.Replace(uri, @"@127\.0\.0\.\d+:", $"@127.0.0.{lastOctet}:");

    public void Run(Report report)
    {
        Report.Section("f. Other hosts over qemu+ssh (cmdlets in one pwsh)");
        var remote = new Cli(_options.RemoteUri, _local.Cancel);
        var answer = remote.TryVirsh("uri");
        if (answer.ExitCode != 0)
        {
            var why = $"the second host does not answer ({_options.RemoteUri}: {answer.Stderr.Trim().Truncate(200)}); run .ci/setup-remote.sh as root";
            Report.Line("skipped: " + why);
            report.NotMeasured("f", $"{Attaches} separate Add-PassthroughLun calls over ssh ≤ 1.5× one virsh session doing the same {Attaches} attaches", why);
            report.NotMeasured("f", $"topology of {Hosts} hosts in one call ≤ 1.5× the slowest single host", why);
            return;
        }
        var fleet = new Fleet(remote, _workDir);
        var uris = Enumerable.Range(1, Hosts).Select(k => OnAddress(_options.RemoteUri, k)).ToArray();
        try
        {
            fleet.SweepStale();
            using var lun = BenchLun.Create(_local, _workDir, Attaches);
            var domain = DefineRunning(remote, fleet);
            DefineInactive(remote, fleet, DomainsPerHost);
            Report.Line($"host {_options.RemoteUri} (libvirt's qemu:///session of another user, behind sshd); {Hosts} URIs for it: 127.0.0.1-{Hosts}");
            Report.Line($"domain {domain} (qemu, running, virtio-scsi controller 0); tgtd target {lun.Tid} with LUNs 1-{Attaches}; " +
                        $"{DomainsPerHost} inactive domains {fleet.Prefix}r-* for the topology reads");
            Attach(report, remote, domain, lun);
            var silent = uris.Where(u => !Listens(u)).ToArray();
            if (silent.Length == 0) Topology(report, uris, fleet.Prefix + "r-*");
            else
            {
                var why = $"nothing listens at {string.Join(", ", silent.Select(u => Regex.Match(u, @"@([^/]+)/").Groups[1].Value))}: " +
                          "run .ci/setup-remote.sh (which makes the sshd listen on 127.0.0.2-9 too) as root";
                Report.Line("topology of 8 hosts skipped: " + why);
                report.NotMeasured("f", $"topology of {Hosts} hosts in one call ≤ 1.5× the slowest single host", why);
            }
        }
        finally
        {
            var (removed, left) = fleet.Cleanup();
            Report.Line($"removed {removed} domain(s) from the second host" + (left > 0 ? $"; {left} could NOT be removed" : ""));
        }
    }

    private void Attach(Report report, Cli remote, string domain, BenchLun lun)
    {
        // The same devices the cmdlet makes (it is asked for units 0-19 on controller 0, names sda-sdt).
        var files = new List<string>();
        for (var i = 0; i < Attaches; i++)
        {
            var file = Path.Combine(_workDir, $"remote-lun-{i}.xml");
            File.WriteAllText(file, LunXml(lun.Iqn, i + 1, i));
            files.Add(file);
        }
        // The handshake's time varies most on a busy machine: 5 rounds at least.
        var rounds = Math.Max(5, _options.Runs / 2);
        var script = Prologue() +
            $"$u = {Ps(_options.RemoteUri)}; $d = {Ps(domain)}; $iqn = {Ps(lun.Iqn)}; $portal = {Ps("127.0.0.1:" + _local.IscsiPort)}; $n = {Attaches}\n" +
            $"$files = @({string.Join(", ", files.Select(Ps))})\n" +
            // One virsh process, one connection, the N attaches as one argument: what a script gets at best.
            "$raw = ($files | ForEach-Object { \"attach-device --domain '$d' --file '$_' --live --config\" }) -join ' ; '\n" +
            "$detach = ((1..$n) | ForEach-Object { \"detach-disk --domain '$d' --target sd$([char](96 + $_)) --live --config\" }) -join ' ; '\n" +
            // Waiting through the module's open session: a virsh process per look would pay the handshake each time.
            "function Wait-Empty { $deadline = [DateTime]::UtcNow.AddSeconds(30)\n" +
            "  while ((Get-DomainScsiTopology $d -ConnectionUri $u).Disks.Count -gt 0) {\n" +
            "    if ([DateTime]::UtcNow -gt $deadline) { throw 'the LUNs did not leave the domain' }; Start-Sleep -Milliseconds 50 } }\n" +
            "function Reset-Domain { $null = virsh -c $u $detach 2>&1; Wait-Empty }\n" +
            "function Cmdlets { 1..$n | ForEach-Object { $null = Add-PassthroughLun $d -ConnectionUri $u -IscsiPortal $portal -IscsiTarget $iqn -IscsiLun $_ -Controller 0 } }\n" +
            "function Raw { $out = virsh -c $u $raw 2>&1; if ($LASTEXITCODE -ne 0) { throw \"virsh: $out\" } }\n" +
            // The same attaches by a script as careful as the cmdlet: before each, the reads the cmdlet makes (the domain
            // and the list, the other domains for the shared-LUN guard, the domain again under the lock), after it the read-back.
            "$others = @(virsh -c $u list --all --name | Where-Object { $_ -and $_ -ne $d })\n" +
            "$read = \"domstate --domain '$d' ; list --all --name --persistent ; list --name ; dumpxml --domain '$d' ; dumpxml --inactive --security-info --domain '$d'\"\n" +
            "$guard = ($others | ForEach-Object { \"dumpxml --domain '$_'\" }) -join ' ; '\n" +
            "$safe = ($files | ForEach-Object { \"$read ; $(if ($guard) { \"$guard ; \" })$read ; attach-device --domain '$d' --file '$_' --live --config ; dumpxml --domain '$d' ; dumpxml --inactive --domain '$d'\" }) -join ' ; '\n" +
            "function Safe { $null = virsh -c $u $safe 2>&1; if ($LASTEXITCODE -ne 0) { throw 'virsh failed in the careful script' } }\n" +
            "function Count { ([regex]::Matches((virsh -c $u dumpxml $d) -join \"`n\", \"device='lun'\")).Count }\n" +
            // Warm-up, and a check that both variants really attach all N.
            "Cmdlets; if ((Count) -ne $n) { throw \"the cmdlets attached $(Count) LUNs, not $n\" }; Reset-Domain\n" +
            "Raw; if ((Count) -ne $n) { throw \"virsh attached $(Count) LUNs, not $n\" }; Reset-Domain\n" +
            $"foreach ($i in 1..{rounds}) {{\n" +
            // Cold: the session closed first, so the N calls pay the ssh handshake once, as a runbook's first calls do.
            "  Disconnect-VirshSession; $t = Measure-Command { Cmdlets }; 'F1-COLD ' + (Ms $t); Reset-Domain\n" +
            "  $t = Measure-Command { Raw }; 'F1-RAW ' + (Ms $t); Reset-Domain\n" +
            "  $t = Measure-Command { Safe }; 'F1-SAFE ' + (Ms $t); Reset-Domain\n" +
            "  $t = Measure-Command { Cmdlets }; 'F1-WARM ' + (Ms $t); Reset-Domain\n" +
            "  $t = Measure-Command { $null = virsh -c $u uri }; 'F1-HANDSHAKE ' + (Ms $t)\n" +
            "}\n";
        var output = PwshBench.RunScript(_pwsh, script, _local.Cancel);
        var cold = new Sample(Values(output, "F1-COLD"), $"{rounds} rounds alternating, after 1 warm-up each; the LUNs detached between (untimed)");
        var raw = new Sample(Values(output, "F1-RAW"), cold.How);
        var warm = new Sample(Values(output, "F1-WARM"), cold.How);
        var safe = new Sample(Values(output, "F1-SAFE"), cold.How);
        var handshake = Stats.Median(Values(output, "F1-HANDSHAKE"));
        Report.Line($"{Attaches} × Add-PassthroughLun, session closed before the first (pays the handshake once): {cold.Describe()}; {Fmt.Ms(cold.Median / Attaches)} per call");
        Report.Line($"{Attaches} × Add-PassthroughLun, session already open (warm):                 {warm.Describe()}; {Fmt.Ms(warm.Median / Attaches)} per call");
        Report.Line($"one virsh process, {Attaches} × attach-device in one argument:                {raw.Describe()}");
        Report.Line($"one virsh process, the same {Attaches} attaches with the reads the cmdlet makes around each: {safe.Describe()}");
        Report.Line($"an empty 'virsh -c URI uri' over ssh (start, handshake, virt-ssh-helper): median {Fmt.Ms(handshake)}");
        Report.Line("each Add-PassthroughLun reads the domain with the list (domstate, 2 × list, 2 × dumpxml), every other domain (the shared-LUN guard), " +
                    "the domain again under its lock, attaches, and reads it back (2 × dumpxml), all in the open session");
        Report.Line($"the cmdlets against the careful script: {Fmt.X(cold.Median / safe.Median)} (what the module adds to the virsh work its safety needs)");
        var ratio = cold.Median / raw.Median;
        report.Check("f", $"{Attaches} separate Add-PassthroughLun calls over ssh ≤ 1.5× one virsh session doing the same {Attaches} attaches",
            Fmt.X(ratio), ratio <= 1.5, $"cmdlets {Fmt.Ms(cold.Median)} (warm session: {Fmt.Ms(warm.Median)}, {Fmt.X(warm.Median / raw.Median)}), one virsh {Fmt.Ms(raw.Median)}");
        report.Row($"f. {Attaches} × Add-PassthroughLun over ssh (warm session)", Fmt.Ms(warm.Median));
        report.Row($"f. one virsh doing {Attaches} attaches over ssh", Fmt.Ms(raw.Median));
        report.Row($"f. one virsh doing them with the cmdlet's reads (guard included)", Fmt.Ms(safe.Median));
        report.Row($"f. {Attaches} × Add-PassthroughLun over ssh / that careful virsh", Fmt.X(cold.Median / safe.Median));
    }

    private void Topology(Report report, IReadOnlyList<string> uris, string pattern)
    {
        var rounds = Math.Max(3, _options.Runs);
        var script = Prologue() +
            $"$uris = @({string.Join(", ", uris.Select(Ps))}); $pattern = {Ps(pattern)}; $expected = {Hosts * DomainsPerHost}\n" +
            // Warm: every URI's session open, as in a runbook after its first call to each host.
            "$all = Get-DomainScsiTopology $pattern -ConnectionUri $uris\n" +
            "if (@($all).Count -ne $expected -or @($all.ConnectionUri | Select-Object -Unique).Count -ne $uris.Count) { throw \"read $(@($all).Count) topologies, not $expected\" }\n" +
            "foreach ($uri in $uris) { $null = Get-DomainScsiTopology $pattern -ConnectionUri $uri }\n" +
            // The CPU of the whole machine (every process: pwsh, virsh, ssh, sshd, virt-ssh-helper, libvirtd) around each call,
            // from /proc/stat's first line (user + nice + system, in clock ticks of 10 ms): what the cores allow the 8-host call.
            "function Cpu { $f = (Get-Content /proc/stat -TotalCount 1) -split '\\s+'; ([long]$f[1] + [long]$f[2] + [long]$f[3]) * 10 }\n" +
            "$cpuAll = 0; $cpuOne = 0\n" +
            $"foreach ($i in 1..{rounds}) {{\n" +
            "  $c = Cpu; $t = Measure-Command { $null = Get-DomainScsiTopology $pattern -ConnectionUri $uris }; $cpuAll += (Cpu) - $c; 'F2-ALL ' + (Ms $t)\n" +
            "  for ($k = 0; $k -lt $uris.Count; $k++) { $c = Cpu; $t = Measure-Command { $null = Get-DomainScsiTopology $pattern -ConnectionUri $uris[$k] }; $cpuOne += (Cpu) - $c; \"F2-ONE-$k \" + (Ms $t) }\n" +
            "}\n" +
            $"'F2-CPU-ALL ' + ($cpuAll / {rounds}); 'F2-CPU-ONE ' + ($cpuOne / ({rounds} * $uris.Count))\n" +
            "Disconnect-VirshSession; $t = Measure-Command { $null = Get-DomainScsiTopology $pattern -ConnectionUri $uris }; 'F2-ALL-COLD ' + (Ms $t)\n" +
            "Disconnect-VirshSession; $t = Measure-Command { $null = Get-DomainScsiTopology $pattern -ConnectionUri $uris[0] }; 'F2-ONE-COLD ' + (Ms $t)\n";
        var output = PwshBench.RunScript(_pwsh, script, _local.Cancel);
        var how = $"{rounds} rounds, the {Hosts}-host call and each single host in turn, sessions open (warm)";
        var all = new Sample(Values(output, "F2-ALL"), how);
        var singles = Enumerable.Range(0, uris.Count).Select(k => new Sample(Values(output, $"F2-ONE-{k}"), how)).ToArray();
        var slowest = singles.Max(s => s.Median);
        var sum = singles.Sum(s => s.Median);
        Report.Line($"Get-DomainScsiTopology over {Hosts} URIs in one call ({Hosts} × {DomainsPerHost} domains): {all.Describe()}");
        Report.Line($"each host alone: medians {string.Join(", ", singles.Select(s => Fmt.Ms(s.Median)))}; slowest {Fmt.Ms(slowest)}, " +
                    $"all {Hosts} one after another {Fmt.Ms(sum)}");
        Report.Line($"cold (sessions closed first, {Hosts} ssh handshakes at once): {Hosts} hosts {Fmt.Ms(Values(output, "F2-ALL-COLD")[0])}, " +
                    $"one host {Fmt.Ms(Values(output, "F2-ONE-COLD")[0])} (1 run each)");
        Report.Line($"on {Environment.ProcessorCount} cores the {Hosts} reads share the CPU with the {Hosts} sshd/virt-ssh-helper pairs and the one daemon they all reach");
        // What the machine allows: the 8 reads need the CPU they need, and the cores give it at most this fast.
        var cpuAll = Values(output, "F2-CPU-ALL")[0];
        var cpuOne = Values(output, "F2-CPU-ONE")[0];
        var floor = cpuAll / Environment.ProcessorCount;
        Report.Line($"CPU of the whole machine (all processes, /proc/stat, mean): {Fmt.Ms(cpuAll)} per {Hosts}-host call, {Fmt.Ms(cpuOne)} per single-host call; " +
                    $"on {Environment.ProcessorCount} cores the {Hosts}-host call cannot take less than {Fmt.Ms(floor)}, {Fmt.X(floor / slowest)} the slowest host " +
                    "(here the sshd, virt-ssh-helper and daemon of all 8 \"hosts\" run on this machine too; on real hosts their share runs there)");
        var ratio = all.Median / slowest;
        report.Check("f", $"topology of {Hosts} hosts in one call ≤ 1.5× the slowest single host", Fmt.X(ratio), ratio <= 1.5,
            $"{Hosts} hosts {Fmt.Ms(all.Median)}, slowest alone {Fmt.Ms(slowest)}, in sequence {Fmt.Ms(sum)} ({Fmt.X(sum / all.Median)} the parallel call)");
        report.Row($"f. topology of {Hosts} hosts in one call (warm)", Fmt.Ms(all.Median));
        report.Row("f. topology of the slowest host alone (warm)", Fmt.Ms(slowest));
        report.Row($"f. CPU floor of the {Hosts}-host call on {Environment.ProcessorCount} cores / slowest host", Fmt.X(floor / slowest));
    }

    /// <summary>True when something accepts TCP connections at the URI's host and port (the sshd).</summary>
    private static bool Listens(string uri)
    {
        var match = Regex.Match(uri, @"@([0-9.]+):(\d+)/");
        if (!match.Success) return true;
        using var client = new System.Net.Sockets.TcpClient();
        try
        {
            return client.ConnectAsync(match.Groups[1].Value, int.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture)).Wait(TimeSpan.FromSeconds(2));
        }
        catch (AggregateException)
        {
            return false;
        }
    }

    private string Prologue() =>
        $"$ErrorActionPreference = 'Stop'; $ProgressPreference = 'SilentlyContinue'; Import-Module {Ps(_module)}\n" +
        "function Ms($t) { $t.TotalMilliseconds.ToString([cultureinfo]::InvariantCulture) }\n";

    /// <summary>The benchmark's running domain (empty but for virtio-scsi controller 0, ACPI), emulated: the session daemon's user has no /dev/kvm.</summary>
    private static string DefineRunning(Cli remote, Fleet fleet)
    {
        var xml = fleet.LiveXml();
        xml.Root!.SetAttributeValue("type", "qemu");
        var name = fleet.LiveName;
        var file = Path.GetTempFileName();
        try
        {
            xml.Save(file);
            remote.Virsh("define", "--file", file);
            remote.Virsh("start", "--domain", name);
        }
        finally
        {
            File.Delete(file);
        }
        return name;
    }

    private static void DefineInactive(Cli remote, Fleet fleet, int count)
    {
        var commands = new List<string>();
        var files = new List<string>();
        for (var i = 0; i < count; i++)
        {
            var name = $"{fleet.Prefix}r-{i:D2}";
            var xml = fleet.InactiveXml(name, remote.IscsiPort);
            // The session daemon's user has no /dev/kvm: its domains are emulated.
            xml.Root!.SetAttributeValue("type", "qemu");
            var file = Path.Combine(fleet.WorkDir, name + ".xml");
            xml.Save(file);
            files.Add(file);
            commands.Add("define --file " + Cli.Quote(file));
        }
        var result = remote.Script(commands);
        foreach (var file in files) File.Delete(file);
        var errors = Fleet.ErrorLines(result.Stderr);
        if (errors.Count > 0) throw new BenchFailure("defining the remote domains failed: " + errors[0]);
    }

    /// <summary>The disk Add-PassthroughLun writes for an iSCSI LUN at controller 0, unit <paramref name="unit"/>.</summary>
    private string LunXml(string iqn, int lun, int unit) =>
        new XElement("disk", new XAttribute("type", "network"), new XAttribute("device", "lun"),
            new XElement("driver", new XAttribute("name", "qemu"), new XAttribute("type", "raw"), new XAttribute("cache", "none")),
            new XElement("source", new XAttribute("protocol", "iscsi"), new XAttribute("name", $"{iqn}/{lun}"),
                new XElement("host", new XAttribute("name", "127.0.0.1"), new XAttribute("port", _local.IscsiPort))),
            new XElement("target", new XAttribute("dev", "sd" + (char)('a' + unit)), new XAttribute("bus", "scsi")),
            new XElement("address", new XAttribute("type", "drive"), new XAttribute("controller", 0), new XAttribute("bus", 0),
                new XAttribute("target", 0), new XAttribute("unit", unit))).ToString();

    private static double[] Values(string output, string key)
    {
        var values = Regex.Matches(output, "^" + Regex.Escape(key) + @" (\S+)\r?$", RegexOptions.Multiline)
            .Select(m => double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)).ToArray();
        if (values.Length == 0) throw new BenchFailure($"pwsh printed no {key} line: {output.Truncate(400)}");
        return values;
    }

    private static string Ps(string text) => "'" + text.Replace("'", "''") + "'";
}

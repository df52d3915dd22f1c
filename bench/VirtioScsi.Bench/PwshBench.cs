using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;

namespace VirtioScsi.Bench;

/// <summary>
/// e. The module in PowerShell: Import-Module in fresh pwsh processes (timed inside pwsh with
/// Measure-Command), and Get-DomainScsiTopology over the N domains through the cmdlet.
/// </summary>
public sealed class PwshBench
{
    private readonly Cli _cli;
    private readonly Fleet _fleet;
    private readonly Options _options;
    private readonly string _pwsh;
    private readonly string _module;

    private static readonly Dictionary<string, string> PwshEnvironment = new()
    {
        // No update check or telemetry: this machine has no network for them, and they add noise.
        ["POWERSHELL_UPDATECHECK"] = "Off",
        ["POWERSHELL_TELEMETRY_OPTOUT"] = "1",
    };

    public PwshBench(Cli cli, Fleet fleet, Options options, string pwsh, string module)
    {
        _cli = cli;
        _fleet = fleet;
        _options = options;
        _pwsh = pwsh;
        _module = module;
    }

    public Sample? Import { get; private set; }
    public Sample? Cmdlet { get; private set; }

    public void Run(Report report, TopologyBench? topology)
    {
        var engineTopology = topology?.Engine;
        Report.Section("e. The module in PowerShell");
        var version = RunPwsh("$PSVersionTable.PSVersion.ToString()").Trim();
        Report.Line($"pwsh {version} at {_pwsh}; module {_module}");

        var manifest = PsQuote(_module);
        var walls = new List<double>();
        double ImportOnce(string path)
        {
            var result = Proc.Run(_pwsh, new[] { "-NoProfile", "-NonInteractive", "-Command",
                $"$ErrorActionPreference = 'Stop'; $t = Measure-Command {{ Import-Module {path} }}; " +
                "'IMPORT-MS ' + $t.TotalMilliseconds.ToString([cultureinfo]::InvariantCulture)" }, _cli.Cancel, TimeSpan.FromMinutes(2), PwshEnvironment);
            if (result.ExitCode != 0) throw new BenchFailure("Import-Module failed in pwsh: " + (result.Stderr + result.Stdout).Trim().Truncate(500));
            walls.Add(result.Ms);
            return Number(result.Stdout, "IMPORT-MS");
        }

        ImportOnce(manifest);
        Import = new Sample(Enumerable.Range(0, _options.Runs).Select(_ => ImportOnce(manifest)).ToArray(),
            $"{_options.Runs} fresh pwsh -NoProfile processes after 1 warm-up");
        var wall = Stats.Median(walls.Skip(1).ToArray());

        // The fixed cost of a first Import-Module in a fresh pwsh, with a module that has nothing in it.
        var emptyDir = Path.Combine(_fleet.WorkDir, "EmptyModule");
        Directory.CreateDirectory(emptyDir);
        File.WriteAllText(Path.Combine(emptyDir, "EmptyModule.psd1"), "@{ ModuleVersion = '1.0'; GUID = '0b9d8e1c-0000-4000-8000-000000000001' }\n");
        var emptyRuns = Math.Max(3, _options.Runs / 2);
        walls.Clear();
        ImportOnce(PsQuote(Path.Combine(emptyDir, "EmptyModule.psd1")));
        var empty = new Sample(Enumerable.Range(0, emptyRuns).Select(_ => ImportOnce(PsQuote(Path.Combine(emptyDir, "EmptyModule.psd1")))).ToArray(), $"{emptyRuns} runs");
        Report.Line($"Import-Module (inside pwsh, Measure-Command): {Import.Describe()}");
        Report.Line($"             a whole 'pwsh -NoProfile -Command Import-Module …' process takes {Fmt.Ms(wall)} (median, wall clock)");
        Report.Line($"             for comparison, Import-Module of an empty manifest module in a fresh pwsh: median {Fmt.Ms(empty.Median)}");

        // Get-DomainScsiTopology over the N domains, in one pwsh: warm-up call, then timed calls.
        var pattern = PsQuote(_fleet.Prefix + "*");
        var script = $"$ErrorActionPreference = 'Stop'; Import-Module {manifest}; " +
                     $"$null = Get-DomainScsiTopology {pattern} -ConnectionUri {PsQuote(_cli.Uri)}; " +
                     $"foreach ($i in 1..{_options.Runs}) {{ " +
                     $"$t = Measure-Command {{ $script:r = Get-DomainScsiTopology {pattern} -ConnectionUri {PsQuote(_cli.Uri)} }}; " +
                     "'CMDLET-MS ' + $t.TotalMilliseconds.ToString([cultureinfo]::InvariantCulture) }; " +
                     "'COUNT ' + @($script:r).Count; 'LUNS ' + @($script:r | ForEach-Object { $_.Disks } | Where-Object IsPassthrough).Count";
        var output = RunPwsh(script);
        var times = Regex.Matches(output, @"^CMDLET-MS (\S+)", RegexOptions.Multiline).Select(m => double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)).ToArray();
        var count = (int)Number(output, "COUNT");
        var luns = (int)Number(output, "LUNS");
        if (count != _fleet.Names.Count || luns != count * Fleet.LunsPerDomain)
            throw new BenchFailure($"Get-DomainScsiTopology returned {count} domains with {luns} passthrough LUNs; expected {_fleet.Names.Count} and {_fleet.Names.Count * Fleet.LunsPerDomain}");
        Cmdlet = new Sample(times, $"{times.Length} calls in one pwsh after 1 warm-up call");
        Report.Line($"Get-DomainScsiTopology '{_fleet.Prefix}*' ({count} domains): {Cmdlet.Describe()}" +
                    (engineTopology is null ? "" : $"; {Fmt.X(Cmdlet.Median / engineTopology.Median)} the engine's own read"));

        report.Check("e", "Import-Module < 150 ms", Fmt.Ms(Import.Median), Import.Median < 150,
            $"empty module {Fmt.Ms(empty.Median)}; whole pwsh process {Fmt.Ms(wall)}");
        report.Row($"e. Get-DomainScsiTopology, {count} domains (cmdlet)", Fmt.Ms(Cmdlet.Median));
        if (topology?.Raw is null || topology.PerProcess is null) return;
        var vsRaw = Cmdlet.Median / topology.Raw.Median;
        var vsPerProcess = topology.PerProcess.Median / Cmdlet.Median;
        Report.Line($"cmdlet / one raw virsh call (part a) = {Fmt.X(vsRaw)}; a process per domain (part a) / cmdlet = {Fmt.X(vsPerProcess)}");
        // The issue states these targets for 1,000 domains only: at another N they are figures, not targets
        // (at 100, the fixed cost of two virsh processes weighs ten times more, and a process per domain is only ≈ 14× slower).
        if (count == 1000)
        {
            report.Check("a", "topology of 1,000 domains through the cmdlet ≤ 1.3× one raw batched virsh call", Fmt.X(vsRaw), vsRaw <= 1.3,
                $"cmdlet {Fmt.Ms(Cmdlet.Median)} (warm pwsh), raw {Fmt.Ms(topology.Raw.Median)}");
            report.Check("a", "topology of 1,000 domains through the cmdlet ≥ 20× faster than a process per domain", Fmt.X(vsPerProcess), vsPerProcess >= 20,
                $"per-process {Fmt.Ms(topology.PerProcess.Median)}, cmdlet {Fmt.Ms(Cmdlet.Median)}");
        }
        else
        {
            report.Row($"a. cmdlet topology / one raw virsh call, {count} domains (target stated for 1,000)", Fmt.X(vsRaw));
            report.Row($"a. a process per domain / cmdlet topology, {count} domains (target stated for 1,000)", Fmt.X(vsPerProcess));
        }
    }

    private string RunPwsh(string script) => RunScript(_pwsh, script, _cli.Cancel);

    /// <summary>Runs a script in a fresh pwsh (-NoProfile); its output, or a failure with what it said.</summary>
    public static string RunScript(string pwsh, string script, System.Threading.CancellationToken cancel)
    {
        var result = Proc.Run(pwsh, new[] { "-NoProfile", "-NonInteractive", "-Command", script }, cancel, TimeSpan.FromMinutes(5), PwshEnvironment);
        if (result.ExitCode != 0) throw new BenchFailure("pwsh failed: " + (result.Stderr + result.Stdout).Trim().Truncate(800));
        return result.Stdout;
    }

    private static double Number(string output, string key)
    {
        var match = Regex.Match(output, "^" + key + @" (\S+)", RegexOptions.Multiline);
        if (!match.Success) throw new BenchFailure($"pwsh printed no {key} line: {output.Truncate(300)}");
        return double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
    }

    private static string PsQuote(string text) => "'" + text.Replace("'", "''") + "'";

    /// <summary>The given pwsh (bench/run.sh passes the toolchain's), else pwsh on PATH, else null.</summary>
    public static string? Find(string? given)
    {
        if (!string.IsNullOrEmpty(given)) return File.Exists(given) ? given : null;
        return Proc.Which("pwsh");
    }
}

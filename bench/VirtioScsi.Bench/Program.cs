using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Runtime;
using System.Runtime.InteropServices;
using System.Threading;

namespace VirtioScsi.Bench;

public sealed class Options
{
    public int Domains { get; set; } = 1000;
    public int Runs { get; set; } = 7;
    public int? PerProcessRuns { get; set; }
    public int MicroRuns { get; set; } = 200;
    public string Uri { get; set; } = "qemu:///system";
    public string RemoteUri { get; set; } = Environment.GetEnvironmentVariable("VIRTIOSCSI_REMOTE_URI") ?? "qemu+ssh://virtioscsi-remote@127.0.0.1:12222/session";
    public string? Module { get; set; }
    public string? Pwsh { get; set; }
    public bool NoPwsh { get; set; }
    /// <summary>The parts to run (a, b, c, e, f; d, the memory report, always comes).</summary>
    public string Only { get; set; } = "abcef";
    public bool Has(char part) => Only.Contains(part);

    public const string Usage = @"VirtioScsi benchmark against the live libvirt (see bench/README.md).

  --domains N            inactive domains to define and read (default 1000; CI uses 100)
  --runs R               measured runs of each fast variant, after 1 warm-up (default 7; the LUN add runs twice as many)
  --per-process-runs K   full runs of the process-per-domain variant (default 3 for N <= 200, else 1)
  --micro-runs M         timed calls of the pure planning measurements (default 200)
  --uri URI              libvirt connection (default qemu:///system)
  --remote-uri URI       the second host for part f (default $VIRTIOSCSI_REMOTE_URI, else
                         qemu+ssh://virtioscsi-remote@127.0.0.1:12222/session, from .ci/setup-remote.sh)
  --module PSD1          the built module manifest for the pwsh measurements (run.sh passes it)
  --pwsh PATH            pwsh to use (run.sh passes the toolchain's; default: pwsh on PATH)
  --no-pwsh              skip the pwsh measurements
  --only PARTS           run only these parts, e.g. 'c' or 'ab' (default abcef; d always)

Exit code 0 when the benchmark ran, whether or not its targets were met; 2 when libvirt or tgtd
cannot be reached; 1 when the benchmark itself failed; 130 when stopped.";

    public static Options Parse(string[] args)
    {
        var options = new Options();
        for (var i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            int Positive()
            {
                var name = args[i];
                var text = Value();
                return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0
                    ? n : throw new ArgumentException($"{name} takes a positive whole number, not '{text}'");
            }
            switch (args[i])
            {
                case "--domains": options.Domains = Positive(); break;
                case "--runs": options.Runs = Positive(); break;
                case "--per-process-runs": options.PerProcessRuns = Positive(); break;
                case "--micro-runs": options.MicroRuns = Positive(); break;
                case "--uri": options.Uri = Value(); break;
                case "--remote-uri": options.RemoteUri = Value(); break;
                case "--module": options.Module = Value(); break;
                case "--pwsh": options.Pwsh = Value(); break;
                case "--no-pwsh": options.NoPwsh = true; break;
                case "--only":
                    options.Only = Value();
                    if (options.Only.Length == 0 || options.Only.Any(c => "abcef".IndexOf(c) < 0))
                        throw new ArgumentException($"--only takes letters from 'abcef', not '{options.Only}'");
                    break;
                case "-h" or "--help": throw new HelpRequested();
                default: throw new ArgumentException($"unknown argument '{args[i]}'");
            }
        }
        return options;
    }
}

public sealed class HelpRequested : Exception { }

public static class Program
{
    public static int Main(string[] args)
    {
        Options options;
        try
        {
            options = Options.Parse(args);
        }
        catch (HelpRequested)
        {
            Console.WriteLine(Options.Usage);
            return 0;
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine("vsbench: " + e.Message);
            Console.Error.WriteLine(Options.Usage);
            return 64;
        }

        using var stop = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            if (stop.IsCancellationRequested) return; // a second Ctrl+C ends the process at once
            e.Cancel = true;
            Console.Error.WriteLine("\nvsbench: stopping; removing the benchmark's domains and LUN (Ctrl+C again to abandon the cleanup)");
            stop.Cancel();
        };
        using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.Cancel(); });
        using var hup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, c => { c.Cancel = true; stop.Cancel(); });

        var total = Stopwatch.StartNew();
        var workDir = Path.Combine(Path.GetTempPath(), $"vsbench-{Environment.ProcessId}");
        Cli cli;
        try
        {
            cli = new Cli(options.Uri, stop.Token);
        }
        catch (BenchFailure e)
        {
            Console.Error.WriteLine("vsbench: " + e.Message);
            return e.ExitCode;
        }
        Fleet? fleet = null;
        var exit = 0;
        try
        {
            var daemon = CheckStack(cli);
            Header(options, cli, daemon);
            Directory.CreateDirectory(workDir);
            fleet = new Fleet(cli, workDir);
            exit = Run(options, cli, fleet);
        }
        catch (Exception) when (stop.IsCancellationRequested)
        {
            // Stopped: whatever failed after the signal (virsh children get Ctrl+C too) is part of stopping.
            Console.Error.WriteLine("vsbench: stopped");
            exit = 130;
        }
        catch (BenchFailure e)
        {
            Console.Error.WriteLine("vsbench: the benchmark failed: " + e.Message);
            exit = e.ExitCode;
        }
        catch (Exception e)
        {
            Console.Error.WriteLine("vsbench: the benchmark failed: " + e);
            exit = 1;
        }
        finally
        {
            if (fleet is not null)
            {
                var cleanup = Stopwatch.StartNew();
                var (removed, left) = fleet.Cleanup();
                Console.WriteLine();
                Console.WriteLine($"Cleanup: removed {removed} benchmark domain(s) in {Fmt.Ms(cleanup.Elapsed.TotalMilliseconds)}" +
                                  (left > 0 ? $"; {left} could NOT be removed (names start with {fleet.Prefix})" : "") +
                                  $". Whole run: {Fmt.Ms(total.Elapsed.TotalMilliseconds)}.");
                if (left != 0 && exit == 0) exit = 1;
            }
            try { Directory.Delete(workDir, true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
        return exit;
    }

    private static int Run(Options options, Cli cli, Fleet fleet)
    {
        var report = new Report();
        var peaks = new System.Collections.Generic.List<(string, long)>();
        void Peak(string after)
        {
            using var self = Process.GetCurrentProcess();
            peaks.Add((after, self.PeakWorkingSet64));
        }

        var staleDomains = fleet.SweepStale();
        var staleTargets = BenchLun.SweepStale(cli);
        foreach (var dir in Directory.GetDirectories(Path.GetTempPath(), "vsbench-*"))
        {
            var pid = Path.GetFileName(dir).Substring("vsbench-".Length);
            if (pid.All(char.IsAsciiDigit) && pid != Environment.ProcessId.ToString() && !Directory.Exists("/proc/" + pid))
            {
                try { Directory.Delete(dir, true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            }
        }
        if (staleDomains + staleTargets > 0)
            Console.WriteLine($"Removed leftovers of earlier, killed runs: {staleDomains} domain(s), {staleTargets} tgtd target(s).");

        if (options.Has('a') || options.Has('e'))
        {
            Report.Section("Setup");
            var (defineMs, defineProcesses) = fleet.DefineInactive(options.Domains);
            Report.Line($"defined {options.Domains} inactive domains ({fleet.Prefix}…; lsi 0, virtio-scsi 1 and 2, {Fleet.LunsPerDomain} iSCSI LUNs each) " +
                        $"in {Fmt.Ms(defineMs)} with {defineProcesses} virsh process{(defineProcesses > 1 ? "es" : "")} ('define --file F ; …')");
            Peak("setup");
        }

        TopologyBench? topology = null;
        if (options.Has('a'))
        {
            topology = new TopologyBench(cli, fleet, options);
            topology.Run(report);
            Peak("a (topology)");
        }

        // The headline figures are the cmdlets in pwsh; without one, only the engine's are measured.
        var pwsh = options.NoPwsh ? null : PwshBench.Find(options.Pwsh);
        var module = options.Module ?? FindModule();
        var noPwsh = options.NoPwsh ? "--no-pwsh given"
            : pwsh is null ? "no pwsh (give --pwsh, or put one on PATH)"
            : module is null || !File.Exists(module) ? $"module manifest not found ({module ?? "bench/.out or out/"}): build it with bench/run.sh or ./build.ps1"
            : null;
        if (noPwsh is null) module = Path.GetFullPath(module!);

        if (options.Has('e'))
        {
            if (noPwsh is null)
            {
                new PwshBench(cli, fleet, options, pwsh!, module!).Run(report, topology);
                Peak("e (pwsh; child processes not counted)");
            }
            else
            {
                Report.Section("e. The module in PowerShell");
                Report.Line("skipped: " + noPwsh);
                report.NotMeasured("e", "Import-Module < 150 ms", noPwsh);
            }
        }

        if (options.Has('b'))
        {
            new LunBench(cli, fleet, options, noPwsh is null ? pwsh : null, module).Run(report, noPwsh);
            Peak("b (LUN add)");
        }

        if (options.Has('f'))
        {
            if (noPwsh is null)
            {
                new RemoteBench(cli, options, pwsh!, module!, fleet.WorkDir).Run(report);
            }
            else
            {
                Report.Section("f. Other hosts over qemu+ssh");
                Report.Line("skipped: " + noPwsh);
                report.NotMeasured("f", "remote targets", noPwsh);
            }
        }

        if (options.Has('c'))
        {
            new PlanningBench(options).Run(report);
            Peak("c (planning)");
        }

        Memory(report, peaks);
        Console.WriteLine();
        Console.WriteLine($"load average at the end: {LoadAverage()}");

        report.PrintTargets();
        report.PrintSummary();
        return 0;
    }

    private static void Memory(Report report, System.Collections.Generic.List<(string After, long Bytes)> peaks)
    {
        Report.Section("d. Memory of the benchmark process");
        using var self = Process.GetCurrentProcess();
        var gc = GC.GetGCMemoryInfo();
        Report.Line($"peak working set {Fmt.MiB(self.PeakWorkingSet64)} (VmHWM), now {Fmt.MiB(self.WorkingSet64)}");
        Report.Line("peak working set after each part: " + string.Join("; ", peaks.Select(p => $"{p.After} {Fmt.MiB(p.Bytes)}")));
        Report.Line($"GC: {(GCSettings.IsServerGC ? "server" : "workstation")}; heap now {Fmt.MiB(gc.HeapSizeBytes)}, committed {Fmt.MiB(gc.TotalCommittedBytes)}; " +
                    $"{Fmt.MiB(GC.GetTotalAllocatedBytes())} allocated in all; collections gen0 {GC.CollectionCount(0)}, gen1 {GC.CollectionCount(1)}, gen2 {GC.CollectionCount(2)}; " +
                    $"total GC pause {Fmt.Ms(GC.GetTotalPauseDuration().TotalMilliseconds)}");
        report.Row("d. peak working set of the benchmark", Fmt.MiB(self.PeakWorkingSet64));
    }

    /// <summary>libvirtd and tgtd must answer; otherwise there is nothing to measure (exit 2).</summary>
    private static string CheckStack(Cli cli)
    {
        var version = cli.TryVirsh("version", "--daemon");
        if (version.ExitCode != 0)
            throw new BenchFailure($"libvirt does not answer on {cli.Uri}: {version.Stderr.Trim()} (run .ci/setup-stack.sh as root)", 2);
        var tgt = cli.TryTgt("--mode", "system", "--op", "show");
        if (tgt.ExitCode != 0)
            throw new BenchFailure($"tgtd does not answer on control port {cli.TgtControlPort}: {tgt.Stderr.Trim()} (run .ci/setup-stack.sh as root)", 2);
        return version.Stdout;
    }

    private static void Header(Options options, Cli cli, string daemonVersion)
    {
        string Grab(string text, string key) => text.Split('\n').FirstOrDefault(l => l.StartsWith(key, StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "?";
        var cpu = File.Exists("/proc/cpuinfo") ? Grab(File.ReadAllText("/proc/cpuinfo"), "model name") : "?";
        Console.WriteLine("VirtioScsi benchmark, " + DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture));
        Console.WriteLine($"machine: {Environment.ProcessorCount} cores ({cpu}), {Fmt.MiB(GC.GetGCMemoryInfo().TotalAvailableMemoryBytes)} memory, {RuntimeInformation.OSDescription}");
        Console.WriteLine($"stack: {RuntimeInformation.FrameworkDescription}; libvirt {Grab(daemonVersion, "Running against daemon")} on {cli.Uri}, " +
                          $"{Grab(daemonVersion, "Running hypervisor")}; virsh {cli.VirshPath}; tgtd control port {cli.TgtControlPort}, portal 127.0.0.1:{cli.IscsiPort}");
        Console.WriteLine($"load average at start: {LoadAverage()} (other work on the machine skews the figures; the medians damp, not remove, that)");
        Console.WriteLine($"N = {options.Domains} domains; {options.Runs} measured runs of each fast variant after warm-up (each line says how); times are medians unless said otherwise");
    }

    public static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "?";

    /// <summary>The module run.sh staged (bench/.out), else the one build.ps1 made (out/).</summary>
    private static string? FindModule()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (!File.Exists(Path.Combine(dir.FullName, "VirtioScsi.psd1")) || !Directory.Exists(Path.Combine(dir.FullName, "bench"))) continue;
            foreach (var root in new[] { Path.Combine(dir.FullName, "bench/.out/module/VirtioScsi"), Path.Combine(dir.FullName, "out/VirtioScsi") })
            {
                if (!Directory.Exists(root)) continue;
                var manifest = Directory.GetDirectories(root).Select(d => Path.Combine(d, "VirtioScsi.psd1")).FirstOrDefault(File.Exists);
                if (manifest is not null) return manifest;
            }
            return null;
        }
        return null;
    }
}

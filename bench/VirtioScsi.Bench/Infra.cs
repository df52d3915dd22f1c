using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading;

namespace VirtioScsi.Bench;

/// <summary>The benchmark itself could not run (stack missing, a setup step failed): exit non-zero.</summary>
public sealed class BenchFailure : Exception
{
    public BenchFailure(string message, int exitCode = 1) : base(message) => ExitCode = exitCode;
    public int ExitCode { get; }
}

public sealed record ProcResult(int ExitCode, string Stdout, string Stderr, double Ms);

/// <summary>Starts a program with an argument list (never a shell) and times it from start to exit.</summary>
public static class Proc
{
    public static ProcResult Run(string program, IEnumerable<string> arguments, CancellationToken cancel,
        TimeSpan? timeout = null, IDictionary<string, string>? environment = null)
    {
        var startInfo = new ProcessStartInfo(program)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Utf8,
            StandardErrorEncoding = Utf8,
        };
        foreach (var argument in arguments) startInfo.ArgumentList.Add(argument);
        startInfo.Environment["LC_ALL"] = "C.UTF-8";
        if (environment is not null)
        {
            foreach (var (key, value) in environment) startInfo.Environment[key] = value;
        }

        cancel.ThrowIfCancellationRequested();
        var stopwatch = Stopwatch.StartNew();
        using var process = Process.Start(startInfo) ?? throw new BenchFailure($"{program} could not be started");
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        limit.CancelAfter(timeout ?? TimeSpan.FromMinutes(5));
        try
        {
            process.WaitForExitAsync(limit.Token).GetAwaiter().GetResult();
        }
        catch (OperationCanceledException)
        {
            try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            process.WaitForExit(5000);
            if (cancel.IsCancellationRequested) throw;
            throw new BenchFailure($"{program} {string.Join(' ', arguments).Truncate(200)} did not finish within {(timeout ?? TimeSpan.FromMinutes(5)).TotalSeconds:0} s");
        }
        var output = stdout.GetAwaiter().GetResult();
        var error = stderr.GetAwaiter().GetResult();
        stopwatch.Stop();
        return new ProcResult(process.ExitCode, output, error, stopwatch.Elapsed.TotalMilliseconds);
    }

    /// <summary>The first executable of that name on PATH, or null.</summary>
    public static string? Which(string name)
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(dir, name);
            if (File.Exists(candidate)) return candidate;
        }
        return null;
    }

    public static string Truncate(this string text, int length) => text.Length <= length ? text : text.Substring(0, length) + "…";

    private static readonly Encoding Utf8 = new UTF8Encoding(false);
}

/// <summary>The benchmark's own path to virsh and tgtadm, independent of the module's runner.</summary>
public sealed class Cli
{
    // Linux refuses one argv string over 128 KiB (MAX_ARG_STRLEN): scripts are cut below that.
    public const int MaxScript = 96 * 1024;

    public Cli(string uri, CancellationToken cancel)
    {
        Uri = uri;
        Cancel = cancel;
        VirshPath = Proc.Which("virsh") ?? throw new BenchFailure("virsh is not on PATH (apt install libvirt-clients)", 2);
    }

    public string Uri { get; }
    public string VirshPath { get; }
    public CancellationToken Cancel { get; }
    public string TgtControlPort { get; } = Environment.GetEnvironmentVariable("VIRTIOSCSI_TGT_CONTROL_PORT") ?? "13";
    public int IscsiPort { get; } = int.TryParse(Environment.GetEnvironmentVariable("VIRTIOSCSI_ISCSI_PORT"), out var p) ? p : 13260;

    public static string Quote(string value) => "'" + value.Replace("'", "'\\''") + "'";

    /// <summary>One virsh process for one command; its result, whatever the exit code.</summary>
    public ProcResult TryVirsh(CancellationToken cancel, params string[] arguments) =>
        Proc.Run(VirshPath, new[] { "--connect", Uri }.Concat(arguments), cancel);

    public ProcResult TryVirsh(params string[] arguments) => TryVirsh(Cancel, arguments);

    public ProcResult Virsh(params string[] arguments)
    {
        var result = TryVirsh(arguments);
        if (result.ExitCode != 0)
            throw new BenchFailure($"virsh {string.Join(' ', arguments).Truncate(200)} failed: {result.Stderr.Trim()}");
        return result;
    }

    /// <summary>
    /// Many virsh commands (already in virsh syntax) joined with ' ; ' into as few arguments, and so
    /// processes, as the argument limit allows. virsh runs every command whatever the others did; the
    /// result joins their outputs and the time is the processes' wall time.
    /// </summary>
    public ProcResult Script(IReadOnlyList<string> commands, CancellationToken? cancel = null)
    {
        var outputs = new StringBuilder();
        var errors = new StringBuilder();
        var ms = 0.0;
        var exit = 0;
        foreach (var chunk in Chunks(commands))
        {
            var result = Proc.Run(VirshPath, new[] { "--connect", Uri, string.Join(" ; ", chunk) }, cancel ?? Cancel, TimeSpan.FromMinutes(10));
            outputs.Append(result.Stdout);
            errors.Append(result.Stderr);
            ms += result.Ms;
            if (result.ExitCode != 0) exit = result.ExitCode;
        }
        return new ProcResult(exit, outputs.ToString(), errors.ToString(), ms);
    }

    public static int ProcessCount(IReadOnlyList<string> commands) => Chunks(commands).Count();

    private static IEnumerable<List<string>> Chunks(IReadOnlyList<string> commands)
    {
        var chunk = new List<string>();
        var length = 0;
        foreach (var command in commands)
        {
            if (chunk.Count > 0 && length + command.Length + 3 > MaxScript)
            {
                yield return chunk;
                chunk = new List<string>();
                length = 0;
            }
            chunk.Add(command);
            length += command.Length + 3;
        }
        if (chunk.Count > 0) yield return chunk;
    }

    public string Tgt(params string[] arguments)
    {
        var result = TryTgt(arguments);
        if (result.ExitCode != 0) throw new BenchFailure($"tgtadm {string.Join(' ', arguments)} failed: {result.Stderr.Trim()}");
        return result.Stdout;
    }

    public ProcResult TryTgt(params string[] arguments) =>
        Proc.Run("tgtadm", new[] { "-C", TgtControlPort, "--lld", "iscsi" }.Concat(arguments), CancellationToken.None, TimeSpan.FromSeconds(60));
}

/// <summary>A set of timings in milliseconds, with what they stand for.</summary>
public sealed class Sample
{
    public Sample(IEnumerable<double> ms, string how)
    {
        Values = ms.ToArray();
        if (Values.Length == 0) throw new ArgumentException("no values");
        How = how;
    }

    public double[] Values { get; }
    /// <summary>How it was measured, e.g. "5 runs after 1 warm-up".</summary>
    public string How { get; }
    public int Count => Values.Length;
    public double Median => Stats.Median(Values);
    public double Min => Values.Min();
    public double Max => Values.Max();
    public double Mean => Values.Average();
    public double Percentile(double p)
    {
        var sorted = Values.OrderBy(v => v).ToArray();
        return sorted[Math.Min(sorted.Length - 1, (int)Math.Floor(p * sorted.Length))];
    }

    public string Describe() => Count == 1
        ? $"{Fmt.Ms(Median)} ({How})"
        : $"median {Fmt.Ms(Median)} (min {Fmt.Ms(Min)}, max {Fmt.Ms(Max)}; {How})";
}

public static class Stats
{
    /// <summary>Runs <paramref name="timed"/> <paramref name="warmups"/> times untimed, then <paramref name="runs"/> times; returns those timings.</summary>
    public static double[] Repeat(int warmups, int runs, Func<double> timed)
    {
        for (var i = 0; i < warmups; i++) timed();
        var values = new double[runs];
        for (var i = 0; i < runs; i++) values[i] = timed();
        return values;
    }

    public static double Median(IReadOnlyCollection<double> values)
    {
        var sorted = values.OrderBy(v => v).ToArray();
        var mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    /// <summary>
    /// Times a pure, fast action: warms it up (at least <paramref name="minWarmups"/> calls and
    /// <paramref name="warmupMs"/> of calls, so the JIT has reached its optimized tier), then times
    /// <paramref name="runs"/> calls one by one.
    /// </summary>
    public static Sample Micro(Action action, int runs, int minWarmups = 50, double warmupMs = 500)
    {
        var warm = Stopwatch.StartNew();
        var calls = 0;
        while (calls < minWarmups || warm.Elapsed.TotalMilliseconds < warmupMs)
        {
            action();
            calls++;
        }
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var values = new double[runs];
        for (var i = 0; i < runs; i++)
        {
            var sw = Stopwatch.StartNew();
            action();
            values[i] = sw.Elapsed.TotalMilliseconds;
        }
        return new Sample(values, $"{runs} calls after {calls} warm-up calls");
    }
}

public static class Fmt
{
    public static string Ms(double ms) => ms switch
    {
        < 1 => ms.ToString("0.000", CultureInfo.InvariantCulture) + " ms",
        < 10 => ms.ToString("0.00", CultureInfo.InvariantCulture) + " ms",
        < 1000 => ms.ToString("0.0", CultureInfo.InvariantCulture) + " ms",
        _ => (ms / 1000).ToString("0.00", CultureInfo.InvariantCulture) + " s",
    };

    public static string X(double ratio) => ratio.ToString(ratio < 10 ? "0.00" : "0.0", CultureInfo.InvariantCulture) + "×";
    public static string MiB(long bytes) => (bytes / 1024.0 / 1024.0).ToString("0.0", CultureInfo.InvariantCulture) + " MiB";
    public static string N(double value, string format = "0.##") => value.ToString(format, CultureInfo.InvariantCulture);
}


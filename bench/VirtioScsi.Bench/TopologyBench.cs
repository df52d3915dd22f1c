using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using VirtioScsi.Libvirt;
using VirtioScsi.Engine;
using VirtioScsi.Model;
using VirtioScsi.Virsh;

namespace VirtioScsi.Bench;

/// <summary>
/// a. The topology of N domains: the engine (ReadDomains + Topology) against a virsh process per domain
/// and against one raw virsh process running all N dumpxml commands (the limit).
/// </summary>
public sealed class TopologyBench
{
    private readonly Cli _cli;
    private readonly Fleet _fleet;
    private readonly Options _options;

    public TopologyBench(Cli cli, Fleet fleet, Options options)
    {
        _cli = cli;
        _fleet = fleet;
        _options = options;
    }

    public Sample? Engine { get; private set; }
    public Sample? Raw { get; private set; }
    public Sample? PerProcess { get; private set; }

    public void Run(Report report)
    {
        var n = _fleet.Names.Count;
        Report.Section($"a. Topology of {n} domains");
        var prefix = _fleet.Prefix;
        var filter = new NameFilter(prefix + "*", true, name => name.StartsWith(prefix, StringComparison.Ordinal));
        int processes = 0;
        long allocated = 0;
        var gcPauses = new List<double>();
        var readParts = new List<double>();
        var gen2 = new List<int>();

        double EngineOnce()
        {
            // As a cmdlet runs it: one virsh session for the call, closed at its end (and timed).
            var manager = new ScsiManagerFactory(keepSessionOpen: true).Open(_cli.Uri);
            var before = GC.GetTotalAllocatedBytes(precise: true);
            var pauseBefore = GC.GetTotalPauseDuration();
            var gen2Before = GC.CollectionCount(2);
            var stopwatch = Stopwatch.StartNew();
            var results = manager.ReadDomains(new[] { filter }, false, _cli.Cancel);
            readParts.Add(stopwatch.Elapsed.TotalMilliseconds);
            var topologies = new List<DomainScsiTopology>(results.Count);
            foreach (var result in results)
            {
                if (result.Error is not null) throw new BenchFailure($"the engine could not read {result.Name}: {result.Error.Message}");
                topologies.Add(manager.Topology(result.State!));
            }
            manager.Dispose();
            stopwatch.Stop();
            allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
            gcPauses.Add((GC.GetTotalPauseDuration() - pauseBefore).TotalMilliseconds);
            gen2.Add(GC.CollectionCount(2) - gen2Before);
            processes = manager.ProcessesStarted;
            if (topologies.Count != n || topologies.Any(t => t.Controllers.Count != 3 || t.Disks.Count != Fleet.LunsPerDomain || t.Disks.Any(d => !d.IsPassthrough)))
                throw new BenchFailure($"the engine's topology is not what was defined ({topologies.Count} domains)");
            return stopwatch.Elapsed.TotalMilliseconds;
        }

        var dumpCommands = _fleet.Names.Select(name => "dumpxml --domain " + Cli.Quote(name)).ToArray();
        var rawProcesses = Cli.ProcessCount(dumpCommands);
        string rawOutput = "";
        double RawOnce()
        {
            var result = _cli.Script(dumpCommands);
            if (result.ExitCode != 0 || Fleet.ErrorLines(result.Stderr).Count > 0) throw new BenchFailure("the raw dumpxml batch failed: " + result.Stderr.Trim().Truncate(300));
            rawOutput = result.Stdout;
            return result.Ms;
        }

        // Engine and raw call alternate, so drift on the host affects both alike.
        // The first engine read is the cold figure (JIT included), as one cmdlet call in a fresh pwsh meets it.
        // Then the engine warms up for at least 1.5 s, so .NET's tiered JIT has settled on optimized code
        // (at small N a couple of runs leave the XML parsing at tier 0, several times slower).
        var coldMs = EngineOnce();
        RawOnce();
        var warm = Stopwatch.StartNew();
        var warmups = 1;
        while (warmups < 2 || warm.Elapsed.TotalMilliseconds < 1500)
        {
            EngineOnce();
            warmups++;
        }
        RawOnce();
        gcPauses.Clear();
        gen2.Clear();
        readParts.Clear();
        var engine = new List<double>();
        var raw = new List<double>();
        for (var i = 0; i < _options.Runs; i++)
        {
            engine.Add(EngineOnce());
            raw.Add(RawOnce());
        }
        var how = $"{_options.Runs} runs alternating engine/raw, after {warmups} engine and 2 raw warm-ups";
        Engine = new Sample(engine, how);
        Raw = new Sample(raw, how);
        var documents = SplitDocuments(rawOutput);
        if (documents.Count != n) throw new BenchFailure($"the raw batch returned {documents.Count} documents for {n} domains");
        Report.Line($"engine       ReadDomains + Topology:    {Engine.Describe()}");
        Report.Line($"             {processes} virsh processes, {Fmt.MiB(allocated)} allocated per read, {Fmt.N(rawOutput.Length / 1024.0 / n, "0.0")} KiB of XML per domain; " +
                    $"the first (cold, JIT included) read took {Fmt.Ms(coldMs)}");
        Report.Line($"             of which ReadDomains (list + read + parse) median {Fmt.Ms(Stats.Median(readParts))}, Topology for each domain the rest");
        Report.Line($"             GC pauses inside an engine read: median {Fmt.Ms(Stats.Median(gcPauses))} ({gen2.Sum()} gen2 collections in {gen2.Count} reads)");
        Report.Line($"raw          one virsh, {n} × dumpxml: {Raw.Describe()} ({rawProcesses} process{(rawProcesses > 1 ? "es" : "")}; argv limit)");

        // A process per domain: the costly variant, run fewer times.
        var warmup = Math.Min(n, 20);
        for (var i = 0; i < warmup; i++) DumpOne(_fleet.Names[i]);
        var runs = _options.PerProcessRuns ?? (n <= 200 ? 3 : 1);
        var perProcess = new List<double>();
        for (var r = 0; r < runs; r++)
        {
            var total = 0.0;
            foreach (var name in _fleet.Names) total += DumpOne(name);
            perProcess.Add(total);
        }
        PerProcess = new Sample(perProcess, runs == 1
            ? $"1 full run of {n} processes after a {warmup}-process warm-up"
            : $"{runs} full runs of {n} processes after a {warmup}-process warm-up");
        Report.Line($"per-process  {n} × virsh dumpxml:       {PerProcess.Describe()}; {Fmt.Ms(PerProcess.Median / n)} per process");

        Breakdown(documents, filter);

        var vsRaw = Engine.Median / Raw.Median;
        var vsPerProcess = PerProcess.Median / Engine.Median;
        Report.Line($"ratios       engine / raw = {Fmt.X(vsRaw)}; per-process / engine = {Fmt.X(vsPerProcess)}; per-process / raw = {Fmt.X(PerProcess.Median / Raw.Median)}");
        // The targets are the cmdlet's (part e); the engine's ratios are its breakdown.
        report.Row($"a. engine / one raw virsh call, {n} domains", Fmt.X(vsRaw));
        report.Row($"a. a process per domain / engine, {n} domains", Fmt.X(vsPerProcess));
        report.Row($"a. engine topology, {n} domains", Fmt.Ms(Engine.Median));
        report.Row($"a. raw one-virsh dumpxml, {n} domains", Fmt.Ms(Raw.Median));
        report.Row($"a. virsh process per domain, {n} domains", Fmt.Ms(PerProcess.Median) + (runs == 1 ? " (1 run)" : ""));
    }

    private double DumpOne(string name)
    {
        var result = _cli.TryVirsh("dumpxml", "--domain", name);
        if (result.ExitCode != 0) throw new BenchFailure($"virsh dumpxml {name} failed: {result.Stderr.Trim()}");
        return result.Ms;
    }

    /// <summary>
    /// Where the engine's time goes: each stage timed on its own, all stages in turn in every round (so
    /// drift on the host hits them alike), medians over the rounds; for finding a missed target.
    /// </summary>
    private void Breakdown(IReadOnlyList<string> documents, NameFilter filter)
    {
        var runs = Math.Max(3, _options.Runs);
        var runner = new VirshProcessRunner(_cli.Uri);
        var reader = new DomainReader(runner);
        var commands = _fleet.Names.Select(name => new VirshCommand("dumpxml").Option("--domain", name)).ToArray();
        var dumps = _fleet.Names.Select(name => "dumpxml --domain " + Cli.Quote(name)).ToArray();
        var states = documents.Select(d => DomainDefinition.Parse(d)).Select(d => new DomainState(d.Name, false, true, "shut off", null, d)).ToArray();
        var all = reader.List(_cli.Cancel);
        var halves = new[] { dumps.Take(dumps.Length / 2).ToArray(), dumps.Skip(dumps.Length / 2).ToArray() };
        var stages = new[] { "list", "batch", "raw", "parse", "build", "filter", "parallel", "read", "readdomains" };
        var selected = all.All.Where(filter.Matches).ToArray();
        var times = stages.ToDictionary(s => s, _ => new List<double>());
        var batchProcesses = 0;
        for (var round = 0; round <= runs; round++)
        {
            var t = new Dictionary<string, double>
            {
                ["list"] = Time(() => reader.List(_cli.Cancel)),
            };
            var started = runner.ProcessesStarted;
            t["batch"] = Time(() => runner.RunBatch(commands, _cli.Cancel));
            batchProcesses = runner.ProcessesStarted - started;
            t["raw"] = _cli.Script(dumps).Ms;
            t["parse"] = Time(() =>
            {
                foreach (var d in documents) DomainDefinition.Parse(d);
            });
            t["build"] = Time(() =>
            {
                foreach (var s in states) TopologyBuilder.Build(s, _cli.Uri);
            });
            t["filter"] = Time(() => all.All.Where(filter.Matches).Distinct().ToArray());
            t["read"] = Time(() => reader.Read(all, selected, false, _cli.Cancel));
            t["readdomains"] = Time(() => new ScsiManagerFactory(keepSessionOpen: false).Open(_cli.Uri).ReadDomains(new[] { filter }, false, _cli.Cancel));
            t["parallel"] = Time(() =>
            {
                var tasks = halves.Select(h => System.Threading.Tasks.Task.Run(() => _cli.Script(h))).ToArray();
                System.Threading.Tasks.Task.WaitAll(tasks);
                if (tasks.Any(k => k.Result.ExitCode != 0)) throw new BenchFailure("a parallel dumpxml batch failed");
            });
            if (round == 0) continue; // warm-up round
            foreach (var (stage, ms) in t) times[stage].Add(ms);
        }
        double M(string stage) => Stats.Median(times[stage]);
        var framing = Stats.Median(times["batch"].Zip(times["raw"], (b, r) => b - r).ToArray());
        Report.Line($"engine stages, each timed alone, all in turn in each of {runs} rounds (medians): list (1 virsh, 3 list commands) {Fmt.Ms(M("list"))}; " +
                    $"dumpxml batch via RunBatch ({batchProcesses} process{(batchProcesses > 1 ? "es" : "")}, with markers, split) {Fmt.Ms(M("batch"))}; " +
                    $"XML parse {Fmt.Ms(M("parse"))} ({Fmt.Ms(M("parse") / documents.Count)} per domain); topology build {Fmt.Ms(M("build"))}; name filter {Fmt.Ms(M("filter"))}");
        Report.Line($"             in the same rounds: ReadDomains (list + filter + read) {Fmt.Ms(M("readdomains"))}, of which DomainReader.Read {Fmt.Ms(M("read"))} " +
                    $"(RunBatch + parse alone: {Fmt.Ms(M("batch") + M("parse"))}); the raw call {Fmt.Ms(M("raw"))}, so ReadDomains / raw = {Fmt.X(M("readdomains") / M("raw"))}");
        Report.Line($"             RunBatch's framing costs {(framing >= 0 ? "+" : "")}{Fmt.Ms(framing)} over the raw call (median of paired differences): it adds " +
                    $"'echo MARKER ; echo --err MARKER' after each command (3 virsh commands per domain) and cuts scripts at 96 KiB ({batchProcesses} vs {Cli.ProcessCount(dumps)} process)");
        Report.Line($"diagnostic: the raw dumpxml batch split over 2 concurrent virsh processes takes {Fmt.Ms(M("parallel"))} " +
                    $"(one process: {Fmt.Ms(M("raw"))}, same rounds): on 2 cores, libvirtd and the virsh processes share them");
        ParallelRaw = M("parallel");
        BreakdownList = M("list");
        BreakdownBatch = M("batch");
        BreakdownParse = M("parse");
        BreakdownBuild = M("build");
        BreakdownFraming = framing;
    }

    public double BreakdownList { get; private set; }
    public double BreakdownFraming { get; private set; }
    public double ParallelRaw { get; private set; }
    public double BreakdownBatch { get; private set; }
    public double BreakdownParse { get; private set; }
    public double BreakdownBuild { get; private set; }

    private static double Time(Action action)
    {
        var stopwatch = Stopwatch.StartNew();
        action();
        return stopwatch.Elapsed.TotalMilliseconds;
    }

    /// <summary>Cuts virsh's concatenated dumpxml outputs into one document per domain.</summary>
    public static List<string> SplitDocuments(string output)
    {
        var documents = new List<string>();
        var start = 0;
        while (true)
        {
            var end = output.IndexOf("</domain>", start, StringComparison.Ordinal);
            if (end < 0) break;
            end += "</domain>".Length;
            documents.Add(output.Substring(start, end - start).Trim());
            start = end;
        }
        return documents;
    }
}

using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using VirtioScsi.Engine;
using VirtioScsi.Errors;
using VirtioScsi.HostDevices;
using VirtioScsi.Libvirt;
using VirtioScsi.Model;
using VirtioScsi.Planning;
using VirtioScsi.Tests.Support;
using VirtioScsi.Virsh;

namespace VirtioScsi.Tests.Fuzz;

/// <summary>One input that ended in something other than the module's own error or a result.</summary>
internal sealed record FuzzFinding(int Input, string Step, string What, string Xml);

internal sealed class FuzzReport
{
    public int Inputs { get; set; }
    public int Parsed { get; set; }
    public int Planned { get; set; }
    public int OwnErrors { get; set; }
    public TimeSpan Slowest { get; set; }
    public long MostAllocated { get; set; }
    public List<FuzzFinding> Findings { get; } = new();
    /// <summary>How often each ErrorId ended a step: shows which paths the inputs reach.</summary>
    public System.Collections.Concurrent.ConcurrentDictionary<string, int> ErrorIds { get; } = new();

    public override string ToString() =>
        $"{Inputs} inputs, {Parsed} parsed, {Planned} plans made, {OwnErrors} module errors, {Findings.Count} foreign results; " +
        $"slowest input {Slowest.TotalMilliseconds:0} ms, most allocated {MostAllocated / (1024 * 1024)} MB; errors: " +
        string.Join(", ", ErrorIds.OrderByDescending(p => p.Value).Select(p => $"{p.Key} {p.Value}"));
}

/// <summary>
/// Runs mutated domain and node-device XML through what follows it in the module: parsing, the topology
/// users see, and planning a LUN attach (iSCSI and block), a controller add and a controller and LUN
/// removal on each parsed domain. Every step must end in a <see cref="VirtioScsiException"/> or a result;
/// each input within <see cref="InputTimeLimit"/> and <see cref="InputAllocationLimit"/>; no external
/// entity may ever be read.
/// </summary>
internal static class FuzzHarness
{
    public static readonly TimeSpan InputTimeLimit = TimeSpan.FromSeconds(2);

    /// <summary>Portal hosts compared as text: the fuzzer asks no resolver (LunSourceIdentityTests covers that).</summary>
    private static readonly LunSourceIdentity TextIdentity = new(null, h => h.ToLowerInvariant());
    public const long InputAllocationLimit = 64L * 1024 * 1024;

    /// <summary>The recorded fixtures and, where it is present, libvirt's corpus: what the mutations start from.</summary>
    public static IReadOnlyList<string> DomainSeeds()
    {
        var files = Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "Fixtures"), "*.xml").ToList();
        if (Fixtures.CorpusDirectory is { } corpus) files.AddRange(Directory.GetFiles(corpus, "*.xml"));
        return files.OrderBy(f => f, StringComparer.Ordinal).Select(File.ReadAllText).ToArray();
    }

    public static IReadOnlyList<string> NodeDeviceSeeds() =>
        Fixtures.SharedCorpus("libvirt-nodedev") is { } dir
            ? Directory.GetFiles(dir, "*.xml").OrderBy(f => f, StringComparer.Ordinal).Select(File.ReadAllText).ToArray()
            : new[] { "<device><name>block_sdb</name><capability type='storage'><block>/dev/sdb</block></capability></device>" };

    /// <summary>
    /// Runs the unmutated seeds, then mutated inputs until <paramref name="count"/> inputs or <paramref name="budget"/> is spent.
    /// </summary>
    public static FuzzReport Run(int count, int seed, TimeSpan budget)
    {
        var externalFile = Path.Combine(Path.GetTempPath(), $"virtioscsi-fuzz-{Environment.ProcessId}.txt");
        File.WriteAllText(externalFile, XmlMutator.ExternalMarker);
        XmlMutator.ExternalFile = externalFile;
        try
        {
            var domains = DomainSeeds();
            var nodes = NodeDeviceSeeds();
            var mutator = new XmlMutator(seed);
            var report = new FuzzReport();
            var clock = Stopwatch.StartNew();
            for (var i = 0; i < count && clock.Elapsed < budget; i++)
            {
                // Every fifth input is node-device XML; the rest domain XML. The first pass is the seeds themselves.
                var node = i % 5 == 4;
                var pool = node ? nodes : domains;
                var slot = node ? i / 5 : i - i / 5;
                var xml = slot < pool.Count ? pool[slot] : mutator.Mutate(pool[slot % pool.Count]);
                RunOne(i, xml, node, report);
            }
            return report;
        }
        finally
        {
            File.Delete(externalFile);
        }
    }

    private static void RunOne(int input, string xml, bool node, FuzzReport report)
    {
        report.Inputs++;
        var findings = new List<FuzzFinding>();
        var counts = new int[3];
        long allocated = 0;
        var watch = Stopwatch.StartNew();
        var work = Task.Factory.StartNew(() =>
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            if (node) ExerciseNodeDevice(input, xml, findings, counts, report);
            else ExerciseDomain(input, xml, findings, counts, report);
            allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        }, TaskCreationOptions.LongRunning);
        if (!work.Wait(InputTimeLimit))
        {
            report.Findings.Add(new FuzzFinding(input, "all", $"did not finish within {InputTimeLimit.TotalSeconds} s", xml));
            return;
        }
        watch.Stop();
        if (watch.Elapsed > report.Slowest) report.Slowest = watch.Elapsed;
        if (allocated > report.MostAllocated) report.MostAllocated = allocated;
        if (allocated > InputAllocationLimit)
            findings.Add(new FuzzFinding(input, "all", $"allocated {allocated / (1024 * 1024)} MB", xml));
        report.Parsed += counts[0];
        report.Planned += counts[1];
        report.OwnErrors += counts[2];
        report.Findings.AddRange(findings);
    }

    /// <summary>Runs one step: a result or the module's error is fine; anything else is a finding.</summary>
    private static T? Step<T>(int input, string step, string xml, List<FuzzFinding> findings, int[] counts, FuzzReport report, Func<T> run) where T : class
    {
        try
        {
            return run();
        }
        catch (VirtioScsiException e)
        {
            counts[2]++;
            report.ErrorIds.AddOrUpdate(e.ErrorId, 1, (_, n) => n + 1);
            return null;
        }
        catch (Exception e)
        {
            findings.Add(new FuzzFinding(input, step, e.GetType().FullName + ": " + e.Message + Environment.NewLine + e.StackTrace, xml));
            return null;
        }
    }

    private static void NoExternalContent(int input, string step, string xml, string? text, List<FuzzFinding> findings)
    {
        if (text is not null && text.Contains(XmlMutator.ExternalMarker, StringComparison.Ordinal))
            findings.Add(new FuzzFinding(input, step, "an external entity was resolved", xml));
    }

    private static void ExerciseNodeDevice(int input, string xml, List<FuzzFinding> findings, int[] counts, FuzzReport report)
    {
        var device = Step(input, "NodeDevice.Parse", xml, findings, counts, report, () => NodeDevice.Parse(xml));
        if (device is null) return;
        counts[0]++;
        NoExternalContent(input, "NodeDevice.Parse", xml, device.Name + device.Parent + device.SysfsPath, findings);
    }

    /// <summary>What domstate and the persistent list may print: the usual, and answers libvirt does not give (or gives only in a race).</summary>
    // The UUID most domains of the corpus carry (libvirt's test files share it), so that many inputs read as persistent.
    private const string Uuid = "c7a5fdbd-edaf-9455-926a-d65c16db1809";

    private static readonly (string State, string Persistent)[] InfoVariants =
    {
        ("running\n", Uuid + "\n" + Guid.Empty + "\n"), ("shut off\n", Uuid.ToUpperInvariant() + "\n"), ("running\n", Guid.Empty + "\n"), ("shut off\n", ""), ("", ""),
        ("garbage", "garbage"), ("\n", "\n\n"), ("paused\r\n", Uuid + "\r\n"), ("shut off\nrunning\n", Uuid + "\n" + Uuid + "\n"),
    };

    private static void ExerciseDomain(int input, string xml, List<FuzzFinding> findings, int[] counts, FuzzReport report)
    {
        // As DomainReader reads it for a change, with domstate's and the lists' answers varied by the input.
        var info = InfoVariants[(xml.Length + input) % InfoVariants.Length];
        var command = new VirshCommand("domstate");
        Step(input, "DomainReader.ParseForChange", xml, findings, counts, report, () => DomainReader.ParseForChange("fuzz",
            new[]
            {
                new VirshResult(command, info.State, "", true), new VirshResult(command, info.Persistent, "", true),
                new VirshResult(command, xml, "", true), new VirshResult(command, xml, "", true),
            }));

        var definition = Step(input, "DomainDefinition.Parse", xml, findings, counts, report, () => DomainDefinition.Parse(xml));
        if (definition is null) return;
        counts[0]++;
        NoExternalContent(input, "DomainDefinition.Parse", xml, definition.Name + definition.Document, findings);
        var name = definition.Name.Length > 0 ? definition.Name : "fuzz";
        var states = new[]
        {
            new DomainState(name, true, true, "running", definition, definition),
            new DomainState(name, false, true, "shut off", null, definition),
            new DomainState(name, true, false, "running", definition, null),
        };
        var firstController = definition.ScsiControllers.Select(c => (int?)c.Index).FirstOrDefault();
        var firstDisk = definition.ScsiDisks.Select(d => d.TargetDevice).FirstOrDefault(t => t is not null);
        var attached = definition.ScsiDisks.Select(d => d.Source).FirstOrDefault();
        foreach (var state in states)
        {
            var topology = Step(input, "TopologyBuilder.Build", xml, findings, counts, report, () => TopologyBuilder.Build(state, null));
            if (topology is not null)
                Step(input, "topology objects", xml, findings, counts, report, () =>
                    string.Join(",", topology.Controllers.Select(c => c.ToString())) + string.Join(",", topology.Disks.Select(d => d.ToString() + d.Source)));
            var scope = Step(input, "ChangeScope.Resolve", xml, findings, counts, report, () => (object)ChangeScope.Resolve(state, false, false));
            if (scope is not ChangeScope resolved) continue;

            var plans = new List<Func<ChangePlan>>
            {
                () => LunAttachPlanner.Plan(state, new LunRequest(LunSource.Iscsi("127.0.0.1", 13260, "iqn.2026-11.org.example:fuzz", 3)), resolved, TextIdentity).Change,
                () => LunAttachPlanner.Plan(state, new LunRequest(LunSource.Block("/dev/sdx")) { BootOrder = 1 }, resolved, TextIdentity).Change,
                () => LunAttachPlanner.Plan(state, new LunRequest(LunSource.Block("/dev/sdy")) { Controller = firstController, Unit = 3 }, resolved, TextIdentity).Change,
                () => ControllerAttachPlanner.Plan(state, new ControllerRequest(), resolved).Change,
                () => ControllerAttachPlanner.Plan(state, new ControllerRequest { Index = 1_000_000 }, resolved).Change,
                () => ControllerRemovalPlanner.Plan(state, firstController ?? 0, resolved, force: true),
                () => LunRemovalPlanner.Plan(state, firstDisk ?? "sda", resolved),
            };
            if (attached is not null)
                plans.Add(() => LunAttachPlanner.Plan(state, new LunRequest(attached), resolved, TextIdentity).Change);
            foreach (var plan in plans)
            {
                var made = Step(input, "plan", xml, findings, counts, report, plan);
                if (made is null) continue;
                counts[1]++;
                // What -WhatIf shows and what virsh gets: the XML of every step and undo step, written.
                Step(input, "plan XML", xml, findings, counts, report, () => made.Describe(null) +
                    string.Concat(made.Steps.Select(s => s.XmlText + s.Command + (s.Undo?.XmlText ?? ""))));
            }
            Step(input, "FindTargetBySource", xml, findings, counts, report, () =>
                LunRemovalPlanner.FindTargetBySource(state, attached ?? LunSource.Block("/dev/sdx"), TextIdentity) ?? "");
        }
    }
}

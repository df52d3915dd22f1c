using System;
using System.Diagnostics;
using System.Linq;
using System.Text;
using VirtioScsi.Engine;
using VirtioScsi.Libvirt;
using VirtioScsi.Model;
using VirtioScsi.Planning;

namespace VirtioScsi.Bench;

/// <summary>
/// c. Planning, pure (no virsh): LunAttachPlanner.Plan for a running, persistent domain with 1,000 and
/// 2,000 LUNs, its live and persistent definitions parsed from generated XML shaped like libvirt's. The
/// Plan call alone is timed; DomainDefinition.Parse and TopologyBuilder.Build separately.
/// </summary>
public sealed class PlanningBench
{
    private readonly Options _options;

    public PlanningBench(Options options) => _options = options;

    public void Run(Report report)
    {
        Report.Section("c. Planning a LUN for a domain with many LUNs (pure, no virsh)");
        Report.Line("domain: running and persistent (live + persistent definitions, both searched), lsi controller 0,");
        Report.Line("virtio-scsi 1 and 2, LUNs alternating on 1 and 2 (target 0, units 0…), iSCSI sources; request: a new iSCSI LUN, no options");
        var cases = new[] { Case.Create(1000), Case.Create(2000) };

        // The first call in the process, as a single cmdlet call meets it: JIT included.
        var cold = Stopwatch.StartNew();
        cases[0].Plan();
        var coldMs = cold.Elapsed.TotalMilliseconds;

        // Both sizes warm up and are measured call by call in alternation, so JIT tiering and GC state
        // are the same for both: the warm-up lasts until the JIT has settled (at least 2 s and 200 calls each).
        var warm = Stopwatch.StartNew();
        var warmCalls = 0;
        while (warmCalls < 200 || warm.Elapsed.TotalMilliseconds < 2000)
        {
            foreach (var c in cases) c.Plan();
            warmCalls++;
        }
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var runs = Math.Max(_options.MicroRuns, 20);
        var times = cases.Select(_ => new double[runs]).ToArray();
        for (var i = 0; i < runs; i++)
        {
            for (var k = 0; k < cases.Length; k++)
            {
                var stopwatch = Stopwatch.StartNew();
                cases[k].Plan();
                times[k][i] = stopwatch.Elapsed.TotalMilliseconds;
            }
        }
        var samples = times.Select(t => new Sample(t, $"{runs} calls, alternating 1,000/2,000, after {warmCalls} warm-up calls each")).ToArray();
        Report.Line($"first Plan call in the process (1,000 LUNs, JIT included): {Fmt.Ms(coldMs)}");

        for (var k = 0; k < cases.Length; k++)
        {
            var c = cases[k];
            var plan = samples[k];
            var before = GC.GetAllocatedBytesForCurrentThread();
            for (var i = 0; i < 20; i++) c.Plan();
            var allocated = (GC.GetAllocatedBytesForCurrentThread() - before) / 20;
            var parse = Stats.Micro(() => DomainDefinition.Parse(c.LiveXml), Math.Max(runs / 5, 20), minWarmups: 20);
            var build = Stats.Micro(() => TopologyBuilder.Build(c.State, "qemu:///system"), Math.Max(runs / 5, 20), minWarmups: 20);
            Report.Line($"{c.Luns,5} LUNs: Plan {plan.Describe()}");
            Report.Line($"             p10 {Fmt.Ms(plan.Percentile(0.1))}, p90 {Fmt.Ms(plan.Percentile(0.9))}, mean {Fmt.Ms(plan.Mean)} (the mean carries the GC pauses); " +
                        $"{Fmt.N(allocated / 1024.0, "0")} KiB allocated per call; planned {c.Check.TargetDevice} at {c.Check.Address}");
            Report.Line($"             DomainDefinition.Parse (one definition, {Fmt.N(c.LiveXml.Length / 1024.0, "0")} KiB): {parse.Describe()}");
            Report.Line($"             TopologyBuilder.Build (live + persistent): {build.Describe()}");
            report.Row($"c. parse one {c.Luns:N0}-LUN definition", Fmt.Ms(parse.Median));
        }

        var plan1000 = samples[0].Median;
        var plan2000 = samples[1].Median;
        var growth = plan2000 / plan1000;
        report.Check("c", "planning a 1,000-LUN domain < 5 ms", Fmt.Ms(plan1000), plan1000 < 5, $"median of the Plan call alone; first call in the process {Fmt.Ms(coldMs)}");
        report.Check("c", "planning 2,000 LUNs < 2.5× 1,000 LUNs", Fmt.X(growth), growth < 2.5,
            $"2,000 LUNs {Fmt.Ms(plan2000)}, 1,000 LUNs {Fmt.Ms(plan1000)}");
    }

    private sealed class Case
    {
        private Case(int luns, string liveXml, DomainState state, LunRequest request, ChangeScope scope, LunAttachPlan check)
        {
            Luns = luns;
            LiveXml = liveXml;
            State = state;
            Request = request;
            Scope = scope;
            Check = check;
        }

        public int Luns { get; }
        public string LiveXml { get; }
        public DomainState State { get; }
        public LunRequest Request { get; }
        public ChangeScope Scope { get; }
        public LunAttachPlan Check { get; }

        public LunAttachPlan Plan() => LunAttachPlanner.Plan(State, Request, Scope);

        public static Case Create(int luns)
        {
            var liveXml = DomainXml(luns, live: true);
            var state = new DomainState("vsbench-plan", true, true, "running", DomainDefinition.Parse(liveXml), DomainDefinition.Parse(DomainXml(luns, live: false)));
            if (state.Live!.Disks.Count != luns) throw new BenchFailure($"the generated domain has {state.Live.Disks.Count} disks, not {luns}");
            var request = new LunRequest(LunSource.Iscsi("127.0.0.1", 13260, "iqn.2026-11.bench.virtioscsi:new", 1));
            var scope = ChangeScope.Resolve(state, false, false);
            var check = new Case(luns, liveXml, state, request, scope, null!).Plan();
            if (check.Change.Steps.Count != 1 || check.NewControllerIndex is not null)
                throw new BenchFailure($"unexpected plan for {luns} LUNs: {check.Change.Steps.Count} steps");
            return new Case(luns, liveXml, state, request, scope, check);
        }
    }

    /// <summary>A libvirt-shaped definition with PCI addresses, aliases (live) and iSCSI LUNs.</summary>
    public static string DomainXml(int luns, bool live)
    {
        var sb = new StringBuilder();
        sb.Append(live ? "<domain type='kvm' id='7'>\n" : "<domain type='kvm'>\n");
        sb.Append("  <name>vsbench-plan</name>\n  <uuid>6d1f0b3e-8f0e-4c55-a3c6-1d2c3b4a5f60</uuid>\n");
        sb.Append("  <memory unit='KiB'>65536</memory>\n  <vcpu placement='static'>1</vcpu>\n");
        sb.Append("  <os>\n    <type arch='x86_64' machine='pc-i440fx-7.2'>hvm</type>\n  </os>\n  <features>\n    <acpi/>\n  </features>\n");
        sb.Append("  <devices>\n    <emulator>/usr/bin/qemu-system-x86_64</emulator>\n");
        for (var i = 0; i < luns; i++)
        {
            var controller = 1 + i % 2;
            var unit = i / 2;
            sb.Append("    <disk type='network' device='lun'>\n");
            sb.Append("      <driver name='qemu' type='raw' cache='none'/>\n");
            sb.Append($"      <source protocol='iscsi' name='iqn.2026-11.bench.virtioscsi:lun-{i}/1'>\n        <host name='127.0.0.1' port='13260'/>\n      </source>\n");
            sb.Append($"      <target dev='{TargetDeviceNames.FromIndex(i)}' bus='scsi'/>\n");
            if (live) sb.Append($"      <alias name='scsi{controller}-0-0-{unit}'/>\n");
            sb.Append($"      <address type='drive' controller='{controller}' bus='0' target='0' unit='{unit}'/>\n");
            sb.Append("    </disk>\n");
        }
        string[] models = { "lsilogic", "virtio-scsi", "virtio-scsi" };
        for (var c = 0; c < 3; c++)
        {
            sb.Append($"    <controller type='scsi' index='{c}' model='{models[c]}'>\n");
            if (live) sb.Append($"      <alias name='scsi{c}'/>\n");
            sb.Append($"      <address type='pci' domain='0x0000' bus='0x00' slot='0x0{c + 2}' function='0x0'/>\n    </controller>\n");
        }
        sb.Append("    <controller type='pci' index='0' model='pci-root'/>\n");
        sb.Append("    <memballoon model='virtio'>\n      <address type='pci' domain='0x0000' bus='0x00' slot='0x05' function='0x0'/>\n    </memballoon>\n");
        sb.Append("  </devices>\n</domain>\n");
        return sb.ToString();
    }
}

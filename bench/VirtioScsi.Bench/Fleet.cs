using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using System.Threading;
using System.Xml.Linq;

namespace VirtioScsi.Bench;

/// <summary>
/// The benchmark's libvirt domains, all named vsbench-PID-…: N inactive ones with SCSI controllers and
/// iSCSI LUNs in their definitions, and one running domain for hot-plug. Everything this run created is
/// removed by <see cref="Cleanup"/>; domains and tgtd targets of earlier runs whose process is gone are
/// swept by <see cref="SweepStale"/>.
/// </summary>
public sealed class Fleet
{
    public const int LunsPerDomain = 4;
    private readonly Cli _cli;

    public Fleet(Cli cli, string workDir)
    {
        _cli = cli;
        WorkDir = workDir;
        Prefix = $"vsbench-{Environment.ProcessId}-";
    }

    public string Prefix { get; }
    public string WorkDir { get; }
    public IReadOnlyList<string> Names { get; private set; } = Array.Empty<string>();
    public string LiveName => Prefix + "live";
    public static string DomainType => File.Exists("/dev/kvm") ? "kvm" : "qemu";

    /// <summary>
    /// An inactive domain as the benchmark defines it: an lsi controller 0, virtio-scsi controllers 1 and
    /// 2, and <see cref="LunsPerDomain"/> iSCSI LUNs on the virtio ones (config only: nothing connects to
    /// them while the domain is shut off).
    /// </summary>
    public XDocument InactiveXml(string name, int port)
    {
        var devices = new XElement("devices",
            Controller(0, "lsilogic"), Controller(1, "virtio-scsi"), Controller(2, "virtio-scsi"));
        for (var i = 0; i < LunsPerDomain; i++)
        {
            devices.Add(new XElement("disk", new XAttribute("type", "network"), new XAttribute("device", "lun"),
                new XElement("driver", new XAttribute("name", "qemu"), new XAttribute("type", "raw"), new XAttribute("cache", "none")),
                new XElement("source", new XAttribute("protocol", "iscsi"), new XAttribute("name", $"iqn.2026-11.bench.virtioscsi:{name}-{i}/1"),
                    new XElement("host", new XAttribute("name", "127.0.0.1"), new XAttribute("port", port))),
                new XElement("target", new XAttribute("dev", "sd" + (char)('a' + i)), new XAttribute("bus", "scsi")),
                new XElement("address", new XAttribute("type", "drive"), new XAttribute("controller", 1 + i % 2),
                    new XAttribute("bus", 0), new XAttribute("target", 0), new XAttribute("unit", i / 2))));
        }
        return Domain(name, devices);
    }

    /// <summary>The running domain for hot-plug: empty but for a virtio-scsi controller, with ACPI.</summary>
    public XDocument LiveXml() => Domain(LiveName, new XElement("devices", Controller(0, "virtio-scsi")));

    private static XElement Controller(int index, string model) =>
        new("controller", new XAttribute("type", "scsi"), new XAttribute("index", index), new XAttribute("model", model));

    private static XDocument Domain(string name, XElement devices) => new(
        new XElement("domain", new XAttribute("type", DomainType),
            new XElement("name", name),
            new XElement("memory", new XAttribute("unit", "MiB"), 64),
            new XElement("vcpu", 1),
            new XElement("os", new XElement("type", new XAttribute("arch", "x86_64"), new XAttribute("machine", "pc"), "hvm")),
            new XElement("features", new XElement("acpi")),
            devices));

    /// <summary>Defines N inactive domains with <c>define --file</c> commands joined in one virsh argument.</summary>
    public (double Ms, int Processes) DefineInactive(int count)
    {
        var digits = Math.Max(4, count.ToString().Length);
        var names = Enumerable.Range(0, count).Select(i => Prefix + i.ToString("D" + digits)).ToArray();
        var commands = new List<string>(count);
        foreach (var name in names)
        {
            var file = Path.Combine(WorkDir, name + ".xml");
            InactiveXml(name, _cli.IscsiPort).Save(file);
            commands.Add("define --file " + Cli.Quote(file));
        }
        Names = names;
        var result = _cli.Script(commands);
        var errors = ErrorLines(result.Stderr);
        foreach (var name in names) File.Delete(Path.Combine(WorkDir, name + ".xml"));
        if (errors.Count > 0) throw new BenchFailure($"defining the domains failed: {errors[0]} ({errors.Count} errors)");
        var defined = Mine(_cli.Virsh("list", "--all", "--name").Stdout);
        var missing = names.Except(defined).Count();
        if (missing > 0) throw new BenchFailure($"{missing} of {count} domains are missing after 'define'");
        return (result.Ms, Cli.ProcessCount(commands));
    }

    public void DefineAndStartLive()
    {
        var file = Path.Combine(WorkDir, "live.xml");
        LiveXml().Save(file);
        _cli.Virsh("define", "--file", file);
        _cli.Virsh("start", "--domain", LiveName);
        File.Delete(file);
    }

    /// <summary>Destroys and undefines every domain of this run (one virsh process). Returns how many are left.</summary>
    public (int Removed, int Left) Cleanup() => Remove(n => n.StartsWith(Prefix, StringComparison.Ordinal));

    /// <summary>Removes domains named vsbench-PID-… whose benchmark process no longer runs.</summary>
    public int SweepStale()
    {
        var pattern = new Regex(@"^vsbench-(\d+)-");
        bool Stale(string name)
        {
            var match = pattern.Match(name);
            return match.Success && match.Groups[1].Value != Environment.ProcessId.ToString() && !Directory.Exists("/proc/" + match.Groups[1].Value);
        }
        return Remove(Stale).Removed;
    }

    private (int Removed, int Left) Remove(Func<string, bool> select)
    {
        var none = CancellationToken.None;
        var all = _cli.TryVirsh(none, "list", "--all", "--name");
        var active = _cli.TryVirsh(none, "list", "--name");
        if (all.ExitCode != 0) return (0, -1);
        var targets = Lines(all.Stdout).Where(select).ToArray();
        if (targets.Length == 0) return (0, 0);
        var running = Lines(active.Stdout).Where(select).ToHashSet();
        var commands = targets.Where(running.Contains).Select(n => "destroy --domain " + Cli.Quote(n))
            .Concat(targets.Select(n => "undefine --domain " + Cli.Quote(n))).ToArray();
        _cli.Script(commands, none);
        var left = Lines(_cli.TryVirsh(none, "list", "--all", "--name").Stdout).Count(select);
        return (targets.Length - left, left);
    }

    private IEnumerable<string> Mine(string listOutput) => Lines(listOutput).Where(n => n.StartsWith(Prefix, StringComparison.Ordinal));

    public static string[] Lines(string text) => text.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0).ToArray();

    public static List<string> ErrorLines(string stderr) => stderr.Split('\n').Where(l => l.StartsWith("error:", StringComparison.Ordinal)).ToList();
}

/// <summary>File-backed LUNs 1…K of a tgtd target (tid 2000–2999), removed with their files by Dispose.</summary>
public sealed class BenchLun : IDisposable
{
    private readonly Cli _cli;

    private readonly List<string> _more = new();

    private BenchLun(Cli cli, int tid, string iqn, string file)
    {
        _cli = cli;
        Tid = tid;
        Iqn = iqn;
        File = file;
    }

    public int Tid { get; }
    public string Iqn { get; }
    public string File { get; }

    public static BenchLun Create(Cli cli, string workDir, int luns = 1)
    {
        var used = Regex.Matches(cli.Tgt("--mode", "target", "--op", "show"), @"^Target (\d+):", RegexOptions.Multiline)
            .Select(m => int.Parse(m.Groups[1].Value)).ToHashSet();
        var tid = Enumerable.Range(2000, 1000).FirstOrDefault(t => !used.Contains(t));
        if (tid == 0) throw new BenchFailure("no free tgtd target id in 2000-2999");
        var iqn = $"iqn.2026-11.bench.virtioscsi:vsbench-{Environment.ProcessId}-{tid}";
        var file = Path.Combine(workDir, $"lun-{tid}.img");
        using (var stream = System.IO.File.Create(file)) stream.SetLength(32L * 1024 * 1024);
        var lun = new BenchLun(cli, tid, iqn, file);
        try
        {
            cli.Tgt("--mode", "target", "--op", "new", "--tid", tid.ToString(), "--targetname", iqn);
            cli.Tgt("--mode", "logicalunit", "--op", "new", "--tid", tid.ToString(), "--lun", "1", "--backing-store", file);
            for (var k = 2; k <= luns; k++)
            {
                var more = Path.Combine(workDir, $"lun-{tid}-{k}.img");
                using (var stream = System.IO.File.Create(more)) stream.SetLength(32L * 1024 * 1024);
                lun._more.Add(more);
                cli.Tgt("--mode", "logicalunit", "--op", "new", "--tid", tid.ToString(), "--lun", k.ToString(), "--backing-store", more);
            }
            cli.Tgt("--mode", "target", "--op", "bind", "--tid", tid.ToString(), "--initiator-address", "127.0.0.1");
        }
        catch
        {
            lun.Dispose();
            throw;
        }
        return lun;
    }

    /// <summary>Deletes tgtd targets (2000–2999) whose IQN names a benchmark process that no longer runs.</summary>
    public static int SweepStale(Cli cli)
    {
        var shown = cli.TryTgt("--mode", "target", "--op", "show");
        if (shown.ExitCode != 0) return 0;
        var removed = 0;
        foreach (Match m in Regex.Matches(shown.Stdout, @"^Target (\d+): iqn\.2026-11\.bench\.virtioscsi:vsbench-(\d+)-", RegexOptions.Multiline))
        {
            var tid = int.Parse(m.Groups[1].Value);
            if (tid < 2000 || tid > 2999 || Directory.Exists("/proc/" + m.Groups[2].Value)) continue;
            if (cli.TryTgt("--mode", "target", "--op", "delete", "--force", "--tid", tid.ToString()).ExitCode == 0) removed++;
        }
        return removed;
    }

    public void Dispose()
    {
        var stopwatch = Stopwatch.StartNew();
        while (_cli.TryTgt("--mode", "target", "--op", "delete", "--force", "--tid", Tid.ToString()).ExitCode != 0
               && stopwatch.Elapsed < TimeSpan.FromSeconds(5))
        {
            Thread.Sleep(100);
        }
        foreach (var file in _more.Prepend(File))
        {
            try { System.IO.File.Delete(file); } catch (IOException) { }
        }
    }
}

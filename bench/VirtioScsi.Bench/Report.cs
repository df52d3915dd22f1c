using System;
using System.Collections.Generic;
using System.Linq;

namespace VirtioScsi.Bench;

/// <summary>One target: what it asks, the figure measured, and whether it is met.</summary>
public sealed record Target(string Section, string What, string Figure, bool? Met, string Detail);

/// <summary>Collects the targets and the summary rows, and prints them at the end.</summary>
public sealed class Report
{
    private readonly List<Target> _targets = new();
    private readonly List<(string Measure, string Figure)> _rows = new();

    public IReadOnlyList<Target> Targets => _targets;

    public static void Section(string title)
    {
        Console.WriteLine();
        Console.WriteLine(title);
        Console.WriteLine(new string('-', Math.Min(100, title.Length)));
    }

    public static void Line(string text = "") => Console.WriteLine("  " + text);

    public void Row(string measure, string figure) => _rows.Add((measure, figure));

    public void Check(string section, string what, string figure, bool met, string detail) =>
        _targets.Add(new Target(section, what, figure, met, detail));

    /// <summary>A target that could not be measured in this run (e.g. no pwsh).</summary>
    public void NotMeasured(string section, string what, string why) =>
        _targets.Add(new Target(section, what, "—", null, why));

    public void PrintTargets()
    {
        Section("Targets");
        foreach (var t in _targets)
        {
            var tag = t.Met switch { true => "[met]   ", false => "[MISSED]", null => "[n/a]   " };
            Line($"{tag} {t.Section}. {t.What}: {t.Figure}");
            if (t.Detail.Length > 0) Line($"           {t.Detail}");
        }
    }

    public void PrintSummary()
    {
        Section("Summary");
        var all = _targets.Select(t => (Measure: $"{t.Section}. {t.What}", t.Figure, Result: t.Met switch { true => "met", false => "MISSED", null => "n/a" }))
            .Concat(_rows.Select(r => (r.Measure, r.Figure, Result: "")))
            .ToArray();
        var w1 = Math.Max("measure".Length, all.Max(r => r.Measure.Length));
        var w2 = Math.Max("figure".Length, all.Max(r => r.Figure.Length));
        var w3 = Math.Max("target".Length, all.Max(r => r.Result.Length));
        Console.WriteLine($"| {"measure".PadRight(w1)} | {"figure".PadRight(w2)} | {"target".PadRight(w3)} |");
        Console.WriteLine($"|{new string('-', w1 + 2)}|{new string('-', w2 + 2)}|{new string('-', w3 + 2)}|");
        foreach (var (measure, figure, result) in all)
            Console.WriteLine($"| {measure.PadRight(w1)} | {figure.PadRight(w2)} | {result.PadRight(w3)} |");
        var met = _targets.Count(t => t.Met == true);
        var measured = _targets.Count(t => t.Met is not null);
        Console.WriteLine();
        Console.WriteLine($"{met} of {measured} targets met" + (measured < _targets.Count ? $" ({_targets.Count - measured} not measured)" : "") + ".");
    }
}

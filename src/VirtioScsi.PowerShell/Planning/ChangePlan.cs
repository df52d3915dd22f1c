using System;
using System.Collections.Generic;
using VirtioScsi.Libvirt;

namespace VirtioScsi.Planning;

/// <summary>A planned change: its steps in order, what it will produce, and warnings for the user.</summary>
internal sealed class ChangePlan
{
    public ChangePlan(DomainState domain, ChangeScope scope, IReadOnlyList<ChangeStep> steps, IReadOnlyList<string> warnings)
    {
        Domain = domain;
        Scope = scope;
        Steps = steps;
        Warnings = warnings;
    }

    public DomainState Domain { get; }
    public ChangeScope Scope { get; }
    public IReadOnlyList<ChangeStep> Steps { get; }
    public IReadOnlyList<string> Warnings { get; }
    public bool ChangesNothing => Steps.Count == 0;

    public string Describe(string? connectionUri)
    {
        var lines = new List<string>();
        foreach (var step in Steps) lines.AddRange(step.Describe(connectionUri));
        return string.Join(Environment.NewLine, lines);
    }
}

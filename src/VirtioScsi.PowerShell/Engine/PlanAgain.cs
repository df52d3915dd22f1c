using System;
using System.Runtime.CompilerServices;
using VirtioScsi.Libvirt;

namespace VirtioScsi.Engine;

/// <summary>
/// How to make a plan again from a newer read of its domain, remembered beside the plan. A cmdlet shows a
/// plan to ShouldProcess without holding the domain (a prompt may wait for long); when it applies the plan,
/// the engine takes the domain's lock, reads it again and plans the same request from that read.
/// </summary>
internal static class PlanAgain
{
    private static readonly ConditionalWeakTable<object, object> Planners = new();

    public static T Remember<T>(T plan, Func<DomainState, T> planAgain) where T : class
    {
        Planners.Remove(plan);
        Planners.Add(plan, planAgain);
        return plan;
    }

    /// <summary>The plan made from <paramref name="state"/> the way <paramref name="plan"/> was made; the plan itself when that is not known.</summary>
    public static T From<T>(T plan, DomainState state) where T : class =>
        Planners.TryGetValue(plan, out var planner) ? ((Func<DomainState, T>)planner)(state) : plan;
}

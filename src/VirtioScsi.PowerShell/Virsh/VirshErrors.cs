using System;
using System.Linq;
using VirtioScsi.Errors;

namespace VirtioScsi.Virsh;

/// <summary>Turns virsh's error output into errors a user can act on.</summary>
internal static class VirshErrors
{
    public static bool HasError(string stderr) =>
        stderr.Split('\n').Any(l => l.StartsWith("error:", StringComparison.Ordinal));

    /// <summary>The error lines without their <c>error: </c> prefix, joined into one message.</summary>
    public static string Clean(string stderr) =>
        string.Join(" ", stderr.Split('\n')
            .Select(l => l.Trim())
            .Where(l => l.Length > 0)
            .Select(l => l.StartsWith("error: ", StringComparison.Ordinal) ? l.Substring(7) : l)
            .Distinct());

    /// <summary>
    /// The error for a failed command. Known virsh messages get their own ErrorId and advice; anything
    /// else is VirshFailed with virsh's own words.
    /// </summary>
    public static VirtioScsiException ToException(VirshResult result, string what, object? target, string fallbackErrorId)
    {
        var message = result.ErrorMessage;
        if (Contains(message, "failed to get domain") || Contains(message, "Domain not found"))
            return Error.DomainNotFoundByVirsh(what, target, message);
        if (Contains(message, "does not support hotplugging") || Contains(message, "No more available PCI slots"))
            return Error.HotplugRefusedByVirsh(what, target, message);
        if (Contains(message, "domain is not running"))
            return Error.DomainNotRunningByVirsh(what, target, message);
        if (Contains(message, "failed to connect to the hypervisor"))
            return Error.VirshCannotConnect(what, target, message);
        return Error.VirshReportedError(fallbackErrorId, what, target, message);
    }

    private static bool Contains(string text, string part) => text.IndexOf(part, StringComparison.OrdinalIgnoreCase) >= 0;
}

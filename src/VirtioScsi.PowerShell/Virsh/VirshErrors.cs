using System;
using System.Linq;
using VirtioScsi.Errors;

namespace VirtioScsi.Virsh;

/// <summary>Turns virsh's error output into errors a user can act on.</summary>
public static class VirshErrors
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
            return new VirtioScsiException(ErrorIds.DomainNotFound, ErrorKind.ObjectNotFound,
                $"{what}: the domain was not found.", target,
                "Check the name with Get-DomainScsiTopology or 'virsh list --all', and the connection URI.", message);
        if (Contains(message, "does not support hotplugging") || Contains(message, "No more available PCI slots"))
            return new VirtioScsiException(ErrorIds.HotplugUnavailable, ErrorKind.InvalidOperation,
                $"{what}: the running domain cannot hot-plug the device.", target,
                "On i440fx add <features><acpi/></features> and restart the domain; on q35 add a free pcie-root-port. Or make the change with -Config and restart the domain.", message);
        if (Contains(message, "domain is not running"))
            return new VirtioScsiException(ErrorIds.LiveChangeOnInactiveDomain, ErrorKind.InvalidOperation,
                $"{what}: the domain is not running, so there is no live domain to change.", target,
                "Leave out -Live, or start the domain first.", message);
        if (Contains(message, "failed to connect to the hypervisor"))
            return new VirtioScsiException(ErrorIds.VirshFailed, ErrorKind.ResourceUnavailable,
                $"{what}: virsh could not connect to libvirt.", target,
                "Check that libvirtd runs and that -ConnectionUri (or LIBVIRT_DEFAULT_URI) names it.", message);
        return new VirtioScsiException(fallbackErrorId, ErrorKind.InvalidOperation,
            $"{what}: virsh reported an error.", target, null, message);
    }

    /// <summary>The error for a virsh process that did not finish in time and was stopped.</summary>
    public static VirtioScsiException TimedOut(TimeSpan timeout, string what) =>
        new(ErrorIds.VirshTimedOut, ErrorKind.OperationTimeout,
            $"virsh did not finish within {timeout.TotalSeconds:0} s and was stopped.", what,
            "Check that libvirtd answers ('virsh version'), or allow more time with $env:VIRTIOSCSI_VIRSH_TIMEOUT_SEC (seconds, default 120).");

    private static bool Contains(string text, string part) => text.IndexOf(part, StringComparison.OrdinalIgnoreCase) >= 0;
}

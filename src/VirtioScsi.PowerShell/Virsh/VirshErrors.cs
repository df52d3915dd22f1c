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
        {
            return RemoteFailure(message) switch
            {
                ErrorIds.RemoteHostUnreachable => Error.RemoteHostUnreachable(what, target, message),
                ErrorIds.RemoteAuthenticationFailed => Error.RemoteAuthenticationFailed(what, target, message),
                ErrorIds.RemoteLibvirtUnavailable => Error.RemoteLibvirtUnavailable(what, target, message),
                _ => Error.VirshCannotConnect(what, target, message),
            };
        }
        // A -Path on a remote host (the local checks cannot see it): libvirt's and QEMU's words for a missing
        // device and for one that is no block device.
        if (Contains(message, "Cannot access storage file") && Contains(message, "No such file or directory"))
            return Error.SourceNotFoundOnHost(what, target, message);
        if (Contains(message, "does not support O_DIRECT") || Contains(message, "is not a block device"))
            return Error.SourceNotBlockDeviceOnHost(what, target, message);
        return Error.VirshReportedError(fallbackErrorId, what, target, message);
    }

    /// <summary>
    /// Which remote failure a failed connection's words name, or null for a local one (or one not known).
    /// The words are ssh's (through libvirt's ssh transport), virt-ssh-helper's on the far side, and
    /// libvirt's own for its TCP and TLS transports; libvirt 9.0 and OpenSSH 9.2.
    /// </summary>
    internal static string? RemoteFailure(string message)
    {
        // Authentication first: "Permission denied" also ends other messages.
        if (Contains(message, "Permission denied (") || Contains(message, "Host key verification failed") ||
            Contains(message, "Too many authentication failures") || Contains(message, "authentication failed") ||
            Contains(message, "authentication unavailable") || Contains(message, "No supported authentication methods"))
            return ErrorIds.RemoteAuthenticationFailed;
        // The far end of qemu+ssh: virt-ssh-helper (libvirt 9) or nc (older clients) finds no daemon socket.
        if (Contains(message, "virt-ssh-helper:") || (Contains(message, "nc:") && Contains(message, "libvirt-sock")) ||
            Contains(message, "nc: not found") || Contains(message, "nc: command not found"))
            return ErrorIds.RemoteLibvirtUnavailable;
        if (Contains(message, "ssh: connect to host") || Contains(message, "ssh: Could not resolve hostname") ||
            Contains(message, "unable to connect to server at") || Contains(message, "Connection timed out during banner exchange") ||
            Contains(message, "No route to host") || Contains(message, "Network is unreachable"))
            return ErrorIds.RemoteHostUnreachable;
        return null;
    }

    private static bool Contains(string text, string part) => text.IndexOf(part, StringComparison.OrdinalIgnoreCase) >= 0;
}

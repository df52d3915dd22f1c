using System;
using System.Threading;
using VirtioScsi.Errors;
using VirtioScsi.Libvirt;

namespace VirtioScsi.Engine;

/// <summary>
/// How every change to a domain runs: under the domain's lock (<see cref="DomainChangeLock"/>), planned
/// again from a read taken under it, and planned once more when libvirt says that an address, name or
/// index the module chose is taken after all (a change from outside the module: virsh by hand, another host).
/// </summary>
internal static class DomainChanges
{
    /// <summary>How often a change is planned anew after libvirt reported its choice taken.</summary>
    internal const int Attempts = 4;

    /// <param name="attempt">Plans from the fresh state it is given and carries the plan out.</param>
    public static T Run<T>(string? connectionUri, string domain, DomainReader reader, Func<DomainState, T> attempt, CancellationToken cancellationToken)
    {
        using var held = DomainChangeLock.Acquire(connectionUri, domain, DomainChangeLock.DefaultWait, cancellationToken);
        for (var i = 1; ; i++)
        {
            var state = reader.ReadForChange(domain, cancellationToken);
            try
            {
                return attempt(state);
            }
            catch (VirtioScsiException e) when (i < Attempts && TakenMeanwhile(e))
            {
                // Undone already (the error is not RollbackIncomplete): plan again from what the domain now holds.
            }
        }
    }

    /// <summary>Reads the domain while holding its lock, and lets go at once.</summary>
    public static DomainState ReadSettled(string? connectionUri, string domain, Func<DomainState> read, CancellationToken cancellationToken)
    {
        using var held = DomainChangeLock.Acquire(connectionUri, domain, DomainChangeLock.DefaultWait, cancellationToken);
        return read();
    }

    /// <summary>libvirt refused a device because something outside this call took its place since the read.</summary>
    internal static bool TakenMeanwhile(VirtioScsiException e) =>
        e.ErrorId == ErrorIds.AttachFailed && e.VirshMessage is { } said &&
        (said.IndexOf("already exists", StringComparison.OrdinalIgnoreCase) >= 0 ||
         said.IndexOf("already contains a disk with that address", StringComparison.OrdinalIgnoreCase) >= 0);
}

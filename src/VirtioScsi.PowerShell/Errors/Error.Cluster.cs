using System.Collections.Generic;
using System.Linq;

namespace VirtioScsi.Errors;

/// <summary>The errors of shared LUNs (issue 12): double use across domains, the host's own use, one address on several domains.</summary>
internal static partial class Error
{
    private const string ForceHint = " If you know the other use is harmless (a shut-off domain's stale definition), pass -Force to attach anyway; a warning says what was overridden.";

    // SourceHeldByOtherDomain
    /// <param name="holders">Each other domain's use, already worded: 'node2' (sdb, running, not shareable).</param>
    /// <param name="unshared">The domains whose attachment is not shareable.</param>
    public static VirtioScsiException SourceHeldByOtherDomain(string domain, string source, IReadOnlyList<string> holders,
        IReadOnlyList<string> unshared, bool requestShareable)
    {
        string summary, action;
        if (holders.Count == 0)
        {
            summary = $"{source} was asked for several domains ({domain}) without -Shareable: two domains writing one disk that no cluster software arbitrates lose data.";
            action = "Pass -Shareable (for cluster software that arbitrates the LUN, with SCSI reservations or a cluster filesystem), or attach it to one domain only." + ForceHint;
        }
        else
        {
            summary = $"{source} is already attached to {string.Join(", ", holders)}; attaching it to '{domain}' too " +
                      (requestShareable ? "is refused because not every attachment is shareable" : "without -Shareable is refused") +
                      ": two domains writing one disk that no cluster software arbitrates lose data.";
            action = unshared.Count > 0
                ? $"To share it, every attachment must be shareable: remove it from {string.Join(", ", unshared.Select(d => $"'{d}'"))} with Remove-PassthroughLun and add it there again with -Shareable, then add it here with -Shareable (-Shareable here does not override an unshared attachment elsewhere)." + ForceHint
                : "To share it, add it here with -Shareable too." + ForceHint;
        }
        return new(ErrorIds.SourceHeldByOtherDomain, ErrorKind.ResourceExists, summary, domain, action);
    }

    // NoCommonAddress
    public static VirtioScsiException NoCommonAddress(string domains, string why) =>
        new(ErrorIds.NoCommonAddress, ErrorKind.LimitsExceeded,
            $"No SCSI address is free on every one of the domains {domains}: {why}.", domains,
            "Give -Controller (a virtio-scsi controller index that every domain has or none has), -Target, -Unit and -TargetDevice that are free on all of them (see Get-DomainScsiTopology), or attach the LUN to each domain separately.");

    // SourceMountedOnHost, SourceIsHostSwap, SourceHeldByHost, SourceIsMultipathPath: the host itself uses a -Path
    public static VirtioScsiException SourceMountedOnHost(string path, string shown, string mounts) =>
        new(ErrorIds.SourceMountedOnHost, ErrorKind.InvalidOperation,
            $"{shown} is mounted on this host ({mounts}): a guest writing the device under the host's filesystem corrupts it.", path,
            "Unmount it (umount, and remove it from /etc/fstab) before passing it through, or pass the LUN you meant." + ForceHint);

    public static VirtioScsiException SourceIsHostSwap(string path, string shown, string swaps) =>
        new(ErrorIds.SourceIsHostSwap, ErrorKind.InvalidOperation,
            $"{shown} is swap space of this host ({swaps}): a guest writing it corrupts the host's memory.", path,
            "Turn the swap off (swapoff, and remove it from /etc/fstab) before passing the device through, or pass the LUN you meant." + ForceHint);

    public static VirtioScsiException SourceHeldByHost(string path, string shown, string holders) =>
        new(ErrorIds.SourceHeldByHost, ErrorKind.InvalidOperation,
            $"{shown} is held by the host's own block layer ({holders}): LVM, device-mapper or md use it, and a guest writing it corrupts what they hold.", path,
            "Release it on the host first (lvchange -an / vgchange -an, dmsetup remove, mdadm --stop), or pass the LUN you meant." + ForceHint);

    public static VirtioScsiException SourceIsMultipathPath(string path, string shown, string map) =>
        new(ErrorIds.SourceIsMultipathPath, ErrorKind.InvalidArgument,
            $"{shown} is one path of the multipath device {map}: passing one path through bypasses multipath (no failover, and writes beside the map's).", path,
            $"Pass the multipath device instead: -Path {map}." + ForceHint);
}

using System;

namespace VirtioScsi.Errors;

/// <summary>
/// Every error the module raises, made here: what went wrong and what to do about it, grouped by ErrorId
/// (about_VirtioScsi documents each id). The rest of the code says which error, never how it reads.
/// </summary>
internal static partial class Error
{
    private const string CheckDomainName = "Check the name with Get-DomainScsiTopology or 'virsh list --all', and the connection URI.";
    private const string CheckLibvirtd = "Check that libvirtd runs and that -ConnectionUri (or LIBVIRT_DEFAULT_URI) names it.";
    private const string ListLuns = "List its LUNs with Get-DomainScsiTopology.";

    // VirshNotFound
    public static VirtioScsiException VirshNotOnPath() =>
        new(ErrorIds.VirshNotFound, ErrorKind.NotInstalled, "virsh was not found on PATH.", "virsh",
            "Install the libvirt client: 'apt install libvirt-clients' on Debian/Ubuntu, 'dnf install libvirt-client' on Fedora/RHEL, then open a new session.");

    public static VirtioScsiException VirshNotStartable(string path, Exception e) =>
        new(ErrorIds.VirshNotFound, ErrorKind.NotInstalled, $"virsh at '{path}' could not be started: {e.Message}", path,
            "Install the libvirt client (Debian/Ubuntu: apt install libvirt-clients).", inner: e);

    // VirshFailed (and the fallback id a failed command gets when virsh's words match nothing known: AttachFailed, DetachFailed)
    public static VirtioScsiException VirshReportedError(string errorId, string what, object? target, string virshMessage) =>
        new(errorId, ErrorKind.InvalidOperation, $"{what}: virsh reported an error.", target, AdviceFor(errorId), virshMessage);

    private static string? AdviceFor(string errorId) => errorId switch
    {
        ErrorIds.AttachFailed =>
            "Act on virsh's words in the message: for an iSCSI LUN check that the portal answers from the libvirt host and that the IQN and LUN exist; " +
            "for a host path, that it is a SCSI LUN; and that libvirt supports the options given.",
        ErrorIds.DetachFailed =>
            "Act on virsh's words in the message, then look at the domain with Get-DomainScsiTopology: the device may be gone already, or still there.",
        _ => null,
    };

    public static VirtioScsiException VirshCannotConnect(string what, object? target, string virshMessage) =>
        new(ErrorIds.VirshFailed, ErrorKind.ResourceUnavailable, $"{what}: virsh could not connect to libvirt.", target, CheckLibvirtd, virshMessage);


    // VirshTimedOut
    public static VirtioScsiException VirshTimedOut(TimeSpan timeout, string what) =>
        new(ErrorIds.VirshTimedOut, ErrorKind.OperationTimeout,
            $"virsh did not finish within {timeout.TotalSeconds:0} s and was stopped.", what,
            "Check that libvirtd answers ('virsh version'), or allow more time with $env:VIRTIOSCSI_VIRSH_TIMEOUT_SEC (seconds, default 120).");

    // DomainNotFound
    public static VirtioScsiException DomainNotFound(string domain, string? connectionUri) =>
        new(ErrorIds.DomainNotFound, ErrorKind.ObjectNotFound,
            $"Domain '{domain}' was not found{(connectionUri is null ? "" : " on " + connectionUri)}.", domain, CheckDomainName);

    public static VirtioScsiException PipedLunWithoutDomain(string path) =>
        new(ErrorIds.DomainNotFound, ErrorKind.InvalidArgument,
            $"No domain was named for the LUN '{path}': a LUN from Get-HostScsiLun names no domain.", path,
            "Name the domain: Get-HostScsiLun ... | Add-PassthroughLun -Domain <domain>.");

    public static VirtioScsiException DomainNotFoundByVirsh(string what, object? target, string virshMessage) =>
        new(ErrorIds.DomainNotFound, ErrorKind.ObjectNotFound, $"{what}: the domain was not found.", target, CheckDomainName, virshMessage);

    // ConnectionUriInvalid
    public static VirtioScsiException ConnectionUriInvalid(string uri, string shown, string character, int position) =>
        new(ErrorIds.ConnectionUriInvalid, ErrorKind.InvalidArgument,
            $"The connection URI '{shown}' contains {character} at position {position + 1}.", uri,
            "Pass a libvirt URI such as qemu:///system or qemu+ssh://user@host/system, without control characters (check $env:LIBVIRT_DEFAULT_URI too).");

    // DomainNameInvalid
    public static VirtioScsiException DomainNameEmpty() =>
        new(ErrorIds.DomainNameInvalid, ErrorKind.InvalidArgument, "The domain name is empty.", "", CheckDomainName);

    public static VirtioScsiException DomainNameInvalid(string domain, string shown, string character, int position) =>
        new(ErrorIds.DomainNameInvalid, ErrorKind.InvalidArgument,
            $"The domain name '{shown}' contains {character} at position {position + 1}, which libvirt's XML cannot carry back exactly.",
            domain, CheckDomainName + " Names with control characters cannot be managed by this module: rename the domain with 'virsh domrename'.");

    // DomainXmlInvalid
    public static VirtioScsiException DomainXmlNotWellFormed(Exception e) =>
        new(ErrorIds.DomainXmlInvalid, ErrorKind.InvalidData, $"The domain XML is not well-formed (or declares a DTD, which is refused): {e.Message}", null, inner: e);

    public static VirtioScsiException DomainXmlUnusable(string domain, string problem) =>
        new(ErrorIds.DomainXmlInvalid, ErrorKind.InvalidData,
            $"The definition of domain '{domain}' cannot be planned on: {problem}.", domain,
            "libvirt does not write such XML itself: check the domain with 'virsh dumpxml' and correct it with 'virsh edit'.");

    public static VirtioScsiException DomainXmlRootNotDomain(string? rootName) =>
        new(ErrorIds.DomainXmlInvalid, ErrorKind.InvalidData, $"The XML's root element is <{rootName}>, not <domain>.", null);

    // ControllerModelInvalid
    public static VirtioScsiException ControllerModelInvalid(string domain, string model, string knownModels) =>
        new(ErrorIds.ControllerModelInvalid, ErrorKind.InvalidArgument,
            $"-Model '{model}' is not a SCSI controller model libvirt knows.", domain,
            "Use one of: " + knownModels + ". For LUN passthrough use virtio-scsi.");

    // ControllerIndexInUse
    public static VirtioScsiException ControllerIndexNegative(string domain, int index) =>
        new(ErrorIds.ControllerIndexInUse, ErrorKind.InvalidArgument,
            $"-Index {index} is not valid: indexes start at 0.", domain, "Leave out -Index to take the lowest free one.");

    public static VirtioScsiException ControllerIndexInUse(string domain, int index, string? holderModel, int lowestFree) =>
        new(ErrorIds.ControllerIndexInUse, ErrorKind.ResourceExists,
            $"Domain '{domain}' already has SCSI controller index {index} (model {holderModel ?? "default"}).", domain,
            $"Leave out -Index to take the lowest free index ({lowestFree}), or choose another.");

    // ControllerNotFound
    public static VirtioScsiException ControllerNotFoundForLun(string domain, int index, string where) =>
        new(ErrorIds.ControllerNotFound, ErrorKind.ObjectNotFound,
            $"Domain '{domain}' has no SCSI controller {index} in {where}.", domain,
            "Add it with New-ScsiController, or leave out -Controller to let the module choose or add one.");

    public static VirtioScsiException ControllerNotFoundForRemoval(string domain, int index, string scope) =>
        new(ErrorIds.ControllerNotFound, ErrorKind.ObjectNotFound,
            $"Domain '{domain}' has no SCSI controller {index} ({scope}).", domain, "List its controllers with Get-DomainScsiTopology.");

    // ControllerNotVirtioScsi
    public static VirtioScsiException ControllerNotVirtioScsi(string domain, int index, string? model) =>
        new(ErrorIds.ControllerNotVirtioScsi, ErrorKind.InvalidArgument,
            $"SCSI controller {index} of domain '{domain}' is {model ?? "of libvirt's default model (lsilogic on x86)"}, not virtio-scsi. The module puts passthrough LUNs on virtio-scsi only: the emulated HBAs take 7 units, are slow, and current guests lack drivers for them.",
            domain, "Leave out -Controller to use or add a virtio-scsi controller, or add one with New-ScsiController.");

    // ControllerHasDisks
    public static VirtioScsiException ControllerHasHostdevs(string domain, int index) =>
        new(ErrorIds.ControllerHasDisks, ErrorKind.InvalidOperation,
            $"SCSI controller {index} of domain '{domain}' carries SCSI host devices (<hostdev type='scsi'>), which this module does not manage.",
            domain, "Detach them with 'virsh detach-device' first.");

    public static VirtioScsiException ControllerHasDisks(string domain, int index, string disks) =>
        new(ErrorIds.ControllerHasDisks, ErrorKind.InvalidOperation,
            $"SCSI controller {index} of domain '{domain}' still has disks: {disks}.", domain,
            "Remove them with Remove-PassthroughLun first, or pass -Force to detach them with the controller.");

    // IOThreadInvalid
    public static VirtioScsiException IOThreadInvalid(string domain, int ioThread, int ioThreads) =>
        new(ErrorIds.IOThreadInvalid, ErrorKind.InvalidArgument,
            $"-IOThread {ioThread} does not exist in domain '{domain}', which defines {ioThreads} iothread(s).", domain,
            ioThreads == 0
                ? "Add <iothreads>N</iothreads> to the domain (virsh edit) first, or leave out -IOThread."
                : $"Pass a number from 1 to {ioThreads}.");

    // QueuesInvalid
    public static VirtioScsiException QueuesInvalid(string domain, int queues) =>
        new(ErrorIds.QueuesInvalid, ErrorKind.InvalidArgument,
            $"-Queues {queues} is not valid: a controller has at least one queue.", domain, "Pass 1 or more, typically the number of vCPUs.");

    public static VirtioScsiException QueuesNeedVirtio(string domain, string model) =>
        new(ErrorIds.QueuesInvalid, ErrorKind.InvalidArgument,
            $"-Queues and -IOThread apply to virtio-scsi controllers only, not to {model}.", domain,
            "Leave them out, or use -Model virtio-scsi.");

    // AddressInUse
    public static VirtioScsiException AddressInUse(string domain, string address) =>
        new(ErrorIds.AddressInUse, ErrorKind.ResourceExists,
            $"Address {address} (controller:bus:target:unit) is already used by a device of domain '{domain}'.", domain,
            "Leave out -Unit to take the lowest free unit, or pick a free one (see Get-DomainScsiTopology).");

    public static VirtioScsiException LunWithoutAddress(string domain, string source, string target) =>
        new(ErrorIds.AddressInUse, ErrorKind.InvalidOperation,
            $"{source} is in domain '{domain}' as {target} without a drive address, so it cannot be added to the other definition at the same place.",
            domain, "Remove it with Remove-PassthroughLun and add it again.");

    public static VirtioScsiException DefinitionsDisagreeOnAddress(string domain, string source, string target, string address, string? otherTarget, string otherSource) =>
        new(ErrorIds.AddressInUse, ErrorKind.ResourceExists,
            $"{source} is {target} at {address} in one definition of domain '{domain}', but the other has {otherTarget} ({otherSource}) there.",
            domain, "Remove one of them with Remove-PassthroughLun so the definitions agree, then add the LUN again.");

    // AddressOutOfRange
    public static VirtioScsiException AddressOutOfRange(string domain, string message) =>
        new(ErrorIds.AddressOutOfRange, ErrorKind.InvalidArgument, message, domain,
            "Choose a value in range, or leave it out to let the module choose.");

    // NoFreeAddress
    public static VirtioScsiException NoFreeAddress(string domain, int controller, int? target) =>
        new(ErrorIds.NoFreeAddress, ErrorKind.LimitsExceeded,
            target is null
                ? $"SCSI controller {controller} of domain '{domain}' has no free address left."
                : $"Target {target} of SCSI controller {controller} of domain '{domain}' has no free unit left.",
            domain, "Add another controller with New-ScsiController and pass its index with -Controller" +
                    (target is null ? "." : ", or choose another -Target."));

    // TargetDeviceInvalid
    public static VirtioScsiException TargetDeviceInvalid(string domain, string requested) =>
        new(ErrorIds.TargetDeviceInvalid, ErrorKind.InvalidArgument,
            $"-TargetDevice '{requested}' is not a SCSI disk name.", domain,
            "Use sd followed by one to three lower-case letters (sdb, sdaa), or leave it out to take the lowest free name.");

    // TargetDeviceInUse
    public static VirtioScsiException TargetDeviceInUse(string domain, string requested, string holderSource, string lowestFree) =>
        new(ErrorIds.TargetDeviceInUse, ErrorKind.ResourceExists,
            $"Target device {requested} is already used by {holderSource} in domain '{domain}'.", domain,
            $"Leave out -TargetDevice to take the lowest free name ({lowestFree}), or choose another.");

    // SourceInvalid
    public static VirtioScsiException PortalInvalid(string portal, string? problem) =>
        new(ErrorIds.SourceInvalid, ErrorKind.InvalidArgument,
            $"-IscsiPortal '{portal}' is not a portal: {problem}.", portal, "Write it as host, host:port or [IPv6]:port.");

    public static VirtioScsiException IscsiNameInvalid(string iqn) =>
        new(ErrorIds.SourceInvalid, ErrorKind.InvalidArgument,
            $"-IscsiTarget '{iqn}' is not an iSCSI name: it is empty or contains a space, quote or '/'.", iqn,
            "Pass the target's IQN, such as iqn.2001-05.com.example:storage, and the LUN number with -IscsiLun.");

    public static VirtioScsiException SourceTextInvalid(string parameter, string text, string shown, string character, int position) =>
        new(ErrorIds.SourceInvalid, ErrorKind.InvalidArgument,
            $"{parameter} '{shown}' contains {character} at position {position + 1}, which libvirt's XML cannot carry back exactly.",
            text, "Pass the text without control characters (a trailing newline from a file or a pasted escape sequence is a common cause).");

    public static VirtioScsiException IscsiLunOutOfRange(string iqn, int lun) =>
        new(ErrorIds.SourceInvalid, ErrorKind.InvalidArgument,
            $"-IscsiLun {lun} is out of range.", iqn, "Pass a LUN number from 0 to 16383.");

    public static VirtioScsiException SgioInvalid(string domain, string sgio) =>
        new(ErrorIds.SourceInvalid, ErrorKind.InvalidArgument, $"-Sgio '{sgio}' is not valid.", domain, "Use filtered or unfiltered.");

    public static VirtioScsiException PathNotAbsolute(string path) =>
        new(ErrorIds.SourceInvalid, ErrorKind.InvalidArgument,
            $"-Path '{path}' is not an absolute path.", path,
            "Give the device's full path, such as /dev/mapper/<wwid> or /dev/disk/by-id/<id>.");

    // SourceNotFound, SourceNotBlockDevice, SourceIsPartition, SourceNotScsi: a -Path checked on this host
    public static VirtioScsiException SourceNotFound(string path, string domain) =>
        new(ErrorIds.SourceNotFound, ErrorKind.ObjectNotFound,
            $"-Path '{path}' does not exist on this host (checked for domain '{domain}').", path,
            "Check the device name with 'ls -l /dev/mapper /dev/disk/by-id' and that multipath or the iSCSI session is up.");

    public static VirtioScsiException SourceNotBlockDevice(string path, string shown) =>
        new(ErrorIds.SourceNotBlockDevice, ErrorKind.InvalidArgument,
            $"{shown} is not a block device.", path,
            "Pass a SAN LUN's block device, such as /dev/mapper/<wwid>; image files are attached as emulated disks, not passed through.");

    public static VirtioScsiException SourceIsPartition(string path, string shown) =>
        new(ErrorIds.SourceIsPartition, ErrorKind.InvalidArgument,
            $"{shown} is a partition: only a whole device can be passed through.", path,
            "Pass the whole device (for example /dev/sdb, not /dev/sdb1), or attach the partition as an emulated disk with virsh.");

    public static VirtioScsiException SourceNotScsi(string path, string shown) =>
        new(ErrorIds.SourceNotScsi, ErrorKind.InvalidArgument,
            $"{shown} is a block device without a SCSI layer (a loop, NVMe, virtio or RAM disk): QEMU passes only SCSI devices through (SG_IO) and would refuse it.", path,
            "Pass the SAN LUN's SCSI disk or its multipath device (/dev/mapper/<wwid>, /dev/disk/by-id/wwn-…), or attach this device as an emulated disk with virsh.");

    // SourceInUse
    public static VirtioScsiException SourceAttachedEmulated(string domain, string source, string? target, string device) =>
        new(ErrorIds.SourceInUse, ErrorKind.ResourceExists,
            $"{source} is already attached to domain '{domain}' as {target} (device='{device}', emulated, not passed through).",
            domain, "Remove that disk first (virsh detach-disk), then add the LUN again.");

    public static VirtioScsiException SourceAttachedElsewhere(string domain, string source, string? target, string address, int? bootOrder, string differs) =>
        new(ErrorIds.SourceInUse, ErrorKind.ResourceExists,
            $"{source} is already attached to domain '{domain}' as {target} at {address}" +
            (bootOrder is null ? "" : $" with boot order {bootOrder}") + $", not as asked ({differs}).",
            domain, "To move it, remove it with Remove-PassthroughLun first and add it again; to keep it, leave those parameters out.");

    // BootOrderInvalid
    public static VirtioScsiException BootOrderBelowOne(string domain, int bootOrder) =>
        new(ErrorIds.BootOrderInvalid, ErrorKind.InvalidArgument,
            $"-BootOrder {bootOrder} is not valid: boot orders start at 1.", domain, "Pass 1 to boot from this LUN first.");

    public static VirtioScsiException BootOrderNeedsConfig(string domain, string scope, bool isPersistent) =>
        new(ErrorIds.BootOrderInvalid, ErrorKind.InvalidArgument,
            $"-BootOrder needs the persistent definition of domain '{domain}', which this change does not touch ({scope}).", domain,
            isPersistent ? "Leave out -Live." : "Boot order applies at the next boot, which a transient domain does not have: define the domain with 'virsh define' first.");

    // BootOrderInUse
    public static VirtioScsiException BootOrderInUse(string domain, int bootOrder, string holder) =>
        new(ErrorIds.BootOrderInUse, ErrorKind.ResourceExists,
            $"Boot order {bootOrder} is already given to {holder} of domain '{domain}'.",
            domain, "Choose another -BootOrder, or change the other device's order with 'virsh edit'.");

    // HotplugUnavailable
    public static VirtioScsiException ControllerNotHotpluggable(string domain, string situation, string blocker, string what) =>
        new(ErrorIds.HotplugUnavailable, ErrorKind.InvalidOperation,
            $"{situation}, but a controller cannot be hot-plugged into it now: {blocker}.", domain,
            $"Fix the domain as said, or add {what} with -Config (it appears after a restart).");

    public static VirtioScsiException HotplugRefusedByVirsh(string what, object? target, string virshMessage) =>
        new(ErrorIds.HotplugUnavailable, ErrorKind.InvalidOperation,
            $"{what}: the running domain cannot hot-plug the device.", target,
            "On i440fx add <features><acpi/></features> and restart the domain; on q35 add a free pcie-root-port. Or make the change with -Config and restart the domain.", virshMessage);

    // LiveChangeOnInactiveDomain
    public static VirtioScsiException LiveChangeOnInactiveDomain(string domain, string stateText) =>
        new(ErrorIds.LiveChangeOnInactiveDomain, ErrorKind.InvalidOperation,
            $"-Live was given, but domain '{domain}' is {stateText}: there is no running domain to change.",
            domain, "Leave out -Live to change the persistent definition, or start the domain first.");

    public static VirtioScsiException DomainNotRunningByVirsh(string what, object? target, string virshMessage) =>
        new(ErrorIds.LiveChangeOnInactiveDomain, ErrorKind.InvalidOperation,
            $"{what}: the domain is not running, so there is no live domain to change.", target,
            "Leave out -Live, or start the domain first.", virshMessage);

    // ConfigChangeOnTransientDomain
    public static VirtioScsiException ConfigChangeOnTransientDomain(string domain) =>
        new(ErrorIds.ConfigChangeOnTransientDomain, ErrorKind.InvalidOperation,
            $"-Config was given, but domain '{domain}' is transient: it has no persistent definition.",
            domain, "Leave out -Config to change the running domain, or make it persistent with 'virsh define'.");

    // LunNotFound
    public static VirtioScsiException LunNotFoundBySource(string domain, string source) =>
        new(ErrorIds.LunNotFound, ErrorKind.ObjectNotFound,
            $"Domain '{domain}' has no SCSI disk with source {source}.", domain, ListLuns);

    public static VirtioScsiException LunNotFound(string domain, string targetDevice, string where) =>
        new(ErrorIds.LunNotFound, ErrorKind.ObjectNotFound,
            $"Domain '{domain}' has no SCSI disk {targetDevice} in {where}.", domain, ListLuns);

    // DetachTimedOut, RollbackIncomplete: a live removal the guest did not finish in time
    public static VirtioScsiException DeviceNotReleased(string errorId, string step, TimeSpan timeout, string domain) =>
        new(errorId, ErrorKind.OperationTimeout,
            $"{step}: the guest did not release the device within {timeout.TotalSeconds:0} s. The removal request stays pending in the running domain.",
            domain,
            "Check that the guest OS runs and handles hot-unplug (ACPI for PCI controllers), then look again with Get-DomainScsiTopology; or stop the domain, which completes the removal.");

    // SgioUnfilteredUnsupported
    public static VirtioScsiException SgioUnfilteredUnsupported(string domain, string libvirtVersion) =>
        new(ErrorIds.SgioUnfilteredUnsupported, ErrorKind.InvalidArgument,
            $"-Sgio unfiltered cannot be used: libvirt {libvirtVersion} on this connection refuses unfiltered SG_IO (libvirt 9.0 dropped it, as upstream Linux never had the unpriv_sgio it needs).",
            domain,
            "Leave out -Sgio (filtered is the default). To let the guest send SCSI commands the kernel's filter blocks (persistent reservations, vendor commands), add -Rawio: QEMU then has CAP_SYS_RAWIO, which the filter lets through; or -ManagedReservations for reservations alone.");

    // ControllerIndexGap
    public static VirtioScsiException ControllerIndexGap(string domain, int index, int missing, int limit) =>
        new(ErrorIds.ControllerIndexGap, ErrorKind.LimitsExceeded,
            $"Using SCSI controller index {index} of domain '{domain}' needs {missing} SCSI controllers below it that the domain lacks (libvirt would fill each gap with an lsilogic controller); the module adds at most {limit}.",
            domain, "Use a lower index (leave out -Index or -Controller to take the lowest free one), or add the controllers below it with New-ScsiController -Index first.");
    // DomainChangeInProgress, DomainLockUnavailable: one change at a time to a domain (Engine/DomainChangeLock)
    public static VirtioScsiException DomainChangeInProgress(string domain, TimeSpan waited, string lockPath) =>
        new(ErrorIds.DomainChangeInProgress, ErrorKind.ResourceUnavailable,
            $"Another change to domain '{domain}' was in progress and did not finish within {waited.TotalSeconds:0} s, so this one was not started.",
            domain,
            $"Run the command again when the other change has finished, or allow a longer wait with $env:VIRTIOSCSI_LOCK_TIMEOUT_SEC (seconds, default 120). 'fuser {lockPath}' shows the process holding the domain.");

    public static VirtioScsiException DomainLockUnavailable(string domain, string lockPath, string why) =>
        new(ErrorIds.DomainLockUnavailable, ErrorKind.ResourceUnavailable,
            $"The lock that keeps changes to domain '{domain}' apart cannot be taken ({lockPath}): {why}", domain,
            "Let this user write the file (another user created it without group or world write), or remove it while no change runs.");

    // The same ErrorIds for the lock that keeps attachments of one LUN apart (the shared-LUN guard and its attach)
    public static VirtioScsiException LunAttachInProgress(string source, TimeSpan waited, string lockPath) =>
        new(ErrorIds.DomainChangeInProgress, ErrorKind.ResourceUnavailable,
            $"Another attachment of {source} on this connection was in progress and did not finish within {waited.TotalSeconds:0} s, so this one was not started " +
            "(one LUN is checked against the other domains and attached by one call at a time).",
            source,
            $"Run the command again when the other attachment has finished (it may wait at a -Confirm prompt), or allow a longer wait with $env:VIRTIOSCSI_LOCK_TIMEOUT_SEC (seconds, default 120). 'fuser {lockPath}' shows the process holding it.");

    public static VirtioScsiException LunLockUnavailable(string source, string lockPath, string why) =>
        new(ErrorIds.DomainLockUnavailable, ErrorKind.ResourceUnavailable,
            $"The lock that keeps attachments of {source} apart cannot be taken ({lockPath}): {why}", source,
            "Let this user write the file (another user created it without group or world write), or remove it while no change runs.");

    // AttachNotAsPlanned: the read-back after an attach does not show the LUN where the plan put it
    public static VirtioScsiException AttachNotAsPlanned(string domain, string what, string found) =>
        new(ErrorIds.AttachNotAsPlanned, ErrorKind.InvalidOperation,
            $"{what}: libvirt reported success, but domain '{domain}' read back shows {found}, so the LUN is not passed through as planned.",
            domain,
            "Look at the domain with Get-DomainScsiTopology; another tool may have changed it at the same time. Run the command again.");

    // RollbackIncomplete: a failed change whose undoing did not finish either
    public static VirtioScsiException RollbackIncomplete(VirtioScsiException cause, string domain, string undone, string whyNotFinished, string leftBehind, string removeWith) =>
        new(ErrorIds.RollbackIncomplete, ErrorKind.InvalidOperation,
            cause.Message + " " + undone + "Rolling back did not finish: " + whyNotFinished + " Left behind in domain '" + domain + "': " + leftBehind,
            domain, "Remove what was left behind with: " + removeWith + " (then check with Get-DomainScsiTopology).", inner: cause);

    // NodeDeviceXmlInvalid (host device discovery)
    public static VirtioScsiException NodeDeviceXmlNotWellFormed(Exception e) =>
        new(ErrorIds.NodeDeviceXmlInvalid, ErrorKind.InvalidData,
            $"The node device XML is not well-formed (or declares a DTD, which is refused): {e.Message}", null, inner: e);

    public static VirtioScsiException NodeDeviceXmlInvalid(string message) =>
        new(ErrorIds.NodeDeviceXmlInvalid, ErrorKind.InvalidData, message, null);

    // WwidNotFound, WwidAmbiguous, WwidSinglePath, WwidNoStablePath: Add-PassthroughLun -Wwid
    private const string ListHostLuns = "List the host's LUNs with Get-HostScsiLun -All (WWID, paths, who uses them).";

    public static VirtioScsiException WwidNotFound(string wwid, string? connectionUri) =>
        new(ErrorIds.WwidNotFound, ErrorKind.ObjectNotFound,
            $"No host LUN has the WWID '{wwid}'{(connectionUri is null ? "" : " on " + connectionUri)}.", wwid,
            ListHostLuns + " If the LUN is new, rescan the host's SCSI bus (rescan-scsi-bus.sh, or iscsiadm -m session --rescan) and check its zoning and masking.");

    public static VirtioScsiException WwidAmbiguous(string wwid, string matches) =>
        new(ErrorIds.WwidAmbiguous, ErrorKind.InvalidArgument,
            $"-Wwid '{wwid}' matches several host LUNs: {matches}.", wwid,
            "Give the whole WWID (Tab completes it), or pipe the one LUN from Get-HostScsiLun.");

    public static VirtioScsiException WwidSinglePath(string wwid, string paths, bool hostReadable) =>
        new(ErrorIds.WwidSinglePath, ErrorKind.InvalidOperation,
            hostReadable
                ? $"The LUN '{wwid}' has several paths ({paths}) but no multipath map: attaching one of them would bypass multipath, and the guest would lose the LUN when that path fails."
                : $"The LUN '{wwid}' has several paths on the host ({paths}); its multipath map cannot be seen over a remote connection, and attaching one path would bypass multipath.",
            wwid,
            hostReadable
                ? "Set up dm-multipath for it ('multipath -a <wwid>; multipath -r'), then attach /dev/mapper/<map>; or pass -Path to attach one path knowingly."
                : "Pass the multipath map's path on that host with -Path (/dev/mapper/<map>, see 'multipath -ll' there).");

    public static VirtioScsiException WwidNoStablePath(string wwid, string paths) =>
        new(ErrorIds.WwidNoStablePath, ErrorKind.ObjectNotFound,
            $"The LUN '{wwid}' ({paths}) has no stable name to attach: no multipath map and no /dev/disk/by-id link (a kernel name like /dev/sdb can change at the next boot).", wwid,
            "Check that udev runs on the host ('udevadm trigger' makes the by-id links), or pass -Path knowingly.");

    // RemoteHostUnreachable, RemoteAuthenticationFailed, RemoteLibvirtUnavailable: a remote connection (qemu+ssh,
    // qemu+tcp, …) that failed before libvirt answered. Their advice is about the far host, never the local libvirtd.
    public static VirtioScsiException RemoteHostUnreachable(string what, object? target, string virshMessage) =>
        new(ErrorIds.RemoteHostUnreachable, ErrorKind.ResourceUnavailable,
            $"{what}: could not reach the libvirt host: the host is unreachable or nothing listens at its address and port.", target,
            "Check the host name and port in -ConnectionUri, that the host is up and that its sshd (for qemu+ssh) or libvirtd's TCP/TLS listener answers there, for example with 'ssh -p PORT user@host true'.",
            virshMessage);

    public static VirtioScsiException RemoteAuthenticationFailed(string what, object? target, string virshMessage) =>
        new(ErrorIds.RemoteAuthenticationFailed, ErrorKind.ResourceUnavailable,
            $"{what}: the libvirt host was reached, but it refused authentication.", target,
            "Check that 'ssh user@host true' logs in without a prompt (the module never prompts): a key authorised for that user (ssh-copy-id), offered by ssh-agent or an IdentityFile in ~/.ssh/config, and the host's key in known_hosts.",
            virshMessage);

    public static VirtioScsiException RemoteLibvirtUnavailable(string what, object? target, string virshMessage) =>
        new(ErrorIds.RemoteLibvirtUnavailable, ErrorKind.ResourceUnavailable,
            $"{what}: the host was reached and logged into, but no libvirt daemon answers there for this URI.", target,
            "On that host, start libvirtd or virtqemud (for a .../session URI, the login user's session daemon), check that the URI's path (/system or /session) is the one meant, and that the user may use it (for /system: root or the libvirt group).",
            virshMessage);

    // SourceNotFound, SourceNotBlockDevice: what libvirt or QEMU on a remote host said of a -Path there
    public static VirtioScsiException SourceNotFoundOnHost(string what, object? target, string virshMessage) =>
        new(ErrorIds.SourceNotFound, ErrorKind.ObjectNotFound,
            $"{what}: the -Path does not exist on the libvirt host.", target,
            "Check the device name on that host with 'ls -l /dev/mapper /dev/disk/by-id' and that multipath or the iSCSI session is up there.",
            virshMessage);

    public static VirtioScsiException SourceNotBlockDeviceOnHost(string what, object? target, string virshMessage) =>
        new(ErrorIds.SourceNotBlockDevice, ErrorKind.InvalidArgument,
            $"{what}: the -Path on the libvirt host is not a block device QEMU can pass through.", target,
            "Pass a SAN LUN's block device on that host, such as /dev/mapper/<wwid>; image files are attached as emulated disks, not passed through.",
            virshMessage);

    /// <summary>The warning that -Path cannot be checked here when the domain's host is another machine.</summary>
    public static string PathNotCheckedRemotely(string path, string? connectionUri) =>
        $"-Path '{path}' cannot be checked from here: {connectionUri} is a remote connection, so the path names a device on that host, not on this machine. The host's libvirt checks it when the LUN is attached.";

    /// <summary>The same error, told what the rollback after it did.</summary>
    public static VirtioScsiException WithRollback(VirtioScsiException e, string rollback) =>
        new(e.ErrorId, e.Kind, e.Summary + " " + rollback, e.TargetObject, e.RecommendedAction, e.VirshMessage, e.InnerException);
}

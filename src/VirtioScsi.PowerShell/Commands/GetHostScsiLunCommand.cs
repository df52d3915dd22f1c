using System.Linq;
using System.Management.Automation;
using VirtioScsi.Commands.Completers;
using VirtioScsi.Model;

namespace VirtioScsi.Commands;

/// <summary>
/// Lists the SCSI LUNs of the connection's host (local or remote): WWID, vendor, model, size, host address,
/// the stable path to attach and who uses each. Pipe them into Add-PassthroughLun.
/// </summary>
[Cmdlet(VerbsCommon.Get, "HostScsiLun")]
[OutputType(typeof(HostScsiLun))]
public sealed class GetHostScsiLunCommand : VirtioScsiCmdlet
{
    /// <summary>WWIDs to list (3600a0980…, or the NAA as 600a0980…/naa.600a0980…); wildcards allowed.</summary>
    [Parameter(Position = 0)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(WwidCompleter))]
    public string[]? Wwid { get; set; }

    /// <summary>Vendors to list (as the LUN's INQUIRY data names them: HP, NETAPP, 3PARdata); wildcards allowed.</summary>
    [Parameter]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[]? Vendor { get; set; }

    /// <summary>Only LUNs no domain of the connection holds and (on a local connection) the host does not use.</summary>
    [Parameter]
    public SwitchParameter Free { get; set; }

    /// <summary>Also the host's disks QEMU cannot pass through (virtio, NVMe, loop): listed with their reason.</summary>
    [Parameter]
    public SwitchParameter All { get; set; }

    protected override void ProcessRecord()
    {
        Guard(() =>
        {
            var (luns, errors) = Manager.ListHostLuns(readDomains: true, StopToken);
            foreach (var error in errors) WriteError(ErrorRecords.From(error));
            var vendors = Vendor?.Select(v => new WildcardPattern(v.Trim(), WildcardOptions.IgnoreCase | WildcardOptions.CultureInvariant)).ToArray();
            foreach (var lun in luns)
            {
                if (!All.IsPresent && !lun.IsPassthroughCapable) continue;
                if (Wwid is not null && !Wwid.Any(w => Engine.WwidResolver.Matches(w, lun.Wwid))) continue;
                if (vendors is not null && !vendors.Any(v => v.IsMatch(lun.Vendor ?? ""))) continue;
                if (Free.IsPresent && !lun.IsFree) continue;
                WriteObject(lun);
            }
        });
    }
}

using System.Collections.Generic;
using System.IO;
using VirtioScsi.HostDevices;
using VirtioScsi.Tests.Support;

namespace VirtioScsi.Tests.HostDevices;

/// <summary>
/// The shared corpus's HP MSA LUN (libvirt's own node-device test XML) as a host would list it: the corpus
/// has its storage device but not the SCSI device that is its parent, so that one is written here in the
/// form of the corpus's other SCSI device (lun0). A second path to the same LUN is the same storage device
/// behind another HBA, as a dual-fabric SAN shows it.
/// </summary>
internal static class MsaLun
{
    public const string Wwid = "3600c0ff000d7a2a5d463ff4902000000";
    public const string WwnPath = "/dev/disk/by-id/wwn-0x600c0ff000d7a2a5d463ff4902000000";
    private const string ScsiDeviceName = "pci_10df_fe00_scsi_host_scsi_device_lun8";

    public static string? Corpus => Fixtures.SharedCorpus("libvirt-nodedev");

    public static string StorageXml => File.ReadAllText(Path.Combine(Corpus!, $"storage_serial_{Wwid}.xml"));

    public static string ScsiDevice(string name, int host, long lun) =>
        $"<device><name>{name}</name><parent>pci_10df_fe00_scsi_host</parent><capability type='scsi'>" +
        $"<host>{host}</host><bus>0</bus><target>0</target><lun>{lun}</lun><type>disk</type></capability></device>";

    /// <summary>The LUN on one path: /dev/sdj at 5:0:0:8.</summary>
    public static IReadOnlyList<NodeDevice> OnePath() => new[]
    {
        NodeDevice.Parse(StorageXml),
        NodeDevice.Parse(ScsiDevice(ScsiDeviceName, 5, 8)),
    };

    /// <summary>The LUN on two paths: /dev/sdj at 5:0:0:8 and /dev/sdk at 6:0:0:8.</summary>
    public static IReadOnlyList<NodeDevice> TwoPaths()
    {
        var second = StorageXml
            .Replace($"storage_serial_{Wwid}", "block_sdk")
            .Replace("/dev/sdj", "/dev/sdk")
            .Replace(ScsiDeviceName, ScsiDeviceName + "_b");
        return new[]
        {
            NodeDevice.Parse(StorageXml),
            NodeDevice.Parse(ScsiDevice(ScsiDeviceName, 5, 8)),
            NodeDevice.Parse(second),
            NodeDevice.Parse(ScsiDevice(ScsiDeviceName + "_b", 6, 8)),
        };
    }

    /// <summary>Another LUN of the same array (a WWID that differs in its last digits).</summary>
    public static IReadOnlyList<NodeDevice> Neighbour() => new[]
    {
        NodeDevice.Parse(StorageXml.Replace(Wwid, Wwid.Substring(0, 31) + "01").Replace("/dev/sdj", "/dev/sdl")
            .Replace(ScsiDeviceName, ScsiDeviceName + "_9")),
        NodeDevice.Parse(ScsiDevice(ScsiDeviceName + "_9", 5, 9)),
    };
}

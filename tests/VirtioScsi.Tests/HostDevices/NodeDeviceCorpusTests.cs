using System.Collections.Generic;
using System.IO;
using System.Linq;
using VirtioScsi.HostDevices;
using VirtioScsi.Tests.Support;
using Xunit;

namespace VirtioScsi.Tests.HostDevices;

/// <summary>
/// libvirt's own node-device test XML (../shared/corpus/libvirt-nodedev, see its SOURCE.md): every file
/// parses with the fields written in it. Reported as skipped where the corpus is absent.
/// </summary>
public class NodeDeviceCorpusTests
{
    private static string? Corpus => Fixtures.SharedCorpus("libvirt-nodedev");

    public static IEnumerable<object[]> Files()
    {
        if (Corpus is null) return new[] { new object[] { "" } };
        return Directory.GetFiles(Corpus, "*.xml").Select(f => new object[] { Path.GetFileName(f) }).OrderBy(f => (string)f[0]);
    }

    private static NodeDevice Load(string file) => NodeDevice.Parse(File.ReadAllText(Path.Combine(Corpus!, file)));

    [SkippableTheory]
    [MemberData(nameof(Files))]
    public void Every_corpus_file_parses_with_the_fields_it_declares(string file)
    {
        Skip.If(Corpus is null, "../shared/corpus/libvirt-nodedev is absent");
        var device = Load(file);
        switch (file)
        {
            case "storage_serial_3600c0ff000d7a2a5d463ff4902000000.xml":
                Assert.Equal(("storage_serial_3600c0ff000d7a2a5d463ff4902000000", "pci_10df_fe00_scsi_host_scsi_device_lun8"), (device.Name, device.Parent));
                Assert.Equal(new[] { "storage" }, device.CapabilityTypes);
                var msa = device.Storage!;
                Assert.Equal(("/dev/sdj", "pci", "disk", "HP", "MSA2012fc", "3600c0ff000d7a2a5d463ff4902000000", 15626928128L, false),
                    (msa.Block, msa.Bus, msa.DriveType, msa.Vendor, msa.Model, msa.Serial, msa.SizeBytes, msa.Removable));
                Assert.Null(device.ScsiAddress);
                break;
            case "storage_serial_SATA_HTS721010G9SA00_MPCZ12Y0GNGWSE.xml":
                Assert.Equal("pci_8086_27c5_scsi_host_scsi_device_lun0", device.Parent);
                var sata = device.Storage!;
                Assert.Equal(("/dev/sda", "scsi", "disk", "ATA", "HTS721010G9SA00", (string?)null, 100030242816L, false),
                    (sata.Block, sata.Bus, sata.DriveType, sata.Vendor, sata.Model, sata.Serial, sata.SizeBytes, sata.Removable));
                break;
            case "DVD_with_media.xml":
                Assert.Equal(("DVD_GCC_4247N", "pci_8086_27df_scsi_host_scsi_device_lun0"), (device.Name, device.Parent));
                var dvd = device.Storage!;
                Assert.Equal(("/dev/sr0", "scsi", "cdrom", "HL-DT-ST", "RW/DVD GCC-4247N", (string?)null, true),
                    (dvd.Block, dvd.Bus, dvd.DriveType, dvd.Vendor, dvd.Model, dvd.Serial, dvd.Removable));
                // A removable drive's size is its medium's.
                Assert.Equal((12345678L, true, "Windows_XP_Label", 2048, 6028L),
                    (dvd.SizeBytes, dvd.MediaAvailable, dvd.MediaLabel, dvd.LogicalBlockSize, dvd.NumBlocks));
                break;
            case "pci_8086_27c5_scsi_host_scsi_device_lun0.xml":
                Assert.Equal("pci_8086_27c5_scsi_host", device.Parent);
                Assert.Equal(new[] { "scsi" }, device.CapabilityTypes);
                Assert.Equal("0:0:0:0", device.ScsiAddress!.Value.ToString());
                Assert.Equal("disk", device.ScsiType);
                Assert.Null(device.Storage);
                break;
            case "pci_8086_27c5_scsi_host_0.xml":
                Assert.Equal(("pci_8086_27c5_scsi_host_0", "pci_8086_27c5", 1), (device.Name, device.Parent, device.ScsiHostNumber));
                Assert.Null(device.ScsiAddress);
                Assert.Null(device.Storage);
                break;
            case "scsi_target0_0_0.xml":
                Assert.Equal(("scsi_target0_0_0", "scsi_host0", "target0:0:0"), (device.Name, device.Parent, device.ScsiTargetName));
                Assert.Null(device.ScsiAddress);
                break;
            default:
                Assert.Fail($"{file} is new in the corpus: add the fields it declares to this test.");
                break;
        }
    }

    [SkippableFact]
    public void The_corpus_as_one_host_links_each_disk_to_its_scsi_device_and_marks_what_cannot_be_passed_through()
    {
        Skip.If(Corpus is null, "../shared/corpus/libvirt-nodedev is absent");
        var luns = HostLunCatalog.Build(Directory.GetFiles(Corpus!, "*.xml").Select(f => NodeDevice.Parse(File.ReadAllText(f))));

        Assert.Equal(new[] { "/dev/sda", "/dev/sdj", "/dev/sr0" }, luns.Select(l => l.Paths.Single().Device));

        // The SATA disk's parent is the corpus's SCSI device lun0: its host address is known.
        var sata = luns[0];
        Assert.Equal(("0:0:0:0", "ATA", "HTS721010G9SA00", 100030242816L, (string?)null), (sata.HostAddress.ToString(), sata.Vendor, sata.Model, sata.SizeBytes, sata.Wwid));
        Assert.True(sata.IsPassthroughCapable);

        // The MSA LUN's and the DVD's SCSI devices are not in the corpus: the rule cannot see a SCSI layer.
        var msa = luns[1];
        Assert.Equal(("3600c0ff000d7a2a5d463ff4902000000", "HP", "MSA2012fc", 15626928128L), (msa.Wwid, msa.Vendor, msa.Model, msa.SizeBytes));
        Assert.Null(msa.HostAddress);
        Assert.False(msa.IsPassthroughCapable);
        Assert.Contains("storage_serial_3600c0ff000d7a2a5d463ff4902000000 → pci_10df_fe00_scsi_host_scsi_device_lun8", msa.NotPassthroughCapableReason);
        Assert.Equal("cdrom", luns[2].DriveType);

        // No resolver (as for a remote host): nothing is claimed about this machine's paths or use.
        Assert.All(luns, l => Assert.Null(l.StablePath));
        Assert.All(luns, l => Assert.Null(l.HostUse));
        Assert.All(luns, l => Assert.Empty(l.UsedByDomains));
    }
}

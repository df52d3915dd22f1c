using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Xml.Linq;
using VirtioScsi.Engine;
using VirtioScsi.Libvirt;
using VirtioScsi.Errors;
using VirtioScsi.Model;
using VirtioScsi.Tests.Support;
using Xunit;

namespace VirtioScsi.Tests.Model;

/// <summary>
/// libvirt's own test XML (../shared/corpus/libvirt-tests): every file parses, with the SCSI controllers
/// and SCSI disks it declares. Reported as skipped where the corpus is absent.
/// </summary>
public class CorpusTests
{
    public static IEnumerable<object[]> Files()
    {
        var dir = Fixtures.CorpusDirectory;
        if (dir is null) return new[] { new object[] { "" } };
        return Directory.GetFiles(dir, "*.xml").Select(f => new object[] { Path.GetFileName(f) }).OrderBy(f => (string)f[0]);
    }

    [SkippableTheory]
    [MemberData(nameof(Files))]
    public void Every_corpus_file_parses_with_the_scsi_devices_it_declares(string file)
    {
        Skip.If(Fixtures.CorpusDirectory is null, "../shared/corpus/libvirt-tests is absent");
        var text = File.ReadAllText(Path.Combine(Fixtures.CorpusDirectory!, file));
        if (file == "broken-xml-invalid.xml")
        {
            Assert.Equal(ErrorIds.DomainXmlInvalid, Assert.Throws<VirtioScsiException>(() => DomainDefinition.Parse(text)).ErrorId);
            return;
        }
        var definition = DomainDefinition.Parse(text);

        // What the file declares, read straight from its elements.
        var devices = XDocument.Parse(text).Root!.Element("devices");
        var controllers = devices?.Elements("controller").Where(c => (string?)c.Attribute("type") == "scsi").ToArray() ?? new XElement[0];
        var disks = devices?.Elements("disk").Where(d => (string?)d.Element("target")?.Attribute("bus") == "scsi").ToArray() ?? new XElement[0];
        Assert.Equal(controllers.Select(c => ((string?)c.Attribute("model"), (int?)c.Attribute("index") ?? 0)),
            definition.ScsiControllers.Select(c => (c.Model, c.Index)));
        Assert.Equal(disks.Select(d => ((string?)d.Element("target")!.Attribute("dev"), (string?)d.Attribute("device") ?? "disk")),
            definition.ScsiDisks.Select(d => (d.TargetDevice, d.Device)));
        // Topology building works on every file too.
        var topology = TopologyBuilder.Build(new DomainState(definition.Name, false, true, "shut off", null, definition), null);
        Assert.Equal(controllers.Length, topology.Controllers.Count);
        Assert.Equal(disks.Length, topology.Disks.Count);
    }

    [SkippableFact]
    public void Known_files_have_the_devices_a_reader_sees_in_them()
    {
        Skip.If(Fixtures.CorpusDirectory is null, "../shared/corpus/libvirt-tests is absent");
        DomainDefinition Load(string f) => DomainDefinition.Parse(File.ReadAllText(Path.Combine(Fixtures.CorpusDirectory!, f)));

        var passthrough = Load("disk-scsi-lun-passthrough.xml");
        Assert.Equal(new[] { "/dev/HostVG/QEMUGuest1", "/dev/HostVG/QEMUGuest2" },
            passthrough.ScsiDisks.Where(d => d.Device == "lun" && d.Source.Kind == LunSourceKind.Block).Select(d => d.Source.Path));
        Assert.Equal(new DriveAddress(0, 0, 1, 1), passthrough.ScsiDisks.Last().Address);

        var iscsiLun = Load("disk-network-iscsi-lun.xml").ScsiDisks.Single(d => d.Device == "lun");
        Assert.Equal(("example.org:3260", "iqn.1992-01.com.example", 0),
            (iscsiLun.Source.IscsiPortal, iscsiLun.Source.IscsiTarget, iscsiLun.Source.IscsiLun!.Value));

        var sgio = Load("disk-scsi-lun-passthrough-sgio.xml");
        Assert.Contains(sgio.ScsiDisks, d => d.Sgio == "unfiltered");
        Assert.Contains(sgio.ScsiDisks, d => d.Sgio == "filtered");

        var reservations = Load("disk-virtio-scsi-reservations.xml");
        Assert.Contains(reservations.ScsiDisks, d => d.ManagedReservations);

        var iscsi = Load("disk-network-iscsi.xml");
        Assert.Contains(iscsi.Disks, d => d.Source.Kind == LunSourceKind.Iscsi && d.Source.IscsiTarget!.StartsWith("iqn."));

        var hostdev = Load("hostdev-scsi-virtio-scsi.xml");
        Assert.NotEmpty(hostdev.HostdevAddresses);

        Assert.Equal(new[] { "lsilogic", "lsisas1078", "lsisas1068", "ibmvscsi", "vmpvscsi" },
            Load("disk-scsi.xml").ScsiControllers.Select(c => c.Model));

        Assert.Empty(Load("x86_64-pc-minimal.xml").ScsiControllers);
        Assert.Empty(Load("disk-source-pool-mode.xml").ScsiDisks);
    }
}

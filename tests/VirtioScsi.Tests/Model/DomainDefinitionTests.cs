using System.Linq;
using VirtioScsi.Libvirt;
using VirtioScsi.Errors;
using VirtioScsi.Model;
using VirtioScsi.Tests.Support;
using Xunit;

namespace VirtioScsi.Tests.Model;

/// <summary>Parsing real 'virsh dumpxml' output (recorded from libvirt 9.0 with QEMU 7.2).</summary>
public class DomainDefinitionTests
{
    [Fact]
    public void A_running_domain_with_only_an_lsi_controller()
    {
        var d = Fixtures.Definition("lsi-only.live.xml");
        Assert.Equal("fx-lsi-only", d.Name);
        Assert.NotNull(d.Id);
        Assert.True(d.HasAcpi);
        Assert.Equal("pc-i440fx-7.2", d.MachineType);
        var controller = Assert.Single(d.ScsiControllers);
        Assert.Equal(0, controller.Index);
        Assert.Equal("lsilogic", controller.Model);
        Assert.Equal("scsi0", controller.Alias);
        Assert.Matches("^0000:00:[0-9a-f]{2}\\.0$", controller.PciAddress);
        var disk = Assert.Single(d.ScsiDisks);
        Assert.Equal("disk", disk.Device);
        Assert.Equal(new DriveAddress(0, 0, 0, 0), disk.Address);
        Assert.Equal(LunSourceKind.File, disk.Source.Kind);
        Assert.Equal(new[] { "hd" }, d.OsBootDevices);
    }

    [Fact]
    public void A_running_domain_with_iscsi_luns_on_virtio_scsi()
    {
        var d = Fixtures.Definition("virtio-only.live.xml");
        var controller = Assert.Single(d.ScsiControllers);
        Assert.Equal("virtio-scsi", controller.Model);
        var luns = d.ScsiDisks.ToArray();
        Assert.Equal(2, luns.Length);
        Assert.All(luns, l => Assert.Equal("lun", l.Device));
        Assert.Equal(new[] { "sda", "sdb" }, luns.Select(l => l.TargetDevice));
        Assert.Equal(new[] { 1, 2 }, luns.Select(l => l.Source.IscsiLun!.Value));
        Assert.All(luns, l => Assert.Equal("iqn.2026-11.org.example:fixture", l.Source.IscsiTarget));
        Assert.All(luns, l => Assert.Equal("127.0.0.1:13260", l.Source.IscsiPortal));
        Assert.Equal(new DriveAddress(0, 0, 0, 1), luns[1].Address);
    }

    [Fact]
    public void A_domain_with_lsi_and_virtio_controllers_and_queues()
    {
        var d = Fixtures.Definition("mixed.config.xml");
        Assert.Null(d.Id);
        Assert.Equal(new[] { ("lsilogic", 0), ("virtio-scsi", 1) }, d.ScsiControllers.Select(c => (c.Model!, c.Index)));
        Assert.Equal(2, d.ScsiControllers.Single(c => c.Index == 1).Queues);
        var cdrom = d.ScsiDisks.Single(x => x.Device == "cdrom");
        Assert.True(cdrom.ReadOnly);
        Assert.Equal(LunSourceKind.Other, cdrom.Source.Kind);
    }

    [Fact]
    public void A_domain_without_scsi()
    {
        var d = Fixtures.Definition("none.live.xml");
        Assert.Empty(d.ScsiControllers);
        Assert.Empty(d.ScsiDisks);
    }

    [Fact]
    public void A_q35_domain_lists_its_root_ports_and_the_buses_in_use()
    {
        var d = Fixtures.Definition("q35.live.xml");
        Assert.Contains("q35", d.MachineType);
        var ports = d.Controllers.Where(c => c.Model == "pcie-root-port").Select(c => c.Index).ToArray();
        Assert.Equal(new[] { 1, 2, 3 }, ports);
        Assert.All(ports, p => Assert.Contains(p, d.PciBusesInUse));
    }

    [Fact]
    public void A_domain_with_hundreds_of_luns()
    {
        var d = Fixtures.Definition("many-luns.config.xml");
        Assert.Equal(399, d.ScsiDisks.Count());
        Assert.Equal(299, d.ScsiDisks.Count(x => x.Address!.Value.Controller == 1));
        Assert.DoesNotContain(d.ScsiDisks, x => x.Address == new DriveAddress(1, 0, 0, 7));
    }

    [Fact]
    public void Xml_that_is_not_a_domain_is_refused_with_an_error_id()
    {
        Assert.Equal(ErrorIds.DomainXmlInvalid, Assert.Throws<VirtioScsiException>(() => DomainDefinition.Parse("<domain><name>x")).ErrorId);
        Assert.Equal(ErrorIds.DomainXmlInvalid, Assert.Throws<VirtioScsiException>(() => DomainDefinition.Parse("<network/>")).ErrorId);
    }

    [Theory]
    [InlineData("10", 10)]
    [InlineData("0x1f", 31)]
    [InlineData(" 7 ", 7)]
    [InlineData("zz", null)]
    [InlineData(null, null)]
    public void Numbers_are_decimal_or_hexadecimal(string? text, int? expected) =>
        Assert.Equal(expected, DomainDefinition.ParseInt(text));
}

using System.Linq;
using System.Xml.Linq;
using VirtioScsi.Libvirt;
using VirtioScsi.Model;
using VirtioScsi.Planning;
using Xunit;

namespace VirtioScsi.Tests.Planning;

/// <summary>The device XML handed to libvirt for passthrough LUNs and controllers.</summary>
public class DeviceXmlTests
{
    private static readonly DriveAddress At = new(1, 0, 2, 7);

    private static XElement BlockLun(LunOptions? options = null, int? bootOrder = null) =>
        DeviceXml.Lun(LunSource.Block("/dev/disk/by-id/wwn-0x600a0b80001234"), At, "sdc", options ?? new LunOptions(), bootOrder);

    private static XElement IscsiLun(LunOptions? options = null) =>
        DeviceXml.Lun(LunSource.Iscsi("192.0.2.10", 3260, "iqn.2026-11.org.example:san", 5), At, "sdd", options ?? new LunOptions(), null);

    [Fact]
    public void A_block_lun_is_a_raw_uncached_lun_on_the_scsi_bus_at_an_explicit_address()
    {
        var disk = BlockLun();
        Assert.Equal("disk", disk.Name.LocalName);
        Assert.Equal("block", (string?)disk.Attribute("type"));
        Assert.Equal("lun", (string?)disk.Attribute("device"));

        var driver = Assert.Single(disk.Elements("driver"));
        Assert.Equal("qemu", (string?)driver.Attribute("name"));
        Assert.Equal("raw", (string?)driver.Attribute("type"));
        Assert.Equal("none", (string?)driver.Attribute("cache"));

        var source = Assert.Single(disk.Elements("source"));
        Assert.Equal("/dev/disk/by-id/wwn-0x600a0b80001234", (string?)source.Attribute("dev"));

        var target = Assert.Single(disk.Elements("target"));
        Assert.Equal("sdc", (string?)target.Attribute("dev"));
        Assert.Equal("scsi", (string?)target.Attribute("bus"));

        var address = Assert.Single(disk.Elements("address"));
        Assert.Equal("drive", (string?)address.Attribute("type"));
        Assert.Equal("1", (string?)address.Attribute("controller"));
        Assert.Equal("0", (string?)address.Attribute("bus"));
        Assert.Equal("2", (string?)address.Attribute("target"));
        Assert.Equal("7", (string?)address.Attribute("unit"));
    }

    [Fact]
    public void A_lun_has_no_serial_no_blockio_and_by_default_no_optional_settings()
    {
        foreach (var disk in new[] { BlockLun(), IscsiLun() })
        {
            Assert.Empty(disk.Descendants("serial"));
            Assert.Empty(disk.Descendants("blockio"));
            Assert.Empty(disk.Descendants("boot"));
            Assert.Empty(disk.Descendants("readonly"));
            Assert.Empty(disk.Descendants("shareable"));
            Assert.Empty(disk.Descendants("reservations"));
            Assert.Null(disk.Attribute("sgio"));
            Assert.Null(disk.Attribute("rawio"));
        }
    }

    [Fact]
    public void With_every_option_there_is_still_no_serial_or_blockio()
    {
        var all = new LunOptions { Shareable = true, ReadOnly = true, Sgio = "unfiltered", Rawio = true, ManagedReservations = true };
        foreach (var disk in new[] { BlockLun(all, 1), IscsiLun(all) })
        {
            Assert.Empty(disk.Descendants("serial"));
            Assert.Empty(disk.Descendants("blockio"));
        }
    }

    [Fact]
    public void An_iscsi_lun_is_a_network_disk_naming_the_iqn_and_lun_and_the_portal()
    {
        var disk = IscsiLun();
        Assert.Equal("network", (string?)disk.Attribute("type"));
        Assert.Equal("lun", (string?)disk.Attribute("device"));
        var source = Assert.Single(disk.Elements("source"));
        Assert.Equal("iscsi", (string?)source.Attribute("protocol"));
        Assert.Equal("iqn.2026-11.org.example:san/5", (string?)source.Attribute("name"));
        Assert.Null(source.Attribute("dev"));
        var host = Assert.Single(source.Elements("host"));
        Assert.Equal("192.0.2.10", (string?)host.Attribute("name"));
        Assert.Equal("3260", (string?)host.Attribute("port"));
        Assert.Equal("sdd", (string?)disk.Element("target")!.Attribute("dev"));
    }

    [Fact]
    public void An_iscsi_lun_0_on_an_ipv6_portal_with_another_port()
    {
        var disk = DeviceXml.Lun(LunSource.Iscsi("fd00::10", 13260, "iqn.2026-11.org.example:v6", 0), new DriveAddress(0, 0, 0, 0), "sda", new LunOptions(), null);
        var source = disk.Element("source")!;
        Assert.Equal("iqn.2026-11.org.example:v6/0", (string?)source.Attribute("name"));
        Assert.Equal("fd00::10", (string?)source.Element("host")!.Attribute("name"));
        Assert.Equal("13260", (string?)source.Element("host")!.Attribute("port"));
    }

    [Fact]
    public void Options_become_libvirt_settings()
    {
        var disk = BlockLun(new LunOptions { Shareable = true, ReadOnly = true, Sgio = "unfiltered", Rawio = true, ManagedReservations = true });
        Assert.Equal("unfiltered", (string?)disk.Attribute("sgio"));
        Assert.Equal("yes", (string?)disk.Attribute("rawio"));
        Assert.Single(disk.Elements("shareable"));
        Assert.Single(disk.Elements("readonly"));
        var reservations = Assert.Single(disk.Element("source")!.Elements("reservations"));
        Assert.Equal("yes", (string?)reservations.Attribute("managed"));
    }

    [Fact]
    public void Managed_reservations_go_inside_the_iscsi_source_too()
    {
        var disk = IscsiLun(new LunOptions { ManagedReservations = true });
        var source = disk.Element("source")!;
        Assert.Single(source.Elements("host"));
        Assert.Equal("yes", (string?)Assert.Single(source.Elements("reservations")).Attribute("managed"));
    }

    [Fact]
    public void Filtered_sgio_is_written_when_asked_for()
    {
        Assert.Equal("filtered", (string?)BlockLun(new LunOptions { Sgio = "filtered" }).Attribute("sgio"));
    }

    [Fact]
    public void A_boot_order_becomes_a_boot_element()
    {
        var boot = Assert.Single(BlockLun(bootOrder: 3).Elements("boot"));
        Assert.Equal("3", (string?)boot.Attribute("order"));
    }

    [Fact]
    public void The_lun_reads_back_as_the_same_source_address_and_settings()
    {
        // What libvirt would read: the LUN XML inside a domain, parsed by the module's own reader.
        var options = new LunOptions { Shareable = true, ReadOnly = true, Sgio = "unfiltered", Rawio = true, ManagedReservations = true };
        var source = LunSource.Iscsi("192.0.2.10", 3260, "iqn.2026-11.org.example:san", 5);
        var lun = DeviceXml.Lun(source, At, "sdd", options, 2);
        var xml = Dom.Edit("none.live.xml", d => Dom.Devices(d).Add(lun));
        var disk = Dom.Parse(xml).ScsiDisks.Single();
        Assert.Equal("lun", disk.Device);
        Assert.Equal("sdd", disk.TargetDevice);
        Assert.Equal(source, disk.Source);
        Assert.Equal(At, disk.Address);
        Assert.Equal("unfiltered", disk.Sgio);
        Assert.True(disk.Rawio);
        Assert.True(disk.Shareable);
        Assert.True(disk.ReadOnly);
        Assert.True(disk.ManagedReservations);
        Assert.Equal(2, disk.BootOrder);
    }

    [Fact]
    public void A_virtio_scsi_controller_without_queues_or_iothread_has_no_driver()
    {
        var controller = DeviceXml.Controller(3, "virtio-scsi", null, null);
        Assert.Equal("controller", controller.Name.LocalName);
        Assert.Equal("scsi", (string?)controller.Attribute("type"));
        Assert.Equal("3", (string?)controller.Attribute("index"));
        Assert.Equal("virtio-scsi", (string?)controller.Attribute("model"));
        Assert.Empty(controller.Elements());
    }

    [Fact]
    public void Queues_and_iothread_go_into_the_controller_driver()
    {
        var driver = Assert.Single(DeviceXml.Controller(0, "virtio-scsi", 4, 2).Elements("driver"));
        Assert.Equal("4", (string?)driver.Attribute("queues"));
        Assert.Equal("2", (string?)driver.Attribute("iothread"));

        var queuesOnly = Assert.Single(DeviceXml.Controller(0, "virtio-scsi", 8, null).Elements("driver"));
        Assert.Equal("8", (string?)queuesOnly.Attribute("queues"));
        Assert.Null(queuesOnly.Attribute("iothread"));
    }

    [Fact]
    public void A_drive_address_element()
    {
        var a = DeviceXml.DriveAddressElement(new DriveAddress(2, 0, 255, 16383));
        Assert.Equal("<address type=\"drive\" controller=\"2\" bus=\"0\" target=\"255\" unit=\"16383\" />", a.ToString(SaveOptions.DisableFormatting));
    }
}

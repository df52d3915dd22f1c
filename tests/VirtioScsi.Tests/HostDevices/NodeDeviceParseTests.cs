using VirtioScsi.Errors;
using VirtioScsi.HostDevices;
using Xunit;

namespace VirtioScsi.Tests.HostDevices;

/// <summary>Node-device XML may come from a remote host: whatever it is, it ends in the module's own error.</summary>
public class NodeDeviceParseTests
{
    private const string Storage = "<device><name>block_sdb</name><parent>scsi_1_0_0_3</parent><capability type='storage'>" +
                                   "<block>/dev/sdb</block><size>{0}</size></capability></device>";

    [Theory]
    [InlineData("")]
    [InlineData(null)]
    [InlineData("not xml at all")]
    [InlineData("<device><name>x</name>")]
    [InlineData("\0\u0001<device/>")]
    [InlineData("<domain><name>x</name></domain>")]
    [InlineData("<device xmlns='urn:other'><name>x</name></device>")]
    [InlineData("<device><parent>computer</parent></device>")]
    [InlineData("<device><name>x</name><capability type='scsi'><host>0</host><bus>0</bus><target>0</target></capability></device>")]
    [InlineData("<device><name>x</name><capability type='scsi'><host>-1</host><bus>0</bus><target>0</target><lun>0</lun></capability></device>")]
    [InlineData("<device><name>x</name><capability type='scsi'><host>99999999999</host><bus>0</bus><target>0</target><lun>0</lun></capability></device>")]
    public void Garbage_and_wrong_documents_end_in_NodeDeviceXmlInvalid(string? xml)
    {
        var error = Assert.Throws<VirtioScsiException>(() => NodeDevice.Parse(xml));
        Assert.Equal(ErrorIds.NodeDeviceXmlInvalid, error.ErrorId);
        Assert.Equal(ErrorKind.InvalidData, error.Kind);
    }

    [Theory]
    [InlineData("12x")]
    [InlineData("1e9")]
    [InlineData("-5")]
    [InlineData("99999999999999999999")]
    public void A_size_that_is_not_a_number_is_refused_with_the_field_named(string size)
    {
        var error = Assert.Throws<VirtioScsiException>(() => NodeDevice.Parse(string.Format(Storage, size)));
        Assert.Equal(ErrorIds.NodeDeviceXmlInvalid, error.ErrorId);
        Assert.Contains("'block_sdb' has <size>" + size + "</size>", error.Message);
    }

    [Fact]
    public void An_internal_entity_DTD_is_refused_before_any_entity_expands()
    {
        const string laughs = "<?xml version='1.0'?><!DOCTYPE device [<!ENTITY a 'aaaaaaaaaa'><!ENTITY b '&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;'>" +
                              "<!ENTITY c '&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;'><!ENTITY d '&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;'>]>" +
                              "<device><name>&d;</name></device>";
        var error = Assert.Throws<VirtioScsiException>(() => NodeDevice.Parse(laughs));
        Assert.Equal(ErrorIds.NodeDeviceXmlInvalid, error.ErrorId);
        Assert.Contains("DTD", error.Message);
    }

    [Fact]
    public void An_external_entity_is_never_fetched()
    {
        var secret = System.IO.Path.GetTempFileName();
        System.IO.File.WriteAllText(secret, "SECRET-CONTENT");
        try
        {
            var xml = $"<!DOCTYPE device [<!ENTITY x SYSTEM 'file://{secret}'>]><device><name>&x;</name></device>";
            var error = Assert.Throws<VirtioScsiException>(() => NodeDevice.Parse(xml));
            Assert.Equal(ErrorIds.NodeDeviceXmlInvalid, error.ErrorId);
            Assert.DoesNotContain("SECRET-CONTENT", error.Message);
        }
        finally
        {
            System.IO.File.Delete(secret);
        }
    }

    [Fact]
    public void A_large_lun_number_and_unknown_elements_are_read()
    {
        var device = NodeDevice.Parse("<device><name>scsi_2_0_1_16384</name><path>/sys/x</path><future>?</future>" +
                                      "<capability type='scsi'><host>2</host><bus>0</bus><target>1</target><lun>4294967296</lun><type>disk</type></capability></device>");
        Assert.Equal(("2:0:1:4294967296", "/sys/x"), (device.ScsiAddress.ToString(), device.SysfsPath));
    }

    [Fact]
    public void The_nodedev_list_output_is_one_name_a_line()
    {
        Assert.Equal(new[] { "block_sdb", "block_sdc", "scsi_1_0_0_3" },
            NodeDeviceList.Parse("block_sdb\nblock_sdc\r\n  scsi_1_0_0_3  \n\nblock_sdb\n"));
        Assert.Empty(NodeDeviceList.Parse("\n\n"));
        Assert.Empty(NodeDeviceList.Parse(null));
    }
}

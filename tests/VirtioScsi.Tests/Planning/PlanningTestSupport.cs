using System;
using System.Linq;
using System.Text;
using System.Xml.Linq;
using VirtioScsi.Libvirt;
using VirtioScsi.Errors;
using VirtioScsi.Model;
using VirtioScsi.Planning;
using VirtioScsi.Tests.Support;
using Xunit;

namespace VirtioScsi.Tests.Planning;

/// <summary>
/// Builds domain states for the planning tests from the recorded fixtures, edited with System.Xml.Linq
/// the way libvirt would have written the result.
/// </summary>
internal static class Dom
{
    public static XDocument Load(string fixture) => XDocument.Parse(Fixtures.Text(fixture));

    /// <summary>The fixture's XML after <paramref name="edit"/>.</summary>
    public static string Edit(string fixture, Action<XDocument> edit)
    {
        var document = Load(fixture);
        edit(document);
        return document.ToString();
    }

    public static XElement Devices(XDocument document) => document.Root!.Element("devices")!;

    /// <summary>Adds device XML (written as libvirt writes it) to the domain's devices.</summary>
    public static void AddDevice(XDocument document, string deviceXml) => Devices(document).Add(XElement.Parse(deviceXml));

    public static void RemoveOsBoot(XDocument document) => document.Root!.Element("os")!.Elements("boot").Remove();

    public static DomainDefinition Parse(string xml) => DomainDefinition.Parse(xml);

    public static DomainState Running(string liveXml, string configXml) =>
        new(Parse(liveXml).Name, true, true, "running", Parse(liveXml), Parse(configXml));

    public static DomainState Running(string xml) => Running(xml, xml);

    public static DomainState ShutOff(string xml) => new(Parse(xml).Name, false, true, "shut off", null, Parse(xml));

    public static DomainState Paused(string xml) => new(Parse(xml).Name, true, true, "paused", Parse(xml), Parse(xml));

    public static DomainState Transient(string xml) => new(Parse(xml).Name, true, false, "running", Parse(xml), null);

    public static readonly ChangeScope Both = new(true, true);
    public static readonly ChangeScope LiveOnly = new(true, false);
    public static readonly ChangeScope ConfigOnly = new(false, true);

    /// <summary>An iSCSI passthrough LUN, as 'virsh dumpxml' shows one.</summary>
    public static string IscsiLun(string dev, int controller, int unit, int lun, int target = 0, string iqn = "iqn.2026-11.org.example:test", string? extra = null) =>
        $@"<disk type='network' device='lun'>
             <driver name='qemu' type='raw' cache='none'/>
             <source protocol='iscsi' name='{iqn}/{lun}'><host name='192.0.2.20' port='3260'/></source>
             <target dev='{dev}' bus='scsi'/>{extra}
             <address type='drive' controller='{controller}' bus='0' target='{target}' unit='{unit}'/>
           </disk>";

    /// <summary>A block-device passthrough LUN, as 'virsh dumpxml' shows one.</summary>
    public static string BlockLun(string dev, string path, int controller, int unit, string? extra = null) =>
        $@"<disk type='block' device='lun'>
             <driver name='qemu' type='raw' cache='none'/>
             <source dev='{path}'/>
             <target dev='{dev}' bus='scsi'/>{extra}
             <address type='drive' controller='{controller}' bus='0' target='0' unit='{unit}'/>
           </disk>";

    /// <summary>A SCSI host device (<c>&lt;hostdev type='scsi'&gt;</c>) at a drive address.</summary>
    public static string ScsiHostdev(int controller, int unit, int target = 0) =>
        $@"<hostdev mode='subsystem' type='scsi' managed='no'>
             <source><adapter name='scsi_host7'/><address bus='0' target='0' unit='{unit}'/></source>
             <address type='drive' controller='{controller}' bus='0' target='{target}' unit='{unit}'/>
           </hostdev>";

    /// <summary>sda, …, sdz, sdaa, …: written here independently of the product's TargetDeviceNames.</summary>
    public static string SdName(int index)
    {
        var letters = "";
        for (var n = index + 1; n > 0; n = (n - 1) / 26) letters = (char)('a' + (n - 1) % 26) + letters;
        return "sd" + letters;
    }

    /// <summary>
    /// none.live.xml with a virtio-scsi controller 0 and <paramref name="count"/> iSCSI LUNs on it at units
    /// 0, 1, … (named sda, sdb, …), leaving out the indexes in <paramref name="gaps"/>.
    /// </summary>
    public static string WithManyLuns(int count, params int[] gaps)
    {
        var builder = new StringBuilder("<x>");
        builder.Append("<controller type='scsi' index='0' model='virtio-scsi'/>");
        for (var i = 0; i < count; i++)
        {
            if (gaps.Contains(i)) continue;
            builder.Append(IscsiLun(SdName(i), 0, i, i, iqn: "iqn.2026-11.org.example:bulk"));
        }
        builder.Append("</x>");
        var devices = XElement.Parse(builder.ToString()).Elements().ToArray();
        return Edit("none.live.xml", d => Devices(d).Add(devices));
    }

    /// <summary>Asserts that <paramref name="act"/> fails with the given ErrorId and returns the error.</summary>
    public static VirtioScsiException Fails(string errorId, Action act)
    {
        var e = Assert.Throws<VirtioScsiException>(act);
        Assert.Equal(errorId, e.ErrorId);
        Assert.False(string.IsNullOrWhiteSpace(e.Message));
        return e;
    }

    /// <summary>The step's device XML as an element.</summary>
    public static XElement Device(this ChangeStep step) => Assert.IsType<XElement>(step.Xml);

    /// <summary>The drive address in a device's XML.</summary>
    public static DriveAddress? AddressOf(XElement device)
    {
        var a = device.Element("address");
        if (a is null) return null;
        Assert.Equal("drive", (string?)a.Attribute("type"));
        return new DriveAddress((int)a.Attribute("controller")!, (int)a.Attribute("bus")!, (int)a.Attribute("target")!, (int)a.Attribute("unit")!);
    }
}

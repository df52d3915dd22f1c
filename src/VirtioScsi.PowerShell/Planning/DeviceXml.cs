using System.Globalization;
using System.Xml.Linq;
using VirtioScsi.Libvirt;
using VirtioScsi.Model;

namespace VirtioScsi.Planning;

/// <summary>The device XML the module hands to libvirt, built with System.Xml.Linq (never by string concatenation).</summary>
internal static class DeviceXml
{
    public static XElement Controller(int index, string model, int? queues, int? ioThread)
    {
        var element = new XElement("controller",
            new XAttribute("type", "scsi"),
            new XAttribute("index", Number(index)),
            new XAttribute("model", model));
        if (queues is not null || ioThread is not null)
        {
            var driver = new XElement("driver");
            if (queues is not null) driver.Add(new XAttribute("queues", Number(queues.Value)));
            if (ioThread is not null) driver.Add(new XAttribute("iothread", Number(ioThread.Value)));
            element.Add(driver);
        }
        return element;
    }

    /// <summary>
    /// A passthrough LUN: <c>device='lun'</c>, raw with no host cache, on the SCSI bus at an explicit drive
    /// address, so libvirt never picks (or invents) a controller. No <c>&lt;serial&gt;</c> and no
    /// <c>&lt;blockio&gt;</c>: QEMU refuses both on scsi-block, as the guest sees the device's own.
    /// </summary>
    public static XElement Lun(LunSource source, DriveAddress address, string targetDevice, LunOptions options, int? bootOrder)
    {
        var disk = new XElement("disk",
            new XAttribute("type", source.Kind == LunSourceKind.Iscsi ? "network" : "block"),
            new XAttribute("device", "lun"));
        if (options.Sgio is not null) disk.Add(new XAttribute("sgio", options.Sgio));
        if (options.Rawio) disk.Add(new XAttribute("rawio", "yes"));
        disk.Add(new XElement("driver", new XAttribute("name", "qemu"), new XAttribute("type", "raw"), new XAttribute("cache", "none")));

        XElement sourceElement;
        if (source.Kind == LunSourceKind.Iscsi)
        {
            sourceElement = new XElement("source",
                new XAttribute("protocol", "iscsi"),
                new XAttribute("name", source.IscsiTarget + "/" + Number(source.IscsiLun ?? 0)),
                new XElement("host", new XAttribute("name", source.IscsiHost!), new XAttribute("port", Number(source.IscsiPort ?? LunSource.DefaultIscsiPort))));
        }
        else
        {
            sourceElement = new XElement("source", new XAttribute("dev", source.Path!));
        }
        if (options.ManagedReservations) sourceElement.Add(new XElement("reservations", new XAttribute("managed", "yes")));
        disk.Add(sourceElement);

        disk.Add(new XElement("target", new XAttribute("dev", targetDevice), new XAttribute("bus", "scsi")));
        if (bootOrder is not null) disk.Add(new XElement("boot", new XAttribute("order", Number(bootOrder.Value))));
        if (options.ReadOnly) disk.Add(new XElement("readonly"));
        if (options.Shareable) disk.Add(new XElement("shareable"));
        disk.Add(DriveAddressElement(address));
        return disk;
    }

    public static XElement DriveAddressElement(DriveAddress address) =>
        new("address",
            new XAttribute("type", "drive"),
            new XAttribute("controller", Number(address.Controller)),
            new XAttribute("bus", Number(address.Bus)),
            new XAttribute("target", Number(address.Target)),
            new XAttribute("unit", Number(address.Unit)));

    private static string Number(int value) => value.ToString(CultureInfo.InvariantCulture);
}

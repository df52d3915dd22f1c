using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Xml;
using System.Xml.Linq;
using VirtioScsi.Errors;

namespace VirtioScsi.HostDevices;

/// <summary>
/// One libvirt node device (<c>virsh nodedev-dumpxml</c>), read into what host LUN discovery needs: its name,
/// its parent (the chain that leads from a block device to its SCSI device), and the storage, SCSI device,
/// SCSI target and SCSI host capabilities.
/// </summary>
internal sealed class NodeDevice
{
    private NodeDevice(string name) => Name = name;

    public string Name { get; }
    public string? Parent { get; private set; }
    /// <summary>The device's sysfs path (newer libvirt only).</summary>
    public string? SysfsPath { get; private set; }
    /// <summary>Every capability type the device declares (storage, scsi, scsi_host, pci, …).</summary>
    public IReadOnlyList<string> CapabilityTypes { get; private set; } = Array.Empty<string>();
    public NodeDeviceStorage? Storage { get; private set; }
    /// <summary>For a SCSI device (<c>capability type='scsi'</c>): its host:bus:target:lun.</summary>
    public HostScsiAddress? ScsiAddress { get; private set; }
    /// <summary>For a SCSI device: the SCSI peripheral type libvirt names (disk, cdrom, …).</summary>
    public string? ScsiType { get; private set; }
    /// <summary>For a SCSI host adapter (<c>capability type='scsi_host'</c>): its host number.</summary>
    public int? ScsiHostNumber { get; private set; }
    /// <summary>For a SCSI target (<c>capability type='scsi_target'</c>): its name, e.g. target0:0:0.</summary>
    public string? ScsiTargetName { get; private set; }

    /// <summary>
    /// Reads one <c>&lt;device&gt;</c>. A DTD is refused and nothing is fetched from outside (the XML may come
    /// from a remote host); anything that is not a readable node device ends in NodeDeviceXmlInvalid.
    /// </summary>
    public static NodeDevice Parse(string? xml)
    {
        var root = Load(xml ?? "");
        if (root.Name.LocalName != "device" || root.Name.NamespaceName.Length != 0)
            throw Error.NodeDeviceXmlInvalid($"The XML's root element is <{root.Name.LocalName}>, not <device>.");
        var name = Text(root.Element("name"));
        if (name is null) throw Error.NodeDeviceXmlInvalid("The node device XML has no <name>.");

        var device = new NodeDevice(name)
        {
            Parent = Text(root.Element("parent")),
            SysfsPath = Text(root.Element("path")),
        };
        var capabilities = root.Elements("capability").ToArray();
        device.CapabilityTypes = capabilities.Select(c => (string?)c.Attribute("type") ?? "").ToArray();
        foreach (var capability in capabilities)
        {
            switch ((string?)capability.Attribute("type"))
            {
                case "storage":
                    device.Storage = ParseStorage(name, capability);
                    break;
                case "scsi":
                    device.ScsiAddress = new HostScsiAddress(
                        RequiredInt(name, capability, "host"), RequiredInt(name, capability, "bus"),
                        RequiredInt(name, capability, "target"), RequiredLong(name, capability, "lun"));
                    device.ScsiType = Text(capability.Element("type"));
                    break;
                case "scsi_host":
                    device.ScsiHostNumber = RequiredInt(name, capability, "host");
                    break;
                case "scsi_target":
                    device.ScsiTargetName = Text(capability.Element("target"));
                    break;
            }
        }
        return device;
    }

    private static XElement Load(string xml)
    {
        var settings = new XmlReaderSettings
        {
            DtdProcessing = DtdProcessing.Prohibit,
            XmlResolver = null,
        };
        try
        {
            using var reader = XmlReader.Create(new StringReader(xml), settings);
            var root = XDocument.Load(reader).Root;
            return root ?? throw Error.NodeDeviceXmlInvalid("The node device XML is empty.");
        }
        catch (XmlException e)
        {
            throw Error.NodeDeviceXmlNotWellFormed(e);
        }
    }

    private static NodeDeviceStorage ParseStorage(string name, XElement capability)
    {
        var removable = capability.Elements("capability").FirstOrDefault(c => (string?)c.Attribute("type") == "removable");
        var storage = new NodeDeviceStorage
        {
            Block = Text(capability.Element("block")),
            Bus = Text(capability.Element("bus")),
            DriveType = Text(capability.Element("drive_type")),
            Vendor = Text(capability.Element("vendor")),
            Model = Text(capability.Element("model")),
            Serial = Text(capability.Element("serial")),
            SizeBytes = OptionalLong(name, capability, "size"),
            LogicalBlockSize = (int?)OptionalLong(name, capability, "logical_block_size", int.MaxValue),
            NumBlocks = OptionalLong(name, capability, "num_blocks"),
            Removable = removable is not null,
        };
        if (removable is not null)
        {
            var available = OptionalLong(name, removable, "media_available", 1);
            storage.MediaAvailable = available is null ? null : available == 1;
            storage.MediaLabel = Text(removable.Element("media_label"));
            storage.SizeBytes ??= OptionalLong(name, removable, "media_size");
            storage.LogicalBlockSize ??= (int?)OptionalLong(name, removable, "logical_block_size", int.MaxValue);
            storage.NumBlocks ??= OptionalLong(name, removable, "num_blocks");
        }
        return storage;
    }

    private static string? Text(XElement? element)
    {
        var text = element?.Value.Trim();
        return string.IsNullOrEmpty(text) ? null : text;
    }

    private static long? OptionalLong(string device, XElement parent, string element, long max = long.MaxValue)
    {
        var text = Text(parent.Element(element));
        if (text is null) return null;
        if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value <= max) return value;
        throw Error.NodeDeviceXmlInvalid($"Node device '{device}' has <{element}>{text}</{element}>, which is not a number from 0 to {max}.");
    }

    private static long RequiredLong(string device, XElement parent, string element, long max = long.MaxValue) =>
        OptionalLong(device, parent, element, max)
        ?? throw Error.NodeDeviceXmlInvalid($"Node device '{device}' declares a <capability type='{(string?)parent.Attribute("type")}'> without <{element}>.");

    private static int RequiredInt(string device, XElement parent, string element) =>
        (int)RequiredLong(device, parent, element, int.MaxValue);
}

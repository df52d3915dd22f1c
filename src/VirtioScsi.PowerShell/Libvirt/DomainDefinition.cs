using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Xml;
using System.Xml.Linq;
using VirtioScsi.Errors;
using VirtioScsi.Model;

namespace VirtioScsi.Libvirt;

/// <summary>
/// A libvirt domain definition (<c>virsh dumpxml</c>) read into what SCSI planning needs: controllers,
/// disks, SCSI hostdevs, PCI buses in use, boot settings and hot-plug prerequisites.
/// </summary>
internal sealed class DomainDefinition
{
    private DomainDefinition(XDocument document) => Document = document;

    public XDocument Document { get; }
    public string Name { get; private set; } = "";
    public string? Uuid { get; private set; }
    /// <summary>The live domain id; only a running domain's XML has one.</summary>
    public int? Id { get; private set; }
    public string? Architecture { get; private set; }
    public string? MachineType { get; private set; }
    public bool HasAcpi { get; private set; }
    public IReadOnlyList<string> OsBootDevices { get; private set; } = Array.Empty<string>();
    public int IOThreads { get; private set; }
    public IReadOnlyList<ControllerElement> Controllers { get; private set; } = Array.Empty<ControllerElement>();
    public IReadOnlyList<DiskElement> Disks { get; private set; } = Array.Empty<DiskElement>();
    /// <summary>Drive addresses taken by SCSI host devices (<c>&lt;hostdev type='scsi'&gt;</c>).</summary>
    public IReadOnlyList<DriveAddress> HostdevAddresses { get; private set; } = Array.Empty<DriveAddress>();
    /// <summary>PCI bus numbers that some device's PCI address points at.</summary>
    public IReadOnlyCollection<int> PciBusesInUse { get; private set; } = Array.Empty<int>();
    /// <summary>Boot orders given to any device (disks, interfaces, hostdevs, redirdevs).</summary>
    public IReadOnlyCollection<int> BootOrdersInUse { get; private set; } = Array.Empty<int>();

    public IEnumerable<ControllerElement> ScsiControllers => Controllers.Where(c => c.Type == "scsi");
    public IEnumerable<DiskElement> ScsiDisks => Disks.Where(d => d.IsScsi);

    public static DomainDefinition Parse(string xml)
    {
        XDocument document;
        try
        {
            // libvirt never writes a DTD. One is refused rather than processed: XDocument.Parse would expand
            // entities (a "billion laughs" of 10 million characters took 120 MB) and fetch an external DTD.
            var settings = new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null, IgnoreWhitespace = true };
            using var reader = XmlReader.Create(new StringReader(xml ?? ""), settings);
            document = XDocument.Load(reader);
        }
        catch (XmlException e)
        {
            throw Error.DomainXmlNotWellFormed(e);
        }
        var root = document.Root;
        if (root is null || root.Name.LocalName != "domain")
            throw Error.DomainXmlRootNotDomain(root?.Name.LocalName);

        var definition = new DomainDefinition(document)
        {
            Name = (string?)root.Element("name") ?? "",
            Uuid = ((string?)root.Element("uuid"))?.Trim(),
            Id = ParseInt((string?)root.Attribute("id")),
        };
        var os = root.Element("os");
        var osType = os?.Element("type");
        definition.Architecture = (string?)osType?.Attribute("arch");
        definition.MachineType = (string?)osType?.Attribute("machine");
        definition.OsBootDevices = os?.Elements("boot").Select(b => (string?)b.Attribute("dev") ?? "").ToArray() ?? Array.Empty<string>();
        definition.HasAcpi = root.Element("features")?.Element("acpi") is not null;
        definition.IOThreads = ParseInt(((string?)root.Element("iothreads"))?.Trim()) ?? 0;

        var devices = root.Element("devices");
        if (devices is not null)
        {
            definition.Controllers = devices.Elements("controller").Select(ParseController).ToArray();
            definition.Disks = devices.Elements("disk").Select(ParseDisk).ToArray();
            definition.HostdevAddresses = devices.Elements("hostdev")
                .Where(h => (string?)h.Attribute("type") == "scsi")
                .Select(h => ParseDriveAddress(h.Element("address")))
                .Where(a => a is not null)
                .Select(a => a!.Value)
                .ToArray();
            var buses = new HashSet<int>();
            foreach (var address in devices.Descendants("address").Where(a => (string?)a.Attribute("type") == "pci"))
            {
                var bus = ParseInt((string?)address.Attribute("bus"));
                if (bus is not null) buses.Add(bus.Value);
            }
            definition.PciBusesInUse = buses;
            definition.BootOrdersInUse = devices.Descendants("boot")
                .Select(b => ParseInt((string?)b.Attribute("order")))
                .Where(o => o is not null)
                .Select(o => o!.Value)
                .ToArray();
        }
        return definition;
    }

    private static ControllerElement ParseController(XElement e)
    {
        var driver = e.Element("driver");
        return new ControllerElement
        {
            Type = (string?)e.Attribute("type") ?? "",
            Index = ParseInt((string?)e.Attribute("index")) ?? 0,
            Model = (string?)e.Attribute("model"),
            Queues = ParseInt((string?)driver?.Attribute("queues")),
            IOThread = ParseInt((string?)driver?.Attribute("iothread")),
            PciAddress = FormatPciAddress(e.Element("address")),
            Alias = (string?)e.Element("alias")?.Attribute("name"),
            HotplugEnabled = (string?)e.Element("target")?.Attribute("hotplug") != "off",
        };
    }

    private static DiskElement ParseDisk(XElement e)
    {
        var target = e.Element("target");
        var source = e.Element("source");
        var reservations = source?.Element("reservations");
        return new DiskElement
        {
            Type = (string?)e.Attribute("type") ?? "file",
            Device = (string?)e.Attribute("device") ?? "disk",
            Bus = (string?)target?.Attribute("bus"),
            TargetDevice = (string?)target?.Attribute("dev"),
            Source = ParseSource((string?)e.Attribute("type") ?? "file", source),
            Address = (string?)e.Element("address")?.Attribute("type") == "drive" ? ParseDriveAddress(e.Element("address")) : null,
            Sgio = (string?)e.Attribute("sgio"),
            Rawio = (string?)e.Attribute("rawio") == "yes",
            Shareable = e.Element("shareable") is not null,
            ReadOnly = e.Element("readonly") is not null,
            Reservations = reservations is not null && (string?)reservations.Attribute("enabled") != "no",
            ManagedReservations = reservations is not null && (string?)reservations.Attribute("managed") == "yes",
            BootOrder = ParseInt((string?)e.Element("boot")?.Attribute("order")),
            Alias = (string?)e.Element("alias")?.Attribute("name"),
            Element = e,
        };
    }

    private static LunSource ParseSource(string type, XElement? source)
    {
        if (source is null) return LunSource.Other("(no source)");
        switch (type)
        {
            case "block":
                return LunSource.Block((string?)source.Attribute("dev") ?? "");
            case "file":
                return LunSource.File((string?)source.Attribute("file") ?? "");
            case "network" when (string?)source.Attribute("protocol") == "iscsi":
            {
                // name='iqn…/lun'; a name without '/lun' means LUN 0.
                var name = (string?)source.Attribute("name") ?? "";
                var slash = name.LastIndexOf('/');
                var lun = 0;
                var iqn = name;
                if (slash >= 0 && int.TryParse(name.Substring(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var parsed))
                {
                    iqn = name.Substring(0, slash);
                    lun = parsed;
                }
                var host = source.Element("host");
                var port = ParseInt((string?)host?.Attribute("port")) ?? LunSource.DefaultIscsiPort;
                return LunSource.Iscsi((string?)host?.Attribute("name") ?? "", port, iqn, lun);
            }
            case "network":
                return LunSource.Other($"{(string?)source.Attribute("protocol")}:{(string?)source.Attribute("name")}");
            case "volume":
                return LunSource.Other($"pool {(string?)source.Attribute("pool")}, volume {(string?)source.Attribute("volume")}");
            default:
                return LunSource.Other(type);
        }
    }

    internal static DriveAddress? ParseDriveAddress(XElement? address)
    {
        if (address is null || (string?)address.Attribute("type") != "drive") return null;
        return new DriveAddress(
            ParseInt((string?)address.Attribute("controller")) ?? 0,
            ParseInt((string?)address.Attribute("bus")) ?? 0,
            ParseInt((string?)address.Attribute("target")) ?? 0,
            ParseInt((string?)address.Attribute("unit")) ?? 0);
    }

    private static string? FormatPciAddress(XElement? address)
    {
        if (address is null || (string?)address.Attribute("type") != "pci") return null;
        int Part(string name) => ParseInt((string?)address.Attribute(name)) ?? 0;
        return string.Format(CultureInfo.InvariantCulture, "{0:x4}:{1:x2}:{2:x2}.{3:x}", Part("domain"), Part("bus"), Part("slot"), Part("function"));
    }

    /// <summary>Reads libvirt's numbers, which are decimal or 0x-prefixed hexadecimal.</summary>
    internal static int? ParseInt(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        text = text!.Trim();
        if (text.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
            return int.TryParse(text.Substring(2), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var hex) ? hex : null;
        return int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : null;
    }
}

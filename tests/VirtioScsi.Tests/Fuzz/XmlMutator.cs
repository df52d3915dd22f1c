using System;
using System.Collections.Generic;
using System.Linq;
using System.IO;
using System.Text;
using System.Xml;
using System.Xml.Linq;

namespace VirtioScsi.Tests.Fuzz;

/// <summary>
/// Mutates XML the way damaged, hand-edited or hostile input differs from what libvirt writes: elements
/// deleted, duplicated, moved; attributes and text replaced by garbage, huge and negative numbers, or
/// removed; DTDs with external entities and entity expansion; text truncated or sprinkled with control
/// characters. Seeded: one seed gives the same inputs every time.
/// </summary>
internal sealed class XmlMutator
{
    private readonly Random _random;

    public XmlMutator(int seed) => _random = new Random(seed);

    /// <summary>Values that numbers and names in libvirt XML should never be, and some they might.</summary>
    private static readonly string[] Garbage =
    {
        "-1", "-2147483648", "2147483647", "2147483648", "4294967296", "99999999999999999999", "1000000", "100000",
        "0x7fffffff", "0xffffffff", "0x", "-0x1", "0x-1", "+5", " 3 ", "1e9", "NaN", "٣", "", " ", "0", "7", "255", "256",
        "16383", "16384", "abc", "virtio-scsi", "lsilogic", "scsi", "drive", "pci", "lun", "disk", "block", "network",
        "iscsi", "sda", "sdzzz", "sd", "/dev/sdx", "../../etc/passwd", "iqn.2026-11.org.example:fixture/2", "iqn/-1",
        "iqn/99999999999", "\u00e9\u00e8", "\U0001F600", "a\u2028b", "&amp;", "<", "'\"", new string('x', 5000),
    };

    private static readonly string[] ElementNames =
    {
        "controller", "disk", "address", "target", "source", "host", "driver", "boot", "hostdev", "devices", "os",
        "features", "acpi", "alias", "reservations", "shareable", "readonly", "name", "iothreads",
    };

    public string Mutate(string xml)
    {
        var rounds = 1 + _random.Next(4);
        for (var i = 0; i < rounds; i++) xml = MutateOnce(xml);
        return xml;
    }

    private string MutateOnce(string xml)
    {
        switch (_random.Next(12))
        {
            case 0: return TextLevel(xml);
            case 1: return WithDtd(xml);
            default:
                XDocument document;
                try
                {
                    // As the module reads it: a DTD is no tree to mutate (and must not be expanded here either).
                    using var reader = XmlReader.Create(new StringReader(xml), new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null });
                    document = XDocument.Load(reader, LoadOptions.PreserveWhitespace);
                }
                catch (XmlException)
                {
                    return TextLevel(xml);
                }
                TreeLevel(document);
                return document.ToString(SaveOptions.DisableFormatting);
        }
    }

    private T Pick<T>(IReadOnlyList<T> items) => items[_random.Next(items.Count)];

    private void TreeLevel(XDocument document)
    {
        var elements = document.Descendants().ToList();
        if (elements.Count == 0) return;
        var element = Pick(elements);
        switch (_random.Next(10))
        {
            case 0:
                if (element.Parent is not null) element.Remove();
                break;
            case 1:
                if (element.Parent is not null) element.AddAfterSelf(new XElement(element));
                break;
            case 2:
            {
                // Moved somewhere else, or its siblings shuffled.
                var parent = Pick(elements);
                if (element.Parent is null || element == parent || element.DescendantsAndSelf().Contains(parent)) break;
                element.Remove();
                parent.Add(element);
                break;
            }
            case 3:
            {
                var attributes = element.Attributes().ToList();
                if (attributes.Count > 0) Pick(attributes).Value = Pick(Garbage);
                else element.SetAttributeValue(Pick(new[] { "index", "controller", "unit", "target", "bus", "type", "model", "dev", "name", "port" }), Pick(Garbage));
                break;
            }
            case 4:
            {
                var attributes = element.Attributes().ToList();
                if (attributes.Count > 0) Pick(attributes).Remove();
                break;
            }
            case 5:
                if (!element.HasElements) element.Value = Pick(Garbage);
                break;
            case 6:
            {
                // A device as libvirt would write it, with absurd numbers.
                var devices = document.Root?.Element("devices") ?? element;
                devices.Add(_random.Next(2) == 0
                    ? new XElement("controller", new XAttribute("type", "scsi"), new XAttribute("index", Pick(Garbage)), new XAttribute("model", Pick(new[] { "virtio-scsi", "lsilogic", "", "virtio-transitional" })))
                    : new XElement("disk", new XAttribute("type", Pick(new[] { "block", "network", "file", "volume" })), new XAttribute("device", Pick(new[] { "lun", "disk", "cdrom" })),
                        new XElement("source", new XAttribute("dev", Pick(Garbage)), new XAttribute("protocol", "iscsi"), new XAttribute("name", Pick(Garbage)),
                            new XElement("host", new XAttribute("name", Pick(new[] { "127.0.0.1", "localhost", "", "::1" })), new XAttribute("port", Pick(Garbage)))),
                        new XElement("target", new XAttribute("dev", Pick(new[] { "sda", "sdb", "sdc", "sdzz", "vda", "" })), new XAttribute("bus", "scsi")),
                        new XElement("address", new XAttribute("type", "drive"), new XAttribute("controller", Pick(Garbage)),
                            new XAttribute("bus", Pick(Garbage)), new XAttribute("target", Pick(Garbage)), new XAttribute("unit", Pick(Garbage)))));
                break;
            }
            case 7:
                element.Add(new XElement(Pick(ElementNames), new XAttribute("type", Pick(Garbage))));
                break;
            case 8:
                // Renamed: a <disk> that is a <controller>, a <devices> that is an <os>.
                if (element.Parent is not null) element.Name = Pick(ElementNames);
                break;
            default:
            {
                var children = element.Elements().ToList();
                if (children.Count < 2) break;
                foreach (var child in children) child.Remove();
                foreach (var child in children.OrderBy(_ => _random.Next())) element.Add(child);
                break;
            }
        }
    }

    private string TextLevel(string xml)
    {
        if (xml.Length == 0) return "<domain/>";
        var at = _random.Next(xml.Length);
        switch (_random.Next(5))
        {
            case 0: return xml.Substring(0, at);
            case 1: return xml.Insert(at, ((char)_random.Next(0, 32)).ToString());
            case 2: return xml.Insert(at, Pick(new[] { "&#1;", "&#x1b;", "&#13;", "&#9;", "&#xD800;", "&bogus;", "]]>", "<!--", "<?pi x?>", "&#x10FFFF;" }));
            case 3: return xml.Remove(at, Math.Min(xml.Length - at, 1 + _random.Next(40)));
            default:
            {
                var bytes = new byte[1 + _random.Next(16)];
                _random.NextBytes(bytes);
                return xml.Insert(at, Encoding.Latin1.GetString(bytes));
            }
        }
    }

    /// <summary>A marker that must never show up in what the parser returns: it is only in the external file.</summary>
    public const string ExternalMarker = "VIRTIOSCSI-FUZZ-EXTERNAL-ENTITY-RESOLVED";

    /// <summary>Where the external entities point (a file holding <see cref="ExternalMarker"/>; see the harness).</summary>
    public static string ExternalFile { get; set; } = "/nonexistent";

    private string WithDtd(string xml)
    {
        var body = xml.TrimStart();
        if (body.StartsWith("<?xml", StringComparison.Ordinal)) body = body.Substring(body.IndexOf("?>", StringComparison.Ordinal) + 2);
        var root = body.TrimStart().StartsWith("<node", StringComparison.Ordinal) ? "device" : "domain";
        string dtd;
        string use;
        switch (_random.Next(4))
        {
            case 0:
                dtd = $"<!DOCTYPE {root} [<!ENTITY ext SYSTEM \"file://{ExternalFile}\">]>";
                use = "&ext;";
                break;
            case 1:
                dtd = $"<!DOCTYPE {root} [<!ENTITY % p SYSTEM \"file://{ExternalFile}\"> %p;]>";
                use = "x";
                break;
            case 2:
                // Entity expansion: a billion laughs.
                var sb = new StringBuilder($"<!DOCTYPE {root} [<!ENTITY l0 \"lol\">");
                for (var i = 1; i < 10; i++) sb.Append($"<!ENTITY l{i} \"&l{i - 1};&l{i - 1};&l{i - 1};&l{i - 1};&l{i - 1};&l{i - 1};&l{i - 1};&l{i - 1};&l{i - 1};&l{i - 1};\">");
                dtd = sb + "]>";
                use = "&l9;";
                break;
            default:
                dtd = $"<!DOCTYPE {root} SYSTEM \"http://127.0.0.1:9/{root}.dtd\">";
                use = "y";
                break;
        }
        // The entity goes into the name, which the parser reads and returns.
        var nameAt = body.IndexOf("<name>", StringComparison.Ordinal);
        if (nameAt >= 0) body = body.Insert(nameAt + "<name>".Length, use);
        return dtd + body;
    }
}

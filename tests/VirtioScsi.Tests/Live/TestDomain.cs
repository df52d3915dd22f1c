using System;
using System.IO;
using System.Xml.Linq;

namespace VirtioScsi.Tests.Live;

/// <summary>A throwaway libvirt domain for one test: defined (and started) on creation, removed on Dispose.</summary>
public sealed class TestDomain : IDisposable
{
    private TestDomain(string name) => Name = name;

    public string Name { get; }

    /// <summary>
    /// An empty i440fx (or q35) domain with the given devices. Empty domains run under KVM or TCG alike;
    /// ACPI is on unless asked otherwise, since PCI hot-plug on i440fx needs it.
    /// </summary>
    public static TestDomain Create(string purpose, string devicesXml = "", bool start = true, bool acpi = true, string machine = "pc",
        string? name = null, string? osExtra = null, bool transient = false)
    {
        name ??= LiveStack.UniqueName(purpose);
        var type = File.Exists("/dev/kvm") ? "kvm" : "qemu";
        var xml = new XElement("domain", new XAttribute("type", type),
            new XElement("name", name),
            new XElement("memory", new XAttribute("unit", "MiB"), 64),
            new XElement("vcpu", 1),
            new XElement("os", new XElement("type", new XAttribute("arch", "x86_64"), new XAttribute("machine", machine), "hvm")),
            acpi ? new XElement("features", new XElement("acpi")) : null,
            new XElement("devices"));
        var document = XDocument.Parse(xml.ToString().Replace("<devices />", "<devices>" + devicesXml + "</devices>"));
        if (osExtra is not null) document.Root!.Element("os")!.Add(XElement.Parse(osExtra));
        var file = Path.Combine(Path.GetTempPath(), $"virtioscsi-domain-{Guid.NewGuid():N}.xml");
        File.WriteAllText(file, document.ToString());
        try
        {
            if (transient)
            {
                LiveStack.Virsh("create", file);
            }
            else
            {
                LiveStack.Virsh("define", file);
                if (start) LiveStack.Virsh("start", name);
            }
        }
        finally
        {
            File.Delete(file);
        }
        return new TestDomain(name);
    }

    public void Dispose()
    {
        LiveStack.Run("virsh", "--connect", LiveStack.Uri, "destroy", Name);
        LiveStack.Run("virsh", "--connect", LiveStack.Uri, "undefine", Name);
    }
}

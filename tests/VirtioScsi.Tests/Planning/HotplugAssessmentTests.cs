using System.Xml.Linq;
using VirtioScsi.Model;
using VirtioScsi.Planning;
using VirtioScsi.Tests.Support;
using Xunit;

namespace VirtioScsi.Tests.Planning;

/// <summary>Whether a new PCI controller can be hot-plugged into a running domain.</summary>
public class HotplugAssessmentTests
{
    /// <summary>q35.live.xml with a fourth pcie-root-port (index 4) that nothing uses.</summary>
    public static string Q35WithFreePort(string? hotplug = null) => Dom.Edit("q35.live.xml", d => Dom.AddDevice(d,
        "<controller type='pci' index='4' model='pcie-root-port'><model name='pcie-root-port'/>" +
        $"<target chassis='4' port='0xb'{(hotplug is null ? "" : $" hotplug='{hotplug}'")}/><alias name='pci.4'/>" +
        "<address type='pci' domain='0x0000' bus='0x00' slot='0x01' function='0x3'/></controller>"));

    [Fact]
    public void A_running_i440fx_domain_with_acpi_takes_hotplug()
    {
        var (can, blocker) = HotplugAssessment.ForController(Fixtures.Running("none.live.xml"));
        Assert.True(can);
        Assert.Null(blocker);
    }

    [Fact]
    public void A_running_i440fx_domain_without_acpi_takes_no_hotplug()
    {
        var (can, blocker) = HotplugAssessment.ForController(Fixtures.Running("no-acpi.live.xml"));
        Assert.False(can);
        Assert.Contains("acpi", blocker!, System.StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void A_running_q35_domain_whose_root_ports_are_all_in_use_takes_no_hotplug()
    {
        var (can, blocker) = HotplugAssessment.ForController(Fixtures.Running("q35.live.xml"));
        Assert.False(can);
        Assert.Contains("pcie-root-port", blocker);
    }

    [Fact]
    public void A_running_q35_domain_with_an_unused_root_port_takes_hotplug()
    {
        var (can, blocker) = HotplugAssessment.ForController(Dom.Running(Q35WithFreePort()));
        Assert.True(can);
        Assert.Null(blocker);
    }

    [Fact]
    public void A_root_port_with_hotplug_off_does_not_count()
    {
        var (can, _) = HotplugAssessment.ForController(Dom.Running(Q35WithFreePort("off")));
        Assert.False(can);
        Assert.True(HotplugAssessment.ForController(Dom.Running(Q35WithFreePort("on"))).CanHotplug);
    }

    [Fact]
    public void A_root_port_that_a_device_sits_behind_is_not_free()
    {
        var doc = XDocument.Parse(Q35WithFreePort());
        Dom.AddDevice(doc, "<rng model='virtio'><backend model='random'>/dev/urandom</backend>" +
                           "<address type='pci' domain='0x0000' bus='0x04' slot='0x00' function='0x0'/></rng>");
        Assert.False(HotplugAssessment.ForController(Dom.Running(doc.ToString())).CanHotplug);
    }

    [Fact]
    public void Only_the_running_definition_decides()
    {
        // The free port only in the persistent definition (added with virsh edit) helps after a restart, not now.
        var domain = Dom.Running(Fixtures.Text("q35.live.xml"), Q35WithFreePort());
        Assert.False(HotplugAssessment.ForController(domain).CanHotplug);
        // And ACPI only in the persistent definition does not help a running domain without it.
        var noAcpi = Dom.Running(Fixtures.Text("no-acpi.live.xml"), Dom.Edit("no-acpi.live.xml", d => d.Root!.Add(new XElement("features", new XElement("acpi")))));
        Assert.False(HotplugAssessment.ForController(noAcpi).CanHotplug);
    }

    [Fact]
    public void A_shut_off_domain_takes_no_hotplug()
    {
        var (can, blocker) = HotplugAssessment.ForController(Fixtures.ShutOff("none.live.xml"));
        Assert.False(can);
        Assert.Contains("shut off", blocker);
    }

    [Fact]
    public void Other_machine_types_are_left_to_libvirt()
    {
        var xml = Dom.Edit("no-acpi.live.xml", d =>
        {
            var type = d.Root!.Element("os")!.Element("type")!;
            type.SetAttributeValue("arch", "aarch64");
            type.SetAttributeValue("machine", "virt-7.2");
        });
        Assert.True(HotplugAssessment.ForController(Dom.Running(xml)).CanHotplug);
    }

    [Theory]
    [InlineData("pc", true, false)]
    [InlineData("pc-i440fx-7.2", true, false)]
    [InlineData("pc-1.2", true, false)]
    [InlineData("pc-q35-7.2", false, true)]
    [InlineData("q35", false, true)]
    [InlineData("virt-7.2", false, false)]
    [InlineData("pseries", false, false)]
    public void Machine_types_are_recognised(string machine, bool i440fx, bool q35)
    {
        Assert.Equal(i440fx, HotplugAssessment.IsI440fx(machine));
        Assert.Equal(q35, HotplugAssessment.IsQ35(machine));
    }
}

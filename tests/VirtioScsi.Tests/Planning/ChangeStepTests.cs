using System.Linq;
using System.Xml.Linq;
using VirtioScsi.Model;
using VirtioScsi.Planning;
using VirtioScsi.Tests.Support;
using Xunit;

namespace VirtioScsi.Tests.Planning;

/// <summary>What -WhatIf shows of a plan: the virsh command lines and the device XML (never a whole definition).</summary>
public class ChangeStepTests
{
    [Fact]
    public void A_lun_plan_describes_the_virsh_command_and_the_device_xml()
    {
        var domain = Fixtures.Running("virtio-only.live.xml");
        var plan = LunAttachPlanner.Plan(domain, new LunRequest(LunSource.Iscsi("192.0.2.10", 3260, "iqn.2026-11.org.example:san", 4)), Dom.Both);
        var step = plan.Change.Steps.Single();
        var text = plan.Change.Describe("qemu+ssh://kvm1/system");

        // Pasteable after the cmdlet has finished: the XML inline through a here-document, not the temporary file.
        Assert.Contains("virsh --connect 'qemu+ssh://kvm1/system' attach-device --domain 'fx-virtio-only' --file '/dev/stdin' --live --config <<'VIRTIOSCSI_XML'", text);
        Assert.DoesNotContain(step.FilePath, text);
        Assert.EndsWith(System.Environment.NewLine + "VIRTIOSCSI_XML", text);
        Assert.Contains("device=\"lun\"", text);
        Assert.Contains("iqn.2026-11.org.example:san/4", text);
        Assert.Contains("unit=\"2\"", text);
    }

    [Fact]
    public void A_redefinition_is_described_without_its_xml()
    {
        var plan = LunAttachPlanner.Plan(Fixtures.ShutOff("virtio-only.live.xml"),
            new LunRequest(LunSource.Iscsi("192.0.2.10", 3260, "iqn.2026-11.org.example:san", 4)) { BootOrder = 1 }, Dom.ConfigOnly);
        var define = plan.Change.Steps.Single(s => s.Kind == StepKind.Define);
        var lines = define.Describe(null).ToArray();
        Assert.Equal(2, lines.Length);
        Assert.StartsWith("  virsh define --file '" + define.FilePath + "'", lines[1]);
        Assert.Contains("illustrative", lines[1]);
        Assert.DoesNotContain(lines, l => l.Contains("<domain"));
    }

    [Fact]
    public void Each_step_has_its_own_file()
    {
        var plan = LunAttachPlanner.Plan(Fixtures.Running("lsi-only.live.xml"), new LunRequest(LunSource.Block("/dev/sdx")), Dom.Both);
        var files = plan.Change.Steps.Select(s => s.FilePath).Concat(plan.Change.Steps.Where(s => s.Undo is not null).Select(s => s.Undo!.FilePath)).ToArray();
        Assert.Equal(files.Length, files.Distinct().Count());
        Assert.All(files, f => Assert.EndsWith(".xml", f));
    }

    [Fact]
    public void The_xml_text_is_the_device_element()
    {
        var step = ChangeStep.Attach("d", "x", DeviceXml.Controller(1, "virtio-scsi", null, null), Dom.Both);
        Assert.Equal("controller", XElement.Parse(step.XmlText).Name.LocalName);
    }
}

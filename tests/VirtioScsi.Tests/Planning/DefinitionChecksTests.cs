using System.Diagnostics;
using System.Linq;
using System.Xml.Linq;
using VirtioScsi.Engine;
using VirtioScsi.Errors;
using VirtioScsi.Libvirt;
using VirtioScsi.Model;
using VirtioScsi.Planning;
using VirtioScsi.Tests.Support;
using Xunit;

namespace VirtioScsi.Tests.Planning;

/// <summary>
/// Definitions libvirt never writes (found by the fuzzer and by probing) are reported with the module's
/// own error, never thrown as another exception, and gap filling is bounded.
/// </summary>
public class DefinitionChecksTests
{
    private static readonly LunSource Lun = LunSource.Iscsi("192.0.2.10", 3260, "iqn.2026-11.org.example:san", 42);

    private static DomainState WithControllers(params string[] controllers) =>
        Dom.ShutOff(Dom.Edit("none.live.xml", d =>
        {
            Dom.Devices(d).Elements("controller").Where(c => (string?)c.Attribute("type") == "scsi").Remove();
            foreach (var c in controllers) Dom.AddDevice(d, c);
        }));

    private static string Virtio(string index) => $"<controller type='scsi' index='{index}' model='virtio-scsi'/>";

    [Theory]
    [InlineData("0", "0")]
    [InlineData("-1", "0")]
    public void Duplicate_or_negative_controller_indexes_are_DomainXmlInvalid_for_every_planner(string first, string second)
    {
        var domain = WithControllers(Virtio(first), Virtio(second), Dom.BlockLun("sda", "/dev/sdx", 0, 0));
        var scope = Dom.ConfigOnly;
        Dom.Fails(ErrorIds.DomainXmlInvalid, () => LunAttachPlanner.Plan(domain, new LunRequest(Lun), scope));
        Dom.Fails(ErrorIds.DomainXmlInvalid, () => ControllerAttachPlanner.Plan(domain, new ControllerRequest(), scope));
        Dom.Fails(ErrorIds.DomainXmlInvalid, () => ControllerRemovalPlanner.Plan(domain, 0, scope, force: true));
        Dom.Fails(ErrorIds.DomainXmlInvalid, () => LunRemovalPlanner.Plan(domain, "sda", scope));
        // The topology still shows what is there.
        var topology = TopologyBuilder.Build(domain, null);
        Assert.Equal(2, topology.Controllers.Count);
    }

    [Fact]
    public void A_controller_at_index_1000000_is_refused_quickly_not_filled_with_a_million_controllers()
    {
        var domain = WithControllers(Virtio("1000000"));
        var watch = Stopwatch.StartNew();
        var e = Dom.Fails(ErrorIds.ControllerIndexGap, () => LunAttachPlanner.Plan(domain, new LunRequest(Lun) { Controller = 1_000_000 }, Dom.ConfigOnly));
        Assert.True(watch.ElapsedMilliseconds < 1000, $"{watch.ElapsedMilliseconds} ms");
        Assert.Contains("1000000", e.Message);
        // Without -Controller the module takes index 0 and needs no gap at all.
        Assert.Equal(0, LunAttachPlanner.Plan(domain, new LunRequest(Lun), Dom.ConfigOnly).Address.Controller);
    }

    [Fact]
    public void A_few_gaps_are_still_filled_with_virtio_scsi_controllers()
    {
        var domain = WithControllers(Virtio("4"));
        var plan = LunAttachPlanner.Plan(domain, new LunRequest(Lun) { Controller = 4 }, Dom.ConfigOnly);
        Assert.Equal(4, plan.Change.Steps.Count(s => s.Description.StartsWith("Add virtio-scsi controller")));
        Dom.Fails(ErrorIds.ControllerIndexGap, () =>
            LunAttachPlanner.Plan(WithControllers(Virtio("5")), new LunRequest(Lun) { Controller = 5 }, Dom.ConfigOnly));
    }

    [Theory]
    [InlineData("<!DOCTYPE domain [<!ENTITY l0 'lol'><!ENTITY l1 '&l0;&l0;&l0;&l0;&l0;&l0;&l0;&l0;'>]><domain type='kvm'><name>&l1;</name></domain>")]
    [InlineData("<!DOCTYPE domain [<!ENTITY ext SYSTEM 'file:///etc/hostname'>]><domain type='kvm'><name>&ext;</name></domain>")]
    [InlineData("<!DOCTYPE domain SYSTEM 'http://127.0.0.1:9/domain.dtd'><domain type='kvm'><name>x</name></domain>")]
    public void A_dtd_is_refused_no_entity_is_expanded_or_fetched(string xml) =>
        Assert.Equal(ErrorIds.DomainXmlInvalid, Assert.Throws<VirtioScsiException>(() => DomainDefinition.Parse(xml)).ErrorId);
}

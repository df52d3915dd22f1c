using System.Linq;
using VirtioScsi.Errors;
using VirtioScsi.Model;
using VirtioScsi.Planning;
using VirtioScsi.Tests.Support;
using Xunit;

namespace VirtioScsi.Tests.Planning;

/// <summary>Controller indexes, and which controller may carry a passthrough LUN.</summary>
public class ControllerQueriesTests
{
    [Theory]
    [InlineData("virtio-scsi", true)]
    [InlineData("virtio-transitional", true)]
    [InlineData("virtio-non-transitional", true)]
    [InlineData("lsilogic", false)]
    [InlineData("lsisas1068", false)]
    [InlineData("vmpvscsi", false)]
    [InlineData("auto", false)]
    [InlineData("virtio", false)]
    [InlineData("VIRTIO-SCSI", false)]
    [InlineData(null, false)] // no model attribute: libvirt's default, lsilogic on x86
    public void Only_the_virtio_scsi_family_is_virtio(string? model, bool virtio) =>
        Assert.Equal(virtio, ScsiControllerModels.IsVirtio(model));

    [Theory]
    [InlineData("virtio-scsi", 256L * 16384)]
    [InlineData("virtio-transitional", 256L * 16384)]
    [InlineData("lsilogic", 7L)]
    [InlineData(null, 7L)]
    [InlineData("vmpvscsi", 15L)]
    public void Each_model_has_its_capacity(string? model, long capacity) =>
        Assert.Equal(capacity, ScsiControllerModels.LimitsOf(model).Capacity);

    [Fact]
    public void The_lowest_free_index_of_a_domain_without_scsi_controllers_is_0()
    {
        // none.live has usb and pci controllers with index 0: they are no SCSI controllers.
        Assert.Equal(0, ControllerQueries.LowestFreeIndex(new[] { Fixtures.Definition("none.live.xml") }));
    }

    [Fact]
    public void The_lowest_free_index_counts_both_definitions()
    {
        // mixed: 0 and 1 in both, 2 only live.
        var live = Fixtures.Definition("mixed.live.xml");
        var config = Fixtures.Definition("mixed.config.xml");
        Assert.Equal(3, ControllerQueries.LowestFreeIndex(new[] { live, config }));
        Assert.Equal(2, ControllerQueries.LowestFreeIndex(new[] { config }));
    }

    [Fact]
    public void An_index_used_only_in_the_persistent_definition_is_not_free()
    {
        // Live: lsi 0; persistent: lsi 0 and a virtio-scsi 1 added with -Config, not yet live.
        var live = Fixtures.Definition("lsi-only.live.xml");
        var config = Dom.Parse(Dom.Edit("lsi-only.live.xml", d => Dom.AddDevice(d, "<controller type='scsi' index='1' model='virtio-scsi'/>")));
        Assert.Equal(2, ControllerQueries.LowestFreeIndex(new[] { live, config }));
        Assert.Equal(2, ControllerQueries.LowestFreeIndex(new[] { config, live }));
    }

    [Fact]
    public void A_gap_in_the_controller_indexes_is_reused()
    {
        var definition = Dom.Parse(Dom.Edit("none.live.xml", d =>
        {
            Dom.AddDevice(d, "<controller type='scsi' index='0' model='lsilogic'/>");
            Dom.AddDevice(d, "<controller type='scsi' index='2' model='virtio-scsi'/>");
        }));
        Assert.Equal(1, ControllerQueries.LowestFreeIndex(new[] { definition }));
    }

    [Fact]
    public void An_index_used_in_either_definition_is_in_use()
    {
        var domain = Fixtures.Running("mixed.live.xml", "mixed.config.xml");
        Dom.Fails(ErrorIds.ControllerIndexInUse, () => ControllerQueries.CheckIndexFree(domain, 0));
        Dom.Fails(ErrorIds.ControllerIndexInUse, () => ControllerQueries.CheckIndexFree(domain, 2)); // live only
        ControllerQueries.CheckIndexFree(domain, 3);
    }

    [Fact]
    public void Requiring_a_virtio_controller_returns_it()
    {
        var domain = Fixtures.Running("mixed.live.xml", "mixed.config.xml");
        var controller = ControllerQueries.RequireVirtio(domain, Dom.Both, 1);
        Assert.Equal(1, controller.Index);
        Assert.Equal("virtio-scsi", controller.Model);
    }

    [Fact]
    public void Requiring_an_lsi_controller_fails_as_not_virtio()
    {
        Dom.Fails(ErrorIds.ControllerNotVirtioScsi, () => ControllerQueries.RequireVirtio(Fixtures.Running("lsi-only.live.xml"), Dom.Both, 0));
        Dom.Fails(ErrorIds.ControllerNotVirtioScsi, () => ControllerQueries.RequireVirtio(Fixtures.Running("mixed.live.xml", "mixed.config.xml"), Dom.Both, 0));
    }

    [Fact]
    public void Requiring_a_controller_without_a_model_fails_as_not_virtio()
    {
        var xml = Dom.Edit("virtio-only.live.xml", d =>
            Dom.Devices(d).Elements("controller").Single(c => (string?)c.Attribute("type") == "scsi").Attribute("model")!.Remove());
        Dom.Fails(ErrorIds.ControllerNotVirtioScsi, () => ControllerQueries.RequireVirtio(Dom.Running(xml), Dom.Both, 0));
    }

    [Fact]
    public void Requiring_a_missing_controller_fails_as_not_found()
    {
        Dom.Fails(ErrorIds.ControllerNotFound, () => ControllerQueries.RequireVirtio(Fixtures.Running("virtio-only.live.xml"), Dom.Both, 5));
        Dom.Fails(ErrorIds.ControllerNotFound, () => ControllerQueries.RequireVirtio(Fixtures.ShutOff("none.live.xml"), Dom.ConfigOnly, 0));
    }

    [Fact]
    public void A_live_only_controller_is_found_for_a_live_change_but_not_for_a_persistent_one()
    {
        var domain = Fixtures.Running("mixed.live.xml", "mixed.config.xml");
        Assert.Equal(2, ControllerQueries.RequireVirtio(domain, Dom.LiveOnly, 2).Index);
        var e = Dom.Fails(ErrorIds.ControllerNotFound, () => ControllerQueries.RequireVirtio(domain, Dom.Both, 2));
        Assert.Contains("persistent", e.Message);
        Dom.Fails(ErrorIds.ControllerNotFound, () => ControllerQueries.RequireVirtio(domain, Dom.ConfigOnly, 2));
    }

    [Fact]
    public void The_usable_virtio_controller_is_the_lowest_present_in_every_definition_changed()
    {
        var mixed = Fixtures.Running("mixed.live.xml", "mixed.config.xml");
        Assert.Equal(1, ControllerQueries.FindUsableVirtio(mixed, Dom.Both)!.Index);
        Assert.Equal(1, ControllerQueries.FindUsableVirtio(mixed, Dom.LiveOnly)!.Index);
        Assert.Equal(1, ControllerQueries.FindUsableVirtio(Fixtures.ShutOff("many-luns.config.xml"), Dom.ConfigOnly)!.Index);
    }

    [Fact]
    public void A_virtio_controller_only_in_the_running_domain_is_not_usable_for_both()
    {
        // Live: lsi 0 and virtio 1; persistent: only lsi 0.
        var live = Dom.Edit("lsi-only.live.xml", d => Dom.AddDevice(d, "<controller type='scsi' index='1' model='virtio-scsi'/>"));
        var config = Fixtures.Text("lsi-only.live.xml");
        var domain = Dom.Running(live, config);
        Assert.Null(ControllerQueries.FindUsableVirtio(domain, Dom.Both));
        Assert.Null(ControllerQueries.FindUsableVirtio(domain, Dom.ConfigOnly));
        Assert.Equal(1, ControllerQueries.FindUsableVirtio(domain, Dom.LiveOnly)!.Index);
    }

    [Fact]
    public void A_controller_whose_model_differs_between_definitions_is_usable_only_where_it_is_virtio()
    {
        // Index 0 is lsilogic in the running domain but virtio-scsi in the persistent definition (after virsh edit).
        var live = Fixtures.Text("lsi-only.live.xml");
        var config = Dom.Edit("lsi-only.live.xml", d =>
            Dom.Devices(d).Elements("controller").Single(c => (string?)c.Attribute("type") == "scsi").SetAttributeValue("model", "virtio-scsi"));
        var domain = Dom.Running(live, config);
        Assert.Null(ControllerQueries.FindUsableVirtio(domain, Dom.Both));
        Assert.Equal(0, ControllerQueries.FindUsableVirtio(domain, Dom.ConfigOnly)!.Index);
        Dom.Fails(ErrorIds.ControllerNotVirtioScsi, () => ControllerQueries.RequireVirtio(domain, Dom.Both, 0));
    }

    [Fact]
    public void No_virtio_controller_is_usable_in_lsi_only_and_controllerless_domains()
    {
        Assert.Null(ControllerQueries.FindUsableVirtio(Fixtures.Running("lsi-only.live.xml"), Dom.Both));
        Assert.Null(ControllerQueries.FindUsableVirtio(Fixtures.Running("none.live.xml"), Dom.Both));
        Assert.Null(ControllerQueries.FindUsableVirtio(Fixtures.Running("no-acpi.live.xml"), Dom.Both));
    }

    [Theory]
    [InlineData("virtio-transitional")]
    [InlineData("virtio-non-transitional")]
    public void Transitional_virtio_models_are_usable(string model)
    {
        var xml = Dom.Edit("lsi-only.live.xml", d => Dom.AddDevice(d, $"<controller type='scsi' index='3' model='{model}'/>"));
        var domain = Dom.Running(xml);
        Assert.Equal(3, ControllerQueries.FindUsableVirtio(domain, Dom.Both)!.Index);
        Assert.Equal(model, ControllerQueries.RequireVirtio(domain, Dom.Both, 3).Model);
    }

    [Fact]
    public void The_lowest_of_several_virtio_controllers_is_usable()
    {
        var xml = Dom.Edit("none.live.xml", d =>
        {
            Dom.AddDevice(d, "<controller type='scsi' index='4' model='virtio-scsi'/>");
            Dom.AddDevice(d, "<controller type='scsi' index='2' model='virtio-scsi'/>");
            Dom.AddDevice(d, "<controller type='scsi' index='1'/>");
        });
        Assert.Equal(2, ControllerQueries.FindUsableVirtio(Dom.Running(xml), Dom.Both)!.Index);
    }
}

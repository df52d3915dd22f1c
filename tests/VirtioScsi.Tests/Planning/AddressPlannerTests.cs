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

/// <summary>Free drive addresses: the lowest free unit, gaps reused, explicit targets and units checked per model.</summary>
public class AddressPlannerTests
{
    private static AddressUsage UsageOf(params DomainDefinition[] definitions) => AddressUsage.Of(definitions);

    private static DriveAddress Plan(DomainDefinition definition, int controller, string? model, int? target = null, int? unit = null) =>
        AddressPlanner.Plan(definition.Name, UsageOf(definition), controller, model, target, unit);

    [Fact]
    public void The_lowest_free_unit_after_the_existing_luns_is_chosen_on_target_0()
    {
        // virtio-only: sda at 0:0:0:0, sdb at 0:0:0:1.
        var address = Plan(Fixtures.Definition("virtio-only.live.xml"), 0, "virtio-scsi");
        Assert.Equal(new DriveAddress(0, 0, 0, 2), address);
    }

    [Fact]
    public void A_gap_is_reused_unit_7_on_controller_1_of_the_many_luns_domain()
    {
        var address = Plan(Fixtures.Definition("many-luns.config.xml"), 1, "virtio-scsi");
        Assert.Equal(new DriveAddress(1, 0, 0, 7), address);
    }

    [Fact]
    public void On_a_controller_without_gaps_the_unit_after_the_last_is_chosen()
    {
        // Controller 2 of many-luns holds units 0-99.
        var address = Plan(Fixtures.Definition("many-luns.config.xml"), 2, "virtio-scsi");
        Assert.Equal(new DriveAddress(2, 0, 0, 100), address);
    }

    [Fact]
    public void An_empty_controller_starts_at_unit_0()
    {
        // Controller 0 of many-luns is the lsi one and carries nothing; controller 3 does not exist yet.
        Assert.Equal(new DriveAddress(3, 0, 0, 0), Plan(Fixtures.Definition("many-luns.config.xml"), 3, "virtio-scsi"));
    }

    [Fact]
    public void Addresses_on_other_controllers_do_not_count()
    {
        // mixed.config: controller 0 unit 0 is the cdrom, controller 1 unit 0 is the LUN; controller 2 is empty.
        var address = Plan(Fixtures.Definition("mixed.config.xml"), 2, "virtio-scsi");
        Assert.Equal(new DriveAddress(2, 0, 0, 0), address);
    }

    [Fact]
    public void Addresses_taken_by_scsi_hostdevs_count_as_used()
    {
        var xml = Dom.Edit("virtio-only.live.xml", d => Dom.AddDevice(d, Dom.ScsiHostdev(0, 2)));
        var definition = Dom.Parse(xml);
        Assert.Equal(new DriveAddress(0, 0, 0, 3), Plan(definition, 0, "virtio-scsi"));
        Dom.Fails(ErrorIds.AddressInUse, () => Plan(definition, 0, "virtio-scsi", unit: 2));
    }

    [Fact]
    public void An_address_used_only_in_the_persistent_definition_counts_as_used()
    {
        var live = Fixtures.Definition("virtio-only.live.xml");
        var config = Dom.Parse(Dom.Edit("virtio-only.live.xml", d => Dom.AddDevice(d, Dom.IscsiLun("sdc", 0, 2, 9))));
        var usage = UsageOf(live, config);
        Assert.Equal(new DriveAddress(0, 0, 0, 3), AddressPlanner.Plan("fx-virtio-only", usage, 0, "virtio-scsi", null, null));
        Dom.Fails(ErrorIds.AddressInUse, () => AddressPlanner.Plan("fx-virtio-only", usage, 0, "virtio-scsi", null, 2));
    }

    [Fact]
    public void A_drive_address_of_a_sata_disk_does_not_block_the_same_numbers_on_a_scsi_controller()
    {
        // q35: sata controller 0 and virtio-scsi controller 0 share the index; a SATA disk at drive 0:0:0:0 is on the SATA bus.
        var xml = Dom.Edit("q35.live.xml", d => Dom.AddDevice(d,
            "<disk type='file' device='disk'><source file='/var/lib/libvirt/images/boot.qcow2'/><target dev='sda' bus='sata'/>" +
            "<address type='drive' controller='0' bus='0' target='0' unit='0'/></disk>"));
        Assert.Equal(new DriveAddress(0, 0, 0, 0), Plan(Dom.Parse(xml), 0, "virtio-scsi"));
    }

    [Theory]
    [InlineData("virtio-scsi")]
    [InlineData("virtio-transitional")]
    [InlineData("virtio-non-transitional")]
    public void Explicit_unit_and_target_within_virtio_limits_are_taken_as_asked(string model)
    {
        var definition = Fixtures.Definition("many-luns.config.xml");
        Assert.Equal(new DriveAddress(1, 0, 0, 7), Plan(definition, 1, model, unit: 7));
        Assert.Equal(new DriveAddress(1, 0, 0, 16383), Plan(definition, 1, model, unit: 16383));
        Assert.Equal(new DriveAddress(1, 0, 255, 16383), Plan(definition, 1, model, target: 255, unit: 16383));
        Assert.Equal(new DriveAddress(1, 0, 3, 0), Plan(definition, 1, model, target: 3, unit: 0));
    }

    [Fact]
    public void An_explicit_target_without_a_unit_gets_the_lowest_unit_of_that_target()
    {
        var definition = Fixtures.Definition("many-luns.config.xml");
        Assert.Equal(new DriveAddress(1, 0, 5, 0), Plan(definition, 1, "virtio-scsi", target: 5));
        // Target 0 of controller 1 has the gap at unit 7.
        Assert.Equal(new DriveAddress(1, 0, 0, 7), Plan(definition, 1, "virtio-scsi", target: 0));
    }

    [Fact]
    public void The_bus_is_always_0()
    {
        var definition = Fixtures.Definition("many-luns.config.xml");
        Assert.Equal(0, Plan(definition, 1, "virtio-scsi").Bus);
        Assert.Equal(0, Plan(definition, 1, "virtio-scsi", target: 9, unit: 9).Bus);
    }

    [Theory]
    [InlineData(null, 16384)]
    [InlineData(null, -1)]
    [InlineData(256, null)]
    [InlineData(-1, null)]
    [InlineData(256, 0)]
    [InlineData(0, 20000)]
    public void Out_of_range_virtio_addresses_are_refused(int? target, int? unit)
    {
        var definition = Fixtures.Definition("virtio-only.live.xml");
        Dom.Fails(ErrorIds.AddressOutOfRange, () => Plan(definition, 0, "virtio-scsi", target, unit));
    }

    [Fact]
    public void A_used_explicit_unit_is_refused_as_in_use()
    {
        var definition = Fixtures.Definition("many-luns.config.xml");
        var e = Dom.Fails(ErrorIds.AddressInUse, () => Plan(definition, 1, "virtio-scsi", unit: 8));
        Assert.Contains("1:0:0:8", e.Message);
        Dom.Fails(ErrorIds.AddressInUse, () => Plan(definition, 2, "virtio-scsi", target: 0, unit: 99));
    }

    [Fact]
    public void A_used_unit_on_target_0_is_free_on_another_target()
    {
        var definition = Fixtures.Definition("many-luns.config.xml");
        Assert.Equal(new DriveAddress(1, 0, 1, 8), Plan(definition, 1, "virtio-scsi", target: 1, unit: 8));
    }

    [Theory]
    [InlineData("lsilogic")]
    [InlineData("lsisas1068")]
    [InlineData(null)] // no model: libvirt's default, lsilogic on x86
    public void Lsi_family_controllers_take_target_0_and_units_0_to_6(string? model)
    {
        var definition = Fixtures.Definition("none.live.xml");
        Assert.Equal(new DriveAddress(0, 0, 0, 0), Plan(definition, 0, model));
        Assert.Equal(new DriveAddress(0, 0, 0, 6), Plan(definition, 0, model, unit: 6));
        Dom.Fails(ErrorIds.AddressOutOfRange, () => Plan(definition, 0, model, unit: 7));
        Dom.Fails(ErrorIds.AddressOutOfRange, () => Plan(definition, 0, model, target: 1));
        Dom.Fails(ErrorIds.AddressOutOfRange, () => Plan(definition, 0, model, target: 1, unit: 0));
    }

    [Fact]
    public void The_lsi_disk_at_unit_0_pushes_the_next_disk_to_unit_1()
    {
        // lsi-only: the emulated disk sda is at 0:0:0:0 on the lsilogic controller.
        Assert.Equal(new DriveAddress(0, 0, 0, 1), Plan(Fixtures.Definition("lsi-only.live.xml"), 0, "lsilogic"));
    }

    [Fact]
    public void A_full_lsi_controller_has_no_free_address()
    {
        var xml = Dom.Edit("no-acpi.live.xml", d =>
        {
            for (var u = 0; u <= 6; u++)
                Dom.AddDevice(d, $"<disk type='file' device='disk'><source file='/img/{u}.img'/><target dev='{Dom.SdName(u)}' bus='scsi'/>" +
                                 $"<address type='drive' controller='0' bus='0' target='0' unit='{u}'/></disk>");
        });
        Dom.Fails(ErrorIds.NoFreeAddress, () => Plan(Dom.Parse(xml), 0, "lsilogic"));
    }

    [Fact]
    public void Vmware_pvscsi_skips_unit_7_which_is_the_controller()
    {
        var xml = Dom.Edit("none.live.xml", d =>
        {
            for (var u = 0; u <= 6; u++) Dom.AddDevice(d, Dom.ScsiHostdev(0, u));
        });
        var definition = Dom.Parse(xml);
        Assert.Equal(new DriveAddress(0, 0, 0, 8), Plan(definition, 0, "vmpvscsi"));
        Assert.Equal(new DriveAddress(0, 0, 0, 15), Plan(definition, 0, "vmpvscsi", unit: 15));
        Dom.Fails(ErrorIds.AddressOutOfRange, () => Plan(definition, 0, "vmpvscsi", unit: 7));
        Dom.Fails(ErrorIds.AddressOutOfRange, () => Plan(definition, 0, "vmpvscsi", unit: 16));
    }

    [Fact]
    public void When_target_0_of_a_virtio_controller_is_full_the_next_target_is_used_unless_a_target_was_asked_for()
    {
        // 16384 SCSI hostdevs fill target 0 (units 0-16383) of controller 0.
        var builder = new StringBuilder("<devices>");
        for (var u = 0; u <= 16383; u++)
            builder.Append("<hostdev mode='subsystem' type='scsi'><address type='drive' controller='0' bus='0' target='0' unit='").Append(u).Append("'/></hostdev>");
        builder.Append("</devices>");
        var xml = Dom.Edit("none.live.xml", d => Dom.Devices(d).Add(XElement.Parse(builder.ToString()).Elements()));
        var definition = Dom.Parse(xml);
        Assert.Equal(16384, definition.HostdevAddresses.Count);

        Assert.Equal(new DriveAddress(0, 0, 1, 0), Plan(definition, 0, "virtio-scsi"));
        Dom.Fails(ErrorIds.NoFreeAddress, () => Plan(definition, 0, "virtio-scsi", target: 0));
        Assert.Equal(new DriveAddress(0, 0, 2, 0), Plan(definition, 0, "virtio-scsi", target: 2));
    }
}

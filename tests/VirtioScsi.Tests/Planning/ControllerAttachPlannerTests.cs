using System.Linq;
using System.Xml.Linq;
using VirtioScsi.Errors;
using VirtioScsi.Model;
using VirtioScsi.Planning;
using VirtioScsi.Tests.Support;
using Xunit;

namespace VirtioScsi.Tests.Planning;

/// <summary>New-ScsiController: model, index, queues, iothread and hot-plug checked before anything runs.</summary>
public class ControllerAttachPlannerTests
{
    private static string WithIOThreads(string fixture, int count) =>
        Dom.Edit(fixture, d => d.Root!.Element("vcpu")!.AddAfterSelf(new XElement("iothreads", count)));

    [Fact]
    public void A_new_controller_defaults_to_virtio_scsi_at_the_lowest_free_index()
    {
        var domain = Fixtures.Running("none.live.xml");
        var (plan, index) = ControllerAttachPlanner.Plan(domain, new ControllerRequest(), Dom.Both);
        Assert.Equal(0, index);
        var step = Assert.Single(plan.Steps);
        Assert.Equal(StepKind.AttachDevice, step.Kind);
        var xml = step.Device();
        Assert.Equal("scsi", (string?)xml.Attribute("type"));
        Assert.Equal("0", (string?)xml.Attribute("index"));
        Assert.Equal("virtio-scsi", (string?)xml.Attribute("model"));
        Assert.True(step.Scope.Live);
        Assert.True(step.Scope.Config);
        Assert.False(plan.ChangesNothing);
    }

    [Fact]
    public void The_index_skips_controllers_of_both_definitions()
    {
        // mixed: 0 and 1 in both definitions, 2 only in the running domain.
        var domain = Fixtures.Running("mixed.live.xml", "mixed.config.xml");
        var (plan, index) = ControllerAttachPlanner.Plan(domain, new ControllerRequest(), Dom.Both);
        Assert.Equal(3, index);
        Assert.Equal("3", (string?)plan.Steps.Single().Device().Attribute("index"));

        // Even a persistent-only change does not reuse the live-only index 2.
        Assert.Equal(3, ControllerAttachPlanner.Plan(domain, new ControllerRequest(), Dom.ConfigOnly).Index);
    }

    [Fact]
    public void The_index_skips_a_controller_only_in_the_persistent_definition()
    {
        var config = Dom.Edit("lsi-only.live.xml", d => Dom.AddDevice(d, "<controller type='scsi' index='1' model='virtio-scsi'/>"));
        var domain = Dom.Running(Fixtures.Text("lsi-only.live.xml"), config);
        Assert.Equal(2, ControllerAttachPlanner.Plan(domain, new ControllerRequest(), Dom.LiveOnly).Index);
        Dom.Fails(ErrorIds.ControllerIndexInUse, () => ControllerAttachPlanner.Plan(domain, new ControllerRequest { Index = 1 }, Dom.LiveOnly));
    }

    [Fact]
    public void The_index_after_an_lsi_controller_is_1()
    {
        Assert.Equal(1, ControllerAttachPlanner.Plan(Fixtures.Running("lsi-only.live.xml"), new ControllerRequest(), Dom.Both).Index);
    }

    [Fact]
    public void A_free_explicit_index_is_taken()
    {
        var (plan, index) = ControllerAttachPlanner.Plan(Fixtures.Running("lsi-only.live.xml"), new ControllerRequest { Index = 5 }, Dom.Both);
        Assert.Equal(5, index);
        Assert.Equal("5", (string?)plan.Steps.Single().Device().Attribute("index"));
    }

    [Fact]
    public void An_index_in_use_is_refused()
    {
        Dom.Fails(ErrorIds.ControllerIndexInUse, () => ControllerAttachPlanner.Plan(Fixtures.Running("lsi-only.live.xml"), new ControllerRequest { Index = 0 }, Dom.Both));
        var mixed = Fixtures.Running("mixed.live.xml", "mixed.config.xml");
        Dom.Fails(ErrorIds.ControllerIndexInUse, () => ControllerAttachPlanner.Plan(mixed, new ControllerRequest { Index = 1 }, Dom.Both));
        // Index 2 is used only by the running domain: still in use for a persistent-only change.
        Dom.Fails(ErrorIds.ControllerIndexInUse, () => ControllerAttachPlanner.Plan(mixed, new ControllerRequest { Index = 2 }, Dom.ConfigOnly));
    }

    [Theory]
    [InlineData("virtio")]
    [InlineData("VIRTIO-SCSI")]
    [InlineData("")]
    [InlineData("megasas")]
    [InlineData("virtio-scsi ")]
    public void An_unknown_model_is_refused(string model)
    {
        Dom.Fails(ErrorIds.ControllerModelInvalid, () =>
            ControllerAttachPlanner.Plan(Fixtures.Running("none.live.xml"), new ControllerRequest { Model = model }, Dom.Both));
    }

    [Theory]
    [InlineData("virtio-transitional")]
    [InlineData("virtio-non-transitional")]
    [InlineData("lsilogic")]
    [InlineData("vmpvscsi")]
    public void Other_known_models_can_be_added(string model)
    {
        var (plan, _) = ControllerAttachPlanner.Plan(Fixtures.Running("none.live.xml"), new ControllerRequest { Model = model }, Dom.Both);
        Assert.Equal(model, (string?)plan.Steps.Single().Device().Attribute("model"));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void Fewer_than_one_queue_is_refused(int queues)
    {
        Dom.Fails(ErrorIds.QueuesInvalid, () =>
            ControllerAttachPlanner.Plan(Fixtures.Running("none.live.xml"), new ControllerRequest { Queues = queues }, Dom.Both));
    }

    [Fact]
    public void Queues_go_into_the_controller_driver()
    {
        var (plan, _) = ControllerAttachPlanner.Plan(Fixtures.Running("none.live.xml"), new ControllerRequest { Queues = 4 }, Dom.Both);
        Assert.Equal("4", (string?)plan.Steps.Single().Device().Element("driver")!.Attribute("queues"));
    }

    [Fact]
    public void Queues_on_an_lsi_controller_are_refused()
    {
        Dom.Fails(ErrorIds.QueuesInvalid, () =>
            ControllerAttachPlanner.Plan(Fixtures.Running("none.live.xml"), new ControllerRequest { Model = "lsilogic", Queues = 2 }, Dom.Both));
    }

    [Fact]
    public void An_iothread_in_a_domain_without_iothreads_is_refused()
    {
        var e = Dom.Fails(ErrorIds.IOThreadInvalid, () =>
            ControllerAttachPlanner.Plan(Fixtures.Running("none.live.xml"), new ControllerRequest { IOThread = 1 }, Dom.Both));
        Assert.Contains("iothreads", e.RecommendedAction);
    }

    [Theory]
    [InlineData(3)]
    [InlineData(0)]
    [InlineData(-1)]
    public void An_iothread_beyond_the_domains_iothreads_is_refused(int iothread)
    {
        var domain = Dom.Running(WithIOThreads("none.live.xml", 2));
        Dom.Fails(ErrorIds.IOThreadInvalid, () => ControllerAttachPlanner.Plan(domain, new ControllerRequest { IOThread = iothread }, Dom.Both));
    }

    [Fact]
    public void An_existing_iothread_goes_into_the_controller_driver()
    {
        var domain = Dom.Running(WithIOThreads("none.live.xml", 2));
        var (plan, _) = ControllerAttachPlanner.Plan(domain, new ControllerRequest { IOThread = 2, Queues = 2 }, Dom.Both);
        var driver = plan.Steps.Single().Device().Element("driver")!;
        Assert.Equal("2", (string?)driver.Attribute("iothread"));
        Assert.Equal("2", (string?)driver.Attribute("queues"));
    }

    [Fact]
    public void An_iothread_that_only_the_persistent_definition_has_is_refused_for_a_live_change()
    {
        var domain = Dom.Running(Fixtures.Text("none.live.xml"), WithIOThreads("none.live.xml", 2));
        Dom.Fails(ErrorIds.IOThreadInvalid, () => ControllerAttachPlanner.Plan(domain, new ControllerRequest { IOThread = 1 }, Dom.Both));
        var (plan, _) = ControllerAttachPlanner.Plan(domain, new ControllerRequest { IOThread = 1 }, Dom.ConfigOnly);
        Assert.Equal("1", (string?)plan.Steps.Single().Device().Element("driver")!.Attribute("iothread"));
    }

    [Fact]
    public void Hotplug_into_a_running_i440fx_domain_without_acpi_is_refused()
    {
        var domain = Fixtures.Running("no-acpi.live.xml");
        var e = Dom.Fails(ErrorIds.HotplugUnavailable, () => ControllerAttachPlanner.Plan(domain, new ControllerRequest(), Dom.Both));
        Assert.Contains("-Config", e.RecommendedAction);
        Dom.Fails(ErrorIds.HotplugUnavailable, () => ControllerAttachPlanner.Plan(domain, new ControllerRequest(), Dom.LiveOnly));
    }

    [Fact]
    public void A_persistent_only_controller_needs_no_hotplug()
    {
        var (plan, index) = ControllerAttachPlanner.Plan(Fixtures.Running("no-acpi.live.xml"), new ControllerRequest(), Dom.ConfigOnly);
        Assert.Equal(1, index);
        var step = plan.Steps.Single();
        Assert.False(step.Scope.Live);
        Assert.True(step.Scope.Config);
        Assert.Contains("--config", step.Command.ToVirshSyntax());
        Assert.DoesNotContain("--live", step.Command.ToVirshSyntax());
    }

    [Fact]
    public void A_shut_off_domain_without_acpi_gets_a_controller_in_its_persistent_definition()
    {
        var (plan, index) = ControllerAttachPlanner.Plan(Fixtures.ShutOff("no-acpi.live.xml"), new ControllerRequest(), Dom.ConfigOnly);
        Assert.Equal(1, index);
        Assert.Single(plan.Steps);
    }

    [Fact]
    public void Hotplug_into_a_q35_domain_without_a_free_root_port_is_refused()
    {
        Dom.Fails(ErrorIds.HotplugUnavailable, () => ControllerAttachPlanner.Plan(Fixtures.Running("q35.live.xml"), new ControllerRequest(), Dom.Both));
    }

    [Fact]
    public void Hotplug_into_a_q35_domain_with_an_unused_root_port_is_planned()
    {
        var (plan, index) = ControllerAttachPlanner.Plan(Dom.Running(HotplugAssessmentTests.Q35WithFreePort()), new ControllerRequest(), Dom.Both);
        Assert.Equal(1, index);
        Assert.True(plan.Steps.Single().Scope.Live);
    }

    [Fact]
    public void Hotplug_into_a_q35_domain_whose_unused_root_port_has_hotplug_off_is_refused()
    {
        Dom.Fails(ErrorIds.HotplugUnavailable, () =>
            ControllerAttachPlanner.Plan(Dom.Running(HotplugAssessmentTests.Q35WithFreePort("off")), new ControllerRequest(), Dom.Both));
    }

    [Fact]
    public void The_step_runs_attach_device_with_live_and_config()
    {
        var (plan, _) = ControllerAttachPlanner.Plan(Fixtures.Running("none.live.xml"), new ControllerRequest(), Dom.Both);
        var step = plan.Steps.Single();
        var command = step.Command.ToVirshSyntax();
        Assert.StartsWith("attach-device ", command);
        Assert.Contains("--domain 'fx-none'", command);
        Assert.Contains("--live", command);
        Assert.Contains("--config", command);
        Assert.Contains(step.FilePath, command);
    }
}

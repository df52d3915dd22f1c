using System.Linq;
using VirtioScsi.Tests.Live;
using Xunit;
using static VirtioScsi.Tests.Cmdlets.TestDevices;

namespace VirtioScsi.Tests.Cmdlets;

/// <summary>
/// Parameter sets and binding as PowerShell does them: by position, by value, by property name (and alias)
/// from the module's own objects and from any object, the pipelines between the cmdlets, and PowerShell's own
/// validation before the module runs.
/// </summary>
public sealed class BindingTests : IClassFixture<ModuleRunspace>
{
    private readonly ModuleRunspace _ps;

    public BindingTests(ModuleRunspace ps) => _ps = ps;

    [SkippableFact]
    public void A_domain_name_binds_by_value_to_every_cmdlet_that_takes_one_from_the_pipeline()
    {
        LiveStack.Require();
        using var domain = TestDomain.Create("sdk", start: false);

        var topology = _ps.Run("$args[0] | Get-DomainScsiTopology -ConnectionUri $uri", domain.Name).ThrowOnError();
        Assert.Equal(domain.Name, topology.Property("Name"));
        Assert.Equal(LiveStack.Uri, topology.Property("ConnectionUri"));

        var controller = _ps.Run("$args[0] | New-ScsiController -ConnectionUri $uri", domain.Name).ThrowOnError();
        Assert.Equal(domain.Name, controller.Property("Domain"));
        Assert.Equal(0, controller.Property("Index"));
        Assert.Equal("virtio-scsi", controller.Property("Model"));

        var disk = _ps.Run("$args[0] | Add-PassthroughLun -ConnectionUri $uri -IscsiPortal $args[1] -IscsiTarget $args[2] -IscsiLun 1",
            domain.Name, LiveStack.Portal, UnusedIqn).ThrowOnError();
        Assert.Equal(domain.Name, disk.Property("Domain"));
        Assert.Equal("0:0:0:0", disk.Property("Address"));
        Assert.Equal("sda", disk.Property("TargetDevice"));
    }

    [SkippableFact]
    public void Any_object_binds_by_property_name_and_alias()
    {
        LiveStack.Require();
        using var domain = TestDomain.Create("sdk", Virtio0 + "<controller type='scsi' index='1' model='virtio-scsi'/>", start: false);

        var topology = _ps.Run("[pscustomobject]@{ DomainName = $args[0]; Connect = $uri } | Get-DomainScsiTopology", domain.Name).ThrowOnError();
        Assert.Equal(domain.Name, topology.Property("Name"));

        // Controller by its alias ControllerIndex; a null property is as if it were not there: the module chooses.
        var onOne = _ps.Run("[pscustomobject]@{ Name = $args[0]; ConnectionUri = $uri; ControllerIndex = 1 } | " +
                            "Add-PassthroughLun -IscsiPortal $args[1] -IscsiTarget $args[2] -IscsiLun 1", domain.Name, LiveStack.Portal, UnusedIqn + "-a").ThrowOnError();
        Assert.Equal("1:0:0:0", onOne.Property("Address"));
        var chosen = _ps.Run("[pscustomobject]@{ Domain = $args[0]; ConnectionUri = $uri; Controller = $null } | " +
                             "Add-PassthroughLun -IscsiPortal $args[1] -IscsiTarget $args[2] -IscsiLun 1", domain.Name, LiveStack.Portal, UnusedIqn + "-b").ThrowOnError();
        Assert.Equal("0:0:0:0", chosen.Property("Address"));

        // sda is the LUN on controller 1: once it is gone, controller 1 can go without -Force.
        _ps.Run("[pscustomobject]@{ Domain = $args[0]; ConnectionUri = $uri; TargetDevice = 'sda' } | Remove-PassthroughLun -Confirm:$false", domain.Name).ThrowOnError();
        var left = _ps.Run("(Get-DomainScsiTopology -ConnectionUri $uri $args[0]).Luns.TargetDevice", domain.Name).ThrowOnError();
        Assert.Equal(new object[] { "sdb" }, left.Output.Select(o => o.BaseObject));

        _ps.Run("[pscustomobject]@{ DomainName = $args[0]; ConnectionUri = $uri; Index = 1 } | Remove-ScsiController -Confirm:$false", domain.Name).ThrowOnError();
        var indexes = _ps.Run("(Get-DomainScsiTopology -ConnectionUri $uri $args[0]).Controllers.Index", domain.Name).ThrowOnError();
        Assert.Equal(new object[] { 0 }, indexes.Output.Select(o => o.BaseObject));
    }

    [SkippableFact]
    public void Domain_and_target_device_or_index_bind_by_position()
    {
        LiveStack.Require();
        using var domain = TestDomain.Create("sdk", Virtio0 + "<controller type='scsi' index='1' model='virtio-scsi'/>" + IscsiDisk("sda", 0, UnusedIqn), start: false);
        _ps.Run("Remove-PassthroughLun -ConnectionUri $uri $args[0] sda -Confirm:$false", domain.Name).ThrowOnError();
        _ps.Run("Remove-ScsiController -ConnectionUri $uri $args[0] 1 -Confirm:$false", domain.Name).ThrowOnError();
        var config = LiveStack.DumpXml(domain.Name, inactive: true);
        Assert.DoesNotContain("<disk", config);
        Assert.DoesNotContain("index=\"1\"", config.Replace('\'', '"'));
    }

    [SkippableFact]
    public void Remove_PassthroughLun_finds_the_lun_by_its_iscsi_source_in_the_Iscsi_parameter_set()
    {
        LiveStack.Require();
        using var domain = TestDomain.Create("sdk", Virtio0 + IscsiDisk("sda", 0, UnusedIqn), start: false);
        _ps.Run("Remove-PassthroughLun -ConnectionUri $uri -Domain $args[0] -IscsiPortal $args[1] -IscsiTarget $args[2] -IscsiLun 1 -Confirm:$false",
            domain.Name, LiveStack.Portal, UnusedIqn).ThrowOnError();
        Assert.DoesNotContain("<disk", LiveStack.DumpXml(domain.Name, inactive: true));
    }

    [SkippableFact]
    public void A_piped_disk_does_not_bind_its_Controller_to_Remove_ScsiController_Index()
    {
        LiveStack.Require();
        using var domain = TestDomain.Create("sdk", Virtio0 + IscsiDisk("sda", 0, UnusedIqn), start: false);
        var before = LiveStack.DumpXml(domain.Name, inactive: true);
        var result = _ps.Run("(Get-DomainScsiTopology -ConnectionUri $uri $args[0]).Luns | Remove-ScsiController -Force -Confirm:$false", domain.Name);
        Assert.Equal($"InputObjectMissingMandatory,{_ps.CmdletClass("Remove-ScsiController")}", result.SingleError().FullyQualifiedErrorId);
        Assert.Equal(before, LiveStack.DumpXml(domain.Name, inactive: true));
    }

    [Theory]
    [InlineData("Add-PassthroughLun -Domain vst-sdk-x -Path /dev/sdb -IscsiPortal 127.0.0.1", "AmbiguousParameterSet")]
    [InlineData("Add-PassthroughLun -Domain vst-sdk-x -IscsiPortal 127.0.0.1 -IscsiTarget iqn.2026-11.x:y", "MissingMandatoryParameter")]
    [InlineData("Remove-PassthroughLun -Domain vst-sdk-x -TargetDevice sda -Path /dev/sdb", "AmbiguousParameterSet")]
    [InlineData("New-ScsiController -Domain vst-sdk-x -Model lsi", "ParameterArgumentValidationError")]
    [InlineData("New-ScsiController -Domain vst-sdk-x -Index 1024", "ParameterArgumentValidationError")]
    [InlineData("Add-PassthroughLun -Domain vst-sdk-x -Path /dev/sdb -Sgio none", "ParameterArgumentValidationError")]
    [InlineData("Add-PassthroughLun -Domain vst-sdk-x -Path /dev/sdb -BootOrder 0", "ParameterArgumentValidationError")]
    [InlineData("Remove-PassthroughLun -Domain vst-sdk-x sda -Timeout 0", "ParameterArgumentValidationError")]
    public void PowerShell_refuses_bad_parameter_combinations_and_values_before_the_module_runs(string script, string errorId)
    {
        var cmdlet = script.Split(' ')[0];
        var error = _ps.Run(script).SingleError();
        Assert.Equal($"{errorId},{_ps.CmdletClass(cmdlet)}", error.FullyQualifiedErrorId);
    }

    // ---- The pipelines between the cmdlets, on a running domain with real iSCSI LUNs (moved here from tests/Pester/Cmdlets.Tests.ps1).

    [SkippableFact]
    public void Topology_pipes_into_New_ScsiController_into_Add_PassthroughLun()
    {
        LiveStack.Require();
        using var lun = Live.IscsiLun.Create("sdk-pipe");
        using var domain = TestDomain.Create("sdk", Lsi0);

        var disk = _ps.Run("Get-DomainScsiTopology -ConnectionUri $uri $args[0] | New-ScsiController | Add-PassthroughLun -IscsiPortal $args[1] -IscsiTarget $args[2] -IscsiLun $args[3]",
            domain.Name, lun.Portal, lun.Iqn, lun.Lun).ThrowOnError();

        Assert.Equal("VirtioScsi.Model.ScsiDisk", disk.Output.Single().TypeNames[0]);
        Assert.Equal("1:0:0:0", disk.Property("Address"));
        Assert.Equal(true, disk.Property("IsPassthrough"));
        Assert.Equal(LiveStack.Uri, disk.Property("ConnectionUri"));
        Assert.Equal(new[] { "scsi1.0" }, LiveStack.ScsiBlockDevices(domain.Name).Where(d => d.Type == "scsi-block").Select(d => d.Bus));
        var models = _ps.Run("(Get-DomainScsiTopology -ConnectionUri $uri $args[0]).Controllers.Model", domain.Name).ThrowOnError();
        Assert.Equal(new object[] { "lsilogic", "virtio-scsi" }, models.Output.Select(o => o.BaseObject));
    }

    [SkippableFact]
    public void Topology_luns_pipe_into_Remove_PassthroughLun_and_controllers_into_Remove_ScsiController()
    {
        LiveStack.Require();
        using var one = Live.IscsiLun.Create("sdk-r1");
        using var two = Live.IscsiLun.Create("sdk-r2");
        using var domain = TestDomain.Create("sdk", Virtio0);
        const string add = "Add-PassthroughLun -ConnectionUri $uri $args[0] -IscsiPortal $args[1] -IscsiTarget $args[2] -IscsiLun 1";
        _ps.Run(add, domain.Name, one.Portal, one.Iqn).ThrowOnError();
        _ps.Run(add, domain.Name, two.Portal, two.Iqn).ThrowOnError();
        Assert.Equal(2, LiveStack.ScsiBlockDevices(domain.Name).Count(d => d.Type == "scsi-block"));

        _ps.Run("Get-DomainScsiTopology -ConnectionUri $uri $args[0] | Select-Object -ExpandProperty Luns | Where-Object TargetDevice -eq sdb | Remove-PassthroughLun -Confirm:$false",
            domain.Name).ThrowOnError();
        Assert.Single(LiveStack.ScsiBlockDevices(domain.Name), d => d.Type == "scsi-block");
        var left = _ps.Run("(Get-DomainScsiTopology -ConnectionUri $uri $args[0]).Luns.TargetDevice", domain.Name).ThrowOnError();
        Assert.Equal(new object[] { "sda" }, left.Output.Select(o => o.BaseObject));

        // A piped ScsiController names its domain, index and connection.
        _ps.Run("Get-DomainScsiTopology -ConnectionUri $uri $args[0] | Select-Object -ExpandProperty Controllers | Remove-ScsiController -Config -Force -Confirm:$false",
            domain.Name).ThrowOnError();
        Assert.DoesNotContain("type='scsi'", LiveStack.DumpXml(domain.Name, inactive: true).Replace('"', '\''));
    }

    // ---- Names: literal unless they are wildcards (issue 10, point 3).

    [SkippableFact]
    public void An_escaped_name_finds_the_domain_it_escapes()
    {
        LiveStack.Require();
        using var domain = TestDomain.Create("sdk", start: false, name: LiveStack.UniqueName("sdk") + "[1]");
        var result = _ps.Run("Get-DomainScsiTopology -ConnectionUri $uri -Name ([WildcardPattern]::Escape($args[0]))", domain.Name);
        result.ThrowOnError();
        Assert.Equal(domain.Name, result.Property("Name"));
    }

    [SkippableFact]
    public void A_name_with_wildcard_characters_finds_the_domain_of_exactly_that_name()
    {
        LiveStack.Require();
        using var domain = TestDomain.Create("exp", start: false, name: LiveStack.UniqueName("exp") + "[1]");
        // As a pattern, '[1]' matches the character 1 only; the domain whose name it is must still be found.
        var result = _ps.Run("Get-DomainScsiTopology -ConnectionUri $uri -Name $args[0]", domain.Name).ThrowOnError();
        Assert.Equal(domain.Name, result.Property("Name"));
    }

    [SkippableFact]
    public void An_unbalanced_bracket_is_no_terminating_WildcardPatternException()
    {
        LiveStack.Require();
        using var domain = TestDomain.Create("sdk", start: false);
        var result = _ps.Run("Get-DomainScsiTopology -ConnectionUri $uri -Name 'vst-sdk-a[b', $args[0]", domain.Name);
        Assert.Null(result.Terminating);
        Assert.Contains(result.Output, o => (string)o.Properties["Name"].Value == domain.Name);
    }
}

using System.Linq;
using VirtioScsi.Tests.Live;
using Xunit;
using static VirtioScsi.Tests.Cmdlets.TestDevices;

namespace VirtioScsi.Tests.Cmdlets;

/// <summary>
/// Get-PassthroughLun and Get-ScsiController (issue 10, point 5): their filters, their objects, and the pipelines into
/// the Remove cmdlets, whose -PassThru writes what they removed.
/// </summary>
public sealed class GetterTests : IClassFixture<ModuleRunspace>
{
    private readonly ModuleRunspace _ps;

    public GetterTests(ModuleRunspace ps) => _ps = ps;

    private const string Virtio1 = "<controller type='scsi' index='1' model='virtio-scsi'/>";

    /// <summary>sda and sdb on controller 0, sdc on controller 1, and an emulated disk sdd that is no LUN.</summary>
    private static TestDomain ThreeLuns(string? name = null) => TestDomain.Create("exp",
        Virtio0 + Virtio1 + IscsiDisk("sda", 0, UnusedIqn + "-a") + IscsiDisk("sdb", 1, UnusedIqn + "-b") +
        IscsiDisk("sdc", 0, UnusedIqn + "-c").Replace("controller='0'", "controller='1'") + IscsiDisk("sdd", 2, UnusedIqn + "-d", device: "disk"),
        start: false, name: name);

    private static object[] Values(PipelineResult result) => result.Output.Select(o => o.BaseObject).ToArray();

    [SkippableFact]
    public void Get_PassthroughLun_writes_the_luns_and_filters_by_domain_target_device_controller_and_source()
    {
        LiveStack.Require();
        using var domain = ThreeLuns();
        var all = _ps.Run("Get-PassthroughLun -ConnectionUri $uri $args[0]", domain.Name).ThrowOnError();
        Assert.All(all.Output, o => Assert.Equal("VirtioScsi.Model.ScsiDisk", o.TypeNames[0]));
        Assert.Equal(new object[] { "sda", "sdb", "sdc" }, all.Output.Select(o => o.Properties["TargetDevice"].Value));

        // The domain by a pattern that matches its name only.
        Assert.Equal(new object[] { "sdb" }, Values(_ps.Run("(Get-PassthroughLun -ConnectionUri $uri ($args[0].Substring(0, $args[0].Length - 1) + '[' + $args[0][-1] + ']') -TargetDevice sdb).TargetDevice", domain.Name).ThrowOnError()));
        Assert.Equal(new object[] { "sda", "sdb" }, Values(_ps.Run("(Get-PassthroughLun -ConnectionUri $uri $args[0] sd[ab]).TargetDevice", domain.Name).ThrowOnError()));
        Assert.Equal(new object[] { "sdc" }, Values(_ps.Run("(Get-PassthroughLun -ConnectionUri $uri $args[0] -Controller 1).TargetDevice", domain.Name).ThrowOnError()));
        Assert.Equal(new object[] { "sdb" }, Values(_ps.Run("(Get-PassthroughLun -ConnectionUri $uri $args[0] -Source $args[1]).TargetDevice", domain.Name, UnusedIqn + "-b").ThrowOnError()));
        Assert.Equal(new object[] { "sda", "sdc" }, Values(_ps.Run("(Get-PassthroughLun -ConnectionUri $uri $args[0] -Source *-[ac]/1).TargetDevice", domain.Name).ThrowOnError()));
        // A piped controller names its LUNs through its Index.
        Assert.Equal(new object[] { "sdc" }, Values(_ps.Run("(Get-ScsiController -ConnectionUri $uri $args[0] 1 | Get-PassthroughLun).TargetDevice", domain.Name).ThrowOnError()));
    }

    [SkippableFact]
    public void Get_ScsiController_writes_the_controllers_and_filters_by_index()
    {
        LiveStack.Require();
        using var domain = ThreeLuns();
        var all = _ps.Run("Get-ScsiController -ConnectionUri $uri $args[0]", domain.Name).ThrowOnError();
        Assert.All(all.Output, o => Assert.Equal("VirtioScsi.Model.ScsiController", o.TypeNames[0]));
        Assert.Equal(new object[] { 0, 1 }, all.Output.Select(o => o.Properties["Index"].Value));
        Assert.Equal(new object[] { 1 }, Values(_ps.Run("(Get-ScsiController -ConnectionUri $uri -Domain $args[0] -Index 1).Index", domain.Name).ThrowOnError()));
        // By value from a topology, as the other getters take it.
        Assert.Equal(2, _ps.Run("Get-DomainScsiTopology -ConnectionUri $uri $args[0] | Get-ScsiController", domain.Name).ThrowOnError().Output.Count);
    }

    [SkippableFact]
    public void The_getters_report_a_literal_name_that_matches_no_domain_and_not_a_pattern()
    {
        LiveStack.Require();
        foreach (var cmdlet in new[] { "Get-PassthroughLun", "Get-ScsiController" })
        {
            var missing = _ps.Run(cmdlet + " -ConnectionUri $uri vst-exp-no-such-domain");
            Assert.Equal($"DomainNotFound,{_ps.CmdletClass(cmdlet)}", missing.SingleError().FullyQualifiedErrorId);
            Assert.Equal("vst-exp-no-such-domain", missing.SingleError().TargetObject);
            var pattern = _ps.Run(cmdlet + " -ConnectionUri $uri vst-exp-no-such-domain*");
            Assert.Empty(pattern.AllErrors);
            Assert.Empty(pattern.Output);
        }
    }

    [SkippableFact]
    public void Get_PassthroughLun_pipes_into_Remove_PassthroughLun_whose_PassThru_writes_the_removed_luns()
    {
        LiveStack.Require();
        using var domain = ThreeLuns();
        var removed = _ps.Run("Get-PassthroughLun -ConnectionUri $uri $args[0] -Controller 0 | Remove-PassthroughLun -PassThru -Confirm:$false", domain.Name).ThrowOnError();
        Assert.Equal(new object[] { "sda", "sdb" }, removed.Output.Select(o => o.Properties["TargetDevice"].Value));
        Assert.Equal("0:0:0:1", removed.Output[1].Properties["Address"].Value);
        Assert.Equal(new object[] { "sdc" }, Values(_ps.Run("(Get-PassthroughLun -ConnectionUri $uri $args[0]).TargetDevice", domain.Name).ThrowOnError()));
        // Without -PassThru, nothing is written.
        Assert.Empty(_ps.Run("Remove-PassthroughLun -ConnectionUri $uri $args[0] sdc -Confirm:$false", domain.Name).ThrowOnError().Output);
    }

    [SkippableFact]
    public void Get_ScsiController_pipes_into_Remove_ScsiController_whose_PassThru_writes_the_removed_controller()
    {
        LiveStack.Require();
        using var domain = ThreeLuns();
        var removed = _ps.Run("Get-ScsiController -ConnectionUri $uri $args[0] 1 | Remove-ScsiController -Force -PassThru -Confirm:$false", domain.Name).ThrowOnError();
        Assert.Equal("VirtioScsi.Model.ScsiController", removed.Output.Single().TypeNames[0]);
        Assert.Equal(1, removed.Property("Index"));
        Assert.Equal(new object[] { 0 }, Values(_ps.Run("(Get-ScsiController -ConnectionUri $uri $args[0]).Index", domain.Name).ThrowOnError()));
        Assert.Empty(_ps.Run("Remove-ScsiController -ConnectionUri $uri $args[0] 0 -Force -Confirm:$false", domain.Name).ThrowOnError().Output);
    }
}

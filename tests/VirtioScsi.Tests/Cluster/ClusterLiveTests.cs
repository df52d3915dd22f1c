using System.Linq;
using System.Xml.Linq;
using VirtioScsi.Errors;
using VirtioScsi.Tests.Cmdlets;
using VirtioScsi.Tests.Live;
using Xunit;

namespace VirtioScsi.Tests.Cluster;

/// <summary>
/// One LUN on several domains through the cmdlets, on the live stack: the guard against unshared double use,
/// shareable attachments on both, and -Domain a,b at one address and name. Domains are vst-cl-&lt;pid&gt;-&lt;n&gt;.
/// </summary>
public sealed class ClusterLiveTests : IClassFixture<ModuleRunspace>
{
    private const string Add = "Add-PassthroughLun -ConnectionUri $uri -Domain $args[0] -IscsiPortal $args[1] -IscsiTarget $args[2] -IscsiLun 1";
    private const string AddBoth = "Add-PassthroughLun -ConnectionUri $uri -Domain $args[0],$args[3] -IscsiPortal $args[1] -IscsiTarget $args[2] -IscsiLun 1";
    private readonly ModuleRunspace _ps;

    public ClusterLiveTests(ModuleRunspace ps) => _ps = ps;

    private static (string Live, string Config) Xml(TestDomain domain) =>
        (LiveStack.DumpXml(domain.Name), LiveStack.DumpXml(domain.Name, inactive: true));

    private static XElement Lun(string xml) =>
        XDocument.Parse(xml).Descendants("disk").Single(d => (string?)d.Attribute("device") == "lun");

    [SkippableFact]
    public void An_unshared_lun_of_one_domain_is_refused_for_another_even_with_shareable_and_force_overrides_with_a_warning()
    {
        LiveStack.Require();
        using var lun = IscsiLun.Create("cl-guard");
        using var a = TestDomain.Create("cl", TestDevices.Virtio0);
        using var b = TestDomain.Create("cl", TestDevices.Virtio0);
        _ps.Run(Add, a.Name, lun.Portal, lun.Iqn).ThrowOnError();
        var before = Xml(b);

        foreach (var more in new[] { "", " -Shareable" })
        {
            var error = _ps.Run(Add + more, b.Name, lun.Portal, lun.Iqn).SingleError();
            Assert.StartsWith(ErrorIds.SourceHeldByOtherDomain + ",", error.FullyQualifiedErrorId);
            Assert.Contains($"'{a.Name}' (sda, running, not shareable)", error.Exception.Message);
            Assert.Contains($"remove it from '{a.Name}'", error.ErrorDetails.RecommendedAction);
            Assert.Contains("-Force", error.ErrorDetails.RecommendedAction);
            Assert.Equal(before, Xml(b));
        }
        // The same LUN spelled with the portal's host in capitals is the same source.
        var upper = _ps.Run(Add, b.Name, lun.Portal.ToUpperInvariant(), lun.Iqn).SingleError();
        Assert.StartsWith(ErrorIds.SourceHeldByOtherDomain + ",", upper.FullyQualifiedErrorId);

        var forced = _ps.Run(Add + " -Force", b.Name, lun.Portal, lun.Iqn).ThrowOnError();
        Assert.Contains(forced.Warnings, w => w.StartsWith("-Force overrides this: ") && w.Contains(a.Name));
        Assert.Equal(new[] { a.Name }, (string[])forced.Property("SharedWith")!);
        Assert.Single(LiveStack.ScsiBlockDevices(b.Name));
    }

    [SkippableFact]
    public void A_shareable_lun_goes_to_a_second_domain_shareable_and_each_topology_names_the_other()
    {
        LiveStack.Require();
        using var lun = IscsiLun.Create("cl-share");
        using var a = TestDomain.Create("cl", TestDevices.Virtio0);
        using var b = TestDomain.Create("cl", TestDevices.Virtio0, start: false);
        _ps.Run(Add + " -Shareable", a.Name, lun.Portal, lun.Iqn).ThrowOnError();
        var disk = _ps.Run(Add + " -Shareable", b.Name, lun.Portal, lun.Iqn).ThrowOnError();
        Assert.Equal(true, disk.Property("Shareable"));
        Assert.NotNull(Lun(LiveStack.DumpXml(b.Name, inactive: true)).Element("shareable"));

        var shared = _ps.Run("Get-DomainScsiTopology -ConnectionUri $uri $args[0],$args[1] | ForEach-Object { $_.Name + '=' + ($_.Luns.SharedWith -join ',') }", a.Name, b.Name).ThrowOnError();
        Assert.Equal(new[] { $"{a.Name}={b.Name}", $"{b.Name}={a.Name}" }.OrderBy(s => s), shared.Output.Select(o => (string)o.BaseObject).OrderBy(s => s));
    }

    [SkippableFact]
    public void Domain_a_b_puts_the_lun_at_one_address_and_name_on_both_adding_the_controller_where_needed()
    {
        LiveStack.Require();
        using var filler = IscsiLun.Create("cl-filler");
        using var lun = IscsiLun.Create("cl-both");
        // a already has sda on virtio-scsi 0; b has only an lsi controller 0. The common place: a new
        // virtio-scsi controller 1 on both, 1:0:0:0, and sdb (sda is taken on a).
        using var a = TestDomain.Create("cl", TestDevices.Virtio0);
        using var b = TestDomain.Create("cl", TestDevices.Lsi0);
        _ps.Run(Add, a.Name, filler.Portal, filler.Iqn).ThrowOnError();

        var result = _ps.Run(AddBoth + " -Shareable", a.Name, lun.Portal, lun.Iqn, b.Name).ThrowOnError();
        Assert.Equal(new[] { a.Name, b.Name }, result.Output.Select(o => (string)o.Properties["Domain"].Value));
        Assert.All(result.Output, o => Assert.Equal(("sdb", "1:0:0:0"), ((string)o.Properties["TargetDevice"].Value, (string)o.Properties["Address"].Value)));
        foreach (var domain in new[] { a, b })
        {
            foreach (var inactive in new[] { false, true })
            {
                var xml = XDocument.Parse(LiveStack.DumpXml(domain.Name, inactive));
                var disk = xml.Descendants("disk").Single(d => (string?)d.Element("source")?.Attribute("name") == lun.Iqn + "/1");
                Assert.Equal("sdb", (string?)disk.Element("target")!.Attribute("dev"));
                Assert.Equal("1", (string?)disk.Element("address")!.Attribute("controller"));
                Assert.Contains(xml.Descendants("controller"), c => (string?)c.Attribute("index") == "1" && (string?)c.Attribute("model") == "virtio-scsi");
            }
            Assert.Contains(LiveStack.ScsiBlockDevices(domain.Name), d => d.Bus == "scsi1.0" && d.ScsiId == 0 && d.Lun == 0);
        }
    }

    [SkippableFact]
    public void Piped_domains_are_attached_together_at_one_place()
    {
        LiveStack.Require();
        using var filler = IscsiLun.Create("cl-filler");
        using var lun = IscsiLun.Create("cl-pipe");
        using var a = TestDomain.Create("cl", TestDevices.Virtio0, start: false);
        using var b = TestDomain.Create("cl", TestDevices.Virtio0 + TestDevices.IscsiDisk("sda", 0, filler.Iqn), start: false);
        var result = _ps.Run("$args[0], $args[3] | Add-PassthroughLun -ConnectionUri $uri -IscsiPortal $args[1] -IscsiTarget $args[2] -IscsiLun 1 -Shareable",
            a.Name, lun.Portal, lun.Iqn, b.Name).ThrowOnError();
        // b's sda and 0:0:0:0 are taken, so both get sdb at 0:0:0:1, though a alone would have got sda at 0:0:0:0.
        Assert.All(result.Output, o => Assert.Equal(("sdb", "0:0:0:1"), ((string)o.Properties["TargetDevice"].Value, (string)o.Properties["Address"].Value)));
        Assert.Equal(2, result.Output.Count);
    }

    [SkippableFact]
    public void Domain_a_b_without_shareable_and_with_whatif_changes_neither()
    {
        LiveStack.Require();
        using var lun = IscsiLun.Create("cl-none");
        using var a = TestDomain.Create("cl", TestDevices.Virtio0);
        using var b = TestDomain.Create("cl", TestDevices.Lsi0);
        var before = (Xml(a), Xml(b));

        var error = _ps.Run(AddBoth, a.Name, lun.Portal, lun.Iqn, b.Name).SingleError();
        Assert.StartsWith(ErrorIds.SourceHeldByOtherDomain + ",", error.FullyQualifiedErrorId);
        Assert.Contains("without -Shareable", error.Exception.Message);
        Assert.Equal(before, (Xml(a), Xml(b)));

        var whatIf = _ps.Run(AddBoth + " -Shareable -WhatIf", a.Name, lun.Portal, lun.Iqn, b.Name);
        Assert.Empty(whatIf.AllErrors);
        Assert.Empty(whatIf.Output);
        Assert.Equal(before, (Xml(a), Xml(b)));
    }
}

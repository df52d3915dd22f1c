using System;
using VirtioScsi.Engine;
using VirtioScsi.Model;
using VirtioScsi.Planning;
using VirtioScsi.Tests.Planning;
using VirtioScsi.Tests.Support;
using Xunit;

namespace VirtioScsi.Tests.Model;

/// <summary>One LUN, one identity: the spellings of one source that libvirt and users write are the same LUN.</summary>
public class LunSourceIdentityTests
{
    private const string Iqn = "iqn.2026-11.org.example:fixture";
    private static readonly LunSourceIdentity Identity = LunSourceIdentity.Default;

    [Theory]
    [InlineData("localhost", 13260, "iqn.2026-11.org.example:fixture", 2)]
    [InlineData("127.0.0.1", 13260, "IQN.2026-11.ORG.EXAMPLE:FIXTURE", 2)]
    [InlineData("LocalHost", 13260, "iqn.2026-11.org.Example:Fixture", 2)]
    [InlineData("::1", 13260, "iqn.2026-11.org.example:fixture", 2)]
    [InlineData("[::1]", 13260, "iqn.2026-11.org.example:fixture", 2)]
    [InlineData("127.0.0.2", 13260, "iqn.2026-11.org.example:fixture", 2)]
    [InlineData("::ffff:127.0.0.1", 13260, "iqn.2026-11.org.example:fixture", 2)]
    public void Spellings_of_one_iscsi_lun_have_one_identity(string host, int port, string iqn, int lun) =>
        Assert.Equal(Identity.KeyOf(LunSource.Iscsi("127.0.0.1", 13260, Iqn, 2)), Identity.KeyOf(LunSource.Iscsi(host, port, iqn, lun)));

    [Theory]
    [InlineData("127.0.0.1", 3260, Iqn, 2)]
    [InlineData("127.0.0.1", 13260, Iqn, 3)]
    [InlineData("127.0.0.1", 13260, Iqn + "x", 2)]
    [InlineData("192.0.2.10", 13260, Iqn, 2)]
    public void Another_port_lun_target_or_host_is_another_lun(string host, int port, string iqn, int lun) =>
        Assert.NotEqual(Identity.KeyOf(LunSource.Iscsi("127.0.0.1", 13260, Iqn, 2)), Identity.KeyOf(LunSource.Iscsi(host, port, iqn, lun)));

    [Fact]
    public void A_portal_without_a_port_is_port_3260()
    {
        var parsed = LunSource.FromIscsiParameters("localhost", Iqn, 0);
        Assert.Equal(Identity.KeyOf(LunSource.Iscsi("127.0.0.1", 3260, Iqn, 0)), Identity.KeyOf(parsed));
    }

    [Fact]
    public void A_name_that_does_not_resolve_is_compared_as_text_without_case()
    {
        var a = LunSource.Iscsi("San-Does-Not-Exist.invalid", 3260, Iqn, 1);
        var b = LunSource.Iscsi("san-does-not-exist.invalid", 3260, Iqn, 1);
        Assert.True(Identity.Same(a, b));
        Assert.Contains("san-does-not-exist.invalid", Identity.KeyOf(a));
    }

    [Fact]
    public void Paths_compare_by_the_device_they_resolve_to()
    {
        var identity = new LunSourceIdentity(p => p == "/dev/disk/by-id/wwn-0x6001" ? "/dev/sdx" : p);
        Assert.True(identity.Same(LunSource.Block("/dev/disk/by-id/wwn-0x6001"), LunSource.Block("/dev/sdx")));
        Assert.False(Identity.Same(LunSource.Block("/dev/disk/by-id/wwn-0x6001"), LunSource.Block("/dev/sdx")));
        Assert.Equal(LunSource.Block("/dev/sdx").MatchKey(identity), identity.KeyOf(LunSource.Block("/dev/sdx")));
    }

    [Fact]
    public void The_lun_number_libvirt_writes_with_leading_zeros_is_the_number()
    {
        var xml = Dom.Edit("virtio-only.live.xml", d =>
        {
            foreach (var source in d.Descendants("source"))
                if ((string?)source.Attribute("name") == Iqn + "/2") source.SetAttributeValue("name", Iqn.ToUpperInvariant() + "/002");
        });
        var domain = Dom.Running(xml);
        Assert.Equal("sdb", LunRemovalPlanner.FindTargetBySource(domain, LunSource.Iscsi("localhost", 13260, Iqn, 2)));
    }

    [Fact]
    public void An_attached_lun_asked_for_under_another_spelling_is_returned_not_attached_twice()
    {
        // virtio-only has iqn.2026-11.org.example:fixture LUNs 1 and 2 on 127.0.0.1:13260.
        var domain = Fixtures.Running("virtio-only.live.xml");
        var plan = LunAttachPlanner.Plan(domain, new LunRequest(LunSource.FromIscsiParameters("localhost:13260", Iqn.ToUpperInvariant(), 2)),
            ChangeScope.Resolve(domain, false, false));
        Assert.True(plan.Change.ChangesNothing);
        Assert.Equal("sdb", plan.TargetDevice);
    }
}

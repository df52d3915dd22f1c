using System.Linq;
using System.Text;
using VirtioScsi.Errors;
using VirtioScsi.Libvirt;
using VirtioScsi.Model;
using VirtioScsi.Planning;
using Xunit;

namespace VirtioScsi.Tests.Cluster;

/// <summary>One place for a LUN on several domains, and the double-use guard, on domain states built from XML.</summary>
public class CommonPlacementTests
{
    private static readonly LunSource Source = LunSource.Iscsi("192.0.2.20", 3260, "iqn.2026-11.org.example:cluster", 1);

    private static DomainState ShutOff(string name, string devices) => new(name, false, true, "shut off", null,
        DomainDefinition.Parse($"<domain type='kvm'><name>{name}</name><os><type arch='x86_64' machine='pc'>hvm</type></os><devices>{devices}</devices></domain>"));

    private const string Virtio0 = "<controller type='scsi' index='0' model='virtio-scsi'/>";

    private static string Disk(string dev, int target, int unit, string iqn = "iqn.2026-11.org.example:other", string extra = "") =>
        $"<disk type='network' device='lun'><source protocol='iscsi' name='{iqn}/1'><host name='192.0.2.20' port='3260'/></source>" +
        $"<target dev='{dev}' bus='scsi'/>{extra}<address type='drive' controller='0' bus='0' target='{target}' unit='{unit}'/></disk>";

    private static LunRequest Choose(LunRequest request, params DomainState[] domains) =>
        CommonPlacement.Choose(domains, domains.Select(_ => new ChangeScope(false, true)).ToArray(), request, null);

    [Fact]
    public void The_place_is_free_on_every_domain_and_the_controller_one_every_domain_has_or_none_uses()
    {
        var a = ShutOff("a", Virtio0 + Disk("sda", 0, 0));
        var b = ShutOff("b", "<controller type='scsi' index='0' model='lsilogic'/>" + Disk("sdc", 0, 1));
        var placed = Choose(new LunRequest(Source), a, b);
        // Index 0 is lsi on b: index 1, which neither uses, gets a virtio-scsi controller on both.
        Assert.Equal((1, 0, 0, "sdb"), (placed.Controller, placed.Target, placed.Unit, placed.TargetDevice));

        var both = Choose(new LunRequest(Source), a, ShutOff("c", Virtio0 + Disk("sdb", 0, 1)));
        Assert.Equal((0, 0, 2, "sdc"), (both.Controller, both.Target, both.Unit, both.TargetDevice));
    }

    [Fact]
    public void No_unit_free_on_all_domains_is_NoCommonAddress()
    {
        // Target 5 is full across the two: a uses its even units, b its odd ones.
        var a = new StringBuilder(Virtio0);
        var b = new StringBuilder(Virtio0);
        for (var u = 0; u <= 16383; u++) (u % 2 == 0 ? a : b).Append($"<hostdev mode='subsystem' type='scsi'><source><adapter name='scsi_host0'/><address bus='0' target='0' unit='0'/></source><address type='drive' controller='0' bus='0' target='5' unit='{u}'/></hostdev>");
        var e = Assert.Throws<VirtioScsiException>(() => Choose(new LunRequest(Source) { Target = 5 }, ShutOff("a", a.ToString()), ShutOff("b", b.ToString())));
        Assert.Equal(ErrorIds.NoCommonAddress, e.ErrorId);
        Assert.Contains("target 5 of controller 0", e.Summary);
    }

    [Fact]
    public void The_guard_refuses_unshared_use_and_shareable_over_an_unshared_attachment_and_passes_all_shareable()
    {
        var unshared = SourceHolders.Of(new[] { ShutOff("n1", Virtio0 + Disk("sda", 0, 0, Source.IscsiTarget!)) }, null);
        var shared = SourceHolders.Of(new[] { ShutOff("n1", Virtio0 + Disk("sda", 0, 0, Source.IscsiTarget!, "<shareable/>")) }, null);

        foreach (var (holders, shareable) in new[] { (unshared, false), (unshared, true), (shared, false) })
        {
            var e = Assert.Throws<VirtioScsiException>(() => SharedUseGuard.Check(Source, shareable, new[] { "n2" }, holders, force: false));
            Assert.Equal(ErrorIds.SourceHeldByOtherDomain, e.ErrorId);
            Assert.Contains("'n1' (sda, shut off", e.Summary);
        }
        Assert.Empty(SharedUseGuard.Check(Source, true, new[] { "n2" }, shared, force: false));
        Assert.Empty(SharedUseGuard.Check(Source, false, new[] { "n1" }, unshared, force: false));
        Assert.Single(SharedUseGuard.Check(Source, false, new[] { "n2" }, unshared, force: true));
        // Several domains at once need -Shareable even when no other domain holds the LUN.
        Assert.Equal(ErrorIds.SourceHeldByOtherDomain,
            Assert.Throws<VirtioScsiException>(() => SharedUseGuard.Check(Source, false, new[] { "n2", "n3" }, SourceHolders.None, force: false)).ErrorId);
    }
}

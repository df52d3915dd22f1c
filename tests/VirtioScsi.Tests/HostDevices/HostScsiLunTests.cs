using System.Linq;
using VirtioScsi.Engine;
using VirtioScsi.Errors;
using VirtioScsi.HostDevices;
using VirtioScsi.Model;
using VirtioScsi.Tests.Support;
using Xunit;

namespace VirtioScsi.Tests.HostDevices;

/// <summary>
/// What Get-HostScsiLun shows and Add-PassthroughLun -Wwid resolves, from parsed node devices: the stable
/// path (read from a laid-out host, or derived from the WWID for a remote one), the domains that hold a
/// LUN, and -Wwid's refusals.
/// </summary>
public class HostScsiLunTests
{
    private const string Remote = "qemu+ssh://root@kvm01.example.com/system";

    private static HostScsiLun[] Remotely(params DomainStateXml[] domains) => Remotely(MsaLun.OnePath().ToArray(), domains);

    private static HostScsiLun[] Remotely(NodeDevice[] devices, params DomainStateXml[] domains) =>
        HostScsiLunBuilder.Build(HostLunCatalog.Build(devices), domains.Select(d => d.State).ToArray(), Remote, LunSourceIdentity.Default, hostReadable: false).ToArray();

    [SkippableFact]
    public void A_remote_hosts_msa_lun_gets_the_wwn_path_udev_makes_from_its_wwid()
    {
        Skip.If(MsaLun.Corpus is null, "../shared/corpus/libvirt-nodedev is absent");
        var lun = Remotely().Single();

        Assert.Equal((MsaLun.Wwid, "HP", "MSA2012fc", 15626928128L, "5:0:0:8"), (lun.Wwid, lun.Vendor, lun.Model, lun.SizeBytes, lun.HostAddress));
        Assert.Equal((MsaLun.WwnPath, true), (lun.Path, lun.PathIsDerived));
        Assert.Equal(new[] { "/dev/sdj" }, lun.Paths);
        Assert.True(lun.IsPassthroughCapable);
        Assert.Null(lun.HostUse);
        Assert.True(lun.IsFree);
        Assert.Equal(Remote, lun.ConnectionUri);
    }

    [SkippableFact]
    public void The_domains_that_hold_the_lun_by_any_of_its_names_are_listed_with_shareable_and_presence()
    {
        Skip.If(MsaLun.Corpus is null, "../shared/corpus/libvirt-nodedev is absent");
        var lun = Remotely(
            DomainStateXml.ShutOff("node1", BlockDisk(MsaLun.WwnPath, "sda", shareable: true)),
            DomainStateXml.ShutOff("node2", BlockDisk("/dev/mapper/" + MsaLun.Wwid, "sdb", shareable: true)),
            DomainStateXml.ShutOff("old", BlockDisk("/dev/sdj", "vdb")),
            DomainStateXml.ShutOff("other", BlockDisk("/dev/disk/by-id/wwn-0x600c0ff000d7a2a5d463ff4902000001", "sda"))).Single();

        Assert.Equal(new[] { ("node1", "sda", true), ("node2", "sdb", true), ("old", "vdb", false) },
            lun.UsedByDomains.Select(u => (u.Domain, u.TargetDevice!, u.Shareable)));
        Assert.All(lun.UsedByDomains, u => Assert.Equal(DefinitionPresence.Both, u.Presence));
        Assert.False(lun.IsFree);
        Assert.Equal("node1 (shareable), node2 (shareable), old", lun.UsedBy);
    }

    [Fact]
    public void On_this_machine_the_stable_path_is_the_multipath_map_and_a_domain_on_its_dm_name_holds_it()
    {
        const string wwid = "3600a098038303053453f463045727a41";
        using var tree = new HostTree()
            .Disk("sdb", "8:16").Disk("sdc", "8:32")
            .Mapper("dm-0", "253:0", "mpatha", "mpath-" + wwid, "sdb", "sdc");
        var devices = new[] { ("sdb", 1), ("sdc", 2) }.SelectMany(p => new[]
        {
            NodeDevice.Parse($"<device><name>block_{p.Item1}</name><parent>scsi_{p.Item1}</parent><capability type='storage'><block>/dev/{p.Item1}</block>" +
                             $"<bus>scsi</bus><drive_type>disk</drive_type><vendor>NETAPP</vendor><model>LUN C-Mode</model><serial>{wwid}</serial></capability></device>"),
            NodeDevice.Parse(MsaLun.ScsiDevice("scsi_" + p.Item1, p.Item2, 0)),
        }).ToArray();
        var roots = tree.Roots;
        var luns = HostScsiLunBuilder.Build(HostLunCatalog.Build(devices, tree.Resolver()),
            new[] { DomainStateXml.ShutOff("db1", BlockDisk("/dev/dm-0", "sda")).State }, "qemu:///system", new LunSourceIdentity(p => roots.KernelName(p) ?? p), hostReadable: true);

        var lun = luns.Single();
        Assert.Equal(("/dev/mapper/mpatha", false, "/dev/mapper/mpatha"), (lun.Path, lun.PathIsDerived, lun.MultipathMap));
        Assert.Equal(new[] { "/dev/sdb", "/dev/sdc" }, lun.Paths);
        Assert.Equal(new[] { "db1" }, lun.UsedByDomains.Select(u => u.Domain));
        Assert.Empty(lun.HostUse!);
        Assert.Same(lun, WwidResolver.Resolve(wwid, luns, "qemu:///system", hostReadable: true));
    }

    [SkippableTheory]
    [InlineData(MsaLun.Wwid)]
    [InlineData("600C0FF000D7A2A5D463FF4902000000")]
    [InlineData("naa.600c0ff000d7a2a5d463ff4902000000")]
    [InlineData("0x600c0ff000d7a2a5d463ff4902000000")]
    [InlineData("*d463ff4902000000")]
    public void Wwid_names_the_lun_as_udev_storage_arrays_or_the_kernel_write_it(string wwid)
    {
        Skip.If(MsaLun.Corpus is null, "../shared/corpus/libvirt-nodedev is absent");
        var luns = Remotely(MsaLun.OnePath().Concat(MsaLun.Neighbour()).ToArray());
        Assert.Equal(2, luns.Length);
        Assert.Equal(MsaLun.WwnPath, WwidResolver.Resolve(wwid, luns, Remote, hostReadable: false).Path);
    }

    [SkippableFact]
    public void Wwid_refuses_an_unknown_an_ambiguous_and_a_multipath_lun_without_its_map()
    {
        Skip.If(MsaLun.Corpus is null, "../shared/corpus/libvirt-nodedev is absent");
        var two = Remotely(MsaLun.OnePath().Concat(MsaLun.Neighbour()).ToArray());

        var unknown = Assert.Throws<VirtioScsiException>(() => WwidResolver.Resolve("3600a0980deadbeef", two, Remote, false));
        Assert.Equal((ErrorIds.WwidNotFound, ErrorKind.ObjectNotFound), (unknown.ErrorId, unknown.Kind));
        Assert.Contains("3600a0980deadbeef", unknown.Message);
        Assert.Contains(Remote, unknown.Message);

        var ambiguous = Assert.Throws<VirtioScsiException>(() => WwidResolver.Resolve("3600c0ff0*", two, Remote, false));
        Assert.Equal(ErrorIds.WwidAmbiguous, ambiguous.ErrorId);
        Assert.Contains("/dev/sdj", ambiguous.Message);
        Assert.Contains("/dev/sdl", ambiguous.Message);

        // Two paths, one WWID, no map seen: the wwn link would lead to one of the paths only.
        var multipath = Remotely(MsaLun.TwoPaths().ToArray()).Single();
        Assert.Null(multipath.Path);
        Assert.Equal(new[] { "/dev/sdj", "/dev/sdk" }, multipath.Paths);
        var single = Assert.Throws<VirtioScsiException>(() => WwidResolver.Resolve(MsaLun.Wwid, new[] { multipath }, Remote, false));
        Assert.Equal(ErrorIds.WwidSinglePath, single.ErrorId);
        Assert.Contains("/dev/sdj, /dev/sdk", single.Message);
        Assert.Contains("-Path", single.RecommendedAction);
        var local = Assert.Throws<VirtioScsiException>(() => WwidResolver.Resolve(MsaLun.Wwid, new[] { multipath }, null, true));
        Assert.Contains("multipath -a", local.RecommendedAction);
    }

    [SkippableFact]
    public void Wwid_refuses_a_remote_lun_whose_wwid_gives_no_by_id_name()
    {
        Skip.If(MsaLun.Corpus is null, "../shared/corpus/libvirt-nodedev is absent");
        // Not an NAA WWID, and the old libvirt's bus 'pci' is no udev ID_BUS a by-id name is made of.
        const string serial = "SHP_MSA2012fc_00c0ff0d7a2a";
        var devices = MsaLun.OnePath().Select(d => d.Storage is null ? d : NodeDevice.Parse(MsaLun.StorageXml.Replace(MsaLun.Wwid + "</serial>", serial + "</serial>"))).ToArray();
        var lun = Remotely(devices).Single();
        Assert.Equal((serial, (string?)null), (lun.Wwid, lun.Path));
        var error = Assert.Throws<VirtioScsiException>(() => WwidResolver.Resolve(serial, new[] { lun }, Remote, false));
        Assert.Equal((ErrorIds.WwidNoStablePath, ErrorKind.ObjectNotFound), (error.ErrorId, error.Kind));
        Assert.Contains("/dev/sdj", error.Message);
    }

    [SkippableFact]
    public void Wwid_refuses_a_lun_qemu_cannot_pass_through()
    {
        Skip.If(MsaLun.Corpus is null, "../shared/corpus/libvirt-nodedev is absent");
        // Without its SCSI device (as the corpus has it) the LUN shows no SCSI layer.
        var luns = Remotely(new[] { NodeDevice.Parse(MsaLun.StorageXml) });
        Assert.False(luns.Single().IsPassthroughCapable);
        var error = Assert.Throws<VirtioScsiException>(() => WwidResolver.Resolve(MsaLun.Wwid, luns, Remote, false));
        Assert.Equal(ErrorIds.SourceNotScsi, error.ErrorId);
    }

    internal static string BlockDisk(string path, string dev, bool shareable = false) =>
        $"<disk type='block' device='{(dev.StartsWith("vd") ? "disk" : "lun")}'><driver name='qemu' type='raw'/><source dev='{path}'/>" +
        $"<target dev='{dev}' bus='{(dev.StartsWith("vd") ? "virtio" : "scsi")}'/>{(shareable ? "<shareable/>" : "")}</disk>";
}

/// <summary>A shut-off domain's definition, made from its devices.</summary>
internal sealed class DomainStateXml
{
    private DomainStateXml(Libvirt.DomainState state) => State = state;

    public Libvirt.DomainState State { get; }

    public static DomainStateXml ShutOff(string name, string devices) =>
        new(Fixtures.ShutOffFromXml($"<domain type='kvm'><name>{name}</name><devices>{devices}</devices></domain>"));
}

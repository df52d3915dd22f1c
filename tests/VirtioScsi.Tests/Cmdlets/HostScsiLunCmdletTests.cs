using System;
using System.IO;
using System.Linq;
using VirtioScsi.Engine;
using VirtioScsi.HostDevices;
using VirtioScsi.Model;
using VirtioScsi.Tests.HostDevices;
using VirtioScsi.Tests.Live;
using Xunit;

namespace VirtioScsi.Tests.Cmdlets;

/// <summary>
/// Get-HostScsiLun and Add-PassthroughLun -Wwid as a user runs them: this machine's own listing (it has no
/// host SCSI disk, only its virtio disk), a domain holding that disk, -Wwid on an unknown LUN, the second
/// host over qemu+ssh, and the corpus MSA LUN piped into Add-PassthroughLun on that host.
/// </summary>
public sealed class HostScsiLunCmdletTests : IClassFixture<ModuleRunspace>
{
    /// <summary>The second host (.ci/setup-remote.sh): another libvirt daemon, reached over ssh.</summary>
    private static readonly string RemoteUri = Environment.GetEnvironmentVariable("VIRTIOSCSI_REMOTE_URI")
        ?? "qemu+ssh://virtioscsi-remote@127.0.0.1:12222/session";

    private readonly ModuleRunspace _ps;

    public HostScsiLunCmdletTests(ModuleRunspace ps) => _ps = ps;

    [SkippableFact]
    public void This_machines_listing_leaves_the_virtio_disk_out_unless_All_and_then_marks_it_with_its_host_use()
    {
        LiveStack.Require();
        var storage = LiveStack.Virsh("nodedev-list", "--cap", "storage").Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0).OrderBy(n => n).ToArray();

        var listed = _ps.Run("Get-HostScsiLun -ConnectionUri $uri").ThrowOnError();
        Assert.All(listed.Output, o => Assert.True((bool)o.Properties["IsPassthroughCapable"].Value));

        var all = _ps.Run("Get-HostScsiLun -ConnectionUri $uri -All").ThrowOnError();
        Assert.Equal(storage, all.Output.SelectMany(o => (string[])o.Properties["NodeDevices"].Value).OrderBy(n => n));
        Assert.All(all.Output, o => Assert.Equal("VirtioScsi.Model.HostScsiLun", o.TypeNames[0]));
        var vda = all.Output.SingleOrDefault(o => ((string[])o.Properties["NodeDevices"].Value).Contains("block_vda"));
        Skip.If(vda is null, "this machine has no block_vda (the checks below are for the project's own machine)");
        Assert.False((bool)vda!.Properties["IsPassthroughCapable"].Value);
        Assert.Contains("not a SCSI device", (string)vda.Properties["NotPassthroughCapableReason"].Value);
        Assert.Null(vda.Properties["Path"].Value);
        Assert.Null(vda.Properties["HostAddress"].Value);
        // A local connection says what the host does with the disk: the root filesystem, as findmnt reads it.
        var hostUse = (string[])vda.Properties["HostUse"].Value;
        if (LiveStack.Run("findmnt", "-n", "-o", "SOURCE", "/").Output.Trim() == "/dev/vda")
        {
            Assert.Contains("mounted vda on / (ext4)", hostUse);
            Assert.False((bool)vda.Properties["IsFree"].Value);
            Assert.Empty(_ps.Run("Get-HostScsiLun -ConnectionUri $uri -All -Free | Where-Object Paths -contains /dev/vda").ThrowOnError().Output);
        }
    }

    [SkippableFact]
    public void A_domain_that_holds_the_disk_is_listed_with_whether_it_shares_it_and_filters_select_by_vendor()
    {
        LiveStack.Require();
        Skip.IfNot(Directory.Exists("/sys/class/block/vda"), "this machine has no /dev/vda");
        // Shut off and never started: the definition only names the disk.
        using var domain = TestDomain.Create("hl", HostScsiLunTests.BlockDisk("/dev/vda", "vdb", shareable: true), start: false);

        var vda = _ps.Run("Get-HostScsiLun -ConnectionUri $uri -All | Where-Object Paths -contains /dev/vda").ThrowOnError();
        var use = vda.Output.Single().Properties["UsedByDomains"].Value as HostScsiLunDomainUse[];
        var mine = Assert.Single(use!, u => u.Domain == domain.Name);
        Assert.Equal(("vdb", true), (mine.TargetDevice, mine.Shareable));
        Assert.Contains(domain.Name + " (shareable)", (string)vda.Property("UsedBy")!);

        var vendor = (string?)vda.Property("Vendor");
        Skip.If(vendor is null, "libvirt reports no vendor for vda here");
        Assert.Single(_ps.Run("Get-HostScsiLun -ConnectionUri $uri -All -Vendor $args[0] | Where-Object Paths -contains /dev/vda", vendor!.ToUpperInvariant()).ThrowOnError().Output);
        Assert.Empty(_ps.Run("Get-HostScsiLun -ConnectionUri $uri -All -Vendor 'NO-SUCH-VENDOR*'").ThrowOnError().Output);
        // The disk has no WWID: a -Wwid filter never selects it.
        Assert.Empty(_ps.Run("Get-HostScsiLun -ConnectionUri $uri -All -Wwid * | Where-Object Paths -contains /dev/vda").ThrowOnError().Output);
    }

    [SkippableFact]
    public void Wwid_of_no_host_lun_is_a_clear_WwidNotFound_and_changes_nothing()
    {
        LiveStack.Require();
        using var domain = TestDomain.Create("hl", TestDevices.Virtio0, start: false);
        var before = LiveStack.DumpXml(domain.Name, inactive: true);

        var result = _ps.Run("Add-PassthroughLun -ConnectionUri $uri $args[0] -Wwid 3600a098038303053453f463045727a41 -Config", domain.Name);
        var error = result.SingleError();
        Assert.Equal("WwidNotFound," + _ps.CmdletClass("Add-PassthroughLun"), error.FullyQualifiedErrorId);
        Assert.Equal(System.Management.Automation.ErrorCategory.ObjectNotFound, error.CategoryInfo.Category);
        Assert.Contains("No host LUN has the WWID '3600a098038303053453f463045727a41' on qemu:///system", error.Exception.Message);
        Assert.Contains("Get-HostScsiLun", error.ErrorDetails?.RecommendedAction ?? error.Exception.Message);
        Assert.Empty(result.Output);
        Assert.Equal(before, LiveStack.DumpXml(domain.Name, inactive: true));
    }

    [SkippableFact]
    public void Over_qemu_ssh_the_second_host_lists_its_disks_without_claims_about_this_machine()
    {
        RequireRemote();
        var all = _ps.Run("Get-HostScsiLun -ConnectionUri $args[0] -All", RemoteUri).ThrowOnError();
        Assert.NotEmpty(all.Output);
        Assert.All(all.Output, o => Assert.Equal(RemoteUri, o.Properties["ConnectionUri"].Value));
        // The other host's /dev and /proc cannot be read from here: host use is unknown, not "unused".
        Assert.All(all.Output, o => Assert.Null(o.Properties["HostUse"].Value));
        Assert.All(all.Output.Where(o => o.Properties["Wwid"].Value is null), o => Assert.Null(o.Properties["Path"].Value));
        Assert.DoesNotContain(_ps.Run("Get-HostScsiLun -ConnectionUri $args[0]", RemoteUri).ThrowOnError().Output,
            o => !(bool)o.Properties["IsPassthroughCapable"].Value);
    }

    [SkippableFact]
    public void The_corpus_msa_lun_pipes_into_Add_PassthroughLun_on_its_host_with_its_stable_path()
    {
        RequireRemote();
        Skip.If(MsaLun.Corpus is null, "../shared/corpus/libvirt-nodedev is absent");
        // The MSA LUN as Get-HostScsiLun makes it for a remote host (which has no SAN: its node devices are
        // the corpus's); a remote host's stable path is derived from the WWID.
        var lun = HostScsiLunBuilder.Build(HostLunCatalog.Build(MsaLun.OnePath()), Array.Empty<Libvirt.DomainState>(), RemoteUri, LunSourceIdentity.Default, hostReadable: false).Single();
        var name = LiveStack.UniqueName("hl");
        DefineRemote(name, TestDevices.Virtio0);
        try
        {
            var before = RemoteXml(name);
            var whatIf = _ps.Run("$args[0] | Add-PassthroughLun -Domain $args[1] -WhatIf", lun, name);
            Assert.True(!whatIf.AllErrors.Any(), string.Join(" | ", whatIf.AllErrors.Select(e => e.FullyQualifiedErrorId + ": " + e)));
            Assert.Empty(whatIf.Output);
            Assert.Equal(before, RemoteXml(name));

            // The same pipeline for real, into the shut-off domain's definition: the stable path and the
            // connection came from the piped object.
            var disk = _ps.Run("$args[0] | Add-PassthroughLun -Domain $args[1] -Config", lun, name).ThrowOnError();
            Assert.Equal(MsaLun.WwnPath, ((LunSource)disk.Property("Source")!).Path);
            Assert.Equal(RemoteUri, disk.Property("ConnectionUri"));
            Assert.Contains($"<source dev='{MsaLun.WwnPath}'", RemoteXml(name).Replace('"', '\''));

            // Piped without -Domain, the object names no domain: a clear error, not a domain named after the path.
            var noDomain = _ps.Run("$args[0] | Add-PassthroughLun -Config", lun).SingleError();
            Assert.Equal("DomainNotFound," + _ps.CmdletClass("Add-PassthroughLun"), noDomain.FullyQualifiedErrorId);
            Assert.Contains("No domain was named for the LUN '" + MsaLun.WwnPath + "'", noDomain.Exception.Message);
            Assert.Contains("-Domain", noDomain.ErrorDetails.RecommendedAction);

            // The default table fits 80 columns, the MSA's 33-character WWID included.
            var table = (string)_ps.Run("$args[0] | Out-String -Width 80", lun).ThrowOnError().Output.Single().BaseObject;
            var lines = table.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.Trim().Length > 0).ToArray();
            Assert.Matches(@"^WWID\s+Vendor/Model\s+Size\s+UsedBy$", lines[0]);
            Assert.Matches($@"^{MsaLun.Wwid} HP MSA2012fc\s+14\.6 GiB no domain$", lines[2]);
            Assert.All(lines, l => Assert.True(l.Length <= 80, l));
        }
        finally
        {
            LiveStack.Run("virsh", "--connect", RemoteUri, "undefine", name);
        }
    }

    [SkippableFact]
    public void Wwid_completes_from_the_hosts_lun_list_on_both_cmdlets_without_failing_where_there_is_none()
    {
        LiveStack.Require();
        foreach (var line in new[] { "Get-HostScsiLun -ConnectionUri qemu:///system -Wwid ", "Add-PassthroughLun -ConnectionUri qemu:///system -Domain x -Wwid " })
        {
            var result = _ps.Run("(TabExpansion2 -inputScript $args[0] -cursorColumn $args[0].Length).CompletionMatches", line).ThrowOnError();
            // This machine's only disk has no WWID: nothing to offer, and no file names either (the module's completer answered).
            Assert.Empty(result.Output);
        }
        var completer = _ps.Run("(Get-Command Add-PassthroughLun).Parameters['Wwid'].Attributes | Where-Object { $_ -is [System.Management.Automation.ArgumentCompleterAttribute] } | ForEach-Object { $_.Type.Name }").ThrowOnError();
        Assert.Equal("WwidCompleter", completer.Output.Single().BaseObject);
    }

    private static void RequireRemote()
    {
        LiveStack.Require();
        var (code, _, error) = LiveStack.Run("virsh", "--connect", RemoteUri, "uri");
        if (code == 0) return;
        if (Environment.GetEnvironmentVariable("VIRTIOSCSI_REQUIRE_LIVE") == "1")
            throw new InvalidOperationException($"The second host is required but {RemoteUri} does not answer ({error.Trim()}): run .ci/setup-remote.sh as root.");
        Skip.If(true, $"the second host is missing ({RemoteUri}; run .ci/setup-remote.sh as root)");
    }

    private static string RemoteXml(string name) => LiveStack.Run("virsh", "--connect", RemoteUri, "dumpxml", "--inactive", name).Output;

    // A shut-off domain on the second host: type qemu, as its user has no /dev/kvm.
    private static void DefineRemote(string name, string devices)
    {
        var file = Path.Combine(Path.GetTempPath(), $"virtioscsi-domain-{Guid.NewGuid():N}.xml");
        File.WriteAllText(file, $"<domain type='qemu'><name>{name}</name><memory unit='MiB'>64</memory><vcpu>1</vcpu>" +
                                "<os><type arch='x86_64' machine='pc'>hvm</type></os><features><acpi/></features>" +
                                $"<devices>{devices}</devices></domain>");
        try
        {
            var (code, _, error) = LiveStack.Run("virsh", "--connect", RemoteUri, "define", file);
            if (code != 0) throw new InvalidOperationException("virsh define on the second host failed: " + error);
        }
        finally
        {
            File.Delete(file);
        }
    }
}

using System.Linq;
using System.Text.RegularExpressions;
using VirtioScsi.Tests.Live;
using Xunit;
using static VirtioScsi.Tests.Cmdlets.TestDevices;

namespace VirtioScsi.Tests.Cmdlets;

/// <summary>
/// Issue 11, points 3 and 4 on the real stack, through the cmdlets as a script calls them: one LUN spelled
/// another way is recognised (not attached twice), and text with control characters fails with the
/// module's ErrorId, non-terminating, changing nothing.
/// </summary>
public sealed class IdentityLiveTests : IClassFixture<ModuleRunspace>
{
    private readonly ModuleRunspace _ps;

    public IdentityLiveTests(ModuleRunspace ps) => _ps = ps;

    private const string AddIscsi =
        "Add-PassthroughLun -ConnectionUri $uri -Domain $args[0] -IscsiPortal $args[1] -IscsiTarget $args[2] -IscsiLun $args[3]";

    private static int DiskCount(string xml) => Regex.Matches(xml, "<disk ").Count;

    [SkippableFact]
    public void The_same_lun_as_localhost_and_with_an_upper_case_iqn_is_recognised_as_attached_and_detached_by_either_spelling()
    {
        LiveStack.Require();
        using var lun = IscsiLun.Create("ident");
        using var domain = TestDomain.Create("ident", Virtio0);
        var first = _ps.Run(AddIscsi, domain.Name, $"127.0.0.1:{LiveStack.IscsiPort}", lun.Iqn, lun.Lun).ThrowOnError();
        var target = first.Property("TargetDevice");
        Assert.Equal(true, first.Property("IsPassthrough"));

        foreach (var (portal, iqn) in new[] { ($"localhost:{LiveStack.IscsiPort}", lun.Iqn), ($"127.0.0.1:{LiveStack.IscsiPort}", lun.Iqn.ToUpperInvariant()),
                                             ($"LOCALHOST:{LiveStack.IscsiPort}", lun.Iqn.ToUpperInvariant()) })
        {
            var again = _ps.Run(AddIscsi, domain.Name, portal, iqn, lun.Lun);
            Assert.Empty(again.AllErrors);
            Assert.Equal(target, again.Property("TargetDevice"));
            Assert.Equal(1, DiskCount(LiveStack.DumpXml(domain.Name)));
            Assert.Equal(1, DiskCount(LiveStack.DumpXml(domain.Name, inactive: true)));
        }
        // QEMU holds the LUN once.
        Assert.Single(LiveStack.ScsiBlockDevices(domain.Name));

        _ps.Run("Remove-PassthroughLun -ConnectionUri $uri -Domain $args[0] -IscsiPortal $args[1] -IscsiTarget $args[2] -IscsiLun $args[3] -Confirm:$false",
            domain.Name, "localhost:" + LiveStack.IscsiPort, lun.Iqn.ToUpperInvariant(), lun.Lun).ThrowOnError();
        Assert.Equal(0, DiskCount(LiveStack.DumpXml(domain.Name, inactive: true)));
    }

    [SkippableTheory]
    [InlineData("New-ScsiController", "New-ScsiController -ConnectionUri $uri -Domain $args[0] -Config", "DomainNameInvalid", "\u0001")]
    [InlineData("New-ScsiController", "New-ScsiController -ConnectionUri $uri -Domain $args[0] -Config", "DomainNameInvalid", "\u0000")]
    [InlineData("New-ScsiController", "New-ScsiController -ConnectionUri $uri -Domain $args[0] -Config", "DomainNameInvalid", "\r")]
    [InlineData("Add-PassthroughLun", "Add-PassthroughLun -ConnectionUri $uri -Domain $args[0] -IscsiPortal 127.0.0.1 -IscsiTarget iqn.2026-11.test.virtioscsi:ident -IscsiLun 1", "DomainNameInvalid", "\u001b")]
    [InlineData("Add-PassthroughLun", "Add-PassthroughLun -ConnectionUri $uri -Domain $args[1] -IscsiPortal 127.0.0.1 -IscsiTarget ('iqn.2026-11.test.virtioscsi:ident' + $args[2]) -IscsiLun 1", "SourceInvalid", "\u001b")]
    [InlineData("Add-PassthroughLun", "Add-PassthroughLun -ConnectionUri $uri -Domain $args[1] -IscsiPortal ('127.0.0.1' + $args[2]) -IscsiTarget iqn.2026-11.test.virtioscsi:ident -IscsiLun 1", "SourceInvalid", "\n")]
    [InlineData("Add-PassthroughLun", "Add-PassthroughLun -ConnectionUri $uri -Domain $args[1] -Path ('/dev/sdb' + $args[2])", "SourceInvalid", "\u0000")]
    [InlineData("Remove-PassthroughLun", "Remove-PassthroughLun -ConnectionUri $uri -Domain $args[1] -Path ('/dev/sdb' + $args[2]) -Confirm:$false", "SourceInvalid", "\t")]
    [InlineData("Remove-ScsiController", "Remove-ScsiController -ConnectionUri $uri -Domain $args[0] -Index 0 -Confirm:$false", "DomainNameInvalid", "\n")]
    public void A_control_character_fails_with_the_modules_error_id_non_terminating_and_changes_nothing(string cmdlet, string script, string errorId, string character)
    {
        LiveStack.Require();
        using var domain = TestDomain.Create("ident", Virtio0 + IscsiDisk("sda", 0, UnusedIqn), start: false);
        var before = LiveStack.DumpXml(domain.Name, inactive: true);
        // $args[0]: the domain's name with the character; $args[1]: its real name; $args[2]: the character alone.
        var result = _ps.Run(script + "; 'after'", domain.Name + character, domain.Name, character);
        Assert.Null(result.Terminating);
        var error = result.SingleError();
        Assert.Equal($"{errorId},{_ps.CmdletClass(cmdlet)}", error.FullyQualifiedErrorId);
        Assert.Equal("after", result.Output.Last().BaseObject);
        Assert.DoesNotContain(error.Exception.Message, c => char.IsControl(c));
        Assert.Equal(before, LiveStack.DumpXml(domain.Name, inactive: true));
    }

    [SkippableFact]
    public void A_bad_name_among_good_ones_is_one_error_and_the_others_go_on()
    {
        LiveStack.Require();
        using var domain = TestDomain.Create("ident", start: false);
        var result = _ps.Run("$args[0], $args[1] | New-ScsiController -ConnectionUri $uri -Config", domain.Name + "\u0001", domain.Name);
        Assert.Null(result.Terminating);
        Assert.StartsWith("DomainNameInvalid,", result.SingleError().FullyQualifiedErrorId);
        Assert.Equal(0, result.Property("Index"));

        var topology = _ps.Run("Get-DomainScsiTopology -ConnectionUri $uri -Name $args[0], $args[1]", domain.Name + "\r", domain.Name);
        Assert.StartsWith("DomainNameInvalid,", topology.SingleError().FullyQualifiedErrorId);
        Assert.Equal(domain.Name, topology.Property("Name"));
    }

    [SkippableFact]
    public void A_domain_whose_name_has_a_carriage_return_is_listed_with_its_exact_name_and_refused_for_changes()
    {
        LiveStack.Require();
        // libvirt keeps a CR written as &#13; (a raw one is read as LF, which it refuses), and writes it back raw.
        var name = LiveStack.UniqueName("ident") + "\r" + "cr";
        var file = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"virtioscsi-ident-{System.Guid.NewGuid():N}.xml");
        System.IO.File.WriteAllText(file, $"<domain type='qemu'><name>{name.Replace("\r", "&#13;")}</name><memory unit='MiB'>64</memory><vcpu>1</vcpu>" +
            "<os><type arch='x86_64' machine='pc'>hvm</type></os><devices>" + Virtio0 + "</devices></domain>");
        LiveStack.Virsh("define", file);
        System.IO.File.Delete(file);
        var uuid = LiveStack.Virsh("domuuid", name).Trim();
        try
        {
            var before = LiveStack.DumpXml(uuid, inactive: true);
            var listed = _ps.Run("Get-DomainScsiTopology -ConnectionUri $uri -Name ($args[0] + '*')", name.Split('\r')[0]).ThrowOnError();
            Assert.Equal(name, listed.Property("Name"));

            // Piped on by its exact name, or named by UUID: the module's error, nothing changed.
            var piped = _ps.Run("Get-DomainScsiTopology -ConnectionUri $uri -Name ($args[0] + '*') | New-ScsiController -Config", name.Split('\r')[0]);
            Assert.StartsWith("DomainNameInvalid,", piped.SingleError().FullyQualifiedErrorId);
            var byUuid = _ps.Run("New-ScsiController -ConnectionUri $uri -Domain $args[0] -Config", uuid);
            Assert.StartsWith("DomainNameInvalid,", byUuid.SingleError().FullyQualifiedErrorId);
            Assert.Equal(before, LiveStack.DumpXml(uuid, inactive: true));
        }
        finally
        {
            LiveStack.Run("virsh", "--connect", LiveStack.Uri, "undefine", uuid);
        }
    }

    [SkippableFact]
    public void A_lun_on_a_controller_far_above_its_gaps_is_ControllerIndexGap_and_changes_nothing()
    {
        LiveStack.Require();
        using var domain = TestDomain.Create("ident", "<controller type='scsi' index='9' model='virtio-scsi'/>", start: false);
        var before = LiveStack.DumpXml(domain.Name, inactive: true);
        var result = _ps.Run("Add-PassthroughLun -ConnectionUri $uri -Domain $args[0] -IscsiPortal 127.0.0.1 -IscsiTarget $args[1] -IscsiLun 1 -Controller 9",
            domain.Name, UnusedIqn);
        var error = result.SingleError();
        Assert.Equal($"ControllerIndexGap,{_ps.CmdletClass("Add-PassthroughLun")}", error.FullyQualifiedErrorId);
        Assert.Equal(System.Management.Automation.ErrorCategory.LimitsExceeded, error.CategoryInfo.Category);
        Assert.False(string.IsNullOrWhiteSpace(error.ErrorDetails?.RecommendedAction));
        Assert.Equal(before, LiveStack.DumpXml(domain.Name, inactive: true));
        // Without -Controller the LUN goes on a new virtio-scsi controller 0, with no gap to fill.
        Assert.Equal(0, _ps.Run("Add-PassthroughLun -ConnectionUri $uri -Domain $args[0] -IscsiPortal 127.0.0.1 -IscsiTarget $args[1] -IscsiLun 1",
            domain.Name, UnusedIqn).ThrowOnError().Property("Controller"));
    }

    [SkippableTheory]
    [InlineData("\u0000")]
    [InlineData("\n")]
    [InlineData("\u001b")]
    public void A_control_character_in_the_connection_uri_is_ConnectionUriInvalid_non_terminating(string character)
    {
        LiveStack.Require();
        using var domain = TestDomain.Create("ident", start: false);
        var before = LiveStack.DumpXml(domain.Name, inactive: true);
        foreach (var (cmdlet, script) in new[]
                 {
                     ("Get-DomainScsiTopology", "Get-DomainScsiTopology -ConnectionUri ($uri + $args[1]) -Name $args[0]; 'after'"),
                     ("New-ScsiController", "New-ScsiController -ConnectionUri ($uri + $args[1]) -Domain $args[0] -Config; 'after'"),
                 })
        {
            var result = _ps.Run(script, domain.Name, character);
            Assert.Null(result.Terminating);
            Assert.Equal($"ConnectionUriInvalid,{_ps.CmdletClass(cmdlet)}", result.SingleError().FullyQualifiedErrorId);
            Assert.Equal("after", result.Output.Last().BaseObject);
        }
        Assert.Equal(before, LiveStack.DumpXml(domain.Name, inactive: true));
    }
}

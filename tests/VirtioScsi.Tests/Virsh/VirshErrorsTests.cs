using VirtioScsi.Errors;
using VirtioScsi.Virsh;
using Xunit;

namespace VirtioScsi.Tests.Virsh;

/// <summary>virsh's messages (as libvirt 9.0 prints them) mapped to error ids a script can catch.</summary>
public class VirshErrorsTests
{
    private static VirtioScsiException Map(string stderr) =>
        VirshErrors.ToException(new VirshResult(new VirshCommand("attach-device"), "", stderr, false), "Attaching", "web01", ErrorIds.AttachFailed);

    [Theory]
    [InlineData("error: failed to get domain 'web01'\n", ErrorIds.DomainNotFound)]
    [InlineData("error: Failed to attach device from /tmp/x.xml\nerror: internal error: unable to execute QEMU command 'device_add': Bus 'pci.0' does not support hotplugging\n", ErrorIds.HotplugUnavailable)]
    [InlineData("error: Requested operation is not valid: domain is not running\n", ErrorIds.LiveChangeOnInactiveDomain)]
    [InlineData("error: failed to connect to the hypervisor\nerror: Failed to connect socket to '/var/run/libvirt/libvirt-sock': No such file or directory\n", ErrorIds.VirshFailed)]
    // An iSCSI login failure mentions connecting too, but it is the attach that failed, not libvirt.
    [InlineData("error: Failed to attach device from /tmp/x.xml\nerror: internal error: unable to execute QEMU command 'blockdev-add': Failed to connect to LUN : iSCSI login failed\n", ErrorIds.AttachFailed)]
    public void Known_messages_get_their_own_error_id(string stderr, string errorId)
    {
        var e = Map(stderr);
        Assert.Equal(errorId, e.ErrorId);
        Assert.Equal("web01", e.TargetObject);
        Assert.False(e.VirshMessage!.StartsWith("error:"), "virsh's error: prefixes are stripped");
    }

    [Fact]
    public void Virshs_words_stay_in_the_message()
    {
        var e = Map("error: Failed to attach device\nerror: unsupported configuration: something libvirt says\n");
        Assert.Contains("unsupported configuration: something libvirt says", e.Message);
    }
}

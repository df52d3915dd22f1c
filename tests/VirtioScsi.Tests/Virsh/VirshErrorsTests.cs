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
    // The failures only remote connections have, in libvirt 9.0's and OpenSSH 9.2's words (recorded on the
    // test stack's second host, see tests/Pester/Remote.Tests.ps1).
    [InlineData("error: failed to connect to the hypervisor\nerror: Cannot recv data: ssh: connect to host 127.0.0.1 port 12223: Connection refused: Connection reset by peer\n", ErrorIds.RemoteHostUnreachable)]
    [InlineData("error: failed to connect to the hypervisor\nerror: Cannot recv data: ssh: Could not resolve hostname nonexistent.invalid: Name or service not known: Connection reset by peer\n", ErrorIds.RemoteHostUnreachable)]
    [InlineData("error: failed to connect to the hypervisor\nerror: unable to connect to server at '127.0.0.1:12223': Connection refused\n", ErrorIds.RemoteHostUnreachable)]
    [InlineData("error: failed to connect to the hypervisor\nerror: Cannot recv data: virtioscsi-refused@127.0.0.1: Permission denied (publickey).: Connection reset by peer\n", ErrorIds.RemoteAuthenticationFailed)]
    [InlineData("error: failed to connect to the hypervisor\nerror: Cannot recv data: Host key verification failed.: Connection reset by peer\n", ErrorIds.RemoteAuthenticationFailed)]
    [InlineData("error: failed to connect to the hypervisor\nerror: End of file while reading data: virt-ssh-helper: cannot connect to '/home/u/.cache/libvirt/libvirt-sock': Failed to connect socket to '/home/u/.cache/libvirt/libvirt-sock': No such file or directory: Input/output error\n", ErrorIds.RemoteLibvirtUnavailable)]
    // A local socket that refuses is the local libvirtd, not a remote failure.
    [InlineData("error: failed to connect to the hypervisor\nerror: Failed to connect socket to '/var/run/libvirt/libvirt-sock': Permission denied\n", ErrorIds.VirshFailed)]
    // What a remote host's libvirt and QEMU say of a -Path there maps to the ids of the local checks.
    [InlineData("error: Failed to attach device from /tmp/x.xml\nerror: Cannot access storage file '/dev/disk/by-id/none': No such file or directory\n", ErrorIds.SourceNotFound)]
    [InlineData("error: Failed to attach device from /tmp/x.xml\nerror: internal error: unable to execute QEMU command 'blockdev-add': Could not open '/dev/null': filesystem does not support O_DIRECT\n", ErrorIds.SourceNotBlockDevice)]
    public void Known_messages_get_their_own_error_id(string stderr, string errorId)
    {
        var e = Map(stderr);
        Assert.Equal(errorId, e.ErrorId);
        Assert.Equal("web01", e.TargetObject);
        Assert.False(e.VirshMessage!.StartsWith("error:"), "virsh's error: prefixes are stripped");
    }

    [Theory]
    [InlineData("error: failed to connect to the hypervisor\nerror: Cannot recv data: ssh: connect to host h port 22: Connection refused\n")]
    [InlineData("error: failed to connect to the hypervisor\nerror: Cannot recv data: u@h: Permission denied (publickey).\n")]
    [InlineData("error: failed to connect to the hypervisor\nerror: End of file while reading data: virt-ssh-helper: cannot connect to '/var/run/libvirt/libvirt-sock'\n")]
    public void A_remote_failure_never_sends_the_user_to_the_local_libvirtd(string stderr)
    {
        var e = Map(stderr);
        Assert.DoesNotContain("Check that libvirtd runs", e.FullMessage);
        Assert.Equal(ErrorKind.ResourceUnavailable, e.Kind);
    }

    [Fact]
    public void Virshs_words_stay_in_the_message()
    {
        var e = Map("error: Failed to attach device\nerror: unsupported configuration: something libvirt says\n");
        Assert.Contains("unsupported configuration: something libvirt says", e.Message);
    }
}

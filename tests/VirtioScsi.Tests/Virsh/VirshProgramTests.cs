using VirtioScsi.Virsh;
using Xunit;

namespace VirtioScsi.Tests.Virsh;

/// <summary>Which URIs pay for a new connection with every virsh process (so batches stay in the open session).</summary>
public class VirshProgramTests
{
    [Theory]
    [InlineData(null, false)]
    [InlineData("qemu:///system", false)]
    [InlineData("qemu:///session", false)]
    [InlineData("qemu+unix:///system", false)]
    [InlineData("test:///default", false)]
    [InlineData("qemu+ssh://root@kvm01/system", true)]
    [InlineData("qemu+ssh://virtioscsi-remote@127.0.0.1:12222/session", true)]
    [InlineData("qemu+libssh2://root@kvm01/system", true)]
    [InlineData("qemu+tcp://kvm01/system", true)]
    [InlineData("qemu+tls://kvm01/system", true)]
    [InlineData("qemu://kvm01/system", true)]
    public void Tells_remote_connections_from_local_ones(string? uri, bool remote) =>
        Assert.Equal(remote, VirshProgram.IsRemote(uri));
}

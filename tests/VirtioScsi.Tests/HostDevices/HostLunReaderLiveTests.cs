using System.Linq;
using VirtioScsi.Errors;
using VirtioScsi.HostDevices;
using VirtioScsi.Tests.Live;
using VirtioScsi.Virsh;
using Xunit;

namespace VirtioScsi.Tests.HostDevices;

/// <summary>The engine's listing of host LUNs over a real connection, against what the tests' own virsh calls read.</summary>
public class HostLunReaderLiveTests
{
    [SkippableFact]
    public void The_listing_reads_every_storage_device_of_the_connection_in_one_virsh_process()
    {
        LiveStack.Require();
        using var virsh = new VirshSessionRunner(LiveStack.Uri);
        var luns = new HostLunReader(virsh).List(new HostBlockResolver());

        var expected = LiveStack.Virsh("nodedev-list", "--cap", "storage").Split('\n').Select(n => n.Trim()).Where(n => n.Length > 0).OrderBy(n => n);
        Assert.Equal(expected, luns.SelectMany(l => l.Paths).Select(p => p.NodeDevice).OrderBy(n => n));
        Assert.Equal(1, virsh.ProcessesStarted);
        Assert.All(luns.Where(l => l.Paths.Any(p => p.Device.StartsWith("/dev/vd"))), l => Assert.False(l.IsPassthroughCapable));
        Assert.All(luns, l => Assert.NotNull(l.HostUse));
    }

    [SkippableFact]
    public void Without_a_resolver_nothing_is_said_about_this_machine()
    {
        LiveStack.Require();
        using var virsh = new VirshProcessRunner(LiveStack.Uri);
        var luns = new HostLunReader(virsh).List(null);
        Assert.NotEmpty(luns);
        Assert.All(luns, l => Assert.Null(l.HostUse));
        Assert.All(luns, l => Assert.Null(l.StablePath));
    }

    [SkippableFact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public void A_device_gone_between_the_list_and_its_read_is_left_out()
    {
        LiveStack.Require();
        // Fault injection around the real virsh: the listing names one device more, which the real
        // nodedev-dumpxml then does not find (as when a disk is unplugged in between).
        var wrapper = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"vst-virsh-unplug-{System.Environment.ProcessId}.sh");
        System.IO.File.WriteAllText(wrapper,
            "#!/bin/sh\n" +
            $"'{Support.Tools.Virsh}' \"$@\"; rc=$?\n" +
            "case \"$*\" in *nodedev-list*) echo vst-unplugged-device ;; esac\n" +
            "exit $rc\n");
        System.IO.File.SetUnixFileMode(wrapper, System.IO.UnixFileMode.UserRead | System.IO.UnixFileMode.UserWrite | System.IO.UnixFileMode.UserExecute);
        try
        {
            using var virsh = new VirshProcessRunner(LiveStack.Uri, virshPath: wrapper);
            var luns = new HostLunReader(virsh).List(null);
            var expected = LiveStack.Virsh("nodedev-list", "--cap", "storage").Split('\n').Select(n => n.Trim()).Where(n => n.Length > 0).OrderBy(n => n);
            Assert.Equal(expected, luns.SelectMany(l => l.Paths).Select(p => p.NodeDevice).OrderBy(n => n));
        }
        finally
        {
            System.IO.File.Delete(wrapper);
        }
    }

    [SkippableFact]
    public void A_connection_that_cannot_list_node_devices_ends_in_VirshFailed_with_virshs_words()
    {
        LiveStack.Require();
        // libvirt's test driver has no node-device listing: a real virsh, refusing for real.
        using var virsh = new VirshProcessRunner("test:///default");
        var error = Assert.Throws<VirtioScsiException>(() => new HostLunReader(virsh).List(null));
        Assert.Equal(ErrorIds.VirshFailed, error.ErrorId);
        Assert.Contains("Listing the host's storage devices", error.Message);
        Assert.Contains("Failed to list node devices", error.VirshMessage);
    }
}

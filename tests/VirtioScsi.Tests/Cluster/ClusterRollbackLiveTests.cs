using System.Collections.Generic;
using System.Linq;
using System.Threading;
using VirtioScsi.Engine;
using VirtioScsi.Errors;
using VirtioScsi.Model;
using VirtioScsi.Planning;
using VirtioScsi.Tests.Cmdlets;
using VirtioScsi.Tests.Live;
using VirtioScsi.Virsh;
using Xunit;

namespace VirtioScsi.Tests.Cluster;

/// <summary>
/// All or nothing across domains, on the live stack: the real virsh, wrapped so that attach-device fails for
/// one chosen domain (what libvirt does when, say, that node's QEMU cannot open the LUN). The domains done
/// before it are undone, live and persistent.
/// </summary>
public class ClusterRollbackLiveTests
{
    /// <summary>The real virsh session, but every batch with an attach-device for <paramref name="failing"/> fails as virsh would.</summary>
    private sealed class FailAttachFor : IVirshRunner
    {
        private readonly IVirshRunner _real = new VirshSessionRunner(LiveStack.Uri);
        private readonly string _failing;

        public FailAttachFor(string failing) => _failing = failing;

        public string? ConnectionUri => _real.ConnectionUri;
        public int ProcessesStarted => _real.ProcessesStarted;
        public void Dispose() => _real.Dispose();

        private bool Fails(VirshCommand command) =>
            command.Name == "attach-device" && command.ToVirshSyntax().Contains(_failing);

        public VirshResult Run(VirshCommand command, CancellationToken cancellationToken = default) =>
            RunBatch(new[] { command }, cancellationToken)[0];

        public IReadOnlyList<VirshResult> RunBatch(IReadOnlyList<VirshCommand> commands, CancellationToken cancellationToken = default) =>
            commands.Any(Fails)
                ? commands.Select(c => new VirshResult(c, "", "error: Failed to attach device\nerror: injected by the test for " + _failing + "\n", false)).ToArray()
                : _real.RunBatch(commands, cancellationToken);
    }

    [SkippableTheory]
    [InlineData(true)]
    [InlineData(false)]
    public void When_the_second_domain_fails_the_first_is_left_as_it_was_live_and_persistent(bool running)
    {
        LiveStack.Require();
        using var lun = IscsiLun.Create("cl-fail");
        // Both need a controller: b's lsi 0 makes the common place a new virtio-scsi controller 1 on both, so the
        // undo has a controller to remove from a as well as the LUN. (A running domain's controller is hot-unplugged
        // only with the guest's help, so the running case keeps to a LUN on the existing controller.)
        using var a = TestDomain.Create("cl", TestDevices.Virtio0, start: running);
        using var b = TestDomain.Create("cl", running ? TestDevices.Virtio0 : TestDevices.Lsi0, start: running);
        var before = (LiveStack.DumpXml(a.Name), LiveStack.DumpXml(a.Name, inactive: true));
        using var manager = new ScsiManager(new FailAttachFor(b.Name));
        var request = new LunRequest(LunSource.FromIscsiParameters(lun.Portal, lun.Iqn, lun.Lun)) { Options = new LunOptions { Shareable = true } };

        var plans = manager.PlanLunAttachAll(new[] { a.Name, b.Name }, request, false, false);
        Assert.Equal(running ? "0:0:0:0" : "1:0:0:0", plans[0].Address.ToString());
        var e = Assert.Throws<VirtioScsiException>(() => manager.ApplyLunAttachAll(plans));

        Assert.Equal(ErrorIds.AttachFailed, e.ErrorId);
        Assert.Contains("injected by the test", e.FullMessage);
        Assert.Contains($"Undone on domain '{a.Name}'", e.Summary);
        Assert.Equal(before, (LiveStack.DumpXml(a.Name), LiveStack.DumpXml(a.Name, inactive: true)));
        if (running) Assert.Empty(LiveStack.ScsiBlockDevices(a.Name));
        Assert.DoesNotContain(lun.Iqn, LiveStack.DumpXml(b.Name, inactive: true));
    }
}

using System;
using System.Linq;
using VirtioScsi.Model;
using VirtioScsi.Planning;
using Xunit;
using Xunit.Abstractions;

namespace VirtioScsi.Tests.Live;

/// <summary>
/// SCSI-3 persistent reservations between two guests that share one iSCSI LUN attached shareable by the
/// module, the way a cluster fences a node (Pacemaker's fence_scsi: register, reserve, preempt). Every step
/// is judged from what sg_persist and sg_dd print inside the guests and from their exit status.
/// </summary>
public class ReservationLiveTests
{
    private static readonly TimeSpan BootTimeout = TimeSpan.FromSeconds(90);
    private static readonly TimeSpan StepTimeout = TimeSpan.FromSeconds(30);
    private const int Sector = 64;
    private readonly ITestOutputHelper _output;

    public ReservationLiveTests(ITestOutputHelper output) => _output = output;

    /// <summary>
    /// The only place this test calls the engine (as GuestProofTests does): attach the LUN shareable, at an
    /// address the module chooses. When the engine's API changes, this is the one line to fix.
    /// </summary>
    private static ScsiDisk AttachShareable(TestGuest guest, IscsiLun lun)
    {
        var manager = LiveStack.Manager();
        var request = new LunRequest(LunSource.FromIscsiParameters(lun.Portal, lun.Iqn, lun.Lun)) { Options = new LunOptions { Shareable = true } };
        return manager.ApplyLunAttach(manager.PlanLunAttach(guest.Name, request, false, false));
    }

    [SkippableFact]
    public void Two_guests_on_one_shareable_lun_register_reserve_and_fence_each_other_with_persistent_reservations()
    {
        LiveStack.Require();
        using var lun = IscsiLun.Create("pr");
        // Both boot at once (TCG); lsilogic index 0 as in the other guest tests, so the module adds virtio-scsi.
        using var a = TestGuest.Create("pr", "<controller type='scsi' index='0' model='lsilogic'/>", directKernel: true, _output, start: true, commands: true);
        using var b = TestGuest.Create("pr", "<controller type='scsi' index='0' model='lsilogic'/>", directKernel: true, _output, start: true, commands: true);
        foreach (var guest in new[] { a, b })
        {
            var ready = guest.WaitFor(l => l.StartsWith("ready"), BootTimeout, "that it is ready");
            Assert.True(TestGuest.Fields(ready).TryGetValue("commands", out var port) && port == "ttyS1",
                $"The guest in {TestGuest.GuestDirectory} has no command port (built by an older tests/Guest/build-guest.sh?): {ready}");
        }

        var diskA = AttachShareable(a, lun);
        var diskB = AttachShareable(b, lun);
        Assert.Equal((diskA.Address, diskA.TargetDevice), (diskB.Address, diskB.TargetDevice));
        Assert.Contains("<shareable/>", LiveStack.DumpXml(a.Name));
        Assert.Contains("<shareable/>", LiveStack.DumpXml(b.Name));
        var sgA = SharedLun(a);
        var sgB = SharedLun(b);

        // Before any reservation both may write: the refusals below are the reservation's doing.
        Ok(b, WriteCommand(sgB, "before-any-reservation"));
        Assert.Equal("before-any-reservation", Ok(a, ReadCommand(sgA)).Output.Last());

        // A registers its key and takes a Write Exclusive reservation.
        Ok(a, $"sg_persist --out --register --param-sark=0xA {sgA}");
        Ok(a, $"sg_persist --out --reserve --param-rk=0xA --prout-type=1 {sgA}");

        // B sees A's key and reservation on the target itself.
        var keys = Ok(b, $"sg_persist --in --read-keys {sgB}");
        Assert.Contains("1 registered reservation key follows:", keys.Text);
        Assert.Contains("    0xa", keys.Output);
        var reservation = Ok(b, $"sg_persist --in --read-reservation {sgB}");
        Assert.Contains("Key=0xa", reservation.Text);
        Assert.Contains("type: Write Exclusive", reservation.Text);

        // The holder writes; B, not registered, is refused writing but may read what A wrote.
        Ok(a, WriteCommand(sgA, "written-by-A"));
        Conflict(b, WriteCommand(sgB, "written-by-B"));
        Assert.Equal("written-by-A", Ok(b, ReadCommand(sgB)).Output.Last());

        // B registers and preempts A: A's registration and reservation are gone, B holds it.
        Ok(b, $"sg_persist --out --register --param-sark=0xB {sgB}");
        Ok(b, $"sg_persist --out --preempt --param-rk=0xB --param-sark=0xA --prout-type=1 {sgB}");
        // The target tells A so with a unit attention on A's next command (unless A's kernel took it first).
        keys = a.Run($"sg_persist --in --read-keys {sgA}", StepTimeout);
        if (keys.ExitCode != 0)
        {
            Assert.True(keys.Text.Contains("Additional sense: Reservations preempted"), $"In {a.Name}, {keys}");
            keys = Ok(a, $"sg_persist --in --read-keys {sgA}");
        }
        Assert.Contains("1 registered reservation key follows:", keys.Text);
        Assert.Contains("    0xb", keys.Output);
        Assert.DoesNotContain("    0xa", keys.Output);
        reservation = Ok(a, $"sg_persist --in --read-reservation {sgA}");
        Assert.Contains("Key=0xb", reservation.Text);
        Assert.Contains("type: Write Exclusive", reservation.Text);

        // A is fenced; B writes, and A reads B's data.
        Conflict(a, WriteCommand(sgA, "fenced-A-wrote"));
        Ok(b, WriteCommand(sgB, "written-by-B"));
        Assert.Equal("written-by-B", Ok(a, ReadCommand(sgA)).Output.Last());
    }

    /// <summary>The sg device under which the guest reports the target's LUN (tgtd answers vendor IET).</summary>
    private static string SharedLun(TestGuest guest)
    {
        var added = TestGuest.Fields(guest.WaitFor(l => l.StartsWith("add ") && l.Contains(" vendor=IET "), TimeSpan.FromSeconds(30), "the shared LUN"));
        Assert.Equal("virtio_scsi", added["driver"]);
        return "/dev/" + added["sg"];
    }

    /// <summary>One sector of the text repeated, written with SCSI WRITE through the sg device.</summary>
    private static string WriteCommand(string sg, string text) =>
        $"yes {text} | head -c 512 >/tmp/sector && sg_dd if=/tmp/sector of={sg} bs=512 seek={Sector} count=1";

    /// <summary>Reads the sector back through the sg device; the last output line is its first text line.</summary>
    private static string ReadCommand(string sg) =>
        $"sg_dd if={sg} of=/tmp/read bs=512 skip={Sector} count=1 && head -n 1 /tmp/read";

    private GuestCommandResult Ok(TestGuest guest, string command)
    {
        var result = guest.Run(command, StepTimeout);
        Assert.True(result.ExitCode == 0, $"In {guest.Name}, {result}");
        return result;
    }

    /// <summary>The command must fail because the target answered RESERVATION CONFLICT.</summary>
    private void Conflict(TestGuest guest, string command)
    {
        var result = guest.Run(command, StepTimeout);
        Assert.True(result.ExitCode != 0, $"In {guest.Name} the write should have been refused, but {result}");
        Assert.True(result.Text.Contains("Reservation Conflict", StringComparison.OrdinalIgnoreCase), $"In {guest.Name}, not a reservation conflict: {result}");
    }
}

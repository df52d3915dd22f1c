using System;
using System.IO;
using System.Xml.Linq;
using VirtioScsi.Engine;
using VirtioScsi.Errors;
using VirtioScsi.Planning;
using Xunit;

namespace VirtioScsi.Tests.Engine;

/// <summary>
/// The rules behind safe changes that need no libvirt: which failures may have taken effect, which libvirt
/// refusals mean "taken meanwhile" (plan again), the removal commands a RollbackIncomplete gives, where the
/// domain lock lives, and how step files are held and swept. The live proofs are in Live/ConcurrencyLiveTests
/// and Live/FaultLiveTests.
/// </summary>
public sealed class ChangeSafetyTests
{
    private static VirtioScsiException Refused(string errorId, string virshSaid) => new(errorId, ErrorKind.InvalidOperation, "x", "d", null, virshSaid);

    [Fact]
    public void A_step_may_have_taken_effect_when_virsh_did_not_say_how_it_ended()
    {
        Assert.True(ChangeExecutor.OutcomeUnknown(new OperationCanceledException()));
        Assert.True(ChangeExecutor.OutcomeUnknown(Error.VirshTimedOut(TimeSpan.FromSeconds(4), "attach-device")));
        // An open virsh that ended under the command, without a word.
        var ended = new VirtioScsi.Virsh.VirshResult(new VirtioScsi.Virsh.VirshCommand("attach-device"), "", "error: " + VirtioScsi.Virsh.VirshSession.EndedUnfinished, ranToEnd: false);
        Assert.True(ChangeExecutor.OutcomeUnknown(VirtioScsi.Virsh.VirshErrors.ToException(ended, "Attaching", "d", ErrorIds.AttachFailed)));
        Assert.True(ChangeExecutor.OutcomeUnknown(Refused(ErrorIds.AttachFailed, "End of file while reading data: Input/output error")));
        // libvirt refused in its own words: nothing changed.
        Assert.False(ChangeExecutor.OutcomeUnknown(Refused(ErrorIds.AttachFailed, "Requested operation is not valid: target sdc already exists")));
    }

    [Theory]
    [InlineData("Requested operation is not valid: target sdc already exists")]
    [InlineData("Requested operation is not valid: controller index='0' already exists")]
    [InlineData("Requested operation is not valid: Domain already contains a disk with that address")]
    public void Libvirt_saying_the_choice_is_taken_makes_the_change_plan_again(string virshSaid)
    {
        Assert.True(DomainChanges.TakenMeanwhile(Refused(ErrorIds.AttachFailed, virshSaid)));
        // Not after a rollback that did not finish, and not for the module's own refusals.
        Assert.False(DomainChanges.TakenMeanwhile(Refused(ErrorIds.RollbackIncomplete, virshSaid)));
        Assert.False(DomainChanges.TakenMeanwhile(Refused(ErrorIds.AttachFailed, "iSCSI: Failed to connect to LUN")));
    }

    [Fact]
    public void What_a_rollback_leaves_comes_with_the_command_that_removes_it()
    {
        var lun = ChangeStep.Attach("it's", "Attach a LUN", XElement.Parse("<disk device='lun'><target dev='sdc' bus='scsi'/></disk>"), new ChangeScope(true, true));
        var controller = ChangeStep.Attach("it's", "Add a controller", XElement.Parse("<controller type='scsi' index='2' model='virtio-scsi'/>"), new ChangeScope(true, true));
        Assert.Equal("Remove-PassthroughLun -Domain 'it''s' -TargetDevice sdc", StepDevices.RemovalCommand(lun, new ChangeScope(true, true)));
        Assert.Equal("Remove-PassthroughLun -Domain 'it''s' -TargetDevice sdc -Config", StepDevices.RemovalCommand(lun, new ChangeScope(false, true)));
        Assert.Equal("Remove-ScsiController -Domain 'it''s' -Index 2 -Live -Force", StepDevices.RemovalCommand(controller, new ChangeScope(true, false)));
        Assert.Equal("virtio-scsi controller 2 (live only)", StepDevices.Describe(controller, new ChangeScope(true, false)));
        Assert.Equal("passthrough LUN sdc (live and persistent)", StepDevices.Describe(lun, new ChangeScope(true, true)));
        // The LUN step, planned without an undo, gets one: the detach of what it attached.
        var undo = StepDevices.UndoOf(lun)!;
        Assert.Equal(StepKind.DetachDevice, undo.Kind);
        Assert.Equal(lun.XmlText, undo.XmlText);
    }

    [Fact]
    public void One_lock_a_domain_and_host_with_a_file_name_that_is_always_safe()
    {
        var local = DomainChangeLock.PathFor("qemu:///system", "web01");
        Assert.Equal(local, DomainChangeLock.PathFor(null, "web01"));
        Assert.NotEqual(local, DomainChangeLock.PathFor("qemu+ssh://root@kvm2/system", "web01"));
        Assert.NotEqual(local, DomainChangeLock.PathFor(null, "web02"));
        var odd = Path.GetFileName(DomainChangeLock.PathFor(null, "../a/b c*\u00e9"));
        Assert.Matches(@"^domain-[A-Za-z0-9._-]+-[0-9a-f]{24}\.lock$", odd);
        Assert.NotEqual(Path.GetFileName(DomainChangeLock.PathFor(null, "a b")), Path.GetFileName(DomainChangeLock.PathFor(null, "a_b")));
    }

    [Fact]
    public void A_step_file_is_private_and_held_while_in_use_and_a_left_one_is_swept()
    {
        var inUse = Path.Combine(Path.GetTempPath(), "virtioscsi-" + Guid.NewGuid().ToString("N") + ".xml");
        var left = Path.Combine(Path.GetTempPath(), "virtioscsi-" + Guid.NewGuid().ToString("N") + ".xml");
        var fresh = Path.Combine(Path.GetTempPath(), "virtioscsi-" + Guid.NewGuid().ToString("N") + ".xml");
        var other = Path.Combine(Path.GetTempPath(), "virtioscsi-domain-" + Guid.NewGuid().ToString("N") + ".xml");
        try
        {
            using (var file = StepXmlFile.Write(inUse, "<disk/>"))
            {
                // Programs that take no lock, as virsh, read it; .NET's own File.Read* take a shared lock and are refused.
                var cat = Live.LiveStack.Run("cat", inUse);
                Assert.Equal("<disk/>", cat.Output);
                Assert.Throws<IOException>(() => File.ReadAllText(inUse));
                if (!OperatingSystem.IsWindows()) Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(inUse));
                // What a killed call leaves: an old file no process holds; and one just written, and another tool's.
                foreach (var path in new[] { left, fresh, other }) File.WriteAllText(path, "<disk/>");
                File.SetLastWriteTimeUtc(left, DateTime.UtcNow.AddMinutes(-5));
                File.SetLastWriteTimeUtc(other, DateTime.UtcNow.AddMinutes(-5));
                File.SetLastWriteTimeUtc(inUse, DateTime.UtcNow.AddMinutes(-5));
                StepXmlFile.ResetSweepClock();
                StepXmlFile.RemoveStale();
                Assert.True(File.Exists(inUse), "a held step file was swept");
                Assert.False(File.Exists(left), "a stale step file was kept");
                Assert.True(File.Exists(fresh), "a step file younger than a minute was swept");
                Assert.True(File.Exists(other), "a file of another name was swept");
            }
            Assert.False(File.Exists(inUse), "the step file outlived its step");
        }
        finally
        {
            foreach (var path in new[] { inUse, left, fresh, other }) File.Delete(path);
        }
    }
}

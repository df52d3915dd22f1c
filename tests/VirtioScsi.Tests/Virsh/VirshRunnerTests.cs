using System;
using System.Linq;
using VirtioScsi.Errors;
using VirtioScsi.Tests.Support;
using VirtioScsi.Virsh;
using Xunit;

namespace VirtioScsi.Tests.Virsh;

/// <summary>The runner against the real virsh binary; 'echo' needs no libvirtd.</summary>
public class VirshRunnerTests
{
    [SkippableFact]
    public void A_batch_runs_in_one_process_and_keeps_each_commands_output_apart()
    {
        Skip.If(Tools.Virsh is null, "virsh is not installed");
        var runner = new VirshProcessRunner(virshPath: Tools.Virsh);
        var results = runner.RunBatch(new[]
        {
            new VirshCommand("echo").Option("--string", "first; echo injected"),
            new VirshCommand("echo").Flag("--xml").Flag("--shell").Option("--string", "refused at run time"),
            new VirshCommand("echo").Flag("--shell").Option("--string", "it's"),
            new VirshCommand("echo").Option("--string", "last"),
        });
        Assert.Equal(1, runner.ProcessesStarted);
        Assert.Equal(4, results.Count);
        Assert.True(results[0].Succeeded);
        Assert.Equal("first; echo injected", results[0].Output.Trim());
        Assert.False(results[1].Succeeded);
        Assert.Contains("mutually exclusive", results[1].ErrorMessage);
        Assert.True(results[2].Succeeded, "the command after a failed one still runs");
        Assert.Equal("'it'\\''s'", results[2].Output.Trim());
        Assert.True(results[3].Succeeded);
        Assert.Equal("last", results[3].Output.Trim());
    }

    [SkippableFact]
    public void A_batch_that_virsh_cannot_parse_reports_every_command_failed()
    {
        Skip.If(Tools.Virsh is null, "virsh is not installed");
        // virsh parses the whole string before running anything: a parse error stops every command.
        var runner = new VirshProcessRunner(virshPath: Tools.Virsh);
        var results = runner.RunBatch(new[]
        {
            new VirshCommand("echo").Option("--string", "never printed"),
            new VirshCommand("echo").Flag("--no-such-option"),
        });
        Assert.All(results, r => Assert.False(r.Succeeded));
        Assert.Contains("no-such-option", results[1].ErrorMessage + results[0].ErrorMessage);
    }

    [SkippableFact]
    public void A_batch_larger_than_one_argument_can_hold_is_split_across_processes()
    {
        Skip.If(Tools.Virsh is null, "virsh is not installed");
        var runner = new VirshProcessRunner(virshPath: Tools.Virsh);
        var payload = new string('x', 4000);
        var commands = Enumerable.Range(0, 60).Select(i => new VirshCommand("echo").Option("--string", $"{i}:{payload}")).ToArray();
        var results = runner.RunBatch(commands);
        Assert.True(runner.ProcessesStarted > 1);
        Assert.True(runner.ProcessesStarted < 10);
        Assert.Equal(Enumerable.Range(0, 60).Select(i => $"{i}:{payload}"), results.Select(r => r.Output.Trim()));
    }

    [SkippableFact]
    public void A_large_batch_of_reads_runs_in_two_processes_at_once_in_order_and_logs_from_the_callers_thread()
    {
        Skip.If(Tools.Virsh is null, "virsh is not installed");
        var caller = Environment.CurrentManagedThreadId;
        var logged = new System.Collections.Concurrent.ConcurrentQueue<(int Thread, string Line)>();
        var runner = new VirshProcessRunner(virshPath: Tools.Virsh, log: line => logged.Enqueue((Environment.CurrentManagedThreadId, line)));
        var commands = Enumerable.Range(0, 100).Select(i => new VirshCommand("echo").Option("--string", $"read {i}")).ToArray();
        var results = runner.RunBatch(commands);
        Assert.Equal(Environment.ProcessorCount > 1 ? 2 : 1, runner.ProcessesStarted);
        Assert.Equal(Enumerable.Range(0, 100).Select(i => $"read {i}"), results.Select(r => r.Output.Trim()));
        Assert.All(results, r => Assert.True(r.Succeeded, r.Error));
        // A cmdlet's -Verbose can only be written from its own thread.
        Assert.All(logged, l => Assert.Equal(caller, l.Thread));
        Assert.Equal(100, logged.Count(l => l.Line.Contains("echo --string")));
    }

    [SkippableFact]
    public void A_large_batch_with_a_change_in_it_runs_in_one_process_in_order()
    {
        Skip.If(Tools.Virsh is null, "virsh is not installed");
        var runner = new VirshProcessRunner(virshPath: Tools.Virsh);
        // cd changes nothing of libvirt's, but it is no read: the batch keeps its order in one process.
        var commands = Enumerable.Range(0, 99).Select(i => new VirshCommand("echo").Option("--string", $"read {i}"))
            .Append(new VirshCommand("cd").Option("--dir", "/")).ToArray();
        var results = runner.RunBatch(commands);
        Assert.Equal(1, runner.ProcessesStarted);
        Assert.Equal(Enumerable.Range(0, 99).Select(i => $"read {i}"), results.Take(99).Select(r => r.Output.Trim()));
    }

    [Fact]
    public void A_missing_virsh_says_which_package_provides_it()
    {
        var e = Assert.Throws<VirtioScsiException>(() => VirshProgram.Find("/nonexistent-a:/nonexistent-b"));
        Assert.Equal(ErrorIds.VirshNotFound, e.ErrorId);
        Assert.Contains("libvirt-clients", e.FullMessage);
    }

    [SkippableFact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public void A_command_that_outlives_the_timeout_is_stopped_with_a_clear_error()
    {
        // A program that hangs stands in for a virsh whose libvirtd does not answer: the timeout is the runner's.
        var hang = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"virtioscsi-hang-{Guid.NewGuid():N}.sh");
        System.IO.File.WriteAllText(hang, "#!/bin/sh\nexec sleep 30\n");
        System.IO.File.SetUnixFileMode(hang, System.IO.UnixFileMode.UserRead | System.IO.UnixFileMode.UserExecute);
        try
        {
            var runner = new VirshProcessRunner(timeout: TimeSpan.FromMilliseconds(300), virshPath: hang);
            var started = DateTime.UtcNow;
            var e = Assert.Throws<VirtioScsiException>(() => runner.Run(new VirshCommand("list")));
            Assert.Equal(ErrorIds.VirshTimedOut, e.ErrorId);
            Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(10));
        }
        finally
        {
            System.IO.File.Delete(hang);
        }
    }

    [Fact]
    public void Output_is_split_on_whole_marker_lines_only()
    {
        var parts = VirshProcessRunner.SplitOnMarker("a\nM\nb M\nM\n", "M");
        Assert.Equal(new[] { "a\n", "b M\n", "" }, parts);
    }

    [SkippableFact]
    public void A_session_keeps_one_virsh_for_many_calls_and_keeps_each_commands_output_apart()
    {
        Skip.If(Tools.Virsh is null, "virsh is not installed");
        using var runner = new VirshSessionRunner(virshPath: Tools.Virsh);
        var first = runner.RunBatch(new[]
        {
            new VirshCommand("echo").Option("--string", "first; echo injected"),
            new VirshCommand("echo").Flag("--xml").Flag("--shell").Option("--string", "refused at run time"),
            new VirshCommand("echo").Flag("--no-such-option"),
            new VirshCommand("echo").Flag("--shell").Option("--string", "it's"),
        });
        var second = runner.Run(new VirshCommand("echo").Option("--string", "again"));
        Assert.Equal(1, runner.ProcessesStarted);
        // Interactive virsh's echo prints no newline; the prompt and the echoed input are not output.
        Assert.Equal("first; echo injected", first[0].Output.Trim());
        Assert.True(first[0].Succeeded);
        Assert.False(first[1].Succeeded);
        Assert.Contains("mutually exclusive", first[1].ErrorMessage);
        // A line virsh cannot parse fails alone: the next command still runs.
        Assert.False(first[2].Succeeded);
        Assert.Contains("no-such-option", first[2].ErrorMessage);
        Assert.True(first[3].Succeeded);
        Assert.Equal("'it'\\''s'", first[3].Output.Trim());
        Assert.Equal("again", second.Output.Trim());
        Assert.DoesNotContain("virsh #", first[0].Output + first[3].Output + second.Output);
    }

    [SkippableTheory]
    [MemberData(nameof(VirshQuotingTests.AwkwardValues), MemberType = typeof(VirshQuotingTests))]
    public void A_session_reads_back_every_quoted_value_unchanged(string value)
    {
        Skip.If(Tools.Virsh is null, "virsh is not installed");
        using var runner = new VirshSessionRunner(virshPath: Tools.Virsh);
        var result = runner.Run(new VirshCommand("echo").Option("--string", value));
        Assert.True(result.Succeeded, result.Error);
        // Values with control characters (a newline ends a stdin line, readline takes a tab as a key) go as
        // an argument to a process of their own, which ends its echo with a newline.
        Assert.Equal(value.Any(c => c < ' ') ? value + "\n" : value, result.Output);
    }

    [SkippableFact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public void A_session_that_does_not_answer_is_stopped_by_the_timeout_and_replaced()
    {
        Skip.If(Tools.Virsh is null, "virsh is not installed");
        var hang = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"virtioscsi-hang-{Guid.NewGuid():N}.sh");
        System.IO.File.WriteAllText(hang, "#!/bin/sh\nexec sleep 30\n");
        System.IO.File.SetUnixFileMode(hang, System.IO.UnixFileMode.UserRead | System.IO.UnixFileMode.UserExecute);
        try
        {
            using var runner = new VirshSessionRunner(timeout: TimeSpan.FromMilliseconds(300), virshPath: hang);
            var started = DateTime.UtcNow;
            Assert.Equal(ErrorIds.VirshTimedOut, Assert.Throws<VirtioScsiException>(() => runner.Run(new VirshCommand("list"))).ErrorId);
            Assert.Equal(ErrorIds.VirshTimedOut, Assert.Throws<VirtioScsiException>(() => runner.Run(new VirshCommand("list"))).ErrorId);
            Assert.Equal(2, runner.ProcessesStarted);
            Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(10));
        }
        finally
        {
            System.IO.File.Delete(hang);
        }
    }
}

using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using VirtioScsi.Tests.Support;
using VirtioScsi.Virsh;
using Xunit;

namespace VirtioScsi.Tests.Virsh;

/// <summary>
/// Sessions kept open between calls, against the real virsh ('echo' needs no libvirtd). Each test has a pool
/// of its own, so the process's shared pool and other tests stay out of it.
/// </summary>
public class VirshSessionPoolTests
{
    private static VirshCommand Echo(string text) => new VirshCommand("echo").Option("--string", text);

    private static VirshSessionRunner Runner(VirshSessionPool pool, Action<string>? log = null, string? virshPath = null, TimeSpan? timeout = null) =>
        new(new VirshProgram(null, timeout, virshPath ?? Tools.Virsh, log), pool);

    [SkippableFact]
    public void Later_calls_on_a_connection_reuse_the_session_and_say_so()
    {
        Skip.If(Tools.Virsh is null, "virsh is not installed");
        using var pool = new VirshSessionPool(TimeSpan.FromMinutes(5));
        var log = new System.Collections.Generic.List<string>();
        int? first, second;
        using (var runner = Runner(pool, log.Add))
        {
            Assert.Equal("one", runner.Run(Echo("one")).Output);
            first = runner.SessionProcessId;
        }
        using (var runner = Runner(pool, log.Add))
        {
            Assert.Equal("two", runner.RunBatch(new[] { Echo("two"), Echo("three") })[0].Output);
            second = runner.SessionProcessId;
        }
        Assert.Equal(first, second);
        Assert.Equal(1, pool.Opened);
        Assert.Contains(log, l => l.StartsWith("Opening a virsh session to virsh's default connection", StringComparison.Ordinal));
        Assert.Contains(log, l => l.StartsWith("Reusing the open virsh session", StringComparison.Ordinal) && l.Contains($"virsh process {first}"));
    }

    [SkippableFact]
    public void Verbose_names_the_count_of_a_batch_before_its_commands()
    {
        // Issue 10: "(the 3 commands above ...)" once stood under four command lines. The count now leads,
        // and exactly that many command lines follow it.
        Skip.If(Tools.Virsh is null, "virsh is not installed");
        using var pool = new VirshSessionPool(TimeSpan.FromMinutes(5));
        var log = new System.Collections.Generic.List<string>();
        using (var runner = Runner(pool, log.Add))
        {
            runner.Run(Echo("before"));
            runner.RunBatch(new[] { Echo("one"), Echo("two"), Echo("three") });
        }
        var header = log.FindIndex(l => l == "(the next 3 commands run in the open virsh session)");
        Assert.True(header >= 0, string.Join("\n", log));
        Assert.Equal(new[] { "one", "two", "three" }.Select(t => $"echo --string '{t}'"),
            log.Skip(header + 1).Take(3).Select(l => l.Substring(l.IndexOf("echo", StringComparison.Ordinal))));
    }

    [SkippableFact]
    public void Calls_at_once_get_a_session_each_and_their_own_output()
    {
        Skip.If(Tools.Virsh is null, "virsh is not installed");
        using var pool = new VirshSessionPool(TimeSpan.FromMinutes(5));
        using var start = new Barrier(4);
        var outputs = Enumerable.Range(0, 4).Select(i => Task.Run(() =>
        {
            using var runner = Runner(pool);
            start.SignalAndWait();
            return Enumerable.Range(0, 20).Select(n => runner.Run(Echo($"{i}-{n}")).Output).ToArray();
        })).ToArray();
        Task.WaitAll(outputs);
        for (var i = 0; i < 4; i++) Assert.Equal(Enumerable.Range(0, 20).Select(n => $"{i}-{n}"), outputs[i].Result);
        Assert.Equal(4, pool.Opened);
        // Afterwards all four are idle, and the next call takes one of them rather than opening a fifth.
        using (var runner = Runner(pool)) runner.Run(Echo("after"));
        Assert.Equal(4, pool.Opened);
        Assert.Equal(4, pool.OpenSessions().Single().Sessions);
    }

    [SkippableFact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public void A_stopped_call_leaves_no_session_behind_for_the_next()
    {
        Skip.If(Tools.Virsh is null, "virsh is not installed");
        // A virsh that never answers, as a command stuck mid-way would: Ctrl+C must not hand it to the next call.
        var hang = Script("exec sleep 30");
        try
        {
            using var pool = new VirshSessionPool(TimeSpan.FromMinutes(5));
            int? stopped;
            using (var runner = Runner(pool, virshPath: hang))
            using (var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(300)))
            {
                Assert.Throws<OperationCanceledException>(() => runner.Run(Echo("never"), cancel.Token));
                stopped = runner.SessionProcessId;
            }
            Assert.Empty(pool.OpenSessions());
            Assert.True(Exited(stopped!.Value), "the stopped virsh was killed");
            using (var runner = Runner(pool, virshPath: hang, timeout: TimeSpan.FromMilliseconds(200)))
            {
                Assert.ThrowsAny<Exception>(() => runner.Run(Echo("again")));
                Assert.NotEqual(stopped, runner.SessionProcessId);
            }
            Assert.Equal(2, pool.Opened);
        }
        finally
        {
            File.Delete(hang);
        }
    }

    [SkippableFact]
    public void A_session_whose_virsh_ended_is_replaced_and_the_reads_run_again()
    {
        Skip.If(Tools.Virsh is null, "virsh is not installed");
        using var pool = new VirshSessionPool(TimeSpan.FromMinutes(5));
        int first;
        using (var runner = Runner(pool)) { runner.Run(Echo("one")); first = runner.SessionProcessId!.Value; }
        Process.GetProcessById(first).Kill();
        var log = new System.Collections.Generic.List<string>();
        using (var runner = Runner(pool, log.Add))
        {
            var result = runner.Run(Echo("two"));
            Assert.True(result.Succeeded, result.Error);
            Assert.Equal("two", result.Output);
            Assert.NotEqual(first, runner.SessionProcessId);
        }
        Assert.Equal(2, pool.Opened);
    }

    // A stand-in for a virsh whose connection dies after the first call: it answers one command as an open
    // virsh does (the markers after it), then, on the next command line, says what virsh says of a dropped
    // connection and ends.
    private const string AnswersOnceThenDies =
        "read cmd; read marker; id=${marker#\"echo '@@vs'\"}; id=${id%% *}\n" +
        "printf '@@vs%s' \"$id\"; printf 'error: @@vs%s\\n' \"$id\" >&2\n" +
        "read cmd; echo 'error: End of file while reading data: Input/output error' >&2; exit 1";

    [SkippableFact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public void Reads_run_again_on_a_new_session_when_the_kept_one_ends_under_them()
    {
        var dies = Script(AnswersOnceThenDies);
        try
        {
            using var pool = new VirshSessionPool(TimeSpan.FromMinutes(5));
            using (var first = Runner(pool, virshPath: dies)) Assert.True(first.Run(Echo("x")).Succeeded);
            var log = new System.Collections.Generic.List<string>();
            using var second = Runner(pool, log.Add, virshPath: dies);
            var read = second.Run(Echo("y"));
            Assert.True(read.Succeeded, read.Error);
            Assert.Equal(2, pool.Opened);
            Assert.Contains(log, l => l.Contains("had ended: opening a new one and reading again"));
        }
        finally
        {
            File.Delete(dies);
        }
    }

    [SkippableFact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public void A_change_is_never_sent_twice_when_the_kept_session_ends_under_it()
    {
        var dies = Script(AnswersOnceThenDies);
        try
        {
            using var pool = new VirshSessionPool(TimeSpan.FromMinutes(5));
            using (var first = Runner(pool, virshPath: dies)) Assert.True(first.Run(Echo("x")).Succeeded);
            using var second = Runner(pool, virshPath: dies);
            // 'cd' stands for a change: not a read, so it is not run again; the error says what happened.
            var change = second.Run(new VirshCommand("cd").Option("--dir", "/"));
            Assert.False(change.Succeeded);
            Assert.Contains("End of file while reading data", change.ErrorMessage);
            Assert.Equal(1, pool.Opened);
        }
        finally
        {
            File.Delete(dies);
        }
    }

    [SkippableFact]
    public void Close_ends_the_idle_sessions_of_a_connection_and_a_busy_one_when_its_call_ends()
    {
        Skip.If(Tools.Virsh is null, "virsh is not installed");
        using var pool = new VirshSessionPool(TimeSpan.FromMinutes(5));
        int idle;
        using (var runner = Runner(pool)) { runner.Run(Echo("one")); idle = runner.SessionProcessId!.Value; }
        using (var busy = Runner(pool))
        {
            busy.Run(Echo("takes the idle one"));
            using var other = Runner(pool);
            other.Run(Echo("opens another"));
            var closed = pool.Close(new string?[] { null });
            Assert.Equal(2, closed.Single().Sessions);
            // Still usable for the rest of its call.
            Assert.Equal("still", busy.Run(Echo("still")).Output);
        }
        Assert.Empty(pool.OpenSessions());
        Assert.True(Exited(idle));
    }

    [SkippableFact]
    public void An_idle_session_closes_after_the_idle_timeout()
    {
        Skip.If(Tools.Virsh is null, "virsh is not installed");
        using var pool = new VirshSessionPool(TimeSpan.FromSeconds(1));
        int pid;
        using (var runner = Runner(pool)) { runner.Run(Echo("one")); pid = runner.SessionProcessId!.Value; }
        Assert.Single(pool.OpenSessions());
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (pool.OpenSessions().Count > 0 && DateTime.UtcNow < deadline) Thread.Sleep(100);
        Assert.Empty(pool.OpenSessions());
        Assert.True(Exited(pid));
    }

    [SkippableFact]
    public void An_idle_timeout_of_zero_keeps_no_session_between_calls()
    {
        Skip.If(Tools.Virsh is null, "virsh is not installed");
        using var pool = new VirshSessionPool(TimeSpan.Zero);
        using (var runner = Runner(pool)) { runner.Run(Echo("one")); runner.Run(Echo("same session")); }
        using (var runner = Runner(pool)) runner.Run(Echo("two"));
        Assert.Equal(2, pool.Opened);
        Assert.Empty(pool.OpenSessions());
    }

    private static bool Exited(int pid)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                using var process = Process.GetProcessById(pid);
                if (process.HasExited) return true;
            }
            catch (ArgumentException)
            {
                return true;
            }
            Thread.Sleep(50);
        }
        return false;
    }

    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    private static string Script(string body)
    {
        var path = Path.Combine(Path.GetTempPath(), $"virtioscsi-pool-{Guid.NewGuid():N}.sh");
        File.WriteAllText(path, "#!/bin/sh\n" + body + "\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserExecute);
        return path;
    }
}

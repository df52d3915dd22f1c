using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Text;
using System.Text.RegularExpressions;
using System.Threading;
using VirtioScsi.Errors;

namespace VirtioScsi.Virsh;

/// <summary>
/// One virsh process kept open for a whole cmdlet call: commands go in on stdin, one line each, and share
/// its connection to libvirtd. Starting virsh and connecting costs ~16 ms, more than most commands.
/// </summary>
/// <remarks>
/// Reading stdin, virsh echoes a prompt and each line it reads ("virsh # …") to stdout, and its echo
/// command writes no newline there. Each command is therefore followed by an echo of a marker that is
/// typed with quotes inside it (<c>'@@vs'id</c>) but printed without them (<c>@@vsid</c>), so the printed
/// marker never occurs in the echoed input; the same marker closes the command's stderr.
/// </remarks>
internal sealed class VirshSession : IDisposable
{
    // Interactive virsh echoes every line it reads after its prompt ("virsh # " for root, "virsh $ " else).
    private static readonly Regex LeadingEcho = new(@"\A\n*virsh [#$] [^\n]*\n", RegexOptions.CultureInvariant);
    private readonly Process _process;
    private readonly MarkedText _out = new();
    private readonly MarkedText _err = new();
    private readonly object _lock = new();

    public VirshSession(Process process)
    {
        _process = process;
        StartReader(process.StandardOutput, _out);
        StartReader(process.StandardError, _err);
    }

    private bool _usable = true;

    /// <summary>False once virsh has exited or been stopped: <see cref="VirshSessionRunner"/> then starts a new session.</summary>
    public bool IsUsable
    {
        get
        {
            if (!_usable) return false;
            lock (_lock)
            {
                if (_out.Closed || _err.Closed) _usable = false;
            }
            return _usable;
        }
        private set => _usable = value;
    }

    /// <summary>
    /// True when every command can travel as typed text: virsh reads stdin line by line through readline,
    /// which takes a newline as the end of a line and control characters as editing keys (a tab completes).
    /// </summary>
    public static bool CanCarry(IReadOnlyList<VirshCommand> commands)
    {
        foreach (var command in commands)
        {
            foreach (var c in command.ToVirshSyntax())
            {
                if (c < ' ' || c == '\u007f') return false;
            }
        }
        return true;
    }

    public IReadOnlyList<VirshResult> Run(IReadOnlyList<VirshCommand> commands, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var id = Guid.NewGuid().ToString("N").Substring(0, 12);
        var printed = "@@vs" + id;
        var input = new StringBuilder();
        // The markers go on a line of their own: a command line virsh cannot parse is skipped whole, and its
        // marker must still come.
        var markerLine = "echo '@@vs'" + id + " ; echo --err '@@vs'" + id;
        var trailingEcho = new Regex(@"virsh [#$] " + Regex.Escape(markerLine) + @"\n\z", RegexOptions.CultureInvariant);
        foreach (var command in commands)
        {
            input.Append(command.ToVirshSyntax()).Append('\n').Append(markerLine).Append('\n');
        }
        LastUsed = DateTime.UtcNow;
        try
        {
            _process.StandardInput.Write(input.ToString());
            _process.StandardInput.Flush();
        }
        catch (IOException)
        {
            // virsh has gone (it could not connect, or it died): what it said is on its stderr, read below.
            IsUsable = false;
        }

        var results = new List<VirshResult>(commands.Count);
        var deadline = DateTime.UtcNow + timeout;
        var errorMarker = "error: " + printed + "\n";
        lock (_lock)
        {
            _out.Awaited = printed;
            _err.Awaited = errorMarker;
            foreach (var command in commands)
            {
                // Both streams must have reached this command's marker before either is taken.
                while (!(_out.Has(printed) && _err.Has(errorMarker)))
                {
                    if (cancellationToken.IsCancellationRequested)
                    {
                        Stop();
                        throw new OperationCanceledException("The virsh command was stopped.", cancellationToken);
                    }
                    if (DateTime.UtcNow > deadline)
                    {
                        Stop();
                        throw Error.VirshTimedOut(timeout, command.ToVirshSyntax());
                    }
                    if (_out.Closed && _err.Closed) break;
                    Monitor.Wait(_lock, 50);
                }
                if (!(_out.Has(printed) && _err.Has(errorMarker)))
                {
                    // virsh ended before this command's marker: this command and the ones after it did not
                    // (all) run. Each gets what virsh said last, so a failed connection reads as one.
                    IsUsable = false;
                    Ended = true;
                    var said = WithoutReconnectNotes(_err.Rest());
                    said += (said.EndsWith("\n", StringComparison.Ordinal) || said.Length == 0 ? "" : "\n") + "error: " + EndedUnfinished;
                    for (var i = results.Count; i < commands.Count; i++)
                        results.Add(new VirshResult(commands[i], "", said, ranToEnd: false));
                    break;
                }
                var output = _out.Take(printed);
                var error = WithoutReconnectNotes(_err.Take(errorMarker));
                output = trailingEcho.Replace(LeadingEcho.Replace(output, "", 1), "", 1);
                results.Add(new VirshResult(command, output, error, ranToEnd: true));
            }
            _out.Awaited = null;
            _err.Awaited = null;
        }
        LastUsed = DateTime.UtcNow;
        return results;
    }

    // When the connection under an open virsh drops (an ssh connection cut, libvirtd restarted), virsh says
    // so asynchronously and reconnects before its next command. Those notes are not errors of the command
    // whose output they fall into; a reconnection that fails makes the command itself fail, in its own words.
    private static readonly Regex ReconnectNote = new(
        @"^error: (Disconnected from \S+ due to [^\n]*|Reconnected to the hypervisor)\n", RegexOptions.CultureInvariant | RegexOptions.Multiline);

    private string WithoutReconnectNotes(string error)
    {
        var kept = ReconnectNote.Replace(error, "");
        if (kept.Length != error.Length) Reconnections++;
        return kept;
    }

    /// <summary>What a command's error says when virsh ended under it without a word: whether it took effect is unknown.</summary>
    public const string EndedUnfinished = "virsh ended before the command finished";

    /// <summary>True once virsh ended by itself while commands were waiting (not stopped by us).</summary>
    public bool Ended { get; private set; }

    /// <summary>How often the output showed virsh losing its connection and making a new one.</summary>
    public int Reconnections { get; private set; }

    /// <summary>virsh's process id (for -Verbose).</summary>
    public int ProcessId => _process.Id;

    public DateTime Opened { get; } = DateTime.UtcNow;

    public DateTime LastUsed { get; private set; } = DateTime.UtcNow;

    private void StartReader(StreamReader reader, MarkedText into)
    {
        var thread = new Thread(() =>
        {
            var buffer = new char[16384];
            try
            {
                int n;
                while ((n = reader.Read(buffer, 0, buffer.Length)) > 0)
                {
                    lock (_lock)
                    {
                        into.Append(buffer, n);
                        if (into.WorthWaking) Monitor.PulseAll(_lock);
                    }
                }
            }
            catch (IOException)
            {
            }
            catch (ObjectDisposedException)
            {
            }
            lock (_lock)
            {
                into.Closed = true;
                Monitor.PulseAll(_lock);
            }
        }) { IsBackground = true, Name = "virsh session reader" };
        thread.Start();
    }

    private void Stop()
    {
        IsUsable = false;
        try
        {
            _process.Kill();
        }
        catch (InvalidOperationException)
        {
        }
    }

    /// <summary>
    /// Closes virsh's stdin, on which it exits. The caller does not wait for that: a background task
    /// reaps it, and stops it should it still run after 5 s.
    /// </summary>
    public void Dispose()
    {
        IsUsable = false;
        try
        {
            _process.StandardInput.Close();
        }
        catch (IOException)
        {
        }
        var process = _process;
        System.Threading.Tasks.Task.Run(() =>
        {
            try
            {
                if (!process.WaitForExit(5000)) process.Kill();
            }
            catch (InvalidOperationException)
            {
            }
            finally
            {
                process.Dispose();
            }
        });
    }
}

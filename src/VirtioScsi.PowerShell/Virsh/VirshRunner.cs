using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Text;
using System.Threading;
using VirtioScsi.Errors;

namespace VirtioScsi.Virsh;

/// <summary>
/// Runs virsh commands. A process is started with an argument list (never through a shell), and many
/// commands can share one virsh process: virsh reads a <c>;</c>-separated command string, keeps going after
/// a failed command, and the markers echoed between commands tell each command's output and errors apart.
/// </summary>
public sealed class VirshRunner : IDisposable
{
    // Linux refuses a single argv string longer than 128 KiB (MAX_ARG_STRLEN); larger batches are split.
    internal const int MaxScriptLength = 96 * 1024;

    // " ; echo M ; echo --err M ; " around each command, with the 16-character marker.
    private const int FramingLength = 64;

    private readonly Action<string>? _log;
    private int _processesStarted;
    private VirshSession? _session;

    public VirshRunner(string? connectionUri = null, TimeSpan? timeout = null, string? virshPath = null, Action<string>? log = null)
    {
        ConnectionUri = string.IsNullOrWhiteSpace(connectionUri) ? null : connectionUri;
        Timeout = timeout ?? TimeSpan.FromSeconds(120);
        VirshPath = virshPath ?? FindVirsh(Environment.GetEnvironmentVariable("PATH"));
        _log = log;
    }

    /// <summary>The URI handed to virsh, or null for virsh's own default (LIBVIRT_DEFAULT_URI, then its built-in).</summary>
    public string? ConnectionUri { get; }
    public TimeSpan Timeout { get; }
    public string VirshPath { get; }

    /// <summary>How many virsh processes this runner has started (batching keeps it low).</summary>
    public int ProcessesStarted => _processesStarted;

    /// <summary>
    /// Keep one virsh open and send every command to it (see <see cref="VirshSession"/>): one process and
    /// one connection for a whole cmdlet call. Dispose the runner to close it.
    /// </summary>
    public bool KeepSessionOpen { get; set; }

    public void Dispose()
    {
        _session?.Dispose();
        _session = null;
    }

    /// <summary>Finds virsh on a PATH string, or explains which package provides it.</summary>
    public static string FindVirsh(string? path)
    {
        var names = RuntimeInformation.IsOSPlatform(OSPlatform.Windows) ? new[] { "virsh.exe", "virsh" } : new[] { "virsh" };
        foreach (var dir in (path ?? "").Split(new[] { Path.PathSeparator }, StringSplitOptions.RemoveEmptyEntries))
        {
            foreach (var name in names)
            {
                var candidate = Path.Combine(dir.Trim(), name);
                if (File.Exists(candidate)) return candidate;
            }
        }
        throw new VirtioScsiException(ErrorIds.VirshNotFound, ErrorKind.NotInstalled,
            "virsh was not found on PATH.", "virsh",
            "Install the libvirt client: 'apt install libvirt-clients' on Debian/Ubuntu, 'dnf install libvirt-client' on Fedora/RHEL, then open a new session.");
    }

    /// <summary>
    /// Runs one command: in the open session where the runner keeps one (success: no error line), else in a
    /// virsh process of its own (success: virsh's exit code).
    /// </summary>
    public VirshResult Run(VirshCommand command, CancellationToken cancellationToken = default)
    {
        if (UseSession(new[] { command })) return InSession(new[] { command }, cancellationToken)[0];
        Log(command);
        var (exitCode, output, error) = Execute(command.ToVirshSyntax(), cancellationToken);
        return new VirshResult(command, output, error, exitCode == 0);
    }

    /// <summary>
    /// Runs many commands in the open session (small batches) or in as few virsh processes as the argument
    /// size allows. Every command runs, whatever the others did; each result says whether its own failed.
    /// </summary>
    public IReadOnlyList<VirshResult> RunBatch(IReadOnlyList<VirshCommand> commands, CancellationToken cancellationToken = default)
    {
        if (commands.Count == 0) return Array.Empty<VirshResult>();
        if (UseSession(commands)) return InSession(commands, cancellationToken);
        if (commands.Count == 1) return new[] { Run(commands[0], cancellationToken) };

        var results = new List<VirshResult>(commands.Count);
        foreach (var chunk in Chunk(commands))
        {
            results.AddRange(RunChunk(chunk, cancellationToken));
        }
        return results;
    }

    // Windows PowerShell 5.1 writes stdin in the ANSI code page (netstandard2.0 cannot choose UTF-8 there),
    // so on Windows a session carries ASCII only; anything else goes as an argument, which is UTF-16 safe.
    //
    // Interactive virsh reads its input through readline a character at a time, and echoes it: measured,
    // 100 dumpxml in a session took ~1.5x as long as in a fresh process's argument. So the session serves
    // the small reads and changes of a cmdlet call (where a process start would dominate), and large batches
    // (topology of many domains) go as an argument.
    private const int MaxSessionBatch = 16;

    private bool UseSession(IReadOnlyList<VirshCommand> commands) =>
        KeepSessionOpen && commands.Count <= MaxSessionBatch && VirshSession.CanCarry(commands) &&
        (!RuntimeInformation.IsOSPlatform(OSPlatform.Windows) || commands.All(c => c.ToVirshSyntax().All(ch => ch < 128)));

    private IReadOnlyList<VirshResult> InSession(IReadOnlyList<VirshCommand> commands, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        foreach (var command in commands) Log(command);
        if (_log is not null && commands.Count > 1) _log($"(the {commands.Count} commands above ran in the open virsh session)");
        if (_session is null || !_session.IsUsable)
        {
            _session?.Dispose();
            var arguments = new List<string> { "--quiet" };
            if (ConnectionUri is not null)
            {
                arguments.Add("--connect");
                arguments.Add(ConnectionUri);
            }
            _session = new VirshSession(Start(arguments));
        }
        return _session.Run(commands, Timeout, cancellationToken);
    }

    private IEnumerable<List<VirshCommand>> Chunk(IReadOnlyList<VirshCommand> commands)
    {
        var chunk = new List<VirshCommand>();
        var length = 0;
        foreach (var command in commands)
        {
            var size = command.ToVirshSyntax().Length + FramingLength;
            if (chunk.Count > 0 && length + size > MaxScriptLength)
            {
                yield return chunk;
                chunk = new List<VirshCommand>();
                length = 0;
            }
            chunk.Add(command);
            length += size;
        }
        if (chunk.Count > 0) yield return chunk;
    }

    private IEnumerable<VirshResult> RunChunk(List<VirshCommand> commands, CancellationToken cancellationToken)
    {
        // The marker cannot occur in anything virsh prints for us: it is fresh for every process. It is
        // short because it is written twice per command, and a batch of 1,000 domains should fit one argument.
        var marker = "@@vs" + Guid.NewGuid().ToString("N").Substring(0, 12);
        var script = new StringBuilder();
        foreach (var command in commands)
        {
            Log(command);
            script.Append(command.ToVirshSyntax())
                  .Append(" ; echo ").Append(marker)
                  .Append(" ; echo --err ").Append(marker)
                  .Append(" ; ");
        }
        if (_log is not null) _log($"(the {commands.Count} commands above ran in one virsh process)");

        var (_, output, error) = Execute(script.ToString(), cancellationToken);
        var outputs = SplitOnMarker(output, marker);
        var errors = SplitOnMarker(error, "error: " + marker);
        for (var i = 0; i < commands.Count; i++)
        {
            var stdout = i < outputs.Count ? outputs[i] : "";
            var stderr = i < errors.Count ? errors[i] : "";
            // A command that did not reach its marker was cut short (virsh died): it failed.
            var completed = i < outputs.Count - 1 && i < errors.Count - 1;
            var failed = !completed || VirshErrors.HasError(stderr);
            yield return new VirshResult(commands[i], stdout, stderr, !failed);
        }
    }

    internal static List<string> SplitOnMarker(string text, string markerLine)
    {
        var segments = new List<string>();
        var current = new StringBuilder();
        using var reader = new StringReader(text);
        string? line;
        while ((line = reader.ReadLine()) is not null)
        {
            if (line == markerLine)
            {
                segments.Add(current.ToString());
                current.Clear();
                continue;
            }
            current.Append(line).Append('\n');
        }
        segments.Add(current.ToString());
        return segments;
    }

    private (int ExitCode, string Output, string Error) Execute(string script, CancellationToken cancellationToken)
    {
        var arguments = new List<string>();
        if (ConnectionUri is not null)
        {
            arguments.Add("--connect");
            arguments.Add(ConnectionUri);
        }
        arguments.Add(script);

        cancellationToken.ThrowIfCancellationRequested();
        using var process = Start(arguments);
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();

        var deadline = DateTime.UtcNow + Timeout;
        while (!process.WaitForExit(50))
        {
            if (cancellationToken.IsCancellationRequested)
            {
                Kill(process);
                throw new OperationCanceledException("The virsh command was stopped.", cancellationToken);
            }
            if (DateTime.UtcNow > deadline)
            {
                Kill(process);
                throw VirshErrors.TimedOut(Timeout, script);
            }
        }
        process.WaitForExit();
        return (process.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>Starts virsh with an argument list, never through a shell; for a batch, stdin is closed.</summary>
    private Process Start(List<string> arguments)
    {
        var startInfo = new ProcessStartInfo(VirshPath, ProcessArguments.Join(arguments))
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            CreateNoWindow = true,
            StandardOutputEncoding = Utf8,
            StandardErrorEncoding = Utf8,
        };
        // virsh's messages are matched in English, and names with any letters must pass unchanged.
        if (!RuntimeInformation.IsOSPlatform(OSPlatform.Windows)) startInfo.Environment["LC_ALL"] = "C.UTF-8";

        var process = new Process { StartInfo = startInfo };
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            process.Dispose();
            throw new VirtioScsiException(ErrorIds.VirshNotFound, ErrorKind.NotInstalled,
                $"virsh at '{VirshPath}' could not be started: {e.Message}", VirshPath,
                "Install the libvirt client (Debian/Ubuntu: apt install libvirt-clients).", inner: e);
        }
        Interlocked.Increment(ref _processesStarted);
        return process;
    }

    private static void Kill(Process process)
    {
        try
        {
            process.Kill();
            process.WaitForExit(5000);
        }
        catch (InvalidOperationException)
        {
            // It exited on its own meanwhile.
        }
    }

    private void Log(VirshCommand command) => _log?.Invoke(command.ToCommandLine(ConnectionUri));

    private static readonly Encoding Utf8 = new UTF8Encoding(false);
}

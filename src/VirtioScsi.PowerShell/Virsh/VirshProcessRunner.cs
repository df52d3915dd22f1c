using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using VirtioScsi.Errors;

namespace VirtioScsi.Virsh;

/// <summary>
/// The one-shot transport: each batch runs in a virsh process of its own, as one argument. virsh reads a
/// <c>;</c>-separated command string, keeps going after a failed command, and the markers echoed between
/// commands tell each command's output and errors apart.
/// </summary>
internal sealed class VirshProcessRunner : IVirshRunner
{
    // Linux refuses a single argv string longer than 128 KiB (MAX_ARG_STRLEN); larger batches are split.
    internal const int MaxScriptLength = 96 * 1024;

    // " ; echo M ; echo --err M ; " around each command, with the 16-character marker.
    private const int FramingLength = 64;

    private readonly VirshProgram _virsh;

    public VirshProcessRunner(string? connectionUri = null, TimeSpan? timeout = null, string? virshPath = null, Action<string>? log = null)
        : this(new VirshProgram(connectionUri, timeout, virshPath, log))
    {
    }

    public VirshProcessRunner(VirshProgram virsh) => _virsh = virsh;

    public string? ConnectionUri => _virsh.ConnectionUri;
    public int ProcessesStarted => _virsh.ProcessesStarted;

    /// <summary>Nothing stays open between calls.</summary>
    public void Dispose()
    {
    }

    /// <summary>Runs one command in a virsh process of its own.</summary>
    public VirshResult Run(VirshCommand command, CancellationToken cancellationToken = default)
    {
        _virsh.Log(command);
        var (exitCode, output, error) = Execute(command.ToVirshSyntax(), cancellationToken);
        return new VirshResult(command, output, error, ranToEnd: exitCode == 0);
    }

    /// <summary>Runs many commands in as few virsh processes as the argument size allows.</summary>
    public IReadOnlyList<VirshResult> RunBatch(IReadOnlyList<VirshCommand> commands, CancellationToken cancellationToken = default)
    {
        if (commands.Count == 0) return Array.Empty<VirshResult>();
        if (commands.Count == 1) return new[] { Run(commands[0], cancellationToken) };

        var concurrent = Concurrent(commands);
        var chunks = Chunk(commands, concurrent ? (commands.Count + 1) / 2 : int.MaxValue).Select(Prepare).ToArray();
        var results = new List<VirshResult>(commands.Count);
        if (!concurrent || chunks.Length == 1)
        {
            foreach (var chunk in chunks) results.AddRange(RunChunk(chunk, cancellationToken));
            return results;
        }
        // Two virsh processes at a time: libvirtd answers both at once, and each virsh formats and prints its
        // half on a core of its own (100 dumpxml: 57 ms in two processes against 74 ms in one, measured).
        // The logging happened in Prepare, on the caller's thread (a cmdlet's -Verbose must not be written from
        // another one).
        for (var i = 0; i < chunks.Length; i += 2)
        {
            var next = i + 1 < chunks.Length ? chunks[i + 1] : null;
            var second = next is null ? null : OnThreadOfItsOwn(() => RunChunk(next, cancellationToken).ToArray());
            try
            {
                results.AddRange(RunChunk(chunks[i], cancellationToken));
            }
            finally
            {
                // Waited for even when the first failed, so no virsh outlives the call.
                if (second is not null) Task.WaitAny(second);
            }
            if (second is not null) results.AddRange(second.GetAwaiter().GetResult());
        }
        return results;
    }

    /// <summary>
    /// Runs blocking work on a thread of its own (LongRunning), not the thread pool's, as the parallel host
    /// reads do: a pwsh starts the pool with one thread per core and adds more only every half second or so,
    /// and two virsh processes at once need four output readers besides the second process's own wait.
    /// </summary>
    private static Task<T> OnThreadOfItsOwn<T>(Func<T> work) =>
        Task.Factory.StartNew(work, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    // Large batches of reads, on a machine of more than one core, on a connection a new process costs little for
    // (over ssh a second process would pay a second handshake). Changes always run in order, in one process.
    private const int ConcurrentFrom = 64;

    private bool Concurrent(IReadOnlyList<VirshCommand> commands) =>
        commands.Count >= ConcurrentFrom && Environment.ProcessorCount > 1 && !VirshProgram.IsRemote(_virsh.ConnectionUri) &&
        commands.All(c => c.IsReadOnly);

    /// <param name="most">How many commands a chunk may hold at most, besides the argument's size.</param>
    private static IEnumerable<List<VirshCommand>> Chunk(IReadOnlyList<VirshCommand> commands, int most)
    {
        var chunk = new List<VirshCommand>();
        var length = 0;
        foreach (var command in commands)
        {
            var size = command.ToVirshSyntax().Length + FramingLength;
            if (chunk.Count > 0 && (length + size > MaxScriptLength || chunk.Count >= most))
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

    /// <summary>A chunk's script, with its marker; its commands are logged here, on the caller's thread.</summary>
    private sealed class PreparedChunk
    {
        public PreparedChunk(List<VirshCommand> commands, string marker, string script)
        {
            Commands = commands;
            Marker = marker;
            Script = script;
        }

        public List<VirshCommand> Commands { get; }
        public string Marker { get; }
        public string Script { get; }
    }

    private PreparedChunk Prepare(List<VirshCommand> commands)
    {
        // The marker cannot occur in anything virsh prints for us: it is fresh for every process. It is
        // short because it is written twice per command, and a batch of 1,000 domains should fit one argument.
        var marker = "@@vs" + Guid.NewGuid().ToString("N").Substring(0, 12);
        var script = new StringBuilder();
        // The count leads, so -Verbose never reads as "the N above" next to lines of an earlier call.
        if (commands.Count > 1) _virsh.Log($"(the next {commands.Count} commands run in one virsh process)");
        foreach (var command in commands)
        {
            _virsh.Log(command);
            script.Append(command.ToVirshSyntax())
                  .Append(" ; echo ").Append(marker)
                  .Append(" ; echo --err ").Append(marker)
                  .Append(" ; ");
        }
        return new PreparedChunk(commands, marker, script.ToString());
    }

    private IEnumerable<VirshResult> RunChunk(PreparedChunk chunk, CancellationToken cancellationToken)
    {
        var commands = chunk.Commands;
        var marker = chunk.Marker;
        var (_, output, error) = Execute(chunk.Script, cancellationToken);
        var outputs = SplitOnMarker(output, marker);
        var errors = SplitOnMarker(error, "error: " + marker);
        for (var i = 0; i < commands.Count; i++)
        {
            var stdout = i < outputs.Count ? outputs[i] : "";
            var stderr = i < errors.Count ? errors[i] : "";
            // A command that did not reach its marker was cut short (virsh died).
            var reachedMarker = i < outputs.Count - 1 && i < errors.Count - 1;
            yield return new VirshResult(commands[i], stdout, stderr, reachedMarker);
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

    /// <summary>Runs virsh with the script as its one command argument; stdin is closed, so virsh reads none.</summary>
    private (int ExitCode, string Output, string Error) Execute(string script, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        using var process = _virsh.Start(_virsh.Arguments(script));
        process.StandardInput.Close();
        // Read on threads of their own: on the thread pool, a 1,000-domain read took anywhere from 0.9 to 1.8 times
        // as long in pwsh as in a process with a warm pool.
        var stdout = OnThreadOfItsOwn(process.StandardOutput.ReadToEnd);
        var stderr = OnThreadOfItsOwn(process.StandardError.ReadToEnd);

        var deadline = DateTime.UtcNow + _virsh.Timeout;
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
                throw Error.VirshTimedOut(_virsh.Timeout, script);
            }
        }
        process.WaitForExit();
        return (process.ExitCode, stdout.GetAwaiter().GetResult(), stderr.GetAwaiter().GetResult());
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
}

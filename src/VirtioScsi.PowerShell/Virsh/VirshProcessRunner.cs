using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Text;
using System.Threading;
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

        var results = new List<VirshResult>(commands.Count);
        foreach (var chunk in Chunk(commands))
        {
            results.AddRange(RunChunk(chunk, cancellationToken));
        }
        return results;
    }

    private static IEnumerable<List<VirshCommand>> Chunk(IReadOnlyList<VirshCommand> commands)
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

        var (_, output, error) = Execute(script.ToString(), cancellationToken);
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
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();

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
        return (process.ExitCode, stdout.Result, stderr.Result);
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

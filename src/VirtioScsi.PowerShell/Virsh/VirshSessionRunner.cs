using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.InteropServices;
using System.Threading;

namespace VirtioScsi.Virsh;

/// <summary>
/// Keeps one virsh open (a <see cref="VirshSession"/>) and sends the commands of a whole cmdlet call to it:
/// one process and one connection to libvirtd. What the session cannot carry well goes to a
/// <see cref="VirshProcessRunner"/> instead. Dispose it to close the session.
/// </summary>
internal sealed class VirshSessionRunner : IVirshRunner
{
    // Interactive virsh reads its input through readline a character at a time, and echoes it: measured,
    // 100 dumpxml in a session took ~1.5x as long as in a fresh process's argument. So the session serves
    // the small reads and changes of a cmdlet call (where a process start would dominate), and large batches
    // (topology of many domains) go as an argument.
    private const int MaxSessionBatch = 16;

    private readonly VirshProgram _virsh;
    private readonly VirshProcessRunner _processes;
    private VirshSession? _session;

    public VirshSessionRunner(string? connectionUri = null, TimeSpan? timeout = null, string? virshPath = null, Action<string>? log = null)
        : this(new VirshProgram(connectionUri, timeout, virshPath, log))
    {
    }

    public VirshSessionRunner(VirshProgram virsh)
    {
        _virsh = virsh;
        _processes = new VirshProcessRunner(virsh);
    }

    public string? ConnectionUri => _virsh.ConnectionUri;
    public int ProcessesStarted => _virsh.ProcessesStarted;

    public void Dispose()
    {
        _session?.Dispose();
        _session = null;
    }

    public VirshResult Run(VirshCommand command, CancellationToken cancellationToken = default) =>
        Fits(new[] { command }) ? InSession(new[] { command }, cancellationToken)[0] : _processes.Run(command, cancellationToken);

    public IReadOnlyList<VirshResult> RunBatch(IReadOnlyList<VirshCommand> commands, CancellationToken cancellationToken = default)
    {
        if (commands.Count == 0) return Array.Empty<VirshResult>();
        return Fits(commands) ? InSession(commands, cancellationToken) : _processes.RunBatch(commands, cancellationToken);
    }

    // Windows PowerShell 5.1 writes stdin in the ANSI code page (netstandard2.0 cannot choose UTF-8 there),
    // so on Windows a session carries ASCII only; anything else goes as an argument, which is UTF-16 safe.
    private static bool Fits(IReadOnlyList<VirshCommand> commands) =>
        commands.Count <= MaxSessionBatch && VirshSession.CanCarry(commands) &&
        (!RuntimeInformation.IsOSPlatform(OSPlatform.Windows) || commands.All(c => c.ToVirshSyntax().All(ch => ch < 128)));

    private IReadOnlyList<VirshResult> InSession(IReadOnlyList<VirshCommand> commands, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        foreach (var command in commands) _virsh.Log(command);
        if (commands.Count > 1) _virsh.Log($"(the {commands.Count} commands above ran in the open virsh session)");
        if (_session is null || !_session.IsUsable)
        {
            _session?.Dispose();
            _session = new VirshSession(_virsh.Start(_virsh.Arguments("--quiet")));
        }
        return _session.Run(commands, _virsh.Timeout, cancellationToken);
    }
}

using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.InteropServices;
using System.Threading;

namespace VirtioScsi.Virsh;

/// <summary>
/// Sends the commands of a whole cmdlet call to one open virsh (a <see cref="VirshSession"/>): one process
/// and one connection to libvirtd. With a <see cref="VirshSessionPool"/>, the session comes from the pool and
/// goes back to it when the runner is disposed, so later calls on the same connection use it again; without
/// one, the runner's own session closes with it. What a session cannot carry well goes to a
/// <see cref="VirshProcessRunner"/> instead.
/// </summary>
internal sealed class VirshSessionRunner : IVirshRunner
{
    // Interactive virsh reads its input through readline a character at a time, and echoes it: measured,
    // 100 dumpxml in a session took ~1.5x as long as in a fresh process's argument. So the session serves
    // the small reads and changes of a cmdlet call (where a process start would dominate), and large batches
    // (topology of many domains) go as an argument. Not on a remote connection: there a new process pays the
    // connection again (over ssh, the handshake: ≈ 0.5 s), far more than the session's slower reading.
    private const int MaxSessionBatch = 16;

    private readonly VirshProgram _virsh;
    private readonly VirshProcessRunner _processes;
    private readonly VirshSessionPool? _pool;
    private VirshSession? _session;
    private int _reconnectionsSeen;

    public VirshSessionRunner(string? connectionUri = null, TimeSpan? timeout = null, string? virshPath = null, Action<string>? log = null)
        : this(new VirshProgram(connectionUri, timeout, virshPath, log))
    {
    }

    public VirshSessionRunner(VirshProgram virsh, VirshSessionPool? pool = null)
    {
        _virsh = virsh;
        _processes = new VirshProcessRunner(virsh);
        _pool = pool;
        _remote = VirshProgram.IsRemote(virsh.ConnectionUri);
    }

    private readonly bool _remote;

    public string? ConnectionUri => _virsh.ConnectionUri;
    public int ProcessesStarted => _virsh.ProcessesStarted;

    /// <summary>The virsh process of the session in use (for tests and -Verbose), or null.</summary>
    internal int? SessionProcessId => _session?.ProcessId;

    /// <summary>Gives the session back to the pool, or closes it when there is none.</summary>
    public void Dispose() => Release();

    public VirshResult Run(VirshCommand command, CancellationToken cancellationToken = default) =>
        Fits(new[] { command }, _remote) ? InSession(new[] { command }, cancellationToken)[0] : _processes.Run(command, cancellationToken);

    public IReadOnlyList<VirshResult> RunBatch(IReadOnlyList<VirshCommand> commands, CancellationToken cancellationToken = default)
    {
        if (commands.Count == 0) return Array.Empty<VirshResult>();
        return Fits(commands, _remote) ? InSession(commands, cancellationToken) : _processes.RunBatch(commands, cancellationToken);
    }

    // Windows PowerShell 5.1 writes stdin in the ANSI code page (netstandard2.0 cannot choose UTF-8 there),
    // so on Windows a session carries ASCII only; anything else goes as an argument, which is UTF-16 safe.
    private static bool Fits(IReadOnlyList<VirshCommand> commands, bool remote) =>
        (remote || commands.Count <= MaxSessionBatch) && VirshSession.CanCarry(commands) &&
        (!RuntimeInformation.IsOSPlatform(OSPlatform.Windows) || commands.All(c => c.ToVirshSyntax().All(ch => ch < 128)));

    private IReadOnlyList<VirshResult> InSession(IReadOnlyList<VirshCommand> commands, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var session = Session(fresh: false, out var reused);
        // The count leads, so -Verbose never reads as "the N above" next to lines of an earlier call.
        if (commands.Count > 1) _virsh.Log($"(the next {commands.Count} commands run in the open virsh session)");
        foreach (var command in commands) _virsh.Log(command);
        var results = session.Run(commands, _virsh.Timeout, cancellationToken);
        if (session.Ended && reused && commands.All(c => c.IsReadOnly))
        {
            // A session kept from an earlier call whose virsh has ended meanwhile (its connection dropped and
            // could not be made again): nothing ran, so the reads run again on a new session.
            _virsh.Log($"The open virsh session to {Shown(ConnectionUri)} had ended: opening a new one and reading again.");
            session = Session(fresh: true, out _);
            results = session.Run(commands, _virsh.Timeout, cancellationToken);
        }
        if (session.Reconnections > _reconnectionsSeen)
        {
            _reconnectionsSeen = session.Reconnections;
            _virsh.Log($"virsh had lost its connection to {Shown(ConnectionUri)} and connected again.");
        }
        return results;
    }

    private VirshSession Session(bool fresh, out bool reused)
    {
        reused = false;
        if (!fresh && _session is not null && _session.IsUsable) return _session;
        Release();
        if (_pool is null)
        {
            _session = new VirshSession(_virsh.Start(_virsh.Arguments("--quiet")));
        }
        else
        {
            _session = fresh ? _pool.Open(_virsh) : _pool.Take(_virsh, out reused);
        }
        _reconnectionsSeen = _session.Reconnections;
        if (reused)
        {
            var age = DateTime.UtcNow - _session.Opened;
            _virsh.Log($"Reusing the open virsh session to {Shown(ConnectionUri)} (virsh process {_session.ProcessId}, opened {Seconds(age)} ago).");
        }
        else
        {
            var keep = _pool is not null && _pool.IdleTimeout > TimeSpan.Zero
                ? $"; it stays open for later calls until idle for {Seconds(_pool.IdleTimeout)}"
                : "";
            _virsh.Log($"Opening a virsh session to {Shown(ConnectionUri)} (virsh process {_session.ProcessId}{keep}).");
        }
        return _session;
    }

    private void Release()
    {
        var session = _session;
        _session = null;
        if (session is null) return;
        if (_pool is not null) _pool.Return(session);
        else session.Dispose();
    }

    private static string Shown(string? uri) => uri ?? "virsh's default connection";

    private static string Seconds(TimeSpan span) => span.TotalSeconds < 10 ? $"{span.TotalSeconds:0.0} s" : $"{span.TotalSeconds:0} s";
}

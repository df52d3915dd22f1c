using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;

namespace VirtioScsi.Virsh;

/// <summary>
/// Open virsh sessions kept between cmdlet calls, per connection: a runbook's many calls to one host pay
/// virsh's start and the connection (over ssh, the handshake: ≈ 0.5 s) once. Nothing read is kept, only
/// the open virsh: every call reads the domains afresh.
/// </summary>
/// <remarks>
/// A session serves one batch at a time: <see cref="Take"/> hands out an idle one or opens a new one, and
/// <see cref="Return"/> takes it back, so parallel calls (ForEach-Object -Parallel) on one host use as many
/// sessions as run at once. A session that was stopped (Ctrl+C, a timeout) or whose virsh ended is never
/// taken back. Idle sessions close after <see cref="IdleTimeout"/>, on <see cref="Close"/>, and when the
/// module is removed.
/// </remarks>
internal sealed class VirshSessionPool : IDisposable
{
    // More idle sessions than this per connection are closed when returned (a burst of parallel calls).
    private const int MaxIdlePerConnection = 8;

    private readonly object _lock = new();
    private readonly Dictionary<string, List<VirshSession>> _idle = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _generation = new(StringComparer.Ordinal);
    private readonly Dictionary<VirshSession, (string Key, int Generation)> _busy = new();
    private readonly Timer? _sweeper;
    private int _opened;

    public VirshSessionPool(TimeSpan idleTimeout)
    {
        IdleTimeout = idleTimeout;
        if (idleTimeout <= TimeSpan.Zero) return;
        var period = TimeSpan.FromMilliseconds(Math.Max(250, Math.Min(idleTimeout.TotalMilliseconds / 4, 30_000)));
        _sweeper = new Timer(_ => CloseIdleSince(DateTime.UtcNow - IdleTimeout), null, period, period);
    }

    /// <summary>The pool of the PowerShell process: VIRTIOSCSI_SESSION_IDLE_SEC (300 s by default) of idleness closes a session.</summary>
    public static VirshSessionPool Shared { get; } = new(IdleTimeoutFromEnvironment());

    public TimeSpan IdleTimeout { get; }

    /// <summary>How many sessions this pool has opened in all.</summary>
    public int Opened => _opened;

    /// <summary>An idle session of this connection, or a new one (<paramref name="reused"/> says which).</summary>
    public VirshSession Take(VirshProgram virsh, out bool reused)
    {
        var key = Key(virsh);
        reused = false;
        lock (_lock)
        {
            if (_idle.TryGetValue(key, out var idle))
            {
                // Newest first: the one most recently used is the likeliest to still be connected.
                while (idle.Count > 0)
                {
                    var session = idle[idle.Count - 1];
                    idle.RemoveAt(idle.Count - 1);
                    if (!session.IsUsable)
                    {
                        session.Dispose();
                        continue;
                    }
                    _busy[session] = (key, GenerationOf(key));
                    reused = true;
                    return session;
                }
            }
        }
        return Open(virsh);
    }

    /// <summary>A new session of this connection, whatever is idle.</summary>
    public VirshSession Open(VirshProgram virsh)
    {
        var key = Key(virsh);
        var opened = new VirshSession(virsh.Start(virsh.Arguments("--quiet")));
        Interlocked.Increment(ref _opened);
        lock (_lock) _busy[opened] = (key, GenerationOf(key));
        return opened;
    }

    /// <summary>Takes a session back after a batch; one that cannot serve the next call is closed instead.</summary>
    public void Return(VirshSession session)
    {
        lock (_lock)
        {
            if (_busy.TryGetValue(session, out var owner))
            {
                _busy.Remove(session);
                if (session.IsUsable && owner.Generation == GenerationOf(owner.Key) && IdleTimeout > TimeSpan.Zero)
                {
                    if (!_idle.TryGetValue(owner.Key, out var idle)) _idle[owner.Key] = idle = new List<VirshSession>();
                    if (idle.Count < MaxIdlePerConnection)
                    {
                        idle.Add(session);
                        return;
                    }
                }
            }
        }
        session.Dispose();
    }

    /// <summary>
    /// Closes the sessions of the connections <paramref name="uris"/> names (all, when null): idle ones now,
    /// busy ones when their batch ends. Returns the connections that had sessions open, and how many.
    /// </summary>
    public IReadOnlyList<(string? ConnectionUri, int Sessions)> Close(IReadOnlyCollection<string?>? uris = null)
    {
        var closed = new List<VirshSession>();
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        lock (_lock)
        {
            bool Selected(string key) => uris is null || uris.Any(u => UriOf(key) == u);
            foreach (var pair in _idle.Where(p => Selected(p.Key)).ToArray())
            {
                closed.AddRange(pair.Value);
                if (pair.Value.Count > 0) counts[pair.Key] = pair.Value.Count;
                _idle.Remove(pair.Key);
            }
            foreach (var key in _busy.Values.Select(b => b.Key).Where(Selected).ToArray())
            {
                counts[key] = counts.TryGetValue(key, out var n) ? n + 1 : 1;
                _generation[key] = GenerationOf(key) + 1;
            }
        }
        foreach (var session in closed) session.Dispose();
        return counts.Select(c => (UriOf(c.Key), c.Value)).ToArray();
    }

    /// <summary>The connections with sessions open now, and how many (idle and busy).</summary>
    public IReadOnlyList<(string? ConnectionUri, int Sessions)> OpenSessions()
    {
        lock (_lock)
        {
            return _idle.SelectMany(p => p.Value.Select(_ => p.Key))
                .Concat(_busy.Values.Select(b => b.Key))
                .GroupBy(k => k, StringComparer.Ordinal)
                .Select(g => (UriOf(g.Key), g.Count()))
                .ToArray();
        }
    }

    private void CloseIdleSince(DateTime before)
    {
        var closed = new List<VirshSession>();
        lock (_lock)
        {
            foreach (var idle in _idle.Values)
            {
                closed.AddRange(idle.Where(s => s.LastUsed < before || !s.IsUsable));
                idle.RemoveAll(s => s.LastUsed < before || !s.IsUsable);
            }
        }
        foreach (var session in closed) session.Dispose();
    }

    public void Dispose()
    {
        _sweeper?.Dispose();
        Close();
    }

    private int GenerationOf(string key) => _generation.TryGetValue(key, out var g) ? g : 0;

    // One pool serves every virsh executable (tests point at others); the key keeps them apart.
    private static string Key(VirshProgram virsh) => (virsh.ConnectionUri ?? "") + "\n" + virsh.Path;

    private static string? UriOf(string key)
    {
        var uri = key.Substring(0, key.IndexOf('\n'));
        return uri.Length == 0 ? null : uri;
    }

    /// <summary>VIRTIOSCSI_SESSION_IDLE_SEC: seconds an open session may stay unused; 0 keeps none between calls.</summary>
    internal static TimeSpan IdleTimeoutFromEnvironment()
    {
        var text = Environment.GetEnvironmentVariable("VIRTIOSCSI_SESSION_IDLE_SEC");
        return int.TryParse(text, out var seconds) && seconds >= 0 ? TimeSpan.FromSeconds(seconds) : TimeSpan.FromSeconds(300);
    }
}

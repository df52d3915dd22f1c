using System;
using VirtioScsi.Model;
using VirtioScsi.Virsh;

namespace VirtioScsi.Engine;

/// <summary>
/// Opens a <see cref="ScsiManager"/> per libvirt connection, all alike: with or without a virsh session
/// kept open (for the call, or from a pool that keeps it for later calls), with one timeout per virsh call,
/// and with every virsh command told to a log.
/// </summary>
internal sealed class ScsiManagerFactory
{
    private readonly bool _keepSessionOpen;
    private readonly TimeSpan? _timeout;
    private readonly Action<string>? _log;
    private readonly string? _virshPath;
    private readonly VirshSessionPool? _pool;

    /// <param name="pool">Where sessions come from and go back to; null: each engine's session closes with it.</param>
    public ScsiManagerFactory(bool keepSessionOpen, TimeSpan? timeout = null, Action<string>? log = null, string? virshPath = null,
        VirshSessionPool? pool = null)
    {
        _pool = pool;
        _keepSessionOpen = keepSessionOpen;
        _timeout = timeout;
        _log = log;
        _virshPath = virshPath;
    }

    /// <summary>
    /// For a cmdlet call: one virsh session serves every read and change of the call, and stays open in the
    /// process's pool for later calls on the same connection (<see cref="VirshSessionPool.Shared"/>); the
    /// timeout comes from VIRTIOSCSI_VIRSH_TIMEOUT_SEC (120 s by default).
    /// </summary>
    public static ScsiManagerFactory ForCmdlet(Action<string> log) =>
        new(keepSessionOpen: true, TimeoutFromEnvironment(), log, pool: VirshSessionPool.Shared);

    /// <summary>
    /// For tab completion, which must never hang: 5 s at the most. It takes the session a cmdlet call left
    /// open (or leaves one for the next call): over ssh a fresh connection per Tab would cost the handshake.
    /// </summary>
    public static ScsiManagerFactory ForCompletion() => new(keepSessionOpen: true, TimeSpan.FromSeconds(5), pool: VirshSessionPool.Shared);

    /// <summary>The engine for <paramref name="connectionUri"/> (null: virsh's own default). Dispose it to close its virsh session.</summary>
    public ScsiManager Open(string? connectionUri)
    {
        if (connectionUri is not null) InputValidation.ConnectionUri(connectionUri);
        var virsh = new VirshProgram(connectionUri, _timeout, _virshPath, _log);
        return new ScsiManager(_keepSessionOpen ? new VirshSessionRunner(virsh, _pool) : new VirshProcessRunner(virsh));
    }

    /// <summary>A -ConnectionUri as given, else LIBVIRT_DEFAULT_URI, else null (virsh decides).</summary>
    public static string? ResolveUri(string? given)
    {
        if (!string.IsNullOrWhiteSpace(given)) return given;
        var fromEnvironment = Environment.GetEnvironmentVariable("LIBVIRT_DEFAULT_URI");
        return string.IsNullOrWhiteSpace(fromEnvironment) ? null : fromEnvironment;
    }

    private static TimeSpan? TimeoutFromEnvironment()
    {
        var text = Environment.GetEnvironmentVariable("VIRTIOSCSI_VIRSH_TIMEOUT_SEC");
        return int.TryParse(text, out var seconds) && seconds > 0 ? TimeSpan.FromSeconds(seconds) : null;
    }
}

using System;
using System.Collections.Concurrent;
using System.Globalization;
using System.Linq;
using System.Net;
using System.Net.Sockets;

namespace VirtioScsi.Model;

/// <summary>
/// The one rule that says whether two <see cref="LunSource"/>s name the same LUN. Idempotent re-runs
/// (a LUN asked for again is found, not attached twice), detach by source and the shared-LUN guard all
/// compare <see cref="KeyOf"/>, and nothing else:
/// <list type="bullet">
/// <item>iSCSI: the portal by its resolved address (the system resolver; all loopback addresses are one,
/// so <c>localhost</c>, <c>127.0.0.1</c> and <c>::1</c> are the same; a name that does not resolve is
/// compared as lower-case text) and its port (3260 when none is given); the IQN without case; the LUN as
/// a number (<c>…/07</c> is LUN 7).</item>
/// <item>Block devices and files: the device the path resolves to, by the path resolver given (links
/// followed where the libvirt host is this machine; the path as written where it is not).</item>
/// <item>Other sources: their description.</item>
/// </list>
/// Host names are resolved on this machine, once per identity, each within <see cref="ResolveTimeout"/>;
/// for a remote connection that assumes the names resolve there as here (loopback always does).
/// </summary>
internal sealed class LunSourceIdentity
{
    /// <summary>How long one host-name lookup may take before its text is used instead.</summary>
    public static readonly TimeSpan ResolveTimeout = TimeSpan.FromSeconds(2);

    private readonly Func<string, string> _canonicalPath;
    private readonly Func<string, string> _canonicalHost;
    private readonly ConcurrentDictionary<string, string> _hosts = new(StringComparer.OrdinalIgnoreCase);

    /// <param name="canonicalPath">The device a host path names (links followed), or the path itself.</param>
    /// <param name="canonicalHost">A portal host's canonical form; <see cref="ResolveHost"/> by default.</param>
    public LunSourceIdentity(Func<string, string>? canonicalPath = null, Func<string, string>? canonicalHost = null)
    {
        _canonicalPath = canonicalPath ?? (p => p);
        _canonicalHost = canonicalHost ?? ResolveHost;
    }

    /// <summary>Paths as written, host names resolved: the identity where the host's paths cannot be asked.</summary>
    public static LunSourceIdentity Default { get; } = new();

    /// <summary>The key two sources share exactly when they name the same LUN.</summary>
    public string KeyOf(LunSource source) => source.Kind switch
    {
        LunSourceKind.Iscsi => string.Format(CultureInfo.InvariantCulture, "iscsi://{0}:{1}/{2}/{3}",
            HostKey(source.IscsiHost!), source.IscsiPort ?? LunSource.DefaultIscsiPort,
            source.IscsiTarget!.ToLowerInvariant(), source.IscsiLun ?? 0),
        LunSourceKind.Block or LunSourceKind.File => "path:" + _canonicalPath(source.Path!),
        _ => "other:" + source.ToString(),
    };

    /// <summary>True when <paramref name="a"/> and <paramref name="b"/> name the same LUN.</summary>
    public bool Same(LunSource a, LunSource b) => KeyOf(a) == KeyOf(b);

    private string HostKey(string host) => _hosts.GetOrAdd(host, h => _canonicalHost(h));

    /// <summary>
    /// A portal host's canonical form: "loopback" for any loopback address, else the lowest IPv4 address
    /// it resolves to (IPv6 when it has none), else the name in lower case.
    /// </summary>
    public static string ResolveHost(string host)
    {
        var text = host.Trim().TrimStart('[').TrimEnd(']').ToLowerInvariant();
        if (text.Length == 0) return text;
        IPAddress[] addresses;
        if (IPAddress.TryParse(text, out var literal))
        {
            addresses = new[] { literal };
        }
        else
        {
            try
            {
                var lookup = Dns.GetHostAddressesAsync(text);
                if (!lookup.Wait(ResolveTimeout)) return text;
                addresses = lookup.Result;
            }
            catch (Exception e) when (e is AggregateException or SocketException or ArgumentException)
            {
                return text;
            }
        }
        var normal = addresses.Select(a => a.IsIPv4MappedToIPv6 ? a.MapToIPv4() : a).ToArray();
        if (normal.Length == 0) return text;
        if (normal.Any(IPAddress.IsLoopback)) return "loopback";
        var chosen = normal
            .OrderBy(a => a.AddressFamily == AddressFamily.InterNetwork ? 0 : 1)
            .ThenBy(a => string.Concat(a.GetAddressBytes().Select(b => b.ToString("x2", CultureInfo.InvariantCulture))), StringComparer.Ordinal)
            .First();
        return chosen.ToString();
    }
}

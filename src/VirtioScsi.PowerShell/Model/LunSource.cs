using System;
using System.Globalization;
using VirtioScsi.Errors;

namespace VirtioScsi.Model;

/// <summary>Where a SCSI disk's data comes from.</summary>
public sealed class LunSource : IEquatable<LunSource>
{
    public const int DefaultIscsiPort = 3260;

    private LunSource(LunSourceKind kind, string? path, string? host, int? port, string? iqn, int? lun, string? description)
    {
        Kind = kind;
        Path = path;
        IscsiHost = host;
        IscsiPort = port;
        IscsiTarget = iqn;
        IscsiLun = lun;
        _description = description;
    }

    private readonly string? _description;

    public LunSourceKind Kind { get; }
    /// <summary>The block device or file path, for Block and File sources.</summary>
    public string? Path { get; }
    public string? IscsiHost { get; }
    public int? IscsiPort { get; }
    /// <summary>The target's IQN.</summary>
    public string? IscsiTarget { get; }
    public int? IscsiLun { get; }

    /// <summary>host:port, as <c>-IscsiPortal</c> takes it.</summary>
    public string? IscsiPortal => IscsiHost is null ? null : FormatPortal(IscsiHost, IscsiPort ?? DefaultIscsiPort);

    public static LunSource Block(string path) => new(LunSourceKind.Block, path, null, null, null, null, null);
    public static LunSource File(string path) => new(LunSourceKind.File, path, null, null, null, null, null);
    public static LunSource Other(string description) => new(LunSourceKind.Other, null, null, null, null, null, description);

    public static LunSource Iscsi(string host, int port, string iqn, int lun) =>
        new(LunSourceKind.Iscsi, null, host, port, iqn, lun, null);

    /// <summary>An iSCSI source from -IscsiPortal, -IscsiTarget and -IscsiLun, checked.</summary>
    public static LunSource FromIscsiParameters(string portal, string iqn, int lun)
    {
        InputValidation.SourceText("-IscsiPortal", portal);
        InputValidation.SourceText("-IscsiTarget", iqn);
        if (!TryParsePortal(portal, out var host, out var port, out var problem))
            throw Error.PortalInvalid(portal, problem);
        if (string.IsNullOrWhiteSpace(iqn) || iqn.IndexOfAny(new[] { ' ', '/', '\t', '\n', '\'', '"' }) >= 0)
            throw Error.IscsiNameInvalid(iqn);
        if (lun < 0 || lun > 16383)
            throw Error.IscsiLunOutOfRange(iqn, lun);
        return Iscsi(host, port, iqn, lun);
    }

    /// <summary>
    /// Parses <c>host</c>, <c>host:port</c>, <c>[v6]</c> or <c>[v6]:port</c>; the port defaults to 3260.
    /// Returns false with a reason when the text is no portal.
    /// </summary>
    public static bool TryParsePortal(string text, out string host, out int port, out string? problem)
    {
        host = "";
        port = DefaultIscsiPort;
        problem = null;
        text = (text ?? "").Trim();
        string? portText = null;
        if (text.StartsWith("[", StringComparison.Ordinal))
        {
            var close = text.IndexOf(']');
            if (close < 0) { problem = "an IPv6 address opened with '[' has no closing ']'"; return false; }
            host = text.Substring(1, close - 1);
            var rest = text.Substring(close + 1);
            if (rest.Length > 0)
            {
                if (!rest.StartsWith(":", StringComparison.Ordinal)) { problem = "only ':port' may follow ']'"; return false; }
                portText = rest.Substring(1);
            }
        }
        else
        {
            var colon = text.LastIndexOf(':');
            if (colon >= 0 && text.IndexOf(':') != colon) { problem = "write an IPv6 address in brackets, as [addr]:port"; return false; }
            host = colon >= 0 ? text.Substring(0, colon) : text;
            portText = colon >= 0 ? text.Substring(colon + 1) : null;
        }
        if (host.Length == 0) { problem = "the host is empty"; return false; }
        foreach (var c in host)
        {
            if (char.IsWhiteSpace(c) || c == '/' || c == '\'' || c == '"') { problem = $"the host contains '{c}'"; return false; }
        }
        if (portText is not null &&
            (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out port) || port < 1 || port > 65535))
        {
            problem = $"the port '{portText}' is not a number from 1 to 65535";
            return false;
        }
        return true;
    }

    public static string FormatPortal(string host, int port) =>
        (host.IndexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// The source as written, compared without resolving anything: host names and the IQN without case,
    /// the LUN as a number. For whether two sources are the same LUN use <see cref="MatchKey"/>.
    /// </summary>
    public string IdentityKey => Kind switch
    {
        LunSourceKind.Iscsi => $"iscsi://{IscsiHost!.ToLowerInvariant()}:{IscsiPort ?? DefaultIscsiPort}/{IscsiTarget!.ToLowerInvariant()}/{IscsiLun ?? 0}",
        LunSourceKind.Block or LunSourceKind.File => Path!,
        _ => "other:" + _description,
    };

    /// <summary>
    /// The source's identity: equal for two sources exactly when they name the same LUN, by the one rule
    /// of <see cref="LunSourceIdentity"/> (portals by resolved address and port, IQNs without case, LUNs
    /// as numbers, paths by the device they resolve to).
    /// </summary>
    internal string MatchKey(LunSourceIdentity identity) => identity.KeyOf(this);

    public bool Equals(LunSource? other) => other is not null && IdentityKey == other.IdentityKey;
    public override bool Equals(object? obj) => Equals(obj as LunSource);
    public override int GetHashCode() => IdentityKey.GetHashCode();

    public override string ToString() => Kind switch
    {
        LunSourceKind.Iscsi => $"iscsi://{IscsiPortal}/{IscsiTarget}/{IscsiLun}",
        LunSourceKind.Block or LunSourceKind.File => Path!,
        _ => _description ?? "",
    };
}

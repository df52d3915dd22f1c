using System.Globalization;
using VirtioScsi.Errors;

namespace VirtioScsi.Model;

/// <summary>
/// The one check of the text a user hands the module (domain names, -Path, -IscsiPortal, -IscsiTarget), made
/// where the engine takes it, so every cmdlet and every caller of the engine gets it. A character is refused
/// when libvirt's XML could not carry it back exactly: a control character (U+0000-U+001F, U+007F-U+009F:
/// NUL and ESC are no XML at all; tab, CR and LF come back from libvirt as spaces or LF), a line or paragraph
/// separator (U+2028, U+2029), U+FFFE and U+FFFF, and half a surrogate pair. Spaces and other printable
/// characters pass where libvirt keeps them (a domain name "my vm" round-trips).
/// </summary>
internal static class InputValidation
{
    /// <summary>The first character of <paramref name="text"/> that cannot round-trip, as (position, name); null when there is none.</summary>
    public static (int Position, string Character)? FindUnsafeCharacter(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (IsUnsafeAt(text, ref i)) return (i, Describe(text[i]));
        }
        return null;
    }

    /// <summary>True when the character at <paramref name="i"/> cannot round-trip; steps over a whole surrogate pair.</summary>
    private static bool IsUnsafeAt(string text, ref int i)
    {
        var c = text[i];
        if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
        {
            i++;
            return false;
        }
        return char.IsControl(c) || char.IsSurrogate(c) || c is '\u2028' or '\u2029' or '\uFFFE' or '\uFFFF';
    }

    private static string Describe(char c)
    {
        var code = "U+" + ((int)c).ToString("X4", CultureInfo.InvariantCulture);
        return c switch
        {
            '\0' => "a NUL (" + code + ")",
            '\t' => "a tab (" + code + ")",
            '\n' => "a line feed (" + code + ")",
            '\r' => "a carriage return (" + code + ")",
            '\u001b' => "an escape (" + code + ")",
            _ when char.IsSurrogate(c) => "half a surrogate pair (" + code + ")",
            _ => "the control character " + code,
        };
    }

    /// <summary>A domain name or name filter: not empty, and nothing that cannot round-trip (DomainNameInvalid).</summary>
    public static void DomainName(string? name)
    {
        if (string.IsNullOrEmpty(name))
            throw Error.DomainNameEmpty();
        if (FindUnsafeCharacter(name!) is { } bad)
            throw Error.DomainNameInvalid(name!, Shown(name!), bad.Character, bad.Position);
    }

    /// <summary>A -ConnectionUri (or LIBVIRT_DEFAULT_URI): nothing that no process argument can carry (ConnectionUriInvalid).</summary>
    public static void ConnectionUri(string uri)
    {
        if (FindUnsafeCharacter(uri) is { } bad)
            throw Error.ConnectionUriInvalid(uri, Shown(uri), bad.Character, bad.Position);
    }

    /// <summary>Text for one part of a LUN source (-Path, -IscsiPortal, -IscsiTarget), by its parameter name (SourceInvalid).</summary>
    public static void SourceText(string parameter, string? text)
    {
        if (text is not null && FindUnsafeCharacter(text) is { } bad)
            throw Error.SourceTextInvalid(parameter, text, Shown(text), bad.Character, bad.Position);
    }

    /// <summary>Every text of a source a user asked for.</summary>
    public static void Source(LunSource source)
    {
        switch (source.Kind)
        {
            case LunSourceKind.Block or LunSourceKind.File:
                SourceText("-Path", source.Path);
                break;
            case LunSourceKind.Iscsi:
                SourceText("-IscsiPortal", source.IscsiHost);
                SourceText("-IscsiTarget", source.IscsiTarget);
                break;
        }
    }

    /// <summary>The text as an error shows it: unsafe characters written as \uXXXX, so a message stays one readable line.</summary>
    public static string Shown(string text)
    {
        var builder = new System.Text.StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            var start = i;
            if (IsUnsafeAt(text, ref i))
                builder.Append("\\u").Append(((int)text[i]).ToString("x4", CultureInfo.InvariantCulture));
            else
                builder.Append(text, start, i - start + 1);
        }
        return builder.ToString();
    }
}

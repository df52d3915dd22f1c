using System;
using System.Text;

namespace VirtioScsi.Virsh;

/// <summary>
/// Quoting for virsh's own command parser (and, because the rules coincide, for a POSIX shell).
/// This is the one function through which every value handed to virsh's parser passes.
/// </summary>
/// <remarks>
/// virsh tokenizes a command string much like sh: inside single quotes every character is literal
/// (spaces, <c>;</c>, <c>"</c>, <c>\</c>, <c>$</c>, newlines), and a backslash outside quotes escapes the
/// next character. A token that was quoted is "raw" for virsh: it is data even when it starts with
/// <c>--</c>, so a domain named <c>--all</c> can never turn into an option. Values are therefore always
/// quoted, and a single quote inside a value is written as <c>'\''</c> (close, escaped quote, reopen).
/// </remarks>
internal static class VirshQuoting
{
    public static string Quote(string value)
    {
        if (value is null) throw new ArgumentNullException(nameof(value));
        if (value.IndexOf('\0') >= 0)
            throw new ArgumentException("A virsh argument cannot contain a NUL character.", nameof(value));
        var sb = new StringBuilder(value.Length + 2);
        sb.Append('\'');
        foreach (var c in value)
        {
            if (c == '\'') sb.Append("'\\''");
            else sb.Append(c);
        }
        sb.Append('\'');
        return sb.ToString();
    }
}

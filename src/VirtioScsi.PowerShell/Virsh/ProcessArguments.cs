using System.Collections.Generic;
using System.Text;

namespace VirtioScsi.Virsh;

/// <summary>
/// Builds <see cref="System.Diagnostics.ProcessStartInfo.Arguments"/> from an argument list.
/// </summary>
/// <remarks>
/// netstandard2.0 (needed for Windows PowerShell 5.1) has no <c>ProcessStartInfo.ArgumentList</c>. .NET
/// splits <c>Arguments</c> with the Windows command-line rules on every platform: whitespace separates,
/// double quotes group, and backslashes are literal unless they precede a double quote, where 2n
/// backslashes give n and 2n+1 give n plus a literal quote. This function is the exact inverse.
/// </remarks>
internal static class ProcessArguments
{
    public static string Join(IEnumerable<string> arguments)
    {
        var sb = new StringBuilder();
        foreach (var argument in arguments)
        {
            if (sb.Length > 0) sb.Append(' ');
            AppendEscaped(sb, argument);
        }
        return sb.ToString();
    }

    private static void AppendEscaped(StringBuilder sb, string argument)
    {
        if (argument.Length > 0 && argument.IndexOfAny(NeedsQuoting) < 0)
        {
            sb.Append(argument);
            return;
        }
        sb.Append('"');
        var backslashes = 0;
        foreach (var c in argument)
        {
            if (c == '\\')
            {
                backslashes++;
                continue;
            }
            if (c == '"')
            {
                // Backslashes before a quote are doubled, and the quote itself is escaped.
                sb.Append('\\', backslashes * 2 + 1);
            }
            else
            {
                sb.Append('\\', backslashes);
            }
            backslashes = 0;
            sb.Append(c);
        }
        // Backslashes before the closing quote must be doubled so the quote still closes.
        sb.Append('\\', backslashes * 2);
        sb.Append('"');
    }

    private static readonly char[] NeedsQuoting = { ' ', '\t', '\n', '\v', '\r', '"', '\\' };
}

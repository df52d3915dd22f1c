using System.Management.Automation;
using VirtioScsi.Engine;

namespace VirtioScsi.Commands;

/// <summary>
/// Turns a name a user typed into a <see cref="NameFilter"/>, as PowerShell users expect of -Name: literal unless it
/// has wildcards. An escaped pattern ([WildcardPattern]::Escape) is the literal name it escapes; a pattern also
/// matches a domain that has exactly that name ('web[1]'); text that is no valid pattern (an unbalanced '[') is a
/// literal name, never a terminating WildcardPatternException.
/// </summary>
internal static class DomainNamePattern
{
    public static NameFilter For(string text)
    {
        if (!WildcardPattern.ContainsWildcardCharacters(text)) return Literal(WildcardPattern.Unescape(text));
        var pattern = new WildcardPattern(text, WildcardOptions.IgnoreCase | WildcardOptions.CultureInvariant);
        try
        {
            // The pattern is parsed on first use: an invalid one throws here, not while the domains are matched.
            pattern.IsMatch("");
        }
        catch (WildcardPatternException)
        {
            return Literal(text);
        }
        return new NameFilter(text, true, name => name == text || pattern.IsMatch(name));
    }

    private static NameFilter Literal(string name) => new(name, false, candidate => candidate == name);
}

using System;

namespace VirtioScsi.Engine;

/// <summary>A name or wildcard pattern a user gave, with the matcher the caller compiled for it.</summary>
internal sealed class NameFilter
{
    public NameFilter(string text, bool isWildcard, Func<string, bool> matches)
    {
        Text = text;
        IsWildcard = isWildcard;
        Matches = matches;
    }

    public string Text { get; }
    public bool IsWildcard { get; }
    public Func<string, bool> Matches { get; }
}

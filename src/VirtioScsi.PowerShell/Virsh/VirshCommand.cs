using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;

namespace VirtioScsi.Virsh;

/// <summary>
/// One virsh command: a command name, option names and values. Names come from this code and are
/// written bare; every value goes through <see cref="VirshQuoting.Quote"/>, so nothing a user typed can
/// become an option or a second command.
/// </summary>
internal sealed class VirshCommand
{
    private static readonly Regex CommandPattern = new(@"\A[a-z][a-z0-9-]*\z", RegexOptions.CultureInvariant);
    private static readonly Regex OptionPattern = new(@"\A--[a-z][a-z0-9-]*\z", RegexOptions.CultureInvariant);
    private readonly List<Token> _tokens = new();

    public VirshCommand(string name)
    {
        if (name is null || !CommandPattern.IsMatch(name))
            throw new ArgumentException($"'{name}' is not a virsh command name.", nameof(name));
        Name = name;
    }

    public string Name { get; }

    // Commands that only read: running one again after a lost connection cannot change anything twice.
    private static readonly HashSet<string> ReadOnlyNames = new(StringComparer.Ordinal)
    {
        "list", "dumpxml", "dominfo", "domstate", "domblklist", "uri", "version", "hostname", "echo",
        "nodedev-list", "nodedev-dumpxml",
    };

    /// <summary>True for a command that only reads (safe to run again on a new connection).</summary>
    public bool IsReadOnly => ReadOnlyNames.Contains(Name);

    /// <summary>Adds <c>--name 'value'</c>.</summary>
    public VirshCommand Option(string name, string value)
    {
        CheckName(name);
        _tokens.Add(new Token(name, false));
        _tokens.Add(new Token(value ?? throw new ArgumentNullException(nameof(value)), true));
        return this;
    }

    /// <summary>Adds <c>--name</c> with no value.</summary>
    public VirshCommand Flag(string name)
    {
        CheckName(name);
        _tokens.Add(new Token(name, false));
        return this;
    }

    /// <summary>Adds <c>--name</c> when <paramref name="condition"/> holds.</summary>
    public VirshCommand FlagIf(bool condition, string name) => condition ? Flag(name) : this;

    /// <summary>The command as virsh's parser reads it: values quoted.</summary>
    public string ToVirshSyntax() =>
        string.Join(" ", new[] { Name }.Concat(_tokens.Select(t => t.IsValue ? VirshQuoting.Quote(t.Text) : t.Text)));

    /// <summary>A line a user can paste into a shell to run the same command.</summary>
    public string ToCommandLine(string? connectionUri)
    {
        var prefix = connectionUri is null ? "virsh " : "virsh --connect " + VirshQuoting.Quote(connectionUri) + " ";
        return prefix + ToVirshSyntax();
    }

    public override string ToString() => ToVirshSyntax();

    private static void CheckName(string name)
    {
        if (name is null || !OptionPattern.IsMatch(name))
            throw new ArgumentException($"'{name}' is not a virsh option name (--word).", nameof(name));
    }

    private readonly struct Token
    {
        public Token(string text, bool isValue)
        {
            Text = text;
            IsValue = isValue;
        }

        public string Text { get; }
        public bool IsValue { get; }
    }
}

using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;
using Markdig.Syntax;
using Markdig.Syntax.Inlines;

namespace VirtioScsi.HelpCompiler;

internal sealed record SyntaxSet(string Name, IReadOnlyList<string> ParameterNames);

internal sealed record Example(string Title, string Code, IReadOnlyList<string> Remarks);

internal sealed record TypeEntry(string Name, IReadOnlyList<string> Description);

internal sealed record RelatedLink(string Text, string Uri);

/// <summary>One parameter: its description and the metadata of its yaml block.</summary>
internal sealed record Parameter(string Name, IReadOnlyList<string> Description, IReadOnlyDictionary<string, string> Metadata)
{
    public string Get(string key, string fallback = "") =>
        Metadata.TryGetValue(key, out var value) && value.Length > 0 ? value : fallback;

    public string Type => Get("Type", "Object");
    public bool IsSwitch => Type == "SwitchParameter";
    public IReadOnlyList<string> AcceptedValues =>
        Get("Accepted values").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
}

/// <summary>A cmdlet's platyPS markdown page (docs/en-US/&lt;Verb-Noun&gt;.md, schema 2.0.0).</summary>
internal sealed class CommandPage
{
    public string Name { get; private init; } = "";
    public string ExternalHelpFile { get; private init; } = "";
    public string OnlineVersion { get; private init; } = "";
    public IReadOnlyList<string> Synopsis { get; private init; } = [];
    public IReadOnlyList<SyntaxSet> Syntax { get; private init; } = [];
    public IReadOnlyList<string> Description { get; private init; } = [];
    public IReadOnlyList<Example> Examples { get; private init; } = [];
    public IReadOnlyList<Parameter> Parameters { get; private init; } = [];
    public IReadOnlyList<TypeEntry> Inputs { get; private init; } = [];
    public IReadOnlyList<TypeEntry> Outputs { get; private init; } = [];
    public IReadOnlyList<string> Notes { get; private init; } = [];
    public IReadOnlyList<RelatedLink> Links { get; private init; } = [];

    // A parameter in a syntax line: [-Name], -Name or [[-Name] <type>]; <CommonParameters> is not one.
    private static readonly Regex SyntaxParameter = new(@"(?<=[\s\[])-([A-Za-z][A-Za-z0-9]*)", RegexOptions.CultureInvariant);

    public static CommandPage Read(string path)
    {
        var markdown = Markdown.Read(path);
        var sections = Sections(markdown);
        string? name = null;
        foreach (var heading in markdown.Blocks.OfType<HeadingBlock>().Where(h => h.Level == 1))
        {
            name = Markdown.Text(heading.Inline);
            break;
        }
        if (string.IsNullOrEmpty(name)) throw markdown.Error("no '# Verb-Noun' title");
        if (!markdown.FrontMatter.TryGetValue("external help file", out var helpFile) || helpFile.Length == 0)
            throw markdown.Error("no 'external help file' in the front matter");

        return new CommandPage
        {
            Name = name,
            ExternalHelpFile = helpFile,
            OnlineVersion = markdown.FrontMatter.TryGetValue("online version", out var online) ? online : "",
            Synopsis = Paragraphs(Section(sections, "SYNOPSIS")),
            Syntax = ReadSyntax(markdown, Section(sections, "SYNTAX")),
            Description = Paragraphs(Section(sections, "DESCRIPTION")),
            Examples = ReadExamples(Section(sections, "EXAMPLES")),
            Parameters = ReadParameters(markdown, Section(sections, "PARAMETERS")),
            Inputs = ReadTypes(Section(sections, "INPUTS")),
            Outputs = ReadTypes(Section(sections, "OUTPUTS")),
            Notes = Paragraphs(Section(sections, "NOTES")),
            Links = ReadLinks(Section(sections, "RELATED LINKS")),
        };
    }

    /// <summary>The blocks under each "## SECTION" heading.</summary>
    private static Dictionary<string, List<Block>> Sections(Markdown markdown)
    {
        var sections = new Dictionary<string, List<Block>>(StringComparer.OrdinalIgnoreCase);
        List<Block>? current = null;
        foreach (var block in markdown.Blocks)
        {
            if (block is HeadingBlock { Level: 1 }) { current = null; continue; }
            if (block is HeadingBlock { Level: 2 } heading)
            {
                var title = Markdown.Text(heading.Inline);
                if (sections.ContainsKey(title)) throw markdown.Error($"two '## {title}' sections");
                sections[title] = current = [];
                continue;
            }
            current?.Add(block);
        }
        return sections;
    }

    private static IReadOnlyList<Block> Section(Dictionary<string, List<Block>> sections, string name) =>
        sections.TryGetValue(name, out var blocks) ? blocks : [];

    /// <summary>The blocks between one "### heading" and the next.</summary>
    private static IEnumerable<(string Heading, List<Block> Blocks)> Subsections(IReadOnlyList<Block> blocks)
    {
        (string Heading, List<Block> Blocks)? current = null;
        foreach (var block in blocks)
        {
            if (block is HeadingBlock { Level: 3 } heading)
            {
                if (current is { } done) yield return done;
                current = (Markdown.Text(heading.Inline), []);
                continue;
            }
            current?.Blocks.Add(block);
        }
        if (current is { } last) yield return last;
    }

    private static string[] Paragraphs(IEnumerable<Block> blocks) =>
        blocks.OfType<ParagraphBlock>().Select(p => Markdown.Text(p.Inline)).Where(t => t.Length > 0).ToArray();

    private static IReadOnlyList<SyntaxSet> ReadSyntax(Markdown markdown, IReadOnlyList<Block> blocks)
    {
        var sets = new List<SyntaxSet>();
        var subsections = Subsections(blocks).ToList();
        // A cmdlet with one parameter set may write its syntax block without a "### set" heading.
        if (subsections.Count == 0) subsections.Add(("", blocks.ToList()));
        foreach (var (heading, content) in subsections)
        {
            var code = content.OfType<FencedCodeBlock>().FirstOrDefault() ?? throw markdown.Error($"the SYNTAX of '{heading}' has no code block");
            var names = SyntaxParameter.Matches(Markdown.Code(code)).Select(m => m.Groups[1].Value).Distinct(StringComparer.OrdinalIgnoreCase).ToArray();
            sets.Add(new SyntaxSet(Regex.Replace(heading, @"\s*\(Default\)$", ""), names));
        }
        return sets;
    }

    private static IReadOnlyList<Example> ReadExamples(IReadOnlyList<Block> blocks) =>
        Subsections(blocks).Select(s => new Example(
            s.Heading,
            string.Join("\n", s.Blocks.OfType<FencedCodeBlock>().Select(Markdown.Code)),
            Paragraphs(s.Blocks))).ToArray();

    private static IReadOnlyList<Parameter> ReadParameters(Markdown markdown, IReadOnlyList<Block> blocks)
    {
        var parameters = new List<Parameter>();
        foreach (var (heading, content) in Subsections(blocks))
        {
            if (!heading.StartsWith('-')) continue; // "### CommonParameters" is not a parameter of the cmdlet
            var yaml = content.OfType<FencedCodeBlock>().FirstOrDefault(c => c.Info == "yaml")
                ?? throw markdown.Error($"parameter {heading} has no yaml block");
            var metadata = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (var line in Markdown.Lines(yaml))
                if (Markdown.SplitKeyValue(line) is { } pair) metadata[pair.Key] = pair.Value;
            parameters.Add(new Parameter(heading[1..], Paragraphs(content), metadata));
        }
        return parameters;
    }

    private static IReadOnlyList<TypeEntry> ReadTypes(IReadOnlyList<Block> blocks) =>
        Subsections(blocks).Select(s => new TypeEntry(s.Heading, Paragraphs(s.Blocks))).ToArray();

    private static IReadOnlyList<RelatedLink> ReadLinks(IReadOnlyList<Block> blocks)
    {
        var links = new List<RelatedLink>();
        foreach (var paragraph in blocks.OfType<ParagraphBlock>())
        {
            var found = false;
            foreach (var link in paragraph.Inline?.Descendants<LinkInline>() ?? [])
            {
                if (link.IsImage) continue;
                links.Add(new RelatedLink(Markdown.Text(link), link.Url ?? ""));
                found = true;
            }
            if (!found && Markdown.Text(paragraph.Inline) is { Length: > 0 } text) links.Add(new RelatedLink(text, ""));
        }
        return links;
    }
}

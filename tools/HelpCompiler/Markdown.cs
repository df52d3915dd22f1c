using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using Markdig;
using Markdig.Extensions.Yaml;
using Markdig.Syntax;
using Markdig.Syntax.Inlines;

namespace VirtioScsi.HelpCompiler;

/// <summary>A markdown file parsed with Markdig: its front matter and its top-level blocks.</summary>
internal sealed class Markdown
{
    private static readonly MarkdownPipeline Pipeline = new MarkdownPipelineBuilder().UseYamlFrontMatter().UsePipeTables().Build();

    public string Path { get; }
    public IReadOnlyDictionary<string, string> FrontMatter { get; }
    public IReadOnlyList<Block> Blocks { get; }

    private Markdown(string path, IReadOnlyDictionary<string, string> frontMatter, IReadOnlyList<Block> blocks) =>
        (Path, FrontMatter, Blocks) = (path, frontMatter, blocks);

    public static Markdown Read(string path)
    {
        var document = Markdig.Markdown.Parse(File.ReadAllText(path).Replace("\r\n", "\n"), Pipeline);
        var frontMatter = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var yaml in document.OfType<YamlFrontMatterBlock>())
            foreach (var line in Lines(yaml))
                if (SplitKeyValue(line) is { } pair) frontMatter[pair.Key] = pair.Value;
        return new Markdown(path, frontMatter, document.Where(b => b is not YamlFrontMatterBlock).ToArray());
    }

    /// <summary>"Key: value" as in platyPS front matter and parameter metadata; null for other lines.</summary>
    public static (string Key, string Value)? SplitKeyValue(string line)
    {
        var colon = line.IndexOf(':');
        return colon > 0 ? (line[..colon].Trim(), line[(colon + 1)..].Trim()) : null;
    }

    public static string[] Lines(LeafBlock block) =>
        block.Lines.Lines.Take(block.Lines.Count).Select(l => l.Slice.ToString()).ToArray();

    public static string Code(FencedCodeBlock block) => string.Join("\n", Lines(block));

    /// <summary>
    /// The text of inline markdown as help shows it: code spans lose their backticks, raw tags such as
    /// &lt;disk device='lun'&gt; stay as written, links become their text.
    /// </summary>
    public static string Text(ContainerInline? inlines)
    {
        var text = new StringBuilder();
        Append(text, inlines);
        return text.ToString().Trim();
    }

    private static void Append(StringBuilder text, Inline? inline)
    {
        switch (inline)
        {
            case null: return;
            case LiteralInline literal: text.Append(literal.Content.ToString()); return;
            case CodeInline code: text.Append(code.Content); return;
            case HtmlInline html: text.Append(html.Tag); return;
            case HtmlEntityInline entity: text.Append(entity.Transcoded.ToString()); return;
            case AutolinkInline autolink: text.Append(autolink.Url); return;
            case LineBreakInline lineBreak: text.Append(lineBreak.IsHard ? "\n" : " "); return;
            case EmphasisInline emphasis:
                var delimiter = new string(emphasis.DelimiterChar, emphasis.DelimiterCount);
                text.Append(delimiter);
                AppendChildren(text, emphasis);
                text.Append(delimiter);
                return;
            case ContainerInline container: AppendChildren(text, container); return;
            default: text.Append(inline.ToString()); return;
        }
    }

    private static void AppendChildren(StringBuilder text, ContainerInline container)
    {
        for (var child = container.FirstChild; child is not null; child = child.NextSibling) Append(text, child);
    }

    public InvalidDataException Error(string message) => new($"{Path}: {message}");
}

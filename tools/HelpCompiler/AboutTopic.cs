using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using Markdig.Extensions.Tables;
using Markdig.Syntax;

namespace VirtioScsi.HelpCompiler;

/// <summary>
/// An about_ topic (docs/en-US/about_*.md) as the classic about_*.help.txt that Get-Help shows: TOPIC, then every
/// "## SECTION" as a heading at the margin with its text indented four spaces and wrapped at 80 columns.
/// </summary>
internal sealed class AboutTopic
{
    private const int Width = 80;
    private const int Indent = 4;

    public string Name { get; private init; } = "";
    public string Text { get; private init; } = "";

    public static AboutTopic Read(string path)
    {
        var markdown = Markdown.Read(path);
        var name = markdown.FrontMatter.TryGetValue("title", out var title) && title.Length > 0 ? title
            : markdown.Blocks.OfType<HeadingBlock>().Where(h => h.Level == 1).Select(h => Markdown.Text(h.Inline)).FirstOrDefault()
            ?? throw markdown.Error("no title");

        // Blocks are separated by one blank line, except that a heading's first block follows it directly.
        var output = new List<string> { "TOPIC", Pad(Indent) + name };
        var attachToPrevious = false;
        void Emit(List<string> lines, bool blankBefore = true)
        {
            if (blankBefore && !attachToPrevious) output.Add("");
            output.AddRange(lines);
            attachToPrevious = false;
        }

        foreach (var block in markdown.Blocks)
        {
            switch (block)
            {
                case HeadingBlock { Level: 1 }:
                    break;
                case HeadingBlock { Level: 2 } heading:
                    Emit([Markdown.Text(heading.Inline).ToUpperInvariant()]);
                    attachToPrevious = true; // a section's text follows its heading directly
                    break;
                case HeadingBlock heading:
                    var subtitle = Markdown.Text(heading.Inline);
                    Emit([Pad(Indent) + subtitle, Pad(Indent) + new string('-', subtitle.Length)]);
                    attachToPrevious = true;
                    break;
                case ParagraphBlock paragraph:
                    Emit(Wrap(Markdown.Text(paragraph.Inline), Pad(Indent), Pad(Indent)));
                    break;
                case ListBlock list:
                    Emit(ListLines(list));
                    break;
                case FencedCodeBlock code:
                    Emit(Markdown.Lines(code).Select(l => l.Length == 0 ? "" : Pad(2 * Indent) + l).ToList());
                    break;
                case Table table:
                    Emit(TableLines(table));
                    break;
                case ThematicBreakBlock:
                    break;
                default:
                    throw markdown.Error($"line {block.Line + 1}: a {block.GetType().Name} has no about_ text form");
            }
        }
        return new AboutTopic { Name = name, Text = string.Join("\n", output) + "\n" };
    }

    private static List<string> ListLines(ListBlock list)
    {
        var lines = new List<string>();
        foreach (var item in list.OfType<ListItemBlock>())
        {
            var text = string.Join(" ", item.OfType<ParagraphBlock>().Select(p => Markdown.Text(p.Inline)));
            var bullet = list.IsOrdered ? $"{item.Order}. " : "- ";
            lines.AddRange(Wrap(text, Pad(Indent) + bullet, Pad(Indent + bullet.Length)));
        }
        return lines;
    }

    /// <summary>
    /// A table as one record per row: the first cell as its title, then "Header: value" for each other cell,
    /// the value's lines aligned after the header. Records are separated by blank lines.
    /// </summary>
    private static List<string> TableLines(Table table)
    {
        var rows = table.OfType<TableRow>().ToList();
        var header = rows.FirstOrDefault(r => r.IsHeader);
        var headers = header?.OfType<TableCell>().Select(CellText).ToArray() ?? [];
        var lines = new List<string>();
        foreach (var row in rows.Where(r => !r.IsHeader))
        {
            var cells = row.OfType<TableCell>().Select(CellText).ToArray();
            if (lines.Count > 0) lines.Add("");
            lines.AddRange(Wrap(cells.FirstOrDefault() ?? "", Pad(Indent), Pad(Indent)));
            for (var i = 1; i < cells.Length; i++)
            {
                var label = (i < headers.Length ? headers[i] : $"Column {i + 1}") + ": ";
                lines.AddRange(Wrap(cells[i], Pad(2 * Indent) + label, Pad(2 * Indent + label.Length)));
            }
        }
        return lines;
    }

    private static string CellText(TableCell cell) =>
        string.Join(" ", cell.OfType<ParagraphBlock>().Select(p => Markdown.Text(p.Inline)));

    /// <summary>Greedy word wrap: as many words on a line as fit in 80 columns; a longer word gets a line of its own.</summary>
    private static List<string> Wrap(string text, string firstPrefix, string prefix)
    {
        var lines = new List<string>();
        var line = new StringBuilder(firstPrefix);
        var empty = true;
        foreach (var word in text.Split((char[])[' ', '\n'], StringSplitOptions.RemoveEmptyEntries))
        {
            if (!empty && line.Length + 1 + word.Length > Width)
            {
                lines.Add(line.ToString());
                line.Clear().Append(prefix);
                empty = true;
            }
            if (!empty) line.Append(' ');
            line.Append(word);
            empty = false;
        }
        lines.Add(line.ToString().TrimEnd());
        return lines;
    }

    private static string Pad(int width) => new(' ', width);
}

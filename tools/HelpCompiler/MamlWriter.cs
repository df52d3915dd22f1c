using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;

namespace VirtioScsi.HelpCompiler;

/// <summary>
/// Writes cmdlet pages as MAML in the layout platyPS 0.14's New-ExternalHelp writes, so that a help file
/// rebuilt here differs from a platyPS-built one only where the markdown does.
/// </summary>
internal static class MamlWriter
{
    private const string Namespaces =
        "xmlns:maml=\"http://schemas.microsoft.com/maml/2004/10\" xmlns:command=\"http://schemas.microsoft.com/maml/dev/command/2004/10\" " +
        "xmlns:dev=\"http://schemas.microsoft.com/maml/dev/2004/10\" xmlns:MSHelp=\"http://msdn.microsoft.com/mshelp\"";

    public static string Write(IEnumerable<CommandPage> pages)
    {
        var xml = new Writer();
        xml.Line(0, "<?xml version=\"1.0\" encoding=\"utf-8\"?>");
        xml.Line(0, "<helpItems schema=\"maml\" xmlns=\"http://msh\">");
        foreach (var page in pages) WriteCommand(xml, page);
        xml.Line(0, "</helpItems>");
        return xml.ToString();
    }

    private static void WriteCommand(Writer xml, CommandPage page)
    {
        var dash = page.Name.IndexOf('-');
        xml.Line(1, $"<command:command {Namespaces}>");
        xml.Line(2, "<command:details>");
        xml.Element(3, "command:name", page.Name);
        xml.Element(3, "command:verb", dash > 0 ? page.Name[..dash] : page.Name);
        xml.Element(3, "command:noun", dash > 0 ? page.Name[(dash + 1)..] : "");
        xml.Paragraphs(3, "maml:description", page.Synopsis);
        xml.Line(2, "</command:details>");
        xml.Paragraphs(2, "maml:description", page.Description);

        var parameters = page.Parameters.ToDictionary(p => p.Name, StringComparer.OrdinalIgnoreCase);
        xml.Line(2, "<command:syntax>");
        foreach (var set in page.Syntax)
        {
            xml.Line(3, "<command:syntaxItem>");
            xml.Element(4, "maml:name", page.Name);
            foreach (var name in set.ParameterNames)
                if (parameters.TryGetValue(name, out var parameter)) WriteParameter(xml, 4, parameter, inSyntax: true);
            xml.Line(3, "</command:syntaxItem>");
        }
        xml.Line(2, "</command:syntax>");

        xml.Line(2, "<command:parameters>");
        foreach (var parameter in page.Parameters) WriteParameter(xml, 3, parameter, inSyntax: false);
        xml.Line(2, "</command:parameters>");

        WriteTypes(xml, "inputTypes", "inputType", page.Inputs);
        WriteTypes(xml, "returnValues", "returnValue", page.Outputs);

        if (page.Notes.Count > 0)
        {
            xml.Line(2, "<maml:alertSet>");
            xml.Paragraphs(3, "maml:alert", page.Notes);
            xml.Line(2, "</maml:alertSet>");
        }

        xml.Line(2, "<command:examples>");
        foreach (var example in page.Examples)
        {
            xml.Line(3, "<command:example>");
            xml.Element(4, "maml:title", $"-------------------------- {example.Title} --------------------------");
            xml.Element(4, "dev:code", example.Code);
            xml.Paragraphs(4, "dev:remarks", example.Remarks);
            xml.Line(3, "</command:example>");
        }
        xml.Line(2, "</command:examples>");

        xml.Line(2, "<command:relatedLinks>");
        if (page.OnlineVersion.Length > 0) WriteLink(xml, "Online Version:", page.OnlineVersion);
        // Links to the other markdown pages have no address of their own in MAML: Get-Help finds them by name.
        foreach (var link in page.Links)
            WriteLink(xml, link.Text, link.Uri.EndsWith(".md", StringComparison.OrdinalIgnoreCase) ? "" : link.Uri);
        xml.Line(2, "</command:relatedLinks>");
        xml.Line(1, "</command:command>");
    }

    private static void WriteParameter(Writer xml, int depth, Parameter parameter, bool inSyntax)
    {
        var aliases = parameter.Get("Aliases", "none");
        var position = parameter.Get("Position", "named");
        if (position.Equals("named", StringComparison.OrdinalIgnoreCase)) position = "named";
        xml.Line(depth, "<command:parameter" +
            $" required=\"{Flag(parameter.Get("Required", "false"))}\" variableLength=\"true\"" +
            $" globbing=\"{Flag(parameter.Get("Accept wildcard characters", "false"))}\"" +
            $" pipelineInput=\"{Writer.Escape(parameter.Get("Accept pipeline input", "False"))}\"" +
            $" position=\"{Writer.Escape(position)}\" aliases=\"{Writer.Escape(aliases)}\">");
        xml.Element(depth + 1, "maml:name", parameter.Name);
        xml.Paragraphs(depth + 1, "maml:description", parameter.Description);
        // The accepted values are listed in the syntax only, as platyPS does (Get-Help shows them there).
        if (inSyntax && parameter.AcceptedValues.Count > 0)
        {
            xml.Line(depth + 1, "<command:parameterValueGroup>");
            foreach (var value in parameter.AcceptedValues)
                xml.Element(depth + 2, "command:parameterValue", value, "required=\"false\" variableLength=\"false\"");
            xml.Line(depth + 1, "</command:parameterValueGroup>");
        }
        // A switch takes no value: the syntax shows none, the parameter list names its type.
        if (!parameter.IsSwitch)
            xml.Element(depth + 1, "command:parameterValue", parameter.Type, "required=\"true\" variableLength=\"false\"");
        else if (!inSyntax)
            xml.Element(depth + 1, "command:parameterValue", parameter.Type, "required=\"false\" variableLength=\"false\"");
        xml.Line(depth + 1, "<dev:type>");
        xml.Element(depth + 2, "maml:name", parameter.Type);
        xml.Line(depth + 2, "<maml:uri />");
        xml.Line(depth + 1, "</dev:type>");
        xml.Element(depth + 1, "dev:defaultValue", parameter.Get("Default value", "None"));
        xml.Line(depth, "</command:parameter>");
    }

    private static void WriteTypes(Writer xml, string list, string item, IReadOnlyList<TypeEntry> types)
    {
        xml.Line(2, $"<command:{list}>");
        foreach (var type in types)
        {
            xml.Line(3, $"<command:{item}>");
            xml.Line(4, "<dev:type>");
            xml.Element(5, "maml:name", type.Name);
            xml.Line(4, "</dev:type>");
            xml.Paragraphs(4, "maml:description", type.Description);
            xml.Line(3, $"</command:{item}>");
        }
        xml.Line(2, $"</command:{list}>");
    }

    private static void WriteLink(Writer xml, string text, string uri)
    {
        xml.Line(3, "<maml:navigationLink>");
        xml.Element(4, "maml:linkText", text);
        if (uri.Length == 0) xml.Line(4, "<maml:uri />");
        else xml.Element(4, "maml:uri", uri);
        xml.Line(3, "</maml:navigationLink>");
    }

    private static string Flag(string value) => value.Trim().ToLowerInvariant();

    /// <summary>Indented XML lines, two spaces a level, "\n" line ends, text escaped as XmlWriter would.</summary>
    private sealed class Writer
    {
        private readonly StringBuilder text = new();

        public void Line(int depth, string line) => text.Append(' ', depth * 2).Append(line).Append('\n');

        public void Element(int depth, string name, string content, string attributes = "") =>
            Line(depth, $"<{name}{(attributes.Length > 0 ? " " + attributes : "")}>{Escape(content, attribute: false)}</{name}>");

        public void Paragraphs(int depth, string name, IReadOnlyList<string> paragraphs)
        {
            Line(depth, $"<{name}>");
            foreach (var paragraph in paragraphs) Element(depth + 1, "maml:para", paragraph);
            Line(depth, $"</{name}>");
        }

        public static string Escape(string value) => Escape(value, attribute: true);

        private static string Escape(string value, bool attribute)
        {
            var escaped = value.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;");
            return attribute ? escaped.Replace("\"", "&quot;") : escaped;
        }

        public override string ToString() => text.ToString();
    }
}

using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;

namespace VirtioScsi.HelpCompiler;

/// <summary>The help files that a folder of platyPS markdown produces, by file name.</summary>
public static class HelpFiles
{
    public static IReadOnlyList<(string FileName, string Text)> Compile(string docsFolder)
    {
        var files = Directory.GetFiles(docsFolder, "*.md").OrderBy(f => Path.GetFileName(f), StringComparer.Ordinal).ToArray();
        var results = new List<(string, string)>();
        var cmdlets = files.Where(f => !IsAbout(f)).Select(f => CommandPage.Read(f)).ToArray();
        foreach (var group in cmdlets.GroupBy(c => c.ExternalHelpFile, StringComparer.OrdinalIgnoreCase))
            results.Add((group.Key, MamlWriter.Write(group.OrderBy(c => c.Name, StringComparer.Ordinal))));
        foreach (var about in files.Where(IsAbout))
        {
            var topic = AboutTopic.Read(about);
            results.Add((topic.Name + ".help.txt", topic.Text));
        }
        return results;
    }

    private static bool IsAbout(string path) => Path.GetFileName(path).StartsWith("about_", StringComparison.OrdinalIgnoreCase);
}

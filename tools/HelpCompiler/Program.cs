using System;
using System.IO;
using VirtioScsi.HelpCompiler;

// HelpCompiler <docs folder> <output folder>: one MAML file for the cmdlet pages (named by their
// "external help file") and one <topic>.help.txt per about_*.md.
if (args.Length != 2)
{
    Console.Error.WriteLine("usage: HelpCompiler <docs/en-US folder> <output folder>");
    return 2;
}
var (docs, output) = (args[0], args[1]);
if (!Directory.Exists(docs))
{
    Console.Error.WriteLine($"HelpCompiler: {docs} is not a folder.");
    return 2;
}
try
{
    Directory.CreateDirectory(output);
    foreach (var (fileName, text) in HelpFiles.Compile(docs))
    {
        File.WriteAllText(Path.Combine(output, fileName), text, new System.Text.UTF8Encoding(false));
        Console.WriteLine($"Wrote {Path.Combine(output, fileName)}");
    }
    return 0;
}
catch (InvalidDataException e)
{
    Console.Error.WriteLine($"HelpCompiler: {e.Message}");
    return 1;
}

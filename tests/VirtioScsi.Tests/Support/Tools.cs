using System;
using System.IO;
using System.Linq;

namespace VirtioScsi.Tests.Support;

public static class Tools
{
    /// <summary>virsh on PATH, or null.</summary>
    public static string? Virsh => Find("virsh");

    public static string? Find(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
            .Select(d => Path.Combine(d, name))
            .FirstOrDefault(File.Exists);
}

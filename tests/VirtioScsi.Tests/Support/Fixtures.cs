using System;
using System.IO;
using VirtioScsi.Libvirt;
using VirtioScsi.Model;

namespace VirtioScsi.Tests.Support;

/// <summary>Domain XML recorded with 'virsh dumpxml' from a real libvirt 9.0 / QEMU 7.2 (tests/VirtioScsi.Tests/Fixtures).</summary>
internal static class Fixtures
{
    public static string Text(string name) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", name));

    public static DomainDefinition Definition(string name) => DomainDefinition.Parse(Text(name));

    /// <summary>A running persistent domain whose live and persistent definitions are the same file.</summary>
    public static DomainState Running(string liveFile, string? configFile = null) =>
        new(Definition(liveFile).Name, true, true, "running", Definition(liveFile), Definition(configFile ?? liveFile));

    /// <summary>A shut-off domain with only its persistent definition.</summary>
    public static DomainState ShutOff(string configFile) =>
        new(Definition(configFile).Name, false, true, "shut off", null, Definition(configFile));

    public static DomainState ShutOffFromXml(string xml) =>
        new(DomainDefinition.Parse(xml).Name, false, true, "shut off", null, DomainDefinition.Parse(xml));

    public static DomainState RunningFromXml(string xml) =>
        new(DomainDefinition.Parse(xml).Name, true, true, "running", DomainDefinition.Parse(xml), DomainDefinition.Parse(xml));

    /// <summary>The shared corpus of libvirt's own test XML, beside the repository; null when it is absent.</summary>
    public static string? CorpusDirectory => SharedCorpus("libvirt-tests");

    /// <summary>A folder of the shared corpus (../shared/corpus/&lt;name&gt;, beside the repository); null when it is absent.</summary>
    public static string? SharedCorpus(string name)
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "corpus", name);
            if (Directory.Exists(candidate)) return candidate;
            var sibling = Path.Combine(dir.FullName, "..", "shared", "corpus", name);
            if (Directory.Exists(sibling)) return Path.GetFullPath(sibling);
            dir = dir.Parent;
        }
        return null;
    }
}

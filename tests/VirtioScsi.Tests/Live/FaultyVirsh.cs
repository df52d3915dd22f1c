using System;
using System.IO;

namespace VirtioScsi.Tests.Live;

/// <summary>
/// A wrapper around the real virsh that injects one fault into the real stack when armed: it sits in the
/// session's stdin (the commands the module sends), passes everything on to the real virsh, and at the
/// armed point hangs, drops the connection, kills its caller, or changes the domain behind the module's
/// back. Each fault fires once (its file is renamed when it does). Never a mock: libvirt does the work.
/// </summary>
public sealed class FaultyVirsh : IDisposable
{
    private FaultyVirsh(string directory) => Directory = directory;

    public string Directory { get; }
    /// <summary>Put first on PATH (a child process), or given to the engine as its virsh.</summary>
    public string PathDirectory => Path.Combine(Directory, "bin");
    public string Program => Path.Combine(PathDirectory, "virsh");

    /// <summary>Arms one fault (the list is at the top of tests/FaultInjection/faulty-virsh.sh); it fires once.</summary>
    public void Arm(string fault) => File.WriteAllText(Path.Combine(Directory, "armed-" + fault), "");

    public bool Fired(string fault) => File.Exists(Path.Combine(Directory, "fired-" + fault));

    /// <summary>libvirtd "stopped" (true) or back (false), as every virsh started through the wrapper sees it.</summary>
    public bool Down
    {
        set
        {
            var file = Path.Combine(Directory, "down");
            if (value) File.WriteAllText(file, "");
            else File.Delete(file);
        }
    }

    /// <summary>Device XML that the outside-* faults attach or detach.</summary>
    public void SetOutside(string domain, string deviceXml)
    {
        File.WriteAllText(Path.Combine(Directory, "outside.domain"), domain);
        File.WriteAllText(Path.Combine(Directory, "outside.xml"), deviceXml);
    }

    public static FaultyVirsh Create()
    {
        var directory = Path.Combine(Path.GetTempPath(), $"vst-conc-virsh-{Environment.ProcessId}-{Guid.NewGuid():N}");
        System.IO.Directory.CreateDirectory(Path.Combine(directory, "bin"));
        var real = Support.Tools.Virsh ?? "/usr/bin/virsh";
        var script = File.ReadAllText(Path.Combine(TestGuest.RepoRoot, "tests", "FaultInjection", "faulty-virsh.sh"))
            .Replace("REAL=\"${VIRTIOSCSI_REAL_VIRSH:-/usr/bin/virsh}\"", "REAL='" + real + "'");
        var program = Path.Combine(directory, "bin", "virsh");
        File.WriteAllText(program, script);
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(program, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return new FaultyVirsh(directory);
    }

    public void Dispose()
    {
        try { System.IO.Directory.Delete(Directory, true); } catch (IOException) { }
    }
}

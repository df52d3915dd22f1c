using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Xml.Linq;
using Xunit.Abstractions;

namespace VirtioScsi.Tests.Live;

/// <summary>
/// A real guest kernel (tests/Guest) in a TCG domain whose serial console goes to a file. Its /init prints
/// a "VSGUEST …" line for every SCSI device that appears or goes, with what sg_inq says of it. Created with
/// commands, the guest also runs shell commands the test sends (<see cref="Run"/>) on a second serial port.
/// </summary>
public sealed class TestGuest : IDisposable
{
    private readonly ITestOutputHelper _output;
    private int _linesShown;
    private Socket? _commandSocket;
    private int _commandSequence;

    private TestGuest(string name, string log, string? commandSocket, ITestOutputHelper output)
    {
        Name = name;
        LogFile = log;
        CommandSocketPath = commandSocket;
        _output = output;
    }

    public string Name { get; }
    public string LogFile { get; }
    /// <summary>The unix socket QEMU listens on for the guest's command port (ttyS1); null without commands.</summary>
    public string? CommandSocketPath { get; }

    /// <summary>The built guest (kernel and initramfs), built on first use; null where it cannot be.</summary>
    public static string? GuestDirectory => Built.Value;

    private static readonly Lazy<string?> Built = new(() =>
    {
        var dir = Environment.GetEnvironmentVariable("VIRTIOSCSI_GUEST_DIR") ?? "/var/cache/virtioscsi-guest";
        var script = Path.Combine(RepoRoot, "tests", "Guest", "build-guest.sh");
        // Cached: a no-op when the guest is built and its inputs have not changed.
        var (code, _, error) = LiveStack.Run("bash", script, dir);
        return code == 0 && File.Exists(Path.Combine(dir, "vmlinux")) ? dir : throw new InvalidOperationException("tests/Guest/build-guest.sh failed: " + error);
    });

    public static string RepoRoot
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "VirtioScsi.psd1"))) dir = dir.Parent;
            return dir?.FullName ?? throw new InvalidOperationException("repository root not found");
        }
    }

    /// <summary>
    /// Defines the guest domain. With a kernel it boots the test kernel directly; without one it boots
    /// from whatever disk the firmware finds. TCG (type qemu): the KVM here cannot run a guest kernel.
    /// With <paramref name="commands"/> (direct kernel only) the guest reads commands from its second serial
    /// port, which QEMU serves as a unix socket.
    /// </summary>
    public static TestGuest Create(string purpose, string devicesXml, bool directKernel, ITestOutputHelper output, bool start, bool commands = false)
    {
        if (commands && !directKernel) throw new ArgumentException("commands need the direct kernel boot, whose command line turns them on", nameof(commands));
        var name = LiveStack.UniqueName(purpose);
        var log = Path.Combine(Path.GetTempPath(), name + ".serial.log");
        var socket = commands ? Path.Combine(Path.GetTempPath(), name + ".commands.sock") : null;
        var dir = GuestDirectory!;
        var os = new XElement("os", new XElement("type", new XAttribute("arch", "x86_64"), new XAttribute("machine", "pc"), "hvm"));
        if (directKernel)
        {
            os.Add(new XElement("kernel", Path.Combine(dir, "vmlinux")),
                   new XElement("initrd", Path.Combine(dir, "initramfs.cpio.gz")),
                   new XElement("cmdline", "console=ttyS0 panic=-1" + (commands ? " vsguest.commands=ttyS1" : "")));
        }
        else
        {
            os.Add(new XElement("bios", new XAttribute("useserial", "yes")));
        }
        var devices = XElement.Parse("<devices>" + devicesXml + "</devices>");
        devices.Add(new XElement("serial", new XAttribute("type", "file"),
            new XElement("source", new XAttribute("path", log)),
            new XElement("target", new XAttribute("port", 0))));
        if (socket is not null)
        {
            devices.Add(new XElement("serial", new XAttribute("type", "unix"),
                new XElement("source", new XAttribute("mode", "bind"), new XAttribute("path", socket)),
                new XElement("target", new XAttribute("port", 1))));
        }
        var domain = new XElement("domain", new XAttribute("type", "qemu"),
            new XElement("name", name),
            new XElement("memory", new XAttribute("unit", "MiB"), 256),
            new XElement("vcpu", 1),
            os,
            new XElement("features", new XElement("acpi")),
            new XElement("on_reboot", "destroy"),
            devices);
        var file = Path.Combine(Path.GetTempPath(), $"virtioscsi-guest-{Guid.NewGuid():N}.xml");
        File.WriteAllText(file, domain.ToString());
        try
        {
            LiveStack.Virsh("define", file);
        }
        finally
        {
            File.Delete(file);
        }
        var guest = new TestGuest(name, log, socket, output);
        if (start) guest.Start();
        return guest;
    }

    public void Start() => LiveStack.Virsh("start", Name);

    /// <summary>The guest's own lines so far (the part after "VSGUEST ").</summary>
    public IReadOnlyList<string> Lines()
    {
        if (!File.Exists(LogFile)) return Array.Empty<string>();
        string text;
        using (var stream = new FileStream(LogFile, FileMode.Open, FileAccess.Read, FileShare.ReadWrite))
        using (var reader = new StreamReader(stream))
            text = reader.ReadToEnd();
        // Only whole lines: QEMU may be in the middle of writing the last one (a wait once matched
        // "driver=virtio_scs" a moment before the "i" and the newline came).
        var complete = text.LastIndexOf('\n');
        if (complete < 0) return Array.Empty<string>();
        return text.Substring(0, complete).Split('\n')
            .Select(l => l.TrimEnd('\r'))
            .Select(l => l.IndexOf("VSGUEST ", StringComparison.Ordinal) is var i and >= 0 ? l.Substring(i + 8) : null)
            .Where(l => l is not null)
            .Select(l => l!)
            .ToArray();
    }

    /// <summary>Waits for a guest line that satisfies <paramref name="match"/>, echoing new guest lines to the test output.</summary>
    public string WaitFor(Func<string, bool> match, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var lines = Lines();
            for (; _linesShown < lines.Count; _linesShown++) _output.WriteLine("guest " + Name + ": VSGUEST " + lines[_linesShown]);
            var found = lines.FirstOrDefault(match);
            if (found is not null) return found;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"The guest did not report {what} within {timeout.TotalSeconds:0} s. Its serial log ({LogFile}):\n" + SafeRead());
            Thread.Sleep(100);
        }
    }

    private string SafeRead()
    {
        try { return File.ReadAllText(LogFile); } catch (IOException e) { return e.Message; }
    }

    /// <summary>
    /// Runs one shell command in the guest (busybox sh -c) and waits for its exit status. Needs a guest created
    /// with commands that reported "ready … commands=ttyS1". Commands run one after another in the guest.
    /// </summary>
    public GuestCommandResult Run(string command, TimeSpan timeout)
    {
        if (CommandSocketPath is null) throw new InvalidOperationException($"The guest {Name} was created without commands.");
        if (command.IndexOfAny(new[] { '\n', '\r' }) >= 0) throw new ArgumentException("A guest command is one line.", nameof(command));
        if (_commandSocket is null)
        {
            var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            socket.Connect(new UnixDomainSocketEndPoint(CommandSocketPath));
            _commandSocket = socket;
        }
        var id = "c" + Interlocked.Increment(ref _commandSequence);
        _output.WriteLine($"host -> {Name}: {id} {command}");
        var started = DateTime.UtcNow;
        _commandSocket.Send(Encoding.UTF8.GetBytes(id + " " + command + "\n"));
        var end = WaitFor(l => l.StartsWith("run-end " + id + " ", StringComparison.Ordinal), timeout, $"the end of command {id} ({command})");
        _output.WriteLine($"host: {id} took {(DateTime.UtcNow - started).TotalSeconds:0.00} s");
        var prefix = "run " + id + ": ";
        var output = Lines().Where(l => l.StartsWith(prefix, StringComparison.Ordinal)).Select(l => l.Substring(prefix.Length)).ToArray();
        return new GuestCommandResult(command, int.Parse(Fields(end)["rc"]), output);
    }

    public static Dictionary<string, string> Fields(string line) =>
        line.Split(' ').Skip(1).Select(f => f.Split(new[] { '=' }, 2)).Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1]);

    public void Dispose()
    {
        _commandSocket?.Dispose();
        LiveStack.Run("virsh", "--connect", LiveStack.Uri, "destroy", Name);
        LiveStack.Run("virsh", "--connect", LiveStack.Uri, "undefine", Name);
        try { File.Delete(LogFile); } catch (IOException) { }
        if (CommandSocketPath is not null)
        {
            try { File.Delete(CommandSocketPath); } catch (IOException) { }
        }
    }
}

/// <summary>What a command run in the guest printed (stdout and stderr, one entry a line) and its exit status.</summary>
public sealed record GuestCommandResult(string Command, int ExitCode, IReadOnlyList<string> Output)
{
    public string Text => string.Join("\n", Output);

    public override string ToString() => $"'{Command}' exited {ExitCode}:\n{Text}";
}

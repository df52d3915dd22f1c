using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using System.Threading;
using VirtioScsi.Engine;
using Xunit;

namespace VirtioScsi.Tests.Live;

/// <summary>
/// The real stack the live tests run against: libvirtd with QEMU on qemu:///system and the project's own
/// tgtd (see .ci/setup-stack.sh). Where VIRTIOSCSI_REQUIRE_LIVE=1 (as in CI) a missing stack fails the
/// tests; elsewhere they report themselves skipped.
/// </summary>
internal static class LiveStack
{
    public const string Uri = "qemu:///system";
    public static readonly int IscsiPort = int.TryParse(Environment.GetEnvironmentVariable("VIRTIOSCSI_ISCSI_PORT"), out var p) ? p : 13260;
    public static readonly string TgtControlPort = Environment.GetEnvironmentVariable("VIRTIOSCSI_TGT_CONTROL_PORT") ?? "13";
    public static string Portal => $"127.0.0.1:{IscsiPort}";

    private static readonly Lazy<string?> Problem = new(FindProblem);

    /// <summary>Skips the test where the stack is missing, or fails it where the stack is required.</summary>
    public static void Require()
    {
        if (Problem.Value is null) return;
        if (Environment.GetEnvironmentVariable("VIRTIOSCSI_REQUIRE_LIVE") == "1")
            throw new InvalidOperationException("The live libvirt stack is required (VIRTIOSCSI_REQUIRE_LIVE=1) but " + Problem.Value + ". Run .ci/setup-stack.sh as root.");
        Skip.If(true, "live libvirt stack unavailable: " + Problem.Value + " (run .ci/setup-stack.sh as root)");
    }

    private static string? FindProblem()
    {
        if (Support.Tools.Virsh is null) return "virsh is not installed";
        var (code, _, error) = Run("virsh", "--connect", Uri, "version", "--daemon");
        if (code != 0) return "libvirtd does not answer on " + Uri + ": " + error.Trim();
        var (tgtCode, _, tgtError) = Run("tgtadm", "-C", TgtControlPort, "--lld", "iscsi", "--mode", "system", "--op", "show");
        if (tgtCode != 0) return $"tgtd does not answer on control port {TgtControlPort}: {tgtError.Trim()}";
        return null;
    }

    /// <summary>
    /// The engine on the test connection, counting the virsh processes it starts. Like the cmdlets, it keeps
    /// one virsh session open unless asked to start a process per batch. (Never disposed here: the session's
    /// virsh ends when the test host closes its stdin.)
    /// </summary>
    public static ScsiManager Manager(bool session = true) => new ScsiManagerFactory(keepSessionOpen: session).Open(Uri);

    /// <summary>Runs a program with an argument list (the tests' own path to virsh, independent of the product's runner).</summary>
    public static (int Code, string Output, string Error) Run(string program, params string[] arguments)
    {
        var startInfo = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments) startInfo.ArgumentList.Add(argument);
        startInfo.Environment["LC_ALL"] = "C.UTF-8";
        using var process = Process.Start(startInfo)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(120_000))
        {
            process.Kill(true);
            throw new TimeoutException($"{program} {string.Join(" ", arguments)} did not finish in 120 s");
        }
        return (process.ExitCode, output.Result, error.Result);
    }

    public static string Virsh(params string[] arguments)
    {
        var (code, output, error) = Run("virsh", new[] { "--connect", Uri }.Concat(arguments).ToArray());
        if (code != 0) throw new InvalidOperationException($"virsh {string.Join(" ", arguments)} failed: {error}");
        return output;
    }

    public static string DumpXml(string domain, bool inactive = false) =>
        inactive ? Virsh("dumpxml", "--inactive", domain) : Virsh("dumpxml", domain);

    /// <summary>QEMU's own view of its devices: every scsi-block device with the bus it sits on.</summary>
    public static IReadOnlyList<QemuScsiDevice> ScsiBlockDevices(string domain)
    {
        var qtree = Virsh("qemu-monitor-command", domain, "--hmp", "info qtree");
        var devices = new List<QemuScsiDevice>();
        string? bus = null;
        QemuScsiDevice? current = null;
        foreach (var raw in qtree.Split('\n'))
        {
            var line = raw.Trim();
            if (line.StartsWith("bus: ")) bus = line.Substring(5);
            var dev = Regex.Match(line, "^dev: ([a-z0-9-]+), id \"([^\"]*)\"");
            if (dev.Success)
            {
                current = dev.Groups[1].Value is "scsi-block" or "scsi-hd" or "scsi-generic" or "scsi-cd"
                    ? new QemuScsiDevice(dev.Groups[1].Value, dev.Groups[2].Value, bus ?? "")
                    : null;
                if (current is not null) devices.Add(current);
                continue;
            }
            if (current is null) continue;
            var id = Regex.Match(line, "^scsi-id = ([0-9]+)");
            if (id.Success) current.ScsiId = int.Parse(id.Groups[1].Value);
            var lun = Regex.Match(line, "^lun = ([0-9]+)");
            if (lun.Success) current.Lun = int.Parse(lun.Groups[1].Value);
        }
        return devices;
    }

    /// <summary>The QEMU device type of the controller behind a bus alias (virtio-scsi-pci, lsi53c895a, …).</summary>
    public static string? ControllerTypeOf(string domain, string controllerAlias)
    {
        var qtree = Virsh("qemu-monitor-command", domain, "--hmp", "info qtree");
        var match = Regex.Match(qtree, "dev: ([a-z0-9-]+), id \"" + Regex.Escape(controllerAlias) + "\"");
        return match.Success ? match.Groups[1].Value : null;
    }

    private static int _sequence;

    /// <summary>A domain name no other test uses.</summary>
    public static string UniqueName(string purpose) =>
        $"vst-{purpose}-{Environment.ProcessId}-{Interlocked.Increment(ref _sequence)}";
}

public sealed class QemuScsiDevice
{
    public QemuScsiDevice(string type, string id, string bus)
    {
        Type = type;
        Id = id;
        Bus = bus;
    }

    public string Type { get; }
    public string Id { get; }
    /// <summary>The SCSI bus, named after the controller's alias: scsi1.0 is controller 1's.</summary>
    public string Bus { get; }
    public int ScsiId { get; set; }
    public int Lun { get; set; }
}

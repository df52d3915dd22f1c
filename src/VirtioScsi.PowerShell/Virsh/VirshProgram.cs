using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Runtime.InteropServices;
using System.Text;
using System.Threading;
using VirtioScsi.Errors;

namespace VirtioScsi.Virsh;

/// <summary>
/// The virsh executable for one connection: where it is, how long a call may take, and how a process of it
/// is started (with an argument list, never through a shell). Both runners start virsh through it, so it
/// counts every process and logs every command in one place.
/// </summary>
internal sealed class VirshProgram
{
    private readonly Action<string>? _log;
    private int _processesStarted;

    public VirshProgram(string? connectionUri = null, TimeSpan? timeout = null, string? virshPath = null, Action<string>? log = null)
    {
        ConnectionUri = string.IsNullOrWhiteSpace(connectionUri) ? null : connectionUri;
        Timeout = timeout ?? TimeSpan.FromSeconds(120);
        Path = virshPath ?? Find(Environment.GetEnvironmentVariable("PATH"));
        _log = log;
    }

    /// <summary>The URI handed to virsh, or null for virsh's own default (LIBVIRT_DEFAULT_URI, then its built-in).</summary>
    public string? ConnectionUri { get; }
    public TimeSpan Timeout { get; }
    public string Path { get; }
    public int ProcessesStarted => _processesStarted;
    public bool Logs => _log is not null;

    /// <summary>
    /// True for a URI whose connection goes over the network (a +ssh, +libssh, +libssh2, +tcp or +tls
    /// transport, or a host name without one, which libvirt takes as TLS): each new virsh pays for it again.
    /// </summary>
    public static bool IsRemote(string? connectionUri)
    {
        if (connectionUri is null) return false;
        var schemeEnd = connectionUri.IndexOf("://", StringComparison.Ordinal);
        if (schemeEnd < 0) return false;
        var scheme = connectionUri.Substring(0, schemeEnd);
        var plus = scheme.IndexOf('+');
        if (plus >= 0) return scheme.Substring(plus + 1) is "ssh" or "libssh" or "libssh2" or "tcp" or "tls";
        var host = connectionUri.Substring(schemeEnd + 3).Split('/')[0];
        return host.Length > 0;
    }

    /// <summary>Finds virsh on a PATH string, or explains which package provides it.</summary>
    public static string Find(string? path)
    {
        var names = RuntimeInformation.IsOSPlatform(OSPlatform.Windows) ? new[] { "virsh.exe", "virsh" } : new[] { "virsh" };
        foreach (var dir in (path ?? "").Split(new[] { System.IO.Path.PathSeparator }, StringSplitOptions.RemoveEmptyEntries))
        {
            foreach (var name in names)
            {
                var candidate = System.IO.Path.Combine(dir.Trim(), name);
                if (File.Exists(candidate)) return candidate;
            }
        }
        throw Error.VirshNotOnPath();
    }

    /// <summary>--connect URI when a connection was named, then the given arguments.</summary>
    public List<string> Arguments(params string[] rest)
    {
        var arguments = new List<string>();
        if (ConnectionUri is not null)
        {
            arguments.Add("--connect");
            arguments.Add(ConnectionUri);
        }
        arguments.AddRange(rest);
        return arguments;
    }

    /// <summary>Starts virsh with an argument list, never through a shell, all three streams redirected.</summary>
    public Process Start(List<string> arguments)
    {
        var startInfo = new ProcessStartInfo(Path, ProcessArguments.Join(arguments))
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            CreateNoWindow = true,
            StandardOutputEncoding = Utf8,
            StandardErrorEncoding = Utf8,
        };
        // virsh's messages are matched in English, and names with any letters must pass unchanged.
        if (!RuntimeInformation.IsOSPlatform(OSPlatform.Windows)) startInfo.Environment["LC_ALL"] = "C.UTF-8";

        var process = new Process { StartInfo = startInfo };
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            process.Dispose();
            throw Error.VirshNotStartable(Path, e);
        }
        Interlocked.Increment(ref _processesStarted);
        return process;
    }

    public void Log(VirshCommand command) => _log?.Invoke(command.ToCommandLine(ConnectionUri));

    public void Log(string line) => _log?.Invoke(line);

    private static readonly Encoding Utf8 = new UTF8Encoding(false);
}

using System;
using System.IO;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using System.Threading;
using VirtioScsi.Errors;

namespace VirtioScsi.Engine;

/// <summary>
/// One change at a time to a domain, across runspaces and processes on the host that runs virsh: an
/// exclusive lock on a file named after the connection's host and the domain. It is held from the read a
/// change is planned from to the read-back that proves it, so two callers never plan from the same state.
/// </summary>
/// <remarks>
/// .NET takes <c>FileShare.None</c> on Unix as flock(LOCK_EX) on the open file description: a second open
/// fails at once, in this process or another, and the kernel drops the lock when the holder exits however
/// it exits (SIGKILL too), so a killed call never leaves a domain locked. Lock files stay (removing them
/// would race with the next taker); they are empty, and /run is emptied at boot. The lock does not depend
/// on any virsh process, so it holds whatever transport the change travels on.
/// </remarks>
internal sealed class DomainChangeLock : IDisposable
{
    private FileStream? _stream;

    private DomainChangeLock(FileStream stream, string path)
    {
        _stream = stream;
        Path = path;
    }

    public string Path { get; }

    /// <summary>How long a change waits for another one to the same domain: VIRTIOSCSI_LOCK_TIMEOUT_SEC, 120 s by default.</summary>
    public static TimeSpan DefaultWait => Seconds("VIRTIOSCSI_LOCK_TIMEOUT_SEC", 120);

    /// <summary>
    /// Takes the lock for <paramref name="domain"/> on <paramref name="connectionUri"/>, waiting at most
    /// <paramref name="wait"/> for another change to finish; then fails with DomainChangeInProgress.
    /// </summary>
    public static DomainChangeLock Acquire(string? connectionUri, string domain, TimeSpan wait, CancellationToken cancellationToken)
    {
        var path = PathFor(connectionUri, domain);
        return Acquire(path, wait, cancellationToken,
            () => Error.DomainChangeInProgress(domain, wait, path), why => Error.DomainLockUnavailable(domain, path, why));
    }

    /// <summary>
    /// Takes the lock for attaching the LUN whose identity is <paramref name="sourceKey"/> on
    /// <paramref name="connectionUri"/>: the shared-LUN guard's look at the other domains and the attach it
    /// allows are one step, so two calls never both find the LUN free and both attach it.
    /// </summary>
    /// <param name="source">The source as the user named it, for the error.</param>
    public static DomainChangeLock AcquireForLun(string? connectionUri, string sourceKey, string source, TimeSpan wait, CancellationToken cancellationToken)
    {
        var path = PathForLun(connectionUri, sourceKey);
        return Acquire(path, wait, cancellationToken,
            () => Error.LunAttachInProgress(source, wait, path), why => Error.LunLockUnavailable(source, path, why));
    }

    private static DomainChangeLock Acquire(string path, TimeSpan wait, CancellationToken cancellationToken,
        Func<VirtioScsiException> busy, Func<string, VirtioScsiException> denied)
    {
        var deadline = DateTime.UtcNow + wait;
        var random = new Random(Environment.TickCount ^ Thread.CurrentThread.ManagedThreadId);
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                var stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
                // Others' processes (another user in the libvirt group) must be able to open it too.
                if (NativeMethodsForLock.IsUnix) NativeMethodsForLock.Chmod(path, Convert.ToUInt32("666", 8));
                return new DomainChangeLock(stream, path);
            }
            catch (IOException)
            {
                // Held by another change: wait a little, jittered so that waiters do not wake together.
            }
            catch (UnauthorizedAccessException e)
            {
                throw denied(e.Message);
            }
            if (DateTime.UtcNow >= deadline) throw busy();
            if (cancellationToken.WaitHandle.WaitOne(random.Next(15, 60))) cancellationToken.ThrowIfCancellationRequested();
        }
    }

    public void Dispose()
    {
        _stream?.Dispose();
        _stream = null;
    }

    /// <summary>
    /// The lock file: one a domain and connection host. Local URIs (qemu:///system, qemu:///session, none)
    /// share one key, which at worst makes two same-named domains of two daemons wait for each other.
    /// </summary>
    internal static string PathFor(string? connectionUri, string domain) => PathFor(connectionUri, domain, "domain", domain);

    /// <summary>The lock file of a LUN (by its identity key, <see cref="Model.LunSourceIdentity"/>) on a connection's host.</summary>
    internal static string PathForLun(string? connectionUri, string sourceKey) => PathFor(connectionUri, sourceKey, "lun", "");

    /// <param name="kind">What the lock keeps apart: "domain" (changes to one domain) or "lun" (attachments of one LUN).</param>
    /// <param name="shown">What of the name the file name shows, for a look with ls (the hash tells them apart).</param>
    private static string PathFor(string? connectionUri, string name, string kind, string shown)
    {
        // A domain's key is as it was before LUN locks existed, so a change made by an older copy of the module on
        // this host takes the same file; a LUN's key has its kind in it, so no domain name can give the same hash.
        var key = HostOf(connectionUri) + "\n" + (kind == "domain" ? "" : kind + "\n") + name;
        byte[] hash;
        using (var sha = SHA256.Create()) hash = sha.ComputeHash(Encoding.UTF8.GetBytes(key));
        var hex = new StringBuilder();
        for (var i = 0; i < 12; i++) hex.Append(hash[i].ToString("x2"));
        var readable = new StringBuilder();
        foreach (var c in shown)
        {
            if (readable.Length >= 40) break;
            readable.Append(c < 128 && (char.IsLetterOrDigit(c) || c is '-' or '_' or '.') ? c : '_');
        }
        return System.IO.Path.Combine(LockDirectory.Value, readable.Length > 0 ? $"{kind}-{readable}-{hex}.lock" : $"{kind}-{hex}.lock");
    }

    private static string HostOf(string? connectionUri)
    {
        if (string.IsNullOrWhiteSpace(connectionUri)) return "local";
        if (!Uri.TryCreate(connectionUri, UriKind.Absolute, out var uri) || string.IsNullOrEmpty(uri.Host)) return "local";
        return uri.Host.ToLowerInvariant() + ":" + uri.Port;
    }

    private static readonly Lazy<string> LockDirectory = new(FindDirectory);

    /// <summary>/run/lock/virtioscsi (shared by every user of the host), else $XDG_RUNTIME_DIR/virtioscsi, else the temp folder.</summary>
    private static string FindDirectory()
    {
        foreach (var candidate in new[] { "/run/lock", Environment.GetEnvironmentVariable("XDG_RUNTIME_DIR"), System.IO.Path.GetTempPath() })
        {
            if (string.IsNullOrEmpty(candidate) || !System.IO.Directory.Exists(candidate)) continue;
            var dir = System.IO.Path.Combine(candidate!, "virtioscsi");
            try
            {
                if (!System.IO.Directory.Exists(dir))
                {
                    System.IO.Directory.CreateDirectory(dir);
                    // World-writable with the sticky bit, like /run/lock itself: every user's changes meet here.
                    if (NativeMethodsForLock.IsUnix && candidate == "/run/lock") NativeMethodsForLock.Chmod(dir, Convert.ToUInt32("1777", 8));
                }
                var probe = System.IO.Path.Combine(dir, ".probe-" + Environment.UserName);
                using (new FileStream(probe, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.ReadWrite)) { }
                return dir;
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
        return System.IO.Path.GetTempPath();
    }

    private static TimeSpan Seconds(string variable, int fallback)
    {
        var text = Environment.GetEnvironmentVariable(variable);
        return TimeSpan.FromSeconds(int.TryParse(text, out var seconds) && seconds > 0 ? seconds : fallback);
    }

    private static class NativeMethodsForLock
    {
        public static bool IsUnix => !RuntimeInformation.IsOSPlatform(OSPlatform.Windows);

        [DllImport("libc", EntryPoint = "chmod", SetLastError = true)]
        private static extern int NativeChmod(string path, uint mode);

        // Best effort: a file another user created keeps its mode (chmod is refused), which is theirs to set.
        public static void Chmod(string path, uint mode) => NativeChmod(path, mode);
    }
}

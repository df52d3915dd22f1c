using System;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using System.Threading;

namespace VirtioScsi.Tests.Live;

/// <summary>
/// A file-backed iSCSI LUN served by the project's tgtd on 127.0.0.1 (LUN 0 of a tgtd target is its
/// controller; the data LUN is 1). Removed, with its file, on Dispose.
/// </summary>
public sealed class IscsiLun : IDisposable
{
    private static readonly object TidLock = new();

    private IscsiLun(int tid, string iqn, string backingFile)
    {
        Tid = tid;
        Iqn = iqn;
        BackingFile = backingFile;
    }

    public int Tid { get; }
    public string Iqn { get; }
    public int Lun => 1;
    public string BackingFile { get; }
    public string Portal => LiveStack.Portal;

    /// <summary>Serves a new sparse file (or the given one) as LUN 1 of a new target.</summary>
    public static IscsiLun Create(string purpose, long sizeBytes = 32 * 1024 * 1024, string? backingFile = null)
    {
        lock (TidLock)
        {
            // Another test process on this machine may take the same free tid between the look-up and
            // "target new": the loser looks again.
            int tid;
            string iqn;
            for (var attempt = 0; ; attempt++)
            {
                tid = FreeTid();
                iqn = $"iqn.2026-11.test.virtioscsi:{purpose}-{Environment.ProcessId}-{tid}";
                var (code, _, error) = LiveStack.Run("tgtadm", "-C", LiveStack.TgtControlPort, "--lld", "iscsi", "--mode", "target", "--op", "new", "--tid", tid.ToString(), "--targetname", iqn);
                if (code == 0) break;
                if (attempt >= 20) throw new InvalidOperationException($"tgtadm target new --tid {tid} failed: {error}");
                Thread.Sleep(Random.Shared.Next(10, 100));
            }
            var file = backingFile ?? Path.Combine(Path.GetTempPath(), $"virtioscsi-lun-{Environment.ProcessId}-{tid}.img");
            if (backingFile is null)
            {
                using var stream = File.Create(file);
                stream.SetLength(sizeBytes);
            }
            Tgt("--mode", "logicalunit", "--op", "new", "--tid", tid.ToString(), "--lun", "1", "--backing-store", file);
            Tgt("--mode", "target", "--op", "bind", "--tid", tid.ToString(), "--initiator-address", "127.0.0.1");
            return new IscsiLun(tid, iqn, file);
        }
    }

    private static int FreeTid()
    {
        var shown = Tgt("--mode", "target", "--op", "show");
        var used = Regex.Matches(shown, @"^Target (\d+):", RegexOptions.Multiline).Select(m => int.Parse(m.Groups[1].Value)).ToHashSet();
        // 100-899 are the tests'; the guest scripts use 900-999 by hand.
        return Enumerable.Range(100, 800).First(t => !used.Contains(t));
    }

    private static string Tgt(params string[] arguments)
    {
        var (code, output, error) = LiveStack.Run("tgtadm", new[] { "-C", LiveStack.TgtControlPort, "--lld", "iscsi" }.Concat(arguments).ToArray());
        if (code != 0) throw new InvalidOperationException($"tgtadm {string.Join(" ", arguments)} failed: {error}");
        return output;
    }

    public void Dispose()
    {
        for (var attempt = 0; attempt < 20; attempt++)
        {
            var (code, _, _) = LiveStack.Run("tgtadm", "-C", LiveStack.TgtControlPort, "--lld", "iscsi", "--mode", "target", "--op", "delete", "--force", "--tid", Tid.ToString());
            if (code == 0) break;
            Thread.Sleep(100);
        }
        try { File.Delete(BackingFile); } catch (IOException) { }
    }
}

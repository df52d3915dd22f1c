using System;
using System.IO;
using System.Text;
using System.Text.RegularExpressions;

namespace VirtioScsi.Engine;

/// <summary>
/// The file a change step's XML travels in to virsh (ChangeStep.FilePath: virtioscsi-&lt;32 hex&gt;.xml in the
/// temp folder). It is private to its owner before anything is written to it (a definition may hold
/// secrets), held open with an exclusive lock while virsh reads it, and removed afterwards. A call that is
/// killed in between leaves the file, unlocked: the next change finds such files and removes them.
/// </summary>
internal sealed class StepXmlFile : IDisposable
{
    private static readonly Regex OwnName = new(@"\Avirtioscsi-[0-9a-f]{32}\.xml\z", RegexOptions.CultureInvariant);
    private static readonly TimeSpan StaleAfter = TimeSpan.FromMinutes(1);
    private static long _lastSweepTicks;

    private readonly string _path;
    private FileStream? _held;

    private StepXmlFile(string path, FileStream held)
    {
        _path = path;
        _held = held;
    }

    public static StepXmlFile Write(string path, string text)
    {
        // FileShare.None is flock(LOCK_EX) on Unix, advisory: virsh still reads the file, and the sweep of another
        // process sees it in use. On Windows the share mode is enforced, so virsh must be let read.
        var stream = new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, NativeMethods.IsUnix ? FileShare.None : FileShare.Read);
        try
        {
            NativeMethods.MakePrivate(path);
            var bytes = new UTF8Encoding(false).GetBytes(text);
            stream.Write(bytes, 0, bytes.Length);
            stream.Flush();
            return new StepXmlFile(path, stream);
        }
        catch
        {
            stream.Dispose();
            TryDelete(path);
            throw;
        }
    }

    public void Dispose()
    {
        // Removed while still held, so no sweep can take it for a stale one in between.
        TryDelete(_path);
        _held?.Dispose();
        _held = null;
    }

    /// <summary>
    /// Removes step files that no process holds and that are older than a minute: what killed calls left.
    /// At most once a minute a process; files of other users are theirs (the sticky temp folder refuses).
    /// </summary>
    public static void RemoveStale()
    {
        var now = DateTime.UtcNow.Ticks;
        var last = System.Threading.Interlocked.Read(ref _lastSweepTicks);
        if (now - last < StaleAfter.Ticks || System.Threading.Interlocked.CompareExchange(ref _lastSweepTicks, now, last) != last) return;
        try
        {
            foreach (var file in Directory.EnumerateFiles(Path.GetTempPath(), "virtioscsi-*.xml"))
            {
                if (!OwnName.IsMatch(Path.GetFileName(file))) continue;
                try
                {
                    if (DateTime.UtcNow - File.GetLastWriteTimeUtc(file) < StaleAfter) continue;
                    using (new FileStream(file, FileMode.Open, FileAccess.ReadWrite, FileShare.None))
                        File.Delete(file);
                }
                catch (IOException)
                {
                    // In use by a running change, or gone meanwhile.
                }
                catch (UnauthorizedAccessException)
                {
                }
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    /// <summary>Lets the next <see cref="RemoveStale"/> run now (tests).</summary>
    internal static void ResetSweepClock() => System.Threading.Interlocked.Exchange(ref _lastSweepTicks, 0);

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}

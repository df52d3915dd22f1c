using System;
using System.Runtime.InteropServices;

namespace VirtioScsi.Engine;

/// <summary>The few libc calls netstandard2.0 has no managed form of (Unix only).</summary>
internal static class NativeMethods
{
    public static bool IsUnix => !RuntimeInformation.IsOSPlatform(OSPlatform.Windows);

    [DllImport("libc", EntryPoint = "realpath", SetLastError = true)]
    private static extern IntPtr RealPath(string path, IntPtr resolved);

    [DllImport("libc", EntryPoint = "free")]
    private static extern void Free(IntPtr pointer);

    [DllImport("libc", EntryPoint = "chmod", SetLastError = true)]
    private static extern int Chmod(string path, uint mode);

    /// <summary>The path with every symlink resolved, or null when it does not exist.</summary>
    public static string? ResolvePath(string path)
    {
        if (!IsUnix) return path;
        var result = RealPath(path, IntPtr.Zero);
        if (result == IntPtr.Zero) return null;
        try
        {
            return Marshal.PtrToStringAnsi(result);
        }
        finally
        {
            Free(result);
        }
    }

    /// <summary>Makes a file readable and writable by its owner only.</summary>
    public static void MakePrivate(string path)
    {
        if (IsUnix && Chmod(path, Convert.ToUInt32("600", 8)) != 0)
            throw new System.IO.IOException($"chmod 600 '{path}' failed (errno {Marshal.GetLastWin32Error()}).");
    }
}

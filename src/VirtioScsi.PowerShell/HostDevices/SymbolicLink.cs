using System;
using System.Runtime.InteropServices;
using System.Text;

namespace VirtioScsi.HostDevices;

/// <summary>readlink(2): netstandard2.0 has no managed way to read where a symlink points.</summary>
internal static class SymbolicLink
{
    [DllImport("libc", EntryPoint = "readlink", SetLastError = true)]
    private static extern IntPtr ReadLink(string path, byte[] buffer, IntPtr size);

    /// <summary>The link's target as written, or null when the path is not a symlink (or on Windows).</summary>
    public static string? Target(string path)
    {
        if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows)) return null;
        var buffer = new byte[4096];
        var length = ReadLink(path, buffer, (IntPtr)buffer.Length).ToInt64();
        return length <= 0 ? null : Encoding.UTF8.GetString(buffer, 0, (int)length);
    }
}

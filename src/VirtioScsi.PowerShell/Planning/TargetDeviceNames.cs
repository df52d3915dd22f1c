using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using VirtioScsi.Libvirt;
using VirtioScsi.Model;

namespace VirtioScsi.Planning;

/// <summary>
/// SCSI target device names: sda…sdz, sdaa…sdzz, sdaaa…, the sequence libvirt and Linux use.
/// </summary>
internal static class TargetDeviceNames
{
    private static readonly Regex Pattern = new(@"\Asd[a-z]{1,3}\z", RegexOptions.CultureInvariant);

    public static bool IsValid(string name) => name is not null && Pattern.IsMatch(name);

    /// <summary>0 → sda, 25 → sdz, 26 → sdaa (bijective base 26, as the kernel names disks).</summary>
    public static string FromIndex(int index)
    {
        if (index < 0) throw new ArgumentOutOfRangeException(nameof(index));
        var letters = new StringBuilder();
        var n = index + 1;
        while (n > 0)
        {
            n--;
            letters.Insert(0, (char)('a' + n % 26));
            n /= 26;
        }
        return "sd" + letters;
    }

    /// <summary>The index of a name, or -1 when it is not an sdX name.</summary>
    public static int ToIndex(string name)
    {
        if (!IsValid(name)) return -1;
        var n = 0;
        foreach (var c in name.Substring(2)) n = n * 26 + (c - 'a' + 1);
        return n - 1;
    }

    /// <summary>The lowest sdX name that no disk in any of the definitions uses.</summary>
    public static string LowestFree(IEnumerable<DomainDefinition> definitions)
    {
        var used = new HashSet<int>(definitions.SelectMany(d => d.Disks)
            .Select(d => d.TargetDevice is null ? -1 : ToIndex(d.TargetDevice))
            .Where(i => i >= 0));
        var index = 0;
        while (used.Contains(index)) index++;
        return FromIndex(index);
    }
}

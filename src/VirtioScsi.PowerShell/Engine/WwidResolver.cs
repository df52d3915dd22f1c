using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;
using VirtioScsi.Errors;
using VirtioScsi.Model;

namespace VirtioScsi.Engine;

/// <summary>
/// Add-PassthroughLun -Wwid: the one host LUN a WWID names, and the stable path to attach it by; refused
/// when no LUN or several match, when the LUN would be attached through one path of several, when it has
/// no stable name, or when QEMU cannot pass it through.
/// </summary>
internal static class WwidResolver
{
    /// <summary>
    /// True when <paramref name="pattern"/> (wildcards allowed, case ignored) names the WWID: as udev writes
    /// it (3600a0980…), or for an NAA WWID as storage arrays and the kernel do (600a0980…, 0x600a0980…, naa.600a0980…).
    /// </summary>
    public static bool Matches(string pattern, string? wwid)
    {
        if (wwid is null) return false;
        var regex = WildcardRegex(pattern.Trim());
        return Forms(wwid).Any(regex.IsMatch);
    }

    private static IEnumerable<string> Forms(string wwid)
    {
        yield return wwid;
        if (wwid.Length > 1 && wwid[0] == '3')
        {
            var naa = wwid.Substring(1);
            yield return naa;
            yield return "0x" + naa;
            yield return "naa." + naa;
        }
    }

    // * and ? as PowerShell's wildcards (the engine takes no PowerShell types); [ ] taken literally.
    private static Regex WildcardRegex(string pattern) =>
        new("^" + Regex.Escape(pattern).Replace(@"\*", ".*").Replace(@"\?", ".") + "$",
            RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

    /// <summary>The one LUN among <paramref name="luns"/> that <paramref name="wwid"/> names, checked to attach.</summary>
    /// <param name="hostReadable">The host is this machine, so its multipath maps and by-id links were read.</param>
    public static HostScsiLun Resolve(string wwid, IReadOnlyList<HostScsiLun> luns, string? connectionUri, bool hostReadable)
    {
        var matched = luns.Where(l => Matches(wwid, l.Wwid)).ToArray();
        if (matched.Length == 0) throw Error.WwidNotFound(wwid, connectionUri);
        if (matched.Length > 1)
            throw Error.WwidAmbiguous(wwid, string.Join("; ", matched.Select(l => $"{l.Wwid} ({string.Join(", ", l.Paths)})")));
        var lun = matched[0];
        var paths = string.Join(", ", lun.Paths);
        if (!lun.IsPassthroughCapable)
            throw Error.SourceNotScsi(lun.Path ?? lun.Paths.FirstOrDefault() ?? wwid,
                $"The LUN '{lun.Wwid}' ({paths})");
        if (lun.Paths.Length > 1 && lun.MultipathMap is null) throw Error.WwidSinglePath(lun.Wwid!, paths, hostReadable);
        if (lun.Path is null) throw Error.WwidNoStablePath(lun.Wwid!, paths);
        return lun;
    }
}

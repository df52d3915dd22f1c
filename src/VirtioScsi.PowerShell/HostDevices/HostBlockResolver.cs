using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;

namespace VirtioScsi.HostDevices;

/// <summary>
/// Resolves a block device on this machine (a local connection's host) from /dev, /sys and /proc: its
/// multipath map, stable by-id name, other paths and host use. Reads only; never throws for what the tree
/// does or does not contain (unreadable entries count as absent). /dev/disk/by-id is read once per resolver:
/// make one per listing. (Its SCSI test is HostBlockDevices.IsScsiBacked's; the two can merge.)
/// </summary>
internal sealed class HostBlockResolver
{
    private readonly HostRoots _roots;

    public HostBlockResolver(HostRoots? roots = null) => _roots = roots ?? HostRoots.ThisMachine;

    /// <summary>The device a /dev path (or a bare kernel name) names, or null when it is no block device.</summary>
    public HostBlockDevice? Resolve(string path)
    {
        var name = path.StartsWith("/", StringComparison.Ordinal) ? _roots.KernelName(path)
            : path.IndexOf('/') < 0 && path != "." && path != ".." && Exists(Block(path)) ? path : null;
        if (name is null) return null;

        var uuid = DeviceMapperUuid(name);
        string? map = IsMultipath(uuid) ? name : Holders(name).FirstOrDefault(h => IsMultipath(DeviceMapperUuid(h)));
        var top = map ?? name;
        var paths = map is null ? new[] { name } : Slaves(map).OrderBy(p => p, StringComparer.Ordinal).ToArray();
        var mapPath = map is null ? null : "/dev/mapper/" + (DeviceMapperName(map) ?? map);

        return new HostBlockDevice(name, File.Exists(Path.Combine(Block(name), "partition")), IsScsi(name, 0),
            mapPath, map is null ? null : DeviceMapperUuid(map)!.Substring("mpath-".Length),
            map is not null && map != name, mapPath ?? ByIdLink(name), paths.Select(p => "/dev/" + p).ToArray(),
            UseOf(top, paths, map));
    }

    // What the host does with the LUN: the kernel devices built on the top device (the map, or the disk),
    // its partitions and partition maps, or on a path directly (besides the map itself); and the mounts and
    // swap on any of them, or on anything built on them (a filesystem on an LVM volume on the LUN).
    private HostUse UseOf(string top, IReadOnlyList<string> paths, string? map)
    {
        var own = new HashSet<string>(new[] { top }.Concat(paths), StringComparer.Ordinal);
        var devices = new HashSet<string>(StringComparer.Ordinal);
        var holders = new List<BlockHolder>();
        var pending = new Queue<string>(own);
        while (pending.Count > 0 && devices.Count < 1024)
        {
            var device = pending.Dequeue();
            if (!devices.Add(device)) continue;
            foreach (var partition in Partitions(device))
            {
                if (own.Contains(device)) own.Add(partition);
                pending.Enqueue(partition);
            }
            foreach (var holder in Holders(device))
            {
                if (holder == map) continue;
                pending.Enqueue(holder);
                if (!own.Contains(device)) continue;
                var uuid = DeviceMapperUuid(holder);
                // A partition map (kpartx: uuid partN-mpath-…) is the LUN's own partition table, not a use;
                // what is built on it is.
                if (uuid is not null && uuid.StartsWith("part", StringComparison.Ordinal)) own.Add(holder);
                else holders.Add(new BlockHolder(holder, KindOf(holder, uuid), DeviceMapperName(holder), device));
            }
        }

        var deviceByNumber = devices.Select(d => (Device: d, Number: ReadText(Path.Combine(Block(d), "dev"))))
            .Where(d => d.Number is not null).GroupBy(d => d.Number!).ToDictionary(g => g.Key, g => g.First().Device);
        var mounts = new List<HostMount>();
        foreach (var line in ReadLines(_roots.Proc + "/self/mountinfo"))
        {
            // id parent major:minor root mountpoint options [optional…] - fstype source superoptions
            var fields = line.Split(' ');
            var separator = Array.IndexOf(fields, "-");
            if (fields.Length < 5 || separator < 5 || separator + 2 >= fields.Length) continue;
            var mounted = deviceByNumber.TryGetValue(fields[2], out var byNumber) ? byNumber
                : NameIn(devices, Unescape(fields[separator + 2]));
            if (mounted is not null) mounts.Add(new HostMount(mounted, Unescape(fields[4]), fields[separator + 1]));
        }
        var swaps = ReadLines(_roots.Proc + "/swaps").Skip(1)
            .Select(line => line.Split(new[] { ' ', '\t' }, StringSplitOptions.RemoveEmptyEntries).FirstOrDefault())
            .Where(file => file is not null)
            .Select(file => NameIn(devices, Unescape(file!)))
            .Where(device => device is not null)
            .Select(device => device!)
            .ToArray();
        return new HostUse(mounts, swaps, holders);
    }

    private string? NameIn(HashSet<string> devices, string hostPath)
    {
        var name = hostPath.StartsWith("/dev/", StringComparison.Ordinal) ? _roots.KernelName(hostPath) : null;
        return name is not null && devices.Contains(name) ? name : null;
    }

    // udev's persistent names for the device: wwn-… (the LUN's world-wide name), then scsi-… (its SCSI
    // identity), then any other by-id link; the first of each kind in ordinal order, so the choice is stable.
    private string? ByIdLink(string name) =>
        ByIdLinks()[name]
            .OrderBy(link => link.StartsWith("wwn-", StringComparison.Ordinal) ? 0 : link.StartsWith("scsi-", StringComparison.Ordinal) ? 1 : 2)
            .ThenBy(link => link, StringComparer.Ordinal)
            .Select(link => "/dev/disk/by-id/" + link)
            .FirstOrDefault();

    // The by-id folder read once per resolver: kernel name → the links that lead to it.
    private ILookup<string, string> ByIdLinks() =>
        _byId ??= Entries(_roots.DiskById)
            .Select(link => (Link: link, Name: _roots.KernelName("/dev/disk/by-id/" + link)))
            .Where(l => l.Name is not null)
            .ToLookup(l => l.Name!, l => l.Link, StringComparer.Ordinal);

    private ILookup<string, string>? _byId;

    // An sd/sr disk has a scsi_device under its sysfs device; a device-mapper device is SCSI when every
    // device under it is (multipath over SCSI paths).
    private bool IsScsi(string name, int depth)
    {
        if (Exists(Path.Combine(Block(name), "device", "scsi_device"))) return true;
        var slaves = Slaves(name);
        return depth < 8 && slaves.Count > 0 && slaves.All(s => IsScsi(s, depth + 1));
    }

    private static bool IsMultipath(string? uuid) => uuid is not null && uuid.StartsWith("mpath-", StringComparison.Ordinal);

    private BlockHolderKind KindOf(string holder, string? uuid)
    {
        if (uuid is not null && uuid.StartsWith("LVM-", StringComparison.Ordinal)) return BlockHolderKind.Lvm;
        if (IsMultipath(uuid)) return BlockHolderKind.Multipath;
        if (uuid is not null && uuid.StartsWith("CRYPT-", StringComparison.Ordinal)) return BlockHolderKind.Crypt;
        if (Exists(Path.Combine(Block(holder), "dm"))) return BlockHolderKind.DeviceMapper;
        if (Exists(Path.Combine(Block(holder), "md"))) return BlockHolderKind.Md;
        return BlockHolderKind.Other;
    }

    private string Block(string name) => Path.Combine(_roots.SysClassBlock, name);

    private string? DeviceMapperUuid(string name) => ReadText(Path.Combine(Block(name), "dm", "uuid"));

    private string? DeviceMapperName(string name) => ReadText(Path.Combine(Block(name), "dm", "name"));

    private IReadOnlyList<string> Holders(string name) => Entries(Path.Combine(Block(name), "holders"));

    private IReadOnlyList<string> Slaves(string name) => Entries(Path.Combine(Block(name), "slaves"));

    // A disk's partitions are the subfolders of its sysfs folder that have a 'partition' file.
    private IReadOnlyList<string> Partitions(string name)
    {
        try
        {
            var folder = Block(name);
            return Directory.Exists(folder)
                ? Directory.GetDirectories(folder).Where(d => File.Exists(Path.Combine(d, "partition"))).Select(Path.GetFileName).ToArray()
                : Array.Empty<string>();
        }
        catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
        {
            return Array.Empty<string>();
        }
    }

    internal static IReadOnlyList<string> Entries(string folder)
    {
        try
        {
            return Directory.Exists(folder) ? Directory.GetFileSystemEntries(folder).Select(Path.GetFileName).ToArray() : Array.Empty<string>();
        }
        catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
        {
            return Array.Empty<string>();
        }
    }

    private static bool Exists(string path) => Directory.Exists(path) || File.Exists(path);

    internal static string? ReadText(string file)
    {
        try
        {
            if (!File.Exists(file)) return null;
            var text = File.ReadAllText(file).Trim();
            return text.Length == 0 ? null : text;
        }
        catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static IEnumerable<string> ReadLines(string file)
    {
        try
        {
            return File.Exists(file) ? File.ReadAllLines(file) : Array.Empty<string>();
        }
        catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
        {
            return Array.Empty<string>();
        }
    }

    // /proc/self/mountinfo and /proc/swaps write space, tab, newline and backslash as octal escapes (\040).
    private static string Unescape(string text)
    {
        if (text.IndexOf('\\') < 0) return text;
        var result = new System.Text.StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '\\' && IsOctal(text, i + 1))
            {
                result.Append((char)Convert.ToInt32(text.Substring(i + 1, 3), 8));
                i += 3;
            }
            else result.Append(text[i]);
        }
        return result.ToString();
    }

    private static bool IsOctal(string text, int start) =>
        start + 3 <= text.Length && text.Substring(start, 3).All(c => c >= '0' && c <= '7');
}

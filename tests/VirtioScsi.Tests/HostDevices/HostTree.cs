using System;
using System.IO;
using VirtioScsi.HostDevices;

namespace VirtioScsi.Tests.HostDevices;

/// <summary>
/// A host's /dev, /sys and /proc laid out in a temporary folder the way the kernel and udev lay them out:
/// /sys/class/block/&lt;dev&gt; with dev, holders/, slaves/, dm/{name,uuid} and partition subfolders; udev's
/// relative links in /dev/disk/by-id and /dev/mapper; /proc/self/mountinfo and /proc/swaps.
/// </summary>
public sealed class HostTree : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "vst-hosttree-" + Guid.NewGuid().ToString("N"));
    private string _mountinfo = "";
    private string _swaps = "Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n";

    public HostTree()
    {
        Directory.CreateDirectory(Path.Combine(_root, "dev", "disk", "by-id"));
        Directory.CreateDirectory(Path.Combine(_root, "dev", "mapper"));
        Directory.CreateDirectory(Path.Combine(_root, "sys", "class", "block"));
        Directory.CreateDirectory(Path.Combine(_root, "proc", "self"));
        Mount("27 1 254:0 / / rw,relatime - ext4 /dev/vda rw");
    }

    internal HostRoots Roots => new(Path.Combine(_root, "dev"), Path.Combine(_root, "sys"), Path.Combine(_root, "proc"));

    internal HostBlockResolver Resolver() => new(Roots);

    private string Block(string name) => Path.Combine(_root, "sys", "class", "block", name);

    /// <summary>A whole disk: /dev/&lt;name&gt; and its sysfs folder; a SCSI disk has device/scsi_device.</summary>
    public HostTree Disk(string name, string number, bool scsi = true)
    {
        Directory.CreateDirectory(Path.Combine(Block(name), "holders"));
        Directory.CreateDirectory(Path.Combine(Block(name), "slaves"));
        if (scsi) Directory.CreateDirectory(Path.Combine(Block(name), "device", "scsi_device", "1:0:0:" + number.Split(':')[1]));
        File.WriteAllText(Path.Combine(Block(name), "dev"), number + "\n");
        File.WriteAllText(Path.Combine(_root, "dev", name), "");
        return this;
    }

    /// <summary>A SCSI disk's INQUIRY identity in sysfs: device/wwid (as the kernel writes it, naa.…), vendor and model (space-padded, as the kernel pads them).</summary>
    public HostTree Inquiry(string name, string kernelWwid, string vendor, string model)
    {
        File.WriteAllText(Path.Combine(Block(name), "device", "wwid"), kernelWwid + "\n");
        File.WriteAllText(Path.Combine(Block(name), "device", "vendor"), vendor.PadRight(8) + "\n");
        File.WriteAllText(Path.Combine(Block(name), "device", "model"), model.PadRight(16) + "\n");
        return this;
    }

    /// <summary>A partition: a subfolder of its disk's sysfs folder, linked from /sys/class/block like the kernel does.</summary>
    public HostTree Partition(string disk, string name, string number)
    {
        var folder = Path.Combine(Block(disk), name);
        Directory.CreateDirectory(Path.Combine(folder, "holders"));
        File.WriteAllText(Path.Combine(folder, "partition"), name.Substring(disk.Length).TrimStart('p') + "\n");
        File.WriteAllText(Path.Combine(folder, "dev"), number + "\n");
        File.CreateSymbolicLink(Block(name), Path.Combine(disk, name));
        File.WriteAllText(Path.Combine(_root, "dev", name), "");
        return this;
    }

    /// <summary>A device-mapper device on <paramref name="slaves"/>, with /dev/mapper/&lt;mapperName&gt; → ../dm-N.</summary>
    public HostTree Mapper(string name, string number, string mapperName, string uuid, params string[] slaves)
    {
        Disk(name, number, scsi: false);
        Directory.CreateDirectory(Path.Combine(Block(name), "dm"));
        File.WriteAllText(Path.Combine(Block(name), "dm", "name"), mapperName + "\n");
        File.WriteAllText(Path.Combine(Block(name), "dm", "uuid"), uuid + "\n");
        File.CreateSymbolicLink(Path.Combine(_root, "dev", "mapper", mapperName), "../" + name);
        foreach (var slave in slaves) Holds(name, slave);
        return this;
    }

    /// <summary>An md array on <paramref name="members"/>.</summary>
    public HostTree Md(string name, string number, params string[] members)
    {
        Disk(name, number, scsi: false);
        Directory.CreateDirectory(Path.Combine(Block(name), "md"));
        foreach (var member in members) Holds(name, member);
        return this;
    }

    // holders/ and slaves/ entries are links to the other device's sysfs folder, as in sysfs.
    private void Holds(string holder, string held)
    {
        File.CreateSymbolicLink(Path.Combine(Block(held), "holders", holder), "../../" + holder);
        File.CreateSymbolicLink(Path.Combine(Block(holder), "slaves", held), "../../" + held);
    }

    /// <summary>A udev by-id link: /dev/disk/by-id/&lt;link&gt; → ../../&lt;target&gt;.</summary>
    public HostTree ById(string link, string target)
    {
        File.CreateSymbolicLink(Path.Combine(_root, "dev", "disk", "by-id", link), "../../" + target);
        return this;
    }

    public HostTree Mount(string mountinfoLine)
    {
        _mountinfo += mountinfoLine + "\n";
        File.WriteAllText(Path.Combine(_root, "proc", "self", "mountinfo"), _mountinfo);
        return this;
    }

    public HostTree Swap(string swapsLine)
    {
        _swaps += swapsLine + "\n";
        File.WriteAllText(Path.Combine(_root, "proc", "swaps"), _swaps);
        return this;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

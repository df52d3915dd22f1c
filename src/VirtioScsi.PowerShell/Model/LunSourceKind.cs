namespace VirtioScsi.Model;

/// <summary>What kind of source a <see cref="LunSource"/> is.</summary>
public enum LunSourceKind
{
    /// <summary>A host block device (<c>&lt;disk type='block'&gt;</c>).</summary>
    Block,
    /// <summary>An iSCSI LUN that QEMU reaches itself (<c>&lt;disk type='network'&gt;</c>, protocol iscsi).</summary>
    Iscsi,
    /// <summary>An image file (emulated disks and cdroms).</summary>
    File,
    /// <summary>Anything else: a storage-pool volume, another network protocol, or no source (an empty cdrom).</summary>
    Other,
}

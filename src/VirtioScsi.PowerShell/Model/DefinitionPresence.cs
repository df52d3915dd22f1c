namespace VirtioScsi.Model;

/// <summary>
/// Where a device is defined. A running, persistent domain has two definitions (the live one and the
/// one it boots with next time), and a device may be in one but not the other.
/// </summary>
public enum DefinitionPresence
{
    /// <summary>In the live and the persistent definition (or in the only one the domain has).</summary>
    Both,
    /// <summary>Only in the running domain: it goes away when the domain stops.</summary>
    LiveOnly,
    /// <summary>Only in the persistent definition: it appears when the domain next starts.</summary>
    ConfigOnly,
}

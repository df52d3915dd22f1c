namespace VirtioScsi.HostDevices;

/// <summary>
/// ErrorIds raised by host device discovery. Kept here while src/ is being restructured; they belong in
/// <see cref="VirtioScsi.Errors.ErrorIds"/> (and about_VirtioScsi) once the cmdlet that raises them exists.
/// </summary>
internal static class HostDeviceErrorIds
{
    /// <summary>libvirt's node-device XML (<c>virsh nodedev-dumpxml</c>) could not be read.</summary>
    public const string NodeDeviceXmlInvalid = "NodeDeviceXmlInvalid";
}

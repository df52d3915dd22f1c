namespace VirtioScsi.Errors;

/// <summary>
/// ErrorIds raised by host device discovery (HostDevices/). They move to <see cref="ErrorIds"/> (and
/// about_VirtioScsi) once a cmdlet raises them.
/// </summary>
internal static class HostDeviceErrorIds
{
    /// <summary>libvirt's node-device XML (<c>virsh nodedev-dumpxml</c>) could not be read.</summary>
    public const string NodeDeviceXmlInvalid = "NodeDeviceXmlInvalid";
}

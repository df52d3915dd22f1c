namespace VirtioScsi.Errors;

/// <summary>
/// Every ErrorId the module raises. They are part of the public contract: scripts catch them with
/// <c>$_.FullyQualifiedErrorId -like 'AddressInUse,*'</c>, and about_VirtioScsi documents each one.
/// </summary>
public static class ErrorIds
{
    public const string VirshNotFound = "VirshNotFound";
    public const string VirshFailed = "VirshFailed";
    public const string VirshTimedOut = "VirshTimedOut";
    public const string DomainNotFound = "DomainNotFound";
    public const string DomainXmlInvalid = "DomainXmlInvalid";
    public const string ControllerModelInvalid = "ControllerModelInvalid";
    public const string ControllerIndexInUse = "ControllerIndexInUse";
    public const string ControllerNotFound = "ControllerNotFound";
    public const string ControllerNotVirtioScsi = "ControllerNotVirtioScsi";
    public const string ControllerHasDisks = "ControllerHasDisks";
    public const string IOThreadInvalid = "IOThreadInvalid";
    public const string QueuesInvalid = "QueuesInvalid";
    public const string AddressInUse = "AddressInUse";
    public const string AddressOutOfRange = "AddressOutOfRange";
    public const string NoFreeAddress = "NoFreeAddress";
    public const string TargetDeviceInvalid = "TargetDeviceInvalid";
    public const string TargetDeviceInUse = "TargetDeviceInUse";
    public const string SourceInvalid = "SourceInvalid";
    public const string SourceNotFound = "SourceNotFound";
    public const string SourceNotBlockDevice = "SourceNotBlockDevice";
    public const string SourceIsPartition = "SourceIsPartition";
    public const string SourceNotScsi = "SourceNotScsi";
    public const string SourceInUse = "SourceInUse";
    public const string BootOrderInUse = "BootOrderInUse";
    public const string BootOrderInvalid = "BootOrderInvalid";
    public const string HotplugUnavailable = "HotplugUnavailable";
    public const string LiveChangeOnInactiveDomain = "LiveChangeOnInactiveDomain";
    public const string ConfigChangeOnTransientDomain = "ConfigChangeOnTransientDomain";
    public const string LunNotFound = "LunNotFound";
    public const string DetachTimedOut = "DetachTimedOut";
    public const string AttachFailed = "AttachFailed";
    public const string DetachFailed = "DetachFailed";
    public const string RollbackIncomplete = "RollbackIncomplete";
    public const string SgioUnfilteredUnsupported = "SgioUnfilteredUnsupported";
    public const string DomainNameInvalid = "DomainNameInvalid";
    public const string ControllerIndexGap = "ControllerIndexGap";
    public const string ConnectionUriInvalid = "ConnectionUriInvalid";
    public const string DomainChangeInProgress = "DomainChangeInProgress";
    public const string DomainLockUnavailable = "DomainLockUnavailable";
    public const string AttachNotAsPlanned = "AttachNotAsPlanned";
    // Host LUNs (Get-HostScsiLun, Add-PassthroughLun -Wwid)
    public const string NodeDeviceXmlInvalid = "NodeDeviceXmlInvalid";
    public const string WwidNotFound = "WwidNotFound";
    public const string WwidAmbiguous = "WwidAmbiguous";
    public const string WwidSinglePath = "WwidSinglePath";
    public const string WwidNoStablePath = "WwidNoStablePath";
    public const string RemoteHostUnreachable = "RemoteHostUnreachable";
    public const string RemoteAuthenticationFailed = "RemoteAuthenticationFailed";
    public const string RemoteLibvirtUnavailable = "RemoteLibvirtUnavailable";
    public const string SourceHeldByOtherDomain = "SourceHeldByOtherDomain";
    public const string NoCommonAddress = "NoCommonAddress";
    public const string SourceMountedOnHost = "SourceMountedOnHost";
    public const string SourceIsHostSwap = "SourceIsHostSwap";
    public const string SourceHeldByHost = "SourceHeldByHost";
    public const string SourceIsMultipathPath = "SourceIsMultipathPath";
}

namespace VirtioScsi.Errors;

/// <summary>
/// What kind of failure an error is. The cmdlet layer maps each kind to a PowerShell ErrorCategory,
/// so the core stays free of System.Management.Automation.
/// </summary>
public enum ErrorKind
{
    NotInstalled,
    ObjectNotFound,
    InvalidArgument,
    ResourceExists,
    ResourceUnavailable,
    LimitsExceeded,
    InvalidOperation,
    OperationTimeout,
    DeviceError,
    InvalidData,
}

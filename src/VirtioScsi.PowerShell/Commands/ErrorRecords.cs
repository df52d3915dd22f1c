using System.Management.Automation;
using VirtioScsi.Errors;

namespace VirtioScsi.Commands;

/// <summary>The module's errors as PowerShell shows them: the ErrorId, a category for the kind, and the advice.</summary>
internal static class ErrorRecords
{
    public static ErrorRecord From(VirtioScsiException e)
    {
        var record = new ErrorRecord(e, e.ErrorId, Category(e.Kind), e.TargetObject)
        {
            // The message says what went wrong and why; the advice is in RecommendedAction alone, which PowerShell
            // shows as "Recommendation:" (in the message too, it was said twice).
            ErrorDetails = new ErrorDetails(e.Message),
        };
        if (e.RecommendedAction is not null) record.ErrorDetails.RecommendedAction = e.RecommendedAction;
        return record;
    }

    public static ErrorCategory Category(ErrorKind kind) => kind switch
    {
        ErrorKind.NotInstalled => ErrorCategory.NotInstalled,
        ErrorKind.ObjectNotFound => ErrorCategory.ObjectNotFound,
        ErrorKind.InvalidArgument => ErrorCategory.InvalidArgument,
        ErrorKind.ResourceExists => ErrorCategory.ResourceExists,
        ErrorKind.ResourceUnavailable => ErrorCategory.ResourceUnavailable,
        ErrorKind.LimitsExceeded => ErrorCategory.LimitsExceeded,
        ErrorKind.OperationTimeout => ErrorCategory.OperationTimeout,
        ErrorKind.DeviceError => ErrorCategory.DeviceError,
        ErrorKind.InvalidData => ErrorCategory.InvalidData,
        _ => ErrorCategory.InvalidOperation,
    };
}

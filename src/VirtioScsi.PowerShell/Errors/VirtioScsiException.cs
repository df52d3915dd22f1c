using System;

namespace VirtioScsi.Errors;

/// <summary>
/// A failure the user can act on: a stable <see cref="ErrorId"/> to catch, the object it concerns,
/// virsh's own words where virsh said something, and what to do about it.
/// </summary>
public sealed class VirtioScsiException : Exception
{
    public VirtioScsiException(string errorId, ErrorKind kind, string message, object? targetObject = null,
        string? recommendedAction = null, string? virshMessage = null, Exception? inner = null)
        : base(message, inner)
    {
        ErrorId = errorId;
        Kind = kind;
        TargetObject = targetObject;
        RecommendedAction = recommendedAction;
        VirshMessage = virshMessage;
    }

    public string ErrorId { get; }
    public ErrorKind Kind { get; }
    public object? TargetObject { get; }
    public string? RecommendedAction { get; }
    public string? VirshMessage { get; }

    public override string ToString() => GetType().FullName + " [" + ErrorId + "]: " + FullMessage + Environment.NewLine + StackTrace;

    /// <summary>What went wrong, without virsh's words.</summary>
    public string Summary => base.Message;

    /// <summary>What went wrong, with virsh's own words where virsh said something.</summary>
    public override string Message =>
        string.IsNullOrWhiteSpace(VirshMessage) ? base.Message : base.Message + " virsh said: " + VirshMessage!.Trim();

    /// <summary>The message and the recommended action, as a user reads it.</summary>
    public string FullMessage =>
        string.IsNullOrWhiteSpace(RecommendedAction) ? Message : Message + " " + RecommendedAction!.Trim();
}

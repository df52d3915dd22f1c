namespace VirtioScsi.Virsh;

/// <summary>What one virsh command printed, and whether it succeeded.</summary>
public sealed class VirshResult
{
    public VirshResult(VirshCommand command, string output, string error, bool succeeded)
    {
        Command = command;
        Output = output;
        Error = error;
        Succeeded = succeeded;
    }

    public VirshCommand Command { get; }
    public string Output { get; }
    public string Error { get; }
    public bool Succeeded { get; }

    /// <summary>virsh's error text without the <c>error: </c> prefixes, one message a line.</summary>
    public string ErrorMessage => VirshErrors.Clean(Error);
}

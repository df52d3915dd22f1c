namespace VirtioScsi.Virsh;

/// <summary>What one virsh command printed, and whether it succeeded.</summary>
internal sealed class VirshResult
{
    /// <param name="ranToEnd">The command was not cut short: it reached the marker after it in a batch or a
    /// session, or, alone in a process, virsh exited with 0.</param>
    public VirshResult(VirshCommand command, string output, string error, bool ranToEnd)
    {
        Command = command;
        Output = output;
        Error = error;
        // The one success rule, for every way a command travels: it ran to its end and virsh wrote no error line.
        Succeeded = ranToEnd && !VirshErrors.HasError(error);
    }

    public VirshCommand Command { get; }
    public string Output { get; }
    public string Error { get; }
    public bool Succeeded { get; }

    /// <summary>virsh's error text without the <c>error: </c> prefixes, one message a line.</summary>
    public string ErrorMessage => VirshErrors.Clean(Error);
}

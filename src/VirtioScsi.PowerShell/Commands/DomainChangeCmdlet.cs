using System;
using System.Management.Automation;
using VirtioScsi.Commands.Completers;
using VirtioScsi.Planning;

namespace VirtioScsi.Commands;

/// <summary>
/// What the cmdlets that change a domain share: -Domain, -Live and -Config, and the one way a change goes:
/// planned from a fresh read of the domain, shown to ShouldProcess (-WhatIf, -Confirm), then carried out.
/// </summary>
public abstract class DomainChangeCmdlet : VirtioScsiCmdlet
{
    /// <summary>The domain to change. Cmdlets that take it from the pipeline as a plain string override it to say so.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("Name", "DomainName")]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(DomainNameCompleter))]
    public virtual string Domain { get; set; } = "";

    /// <summary>Change only the running domain.</summary>
    [Parameter]
    public SwitchParameter Live { get; set; }

    /// <summary>Change only the persistent definition (takes effect at the next start).</summary>
    [Parameter]
    public SwitchParameter Config { get; set; }

    protected override void ProcessRecord() => Guard(Change);

    /// <summary>Plans this record's change, asks <see cref="ShouldChange"/>, and carries it out.</summary>
    private protected abstract void Change();

    /// <summary>
    /// ShouldProcess for a change that <paramref name="action"/> names (what, on which object, in which domain). -WhatIf
    /// prints "What if: " and the action, then what would run (each step, its virsh command line and device XML);
    /// -Confirm asks about the action. (The three-argument ShouldProcess prints its description as given, so the action
    /// leads it: otherwise "What if:" would stand before the first step only.)
    /// </summary>
    private protected bool ShouldChange(ChangePlan plan, string action) =>
        ShouldProcess(action + Environment.NewLine + plan.Describe(Manager.ConnectionUri), action + "?", MyInvocation.MyCommand.Name);
}

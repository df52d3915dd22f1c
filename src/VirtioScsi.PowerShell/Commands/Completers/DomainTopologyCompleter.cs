using System;
using System.Collections;
using System.Collections.Generic;
using VirtioScsi.Engine;
using VirtioScsi.Model;

namespace VirtioScsi.Commands.Completers;

/// <summary>Completes from the topology of the domain named by -Domain (or -Name) on the command line; nothing without one.</summary>
internal abstract class DomainTopologyCompleter : CompleterBase
{
    protected sealed override IEnumerable<(string Text, string ToolTip)> Candidates(ScsiManager manager, IDictionary boundParameters)
    {
        var domain = (boundParameters.Contains("Domain") ? boundParameters["Domain"] : boundParameters.Contains("Name") ? boundParameters["Name"] : null) as string;
        if (string.IsNullOrEmpty(domain)) return Array.Empty<(string, string)>();
        return Candidates(manager.Topology(manager.ReadDomain(domain!)));
    }

    protected abstract IEnumerable<(string Text, string ToolTip)> Candidates(DomainScsiTopology topology);
}

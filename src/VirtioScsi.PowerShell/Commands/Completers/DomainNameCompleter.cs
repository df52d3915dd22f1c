using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using VirtioScsi.Engine;

namespace VirtioScsi.Commands.Completers;

/// <summary>Completes domain names.</summary>
internal sealed class DomainNameCompleter : CompleterBase
{
    protected override IEnumerable<(string, string)> Candidates(ScsiManager manager, IDictionary boundParameters)
    {
        var list = manager.ListDomains();
        return list.All.Select(n => (n, $"{n} ({(list.Active.Contains(n) ? "running" : "shut off")}{(list.Persistent.Contains(n) ? "" : ", transient")})"));
    }
}

using System;
using System.Collections.Generic;
using System.Threading;

namespace VirtioScsi.Virsh;

/// <summary>
/// Runs virsh commands on one connection. <see cref="VirshProcessRunner"/> starts a virsh process per
/// batch; <see cref="VirshSessionRunner"/> keeps one virsh open for a whole cmdlet call. Either way every
/// command of a batch runs, whatever the others did, and each result says whether its own failed.
/// </summary>
internal interface IVirshRunner : IDisposable
{
    /// <summary>The URI handed to virsh, or null for virsh's own default (LIBVIRT_DEFAULT_URI, then its built-in).</summary>
    string? ConnectionUri { get; }

    /// <summary>How many virsh processes this runner has started (batching and the session keep it low).</summary>
    int ProcessesStarted { get; }

    VirshResult Run(VirshCommand command, CancellationToken cancellationToken = default);

    IReadOnlyList<VirshResult> RunBatch(IReadOnlyList<VirshCommand> commands, CancellationToken cancellationToken = default);
}

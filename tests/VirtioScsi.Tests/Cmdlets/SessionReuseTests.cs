using System.Linq;
using System.Text.RegularExpressions;
using VirtioScsi.Tests.Live;
using Xunit;

namespace VirtioScsi.Tests.Cmdlets;

/// <summary>
/// The virsh session a cmdlet call opens stays open for the next call on the same connection, the local
/// one too. In the collection that runs alone: other tests' calls would take and give back sessions meanwhile.
/// </summary>
[Collection(ProcessEnvironmentCollection.Name)]
public sealed class SessionReuseTests : IClassFixture<ModuleRunspace>
{
    private readonly ModuleRunspace _ps;

    public SessionReuseTests(ModuleRunspace ps) => _ps = ps;

    private int SessionProcess(string script, string says)
    {
        var verbose = _ps.Run("& { " + script + " } 4>&1 | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] } | ForEach-Object Message", LiveStack.Uri)
            .ThrowOnError().Output.Select(o => o.ToString()).ToArray();
        var line = verbose.FirstOrDefault(l => l.StartsWith(says, System.StringComparison.Ordinal));
        Assert.True(line is not null, $"no '{says}' in: {string.Join(" | ", verbose)}");
        return int.Parse(Regex.Match(line!, @"virsh process (\d+)").Groups[1].Value);
    }

    [SkippableFact]
    public void A_later_call_reuses_the_session_of_an_earlier_one_until_it_is_disconnected()
    {
        LiveStack.Require();
        _ps.Run("Disconnect-VirshSession").ThrowOnError();
        const string read = "Get-DomainScsiTopology 'vst-sdk-none-*' -ConnectionUri $uri -Verbose";
        var opened = SessionProcess(read, $"Opening a virsh session to {LiveStack.Uri} ");
        var reused = SessionProcess(read, $"Reusing the open virsh session to {LiveStack.Uri} ");
        Assert.Equal(opened, reused);

        var closed = _ps.Run("Disconnect-VirshSession $args[0] -Verbose 4>&1 | ForEach-Object Message", LiveStack.Uri).ThrowOnError();
        Assert.Equal($"Closed 1 virsh session to {LiveStack.Uri}.", closed.Output.Single().ToString());
        var next = SessionProcess(read, $"Opening a virsh session to {LiveStack.Uri} ");
        Assert.NotEqual(opened, next);
    }
}

using System.Linq;
using VirtioScsi.Tests.Live;
using Xunit;

namespace VirtioScsi.Tests.Cmdlets;

/// <summary>
/// -WhatIf on every cmdlet that changes a domain, on a running persistent domain with a real LUN: no object,
/// no error, and both definitions exactly as before. (What -WhatIf prints goes to the host, not to a stream:
/// tests/Pester/Cmdlets.Tests.ps1 reads it from a child pwsh, as a user sees it.)
/// </summary>
public sealed class ShouldProcessTests : IClassFixture<ModuleRunspace>
{
    private readonly ModuleRunspace _ps;

    public ShouldProcessTests(ModuleRunspace ps) => _ps = ps;

    [SkippableFact]
    public void WhatIf_changes_nothing_for_any_cmdlet_given_by_name_or_piped()
    {
        LiveStack.Require();
        using var attached = IscsiLun.Create("sdk-whatif1");
        using var other = IscsiLun.Create("sdk-whatif2");
        using var domain = TestDomain.Create("sdk", TestDevices.Virtio0);
        _ps.Run("Add-PassthroughLun -ConnectionUri $uri $args[0] -IscsiPortal $args[1] -IscsiTarget $args[2] -IscsiLun 1", domain.Name, attached.Portal, attached.Iqn).ThrowOnError();
        var live = LiveStack.DumpXml(domain.Name);
        var config = LiveStack.DumpXml(domain.Name, inactive: true);

        var scripts = new[]
        {
            "New-ScsiController -ConnectionUri $uri $args[0] -WhatIf",
            "New-ScsiController -ConnectionUri $uri $args[0] -Index 5 -Config -WhatIf",
            "Add-PassthroughLun -ConnectionUri $uri $args[0] -IscsiPortal $args[1] -IscsiTarget $args[2] -IscsiLun 1 -WhatIf",
            // A new controller and the LUN on it: two steps, neither taken.
            "Add-PassthroughLun -ConnectionUri $uri $args[0] -IscsiPortal $args[1] -IscsiTarget $args[2] -IscsiLun 1 -Controller 0 -BootOrder 3 -WhatIf",
            "Remove-PassthroughLun -ConnectionUri $uri $args[0] sda -WhatIf",
            "Get-DomainScsiTopology -ConnectionUri $uri $args[0] | Select-Object -ExpandProperty Luns | Remove-PassthroughLun -WhatIf",
            "Remove-ScsiController -ConnectionUri $uri $args[0] 0 -Force -WhatIf",
            "Get-DomainScsiTopology -ConnectionUri $uri $args[0] | Select-Object -ExpandProperty Controllers | Remove-ScsiController -Force -Config -WhatIf",
        };
        foreach (var script in scripts)
        {
            var result = _ps.Run(script, domain.Name, other.Portal, other.Iqn);
            Assert.True(!result.AllErrors.Any(), script + ": " + string.Join(" | ", result.AllErrors.Select(e => e.FullyQualifiedErrorId)));
            Assert.True(result.Output.Count == 0, script + " wrote " + result.Output.Count + " object(s)");
            Assert.True(live == LiveStack.DumpXml(domain.Name), script + " changed the running domain");
            Assert.True(config == LiveStack.DumpXml(domain.Name, inactive: true), script + " changed the persistent definition");
        }
    }
}

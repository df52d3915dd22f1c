# README's cluster examples (section "Clusters: one LUN on several nodes"), run as written against real
# domains with the names substituted: node1-node4 become test domains, the portal and IQNs tgtd's.

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestSupport.ps1')
    Import-Module $ModuleManifest -Force
    $PSDefaultParameterValues['*:ConnectionUri'] = $Uri

    # The example lines of the section, one statement each (comments and blank lines dropped).
    $readme = Get-Content -Raw (Join-Path $RepoRoot 'README.md')
    $section = [regex]::Match($readme, '(?s)## Clusters: one LUN on several nodes.*?```powershell\r?\n(.*?)```').Groups[1].Value
    $script:Examples = @($section -split '\r?\n' | Where-Object { $_ -and -not $_.TrimStart().StartsWith('#') })
}

AfterAll {
    $PSDefaultParameterValues.Remove('*:ConnectionUri')
    Remove-Module VirtioScsi -ErrorAction SilentlyContinue
}

Describe "README's cluster examples" {
    BeforeAll {
        if (-not (Test-LiveStack)) { return }
        $virtio = "<controller type='scsi' index='0' model='virtio-scsi'/>"
        $lsi = "<controller type='scsi' index='0' model='lsilogic'/>"
        # node1 has virtio-scsi 0, node2 only lsi 0, node3 is shut off: the common place is a new controller 1.
        $script:Nodes = @((New-TestDomain cl $virtio), (New-TestDomain cl $lsi), (New-TestDomain cl $virtio -ShutOff), (New-TestDomain cl $virtio))
        $script:Cluster = New-TestIscsiLun cl-readme
        $script:Quorum = New-TestIscsiLun cl-quorum
        $script:Substituted = $Examples | ForEach-Object {
            $line = $_ -replace '192\.0\.2\.10:3260', $Cluster.Portal `
                       -replace 'iqn\.2001-05\.com\.example:cluster', $Cluster.Iqn `
                       -replace 'iqn\.2001-05\.com\.example:quorum', $Quorum.Iqn
            foreach ($n in 4..1) { $line = $line -replace "\bnode$n\b", $Nodes[$n - 1] }
            $line
        }
    }
    AfterAll {
        $Nodes | ForEach-Object { Remove-TestDomain $_ }
        if ($Cluster) { Remove-TestIscsiLun $Cluster }
        if ($Quorum) { Remove-TestIscsiLun $Quorum }
    }

    It 'has the four examples this test knows' {
        $Examples.Count | Should -Be 4
        $Examples[0] | Should -BeLike 'Add-PassthroughLun -Domain node1, node2, node3 *-Shareable'
    }

    It 'puts one LUN on three nodes at one address and name' {
        Assert-LiveStack
        $disks = @(Invoke-Expression $Substituted[0])
        $disks.Count | Should -Be 3
        $disks.Domain | Should -Be $Nodes[0..2]
        $disks | ForEach-Object { "$($_.TargetDevice) $($_.Address) $($_.Shareable)" } | Should -Be (@('sda 1:0:0:0 True') * 3)
        foreach ($node in $Nodes[0..2]) {
            Invoke-TestVirsh dumpxml --inactive $node | Should -Match "<controller type='scsi' index='1' model='virtio-scsi'"
        }
    }

    It 'shows each node the same place and the other nodes that hold it' {
        Assert-LiveStack
        $table = Invoke-Expression $Substituted[1] | Out-String -Width 300
        foreach ($node in $Nodes[0..2]) { $table | Should -Match ([regex]::Escape($node) + '\s+sda\s+1:0:0:0\s+True') }
        $luns = Get-DomainScsiTopology $Nodes[0] | Select-Object -ExpandProperty Luns
        $luns.SharedWith | Should -Be $Nodes[1..2]
    }

    It 'attaches piped nodes together' {
        Assert-LiveStack
        $disks = @(Invoke-Expression $Substituted[2])
        $disks.Domain | Should -Be $Nodes[0..1]
        $disks | ForEach-Object { "$($_.TargetDevice) $($_.Address)" } | Should -Be (@('sdb 1:0:0:1') * 2)
    }

    It 'refuses the unshared attachment to a fourth domain and leaves it unchanged' {
        Assert-LiveStack
        $before = Invoke-TestVirsh dumpxml $Nodes[3]
        # Stop, whatever the runner's preference: the one error is caught here, as a script would.
        $ErrorActionPreference = 'Stop'
        $err = $null
        try { Invoke-Expression $Substituted[3] } catch { $err = $_ }
        $err.FullyQualifiedErrorId | Should -BeLike 'SourceHeldByOtherDomain,*'
        $err.Exception.Message | Should -Match ([regex]::Escape($Nodes[0]))
        Invoke-TestVirsh dumpxml $Nodes[3] | Should -Be $before
    }
}

<#
The README's host-LUN example, run as written on this machine. The machine has no host SCSI disk (only
its virtio disk) and no LUN with the example's WWID: what a user here would see is asserted.
#>

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestSupport.ps1')
    Import-Module $ModuleManifest -Force
    # The README's PowerShell block that follows "Which LUN is which", line by line.
    $readme = Get-Content -Raw (Join-Path $RepoRoot 'README.md')
    $match = [regex]::Match($readme, '(?s)Which LUN is which.*?```powershell\r?\n(.*?)```')
    $script:Lines = @($match.Groups[1].Value -split '\r?\n' | Where-Object { $_.Trim() })
    $script:Wwid = '600a098038303634722b4d59704b7a35'
}

AfterAll {
    Remove-Module VirtioScsi -ErrorAction SilentlyContinue
}

Describe 'README: which LUN is which' {
    BeforeEach {
        Assert-LiveStack
        $env:LIBVIRT_DEFAULT_URI = $Uri
    }
    AfterEach { Remove-Item Env:LIBVIRT_DEFAULT_URI -ErrorAction SilentlyContinue }

    It 'has the four example lines' {
        $Lines.Count | Should -Be 4
        $Lines[0] | Should -Be 'Get-HostScsiLun'
    }

    It 'lists only LUNs QEMU can pass through, and with -All the virtio disk with its reason' {
        @(Invoke-Expression $Lines[0]) | ForEach-Object { $_.IsPassthroughCapable | Should -BeTrue }
        $text = Invoke-Expression $Lines[1] | Out-String -Width 200
        if (Test-Path /sys/class/block/vda) {
            $text | Should -Match 'Paths\s+: \{/dev/vda\}'
            $text | Should -Match 'NotPassthroughCapableReason : /dev/vda is not a SCSI device of the host'
        }
    }

    It 'pipes nothing when no LUN has the WWID, and -Wwid says so with WwidNotFound' {
        $Lines[2] | Should -BeLike "*$Wwid*"
        $ErrorActionPreference = 'Stop'
        @(Invoke-Expression $Lines[2]) | Should -BeNullOrEmpty
        $failure = { $ErrorActionPreference = 'Stop'; Invoke-Expression $Lines[3] } | Should -Throw -PassThru
        $failure.FullyQualifiedErrorId | Should -Be 'WwidNotFound,VirtioScsi.Commands.AddPassthroughLunCommand'
        $failure.Exception.Message | Should -BeLike "*No host LUN has the WWID '$Wwid'*"
    }
}

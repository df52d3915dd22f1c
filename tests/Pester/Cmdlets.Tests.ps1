BeforeAll {
    . (Join-Path $PSScriptRoot 'TestSupport.ps1')
    Import-Module $ModuleManifest -Force
    $script:Live = Test-LiveStack
    if (-not $Live -and $env:VIRTIOSCSI_REQUIRE_LIVE -eq '1') { throw 'The live libvirt stack is required but missing: run .ci/setup-stack.sh as root.' }
    $PSDefaultParameterValues['*:ConnectionUri'] = $Uri
}

AfterAll {
    $PSDefaultParameterValues.Remove('*:ConnectionUri')
    Remove-Module VirtioScsi -ErrorAction SilentlyContinue
}

# What a user sees end to end. Binding, the pipelines between the cmdlets, the ErrorRecord of every ErrorId and
# -WhatIf changing nothing are tested in-process, through a runspace: tests/VirtioScsi.Tests/Cmdlets.
Describe 'Cmdlets against a real libvirt' {
    BeforeEach {
        $script:Domains = @()
        $script:Luns = @()
    }
    AfterEach {
        $Domains | ForEach-Object { Remove-TestDomain $_ }
        $Luns | ForEach-Object { Remove-TestIscsiLun $_ }
    }

    It 'adds a virtio-scsi controller by itself when the domain has only lsi' {
        Assert-LiveStack
        $name = New-TestDomain short "<controller type='scsi' index='0' model='lsilogic'/>"; $script:Domains += $name
        $lun = New-TestIscsiLun short; $script:Luns += $lun
        $disk = Add-PassthroughLun $name -IscsiPortal $lun.Portal -IscsiTarget $lun.Iqn -IscsiLun 1
        $disk.Controller | Should -Be 1
        (Invoke-TestVirsh dumpxml --inactive $name) | Should -Match "index='1' model='virtio-scsi'"
    }

    It 'shows the device XML and the virsh command under -WhatIf and changes nothing' {
        Assert-LiveStack
        $name = New-TestDomain whatif "<controller type='scsi' index='0' model='lsilogic'/>"; $script:Domains += $name
        $lun = New-TestIscsiLun whatif; $script:Luns += $lun
        $before = Invoke-TestVirsh dumpxml $name
        $beforeConfig = Invoke-TestVirsh dumpxml --inactive $name

        # "What if:" text goes straight to the host, not to a stream: a child pwsh's output shows it as a user sees it.
        $pwsh, $pwshArgs = Get-PwshCommand
        $command = "Import-Module '$ModuleManifest'; Add-PassthroughLun -ConnectionUri '$Uri' -Domain '$name' -IscsiPortal '$($lun.Portal)' -IscsiTarget '$($lun.Iqn)' -IscsiLun 1 -WhatIf"
        $out = & $pwsh @pwshArgs -NoProfile -NonInteractive -Command $command 2>&1 | Out-String

        $out | Should -Match 'What if: Add virtio-scsi controller 1'
        $out | Should -Match 'attach-device'
        $out | Should -Match "<controller type=`"scsi`" index=`"1`" model=`"virtio-scsi`""
        $out | Should -Match 'device="lun"'
        $out | Should -Match 'virsh --connect'
        Invoke-TestVirsh dumpxml $name | Should -Be $before
        Invoke-TestVirsh dumpxml --inactive $name | Should -Be $beforeConfig
    }

    It 'shows every virsh command under -Verbose' {
        Assert-LiveStack
        $name = New-TestDomain verbose -ShutOff; $script:Domains += $name
        $verbose = Get-DomainScsiTopology $name -Verbose 4>&1 | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }
        $verbose.Message | Should -Contain "virsh --connect '$Uri' dumpxml --domain '$name'"
    }

    It 'matches names with wildcards' {
        Assert-LiveStack
        $a = New-TestDomain wild -ShutOff; $b = New-TestDomain wild -ShutOff; $script:Domains += $a, $b
        (Get-DomainScsiTopology "vsp-wild-$PID-*").Name | Sort-Object | Should -Be (@($a, $b) | Sort-Object)
        Get-DomainScsiTopology 'vsp-none-match-*' | Should -BeNullOrEmpty
    }

    It 'prints a readable table by default' {
        Assert-LiveStack
        $name = New-TestDomain table "<controller type='scsi' index='0' model='virtio-scsi'/>" -ShutOff; $script:Domains += $name
        $text = Get-DomainScsiTopology $name | Out-String
        $text | Should -Match 'Domain\s+State'
        $text | Should -Match ([regex]::Escape($name))
        $text | Should -Match '0:virtio-scsi'
    }
}

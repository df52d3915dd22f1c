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

Describe 'Cmdlets against a real libvirt' {
    BeforeEach {
        $script:Domains = @()
        $script:Luns = @()
    }
    AfterEach {
        $Domains | ForEach-Object { Remove-TestDomain $_ }
        $Luns | ForEach-Object { Remove-TestIscsiLun $_ }
    }

    It 'pipes topology into New-ScsiController into Add-PassthroughLun' {
        Assert-LiveStack
        $name = New-TestDomain pipe "<controller type='scsi' index='0' model='lsilogic'/>"; $script:Domains += $name
        $lun = New-TestIscsiLun pipe; $script:Luns += $lun

        $disk = Get-DomainScsiTopology $name | New-ScsiController | Add-PassthroughLun -IscsiPortal $lun.Portal -IscsiTarget $lun.Iqn -IscsiLun 1

        $disk.PSObject.TypeNames[0] | Should -Be 'VirtioScsi.Model.ScsiDisk'
        $disk.Address | Should -Be '1:0:0:0'
        $disk.IsPassthrough | Should -BeTrue
        Get-ScsiBlockBus $name | Should -Be 'scsi1.0'
        $topology = Get-DomainScsiTopology $name
        $topology.Controllers.Model | Should -Be @('lsilogic', 'virtio-scsi')
        $topology.Luns.TargetDevice | Should -Be 'sda'
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

    It 'reports a missing domain as a non-terminating error and goes on with the others' {
        Assert-LiveStack
        $name = New-TestDomain multi -ShutOff; $script:Domains += $name
        $result = Get-DomainScsiTopology 'vsp-no-such-domain', $name -ErrorVariable errs -ErrorAction SilentlyContinue
        $result.Name | Should -Be $name
        $errs | Should -HaveCount 1
        $errs[0].FullyQualifiedErrorId | Should -Be 'DomainNotFound,VirtioScsi.Commands.GetDomainScsiTopologyCommand'
        $errs[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $errs[0].TargetObject | Should -Be 'vsp-no-such-domain'
    }

    It 'matches names with wildcards' {
        Assert-LiveStack
        $a = New-TestDomain wild -ShutOff; $b = New-TestDomain wild -ShutOff; $script:Domains += $a, $b
        (Get-DomainScsiTopology "vsp-wild-$PID-*").Name | Sort-Object | Should -Be (@($a, $b) | Sort-Object)
        Get-DomainScsiTopology 'vsp-none-match-*' | Should -BeNullOrEmpty
    }

    It 'refuses bad input with a clear error id and leaves the domain as it was' -TestCases @(
        @{ Extra = @{ TargetDevice = 'vdb' }; Id = 'TargetDeviceInvalid' }
        @{ Extra = @{ Controller = 0 }; Id = 'ControllerNotVirtioScsi' }
        @{ Extra = @{ Controller = 9 }; Id = 'ControllerNotFound' }
        @{ Extra = @{ Live = $true; Config = $false }; Id = 'LiveChangeOnInactiveDomain' }
    ) {
        Assert-LiveStack
        $name = New-TestDomain bad "<controller type='scsi' index='0' model='lsilogic'/>" -ShutOff; $script:Domains += $name
        $lun = New-TestIscsiLun bad; $script:Luns += $lun
        $before = Invoke-TestVirsh dumpxml --inactive $name
        { Add-PassthroughLun $name -IscsiPortal $lun.Portal -IscsiTarget $lun.Iqn -IscsiLun 1 @Extra -ErrorAction Stop } |
            Should -Throw -ErrorId "$Id,VirtioScsi.Commands.AddPassthroughLunCommand"
        Invoke-TestVirsh dumpxml --inactive $name | Should -Be $before
    }

    It 'refuses a partition or a missing path' {
        Assert-LiveStack
        $name = New-TestDomain path "<controller type='scsi' index='0' model='virtio-scsi'/>" -ShutOff; $script:Domains += $name
        { Add-PassthroughLun $name -Path /dev/mapper/vsp-missing -ErrorAction Stop } | Should -Throw -ErrorId 'SourceNotFound,*'
        { Add-PassthroughLun $name -Path /etc/hostname -ErrorAction Stop } | Should -Throw -ErrorId 'SourceNotBlockDevice,*'
    }

    It 'removes piped LUN objects, and a controller with -Force' {
        Assert-LiveStack
        $name = New-TestDomain remove "<controller type='scsi' index='0' model='virtio-scsi'/>"; $script:Domains += $name
        $one = New-TestIscsiLun r1; $two = New-TestIscsiLun r2; $script:Luns += $one, $two
        Add-PassthroughLun $name -IscsiPortal $one.Portal -IscsiTarget $one.Iqn -IscsiLun 1 | Out-Null
        Add-PassthroughLun $name -IscsiPortal $two.Portal -IscsiTarget $two.Iqn -IscsiLun 1 | Out-Null
        @(Get-ScsiBlockBus $name) | Should -HaveCount 2

        (Get-DomainScsiTopology $name).Luns | Where-Object TargetDevice -eq 'sdb' | Remove-PassthroughLun -Confirm:$false
        @(Get-ScsiBlockBus $name) | Should -HaveCount 1
        (Get-DomainScsiTopology $name).Luns.TargetDevice | Should -Be 'sda'

        { Remove-ScsiController $name -Index 0 -Config -Confirm:$false -ErrorAction Stop } | Should -Throw -ErrorId 'ControllerHasDisks,*'
        Remove-ScsiController $name -Index 0 -Config -Force -Confirm:$false
        (Invoke-TestVirsh dumpxml --inactive $name) | Should -Not -Match "type='scsi'"
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

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestSupport.ps1')
    Import-Module $ModuleManifest -Force
}

AfterAll {
    Remove-Module VirtioScsi -ErrorAction SilentlyContinue
}

Describe 'The VirtioScsi module' {
    It 'exports exactly its cmdlets' {
        (Get-Command -Module VirtioScsi).Name | Sort-Object |
            Should -Be @('Add-PassthroughLun', 'Disconnect-VirshSession', 'Get-DomainScsiTopology', 'Get-HostScsiLun', 'Get-PassthroughLun', 'Get-ScsiController', 'New-ScsiController', 'Remove-PassthroughLun', 'Remove-ScsiController')
    }

    It 'has a valid manifest whose version matches the assembly' {
        $manifest = Test-ModuleManifest $ModuleManifest
        $manifest.Version.ToString() | Should -Be $Version
        $assembly = (Get-Module VirtioScsi).ImplementingAssembly
        $assembly.GetName().Version.ToString(3) | Should -Be $Version
    }

    It 'marks the changing cmdlets for -WhatIf and -Confirm, the removals with a high impact' {
        foreach ($name in 'New-ScsiController', 'Add-PassthroughLun', 'Remove-PassthroughLun', 'Remove-ScsiController') {
            (Get-Command $name).Parameters.Keys | Should -Contain 'WhatIf'
        }
        $impact = { param($n) ((Get-Command $n).ImplementingType.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $false))[0].ConfirmImpact }
        & $impact 'Remove-PassthroughLun' | Should -Be 'High'
        & $impact 'Remove-ScsiController' | Should -Be 'High'
    }

    It 'takes -ConnectionUri with the alias -Connect on every cmdlet' {
        foreach ($command in Get-Command -Module VirtioScsi) {
            $command.Parameters['ConnectionUri'].Aliases | Should -Contain 'Connect'
        }
    }

    It 'declares its output types' {
        (Get-Command Get-DomainScsiTopology).OutputType.Name | Should -Be 'VirtioScsi.Model.DomainScsiTopology'
        (Get-Command Add-PassthroughLun).OutputType.Name | Should -Be 'VirtioScsi.Model.ScsiDisk'
        (Get-Command New-ScsiController).OutputType.Name | Should -Be 'VirtioScsi.Model.ScsiController'
    }

    It 'works under another prefix, beside a module that also has New-ScsiController' {
        Import-Module $ModuleManifest -Prefix Kvm -Force
        Get-Command Get-KvmDomainScsiTopology, New-KvmScsiController, Add-KvmPassthroughLun | Should -HaveCount 3
        (Get-Command VirtioScsi\New-KvmScsiController).ImplementingType.Name | Should -Be 'NewScsiControllerCommand'
        Import-Module $ModuleManifest -Force
        (Get-Command VirtioScsi\New-ScsiController).ImplementingType.Name | Should -Be 'NewScsiControllerCommand'
    }
}

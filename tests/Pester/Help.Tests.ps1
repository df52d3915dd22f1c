BeforeDiscovery {
    . (Join-Path $PSScriptRoot 'TestSupport.ps1')
    # The cmdlets the manifest exports, one test case each (read without importing the module).
    $script:CmdletCases = @((Import-PowerShellDataFile (Join-Path $RepoRoot 'VirtioScsi.psd1')).CmdletsToExport |
        ForEach-Object { @{ Name = $_ } })
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestSupport.ps1')
    Import-Module $ModuleManifest -Force
}

AfterAll {
    Remove-Module VirtioScsi -ErrorAction SilentlyContinue
}

Describe 'Help for <Name>' -ForEach $CmdletCases {
    BeforeAll {
        $script:Command = Get-Command $Name -Module VirtioScsi
        $script:Help = Get-Help $Name -Full
        $script:Text = $Help | Out-String -Width 4096
        # Every parameter the cmdlet has, WhatIf and Confirm included, common parameters left out
        # (-WhatIf and -Confirm are "optional common parameters", documented by the module itself).
        $script:ParameterNames = @($Command.Parameters.Keys | Where-Object {
                $_ -notin [System.Management.Automation.PSCmdlet]::CommonParameters })
    }

    It 'comes from the module''s MAML help, not from the syntax PowerShell generates' {
        $Help.ModuleName | Should -Be 'VirtioScsi'
        $Help.Synopsis | Should -Not -BeNullOrEmpty
        # Generated help has the syntax line as its synopsis and no description.
        $Help.Synopsis.Trim() | Should -Not -Match "^$([regex]::Escape($Name))\s+\["
        ($Help.description.Text -join ' ') | Should -Not -BeNullOrEmpty
    }

    It 'shows the synopsis under -Full' {
        $Text | Should -Match 'SYNOPSIS'
        ($Text -replace '\s+', ' ') | Should -Match ([regex]::Escape(($Help.Synopsis -replace '\s+', ' ').Trim()))
    }

    It 'documents every parameter, each with a description' {
        $documented = @($Help.parameters.parameter | ForEach-Object { $_.name })
        foreach ($parameter in $ParameterNames) {
            $documented | Should -Contain $parameter -Because "-$parameter is a parameter of $Name"
            $entry = $Help.parameters.parameter | Where-Object name -EQ $parameter
            ($entry.description.Text -join ' ') | Should -Not -BeNullOrEmpty -Because "-$parameter needs a description"
            $Text | Should -Match "(?m)^\s+-$parameter\b" -Because "Get-Help $Name -Full lists -$parameter"
        }
        foreach ($name in $documented) {
            $ParameterNames | Should -Contain $name -Because "the help documents -$name, so $Name must have it"
        }
    }

    It 'shows the parameter sets as the cmdlet has them' {
        @($Help.syntax.syntaxItem).Count | Should -Be @($Command.ParameterSets).Count
    }

    It 'has at least two examples that use it' {
        $examples = @($Help.examples.example)
        $examples.Count | Should -BeGreaterOrEqual 2
        foreach ($example in $examples) {
            $example.title | Should -Not -BeNullOrEmpty
            $example.code | Should -BeLike "*$Name*"
        }
        $Text | Should -Match 'Example 1'
        $Text | Should -Match 'Example 2'
    }

    It 'names its inputs and outputs and links to the about topic' {
        @($Help.inputTypes.inputType).Count | Should -BeGreaterThan 0
        @($Help.returnValues.returnValue).Count | Should -BeGreaterThan 0
        @($Help.relatedLinks.navigationLink.linkText) | Should -Contain 'about_VirtioScsi'
    }

    It 'names the declared output type' {
        foreach ($type in $Command.OutputType.Name | Where-Object { $_ -ne 'System.Void' }) {
            @($Help.returnValues.returnValue.type.name) | Should -Contain $type
        }
    }
}

Describe 'about_VirtioScsi' {
    BeforeAll {
        $script:About = Get-Help about_VirtioScsi | Out-String
    }

    It 'is found by Get-Help' {
        $About | Should -Match '(?m)^TOPIC\s*$'
        $About | Should -Match 'about_VirtioScsi'
        $About | Should -Match 'SHORT DESCRIPTION'
        $About | Should -Match 'LONG DESCRIPTION'
    }

    It 'explains every ErrorId the module raises' {
        $ids = [VirtioScsi.Errors.ErrorIds].GetFields() | Where-Object IsLiteral | ForEach-Object { $_.GetRawConstantValue() }
        $ids | Should -Not -BeNullOrEmpty
        foreach ($id in $ids) {
            $About | Should -Match "\b$id\b" -Because "$id is an ErrorId of the module"
        }
    }

    It 'names the output types and the environment variables' {
        foreach ($word in 'VirtioScsi.Model.DomainScsiTopology', 'VirtioScsi.Model.ScsiController', 'VirtioScsi.Model.ScsiDisk',
            'VirtioScsi.Model.LunSource', 'LIBVIRT_DEFAULT_URI', 'VIRTIOSCSI_VIRSH_TIMEOUT_SEC') {
            $About | Should -Match ([regex]::Escape($word))
        }
    }
}

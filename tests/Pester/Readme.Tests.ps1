<#
The examples of README.md's "## Examples" section, run as a user types them, against the live stack.

THE CONVENTION (follow it when you add an example to README.md's Examples section):
- An example is a line of a ```powershell block in that section that is neither blank nor a comment, together
  with the lines it continues onto with a trailing backtick. It is named by its first line, exactly as the
  README has it (trailing comment included; leading and trailing blanks ignored).
- Every example runs in a test here through Invoke-ReadmeExample -Example '<that first line>', written out in
  single quotes (several first lines, comma-separated, run together in one session, for examples that need the
  ones before them). The test 'runs every
  example of README.md' reads this file's own Invoke-ReadmeExample calls and fails when an example has none,
  or when a call names a line the README no longer has: README and tests stay in step.
- Invoke-ReadmeExample runs the README's text in a fresh `pwsh -NoProfile` with the built module on
  PSModulePath and no LIBVIRT_DEFAULT_URI: no -ConnectionUri, $PSDefaultParameterValues or environment that
  the README does not show (root's virsh default connection, qemu:///system, is the one the test domains are on).
- Only names, paths and IQNs may be substituted (-Substitute, README text => replacement; each must occur). An
  example that cannot run here (a host /dev/mapper path: no host SCSI disk exists) runs with the same shape on an
  iSCSI LUN of the project's tgtd: -Path <path> becomes -IscsiPortal <portal> -IscsiTarget <iqn> -IscsiLun 1.
- Assert what the user would see (the text) and what libvirt then has (virsh dumpxml).
#>

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestSupport.ps1')
    $script:Live = Test-LiveStack
    if (-not $Live -and $env:VIRTIOSCSI_REQUIRE_LIVE -eq '1') { throw 'The live libvirt stack is required but missing: run .ci/setup-stack.sh as root.' }
    # The folder that holds VirtioScsi/<version>/: on PSModulePath, `Import-Module VirtioScsi` and auto-loading find the built module.
    $script:ModuleFolder = Split-Path (Split-Path (Split-Path $ModuleManifest -Parent) -Parent) -Parent
    # README.md's examples: each with its first line (its name) and its full text.
    function Get-ReadmeExample([string] $Path) {
        $lines = Get-Content $Path
        $start = [array]::IndexOf($lines, '## Examples')
        if ($start -lt 0) { throw "README.md has no '## Examples' section" }
        $inBlock = $false
        $current = $null
        for ($i = $start + 1; $i -lt $lines.Count -and $lines[$i] -notmatch '^## '; $i++) {
            $line = $lines[$i]
            if ($line -match '^```') { $inBlock = $line -eq '```powershell'; continue }
            if (-not $inBlock) { continue }
            if ($null -ne $current) {
                $current.Text += "`n" + $line
            } elseif ($line.Trim() -and -not $line.Trim().StartsWith('#')) {
                $current = [pscustomobject]@{ First = $line.Trim(); Text = $line; Line = $i + 1 }
            }
            if ($null -ne $current -and -not $line.TrimEnd().EndsWith('`')) { $current; $current = $null }
        }
    }
    $script:ReadmeExamples = @(Get-ReadmeExample (Join-Path $RepoRoot 'README.md'))

    # The README's text for the named examples, substituted, run in a fresh pwsh as the user would run it.
    function Invoke-ReadmeExample {
        param(
            [Parameter(Mandatory)] [string[]] $Example,
            [System.Collections.IDictionary] $Substitute = [ordered]@{},
            # Typed at the confirmation prompt (the example has no -Confirm:$false); without it the session is non-interactive.
            [string] $Answer,
            # The example is meant to raise an error (and catches it itself).
            [switch] $AllowErrors
        )
        $text = foreach ($first in $Example) {
            $found = $ReadmeExamples | Where-Object First -CEQ $first
            if (-not $found) { throw "README.md's Examples section has no example '$first'" }
            $found.Text
        }
        $script = $text -join "`n"
        foreach ($key in $Substitute.Keys) {
            if (-not $script.Contains($key)) { throw "The example does not contain '$key', which the test substitutes: $script" }
            $script = $script.Replace($key, $Substitute[$key])
        }
        $pwsh, $pwshArgs = Get-PwshCommand
        $savedUri = $env:LIBVIRT_DEFAULT_URI
        $savedPath = $env:PSModulePath
        try {
            $env:LIBVIRT_DEFAULT_URI = $null
            $env:PSModulePath = $ModuleFolder + [IO.Path]::PathSeparator + $env:PSModulePath
            $check = if ($AllowErrors) { '' } else { "`nif (`$Error.Count -gt 0) { exit 1 }" }
            $output = if ($Answer) {
                $Answer | & $pwsh @pwshArgs -NoProfile -Command ($script + $check) 2>&1 | Out-String
            } else {
                & $pwsh @pwshArgs -NoProfile -NonInteractive -Command ($script + $check) 2>&1 | Out-String
            }
            $exitCode = $LASTEXITCODE
        } finally {
            $env:LIBVIRT_DEFAULT_URI = $savedUri
            $env:PSModulePath = $savedPath
        }
        [pscustomobject]@{ Script = $script; Output = $output; ExitCode = $exitCode }
    }

    # -Path <host path> as the same example on an iSCSI LUN of the project's tgtd.
    function Get-IscsiInsteadOfPath([string] $Path, $Lun) {
        [ordered]@{ "-Path $Path" = "-IscsiPortal $($Lun.Portal) -IscsiTarget $($Lun.Iqn) -IscsiLun $($Lun.Lun)" }
    }

    function Get-InactiveXml([string] $Name) { (Invoke-TestVirsh dumpxml --inactive $Name) -replace '"', "'" }
}

Describe 'README.md: the Examples section as tests' {
    BeforeAll {
        if ($Live) {
            $default = (& virsh uri).Trim()
            if ($default -ne $Uri) { throw "virsh's default connection is $default here, not ${Uri}: the examples (which give no URI) would not reach the test domains" }
        }
    }
    BeforeEach { $script:Domains = @(); $script:Luns = @() }
    AfterEach {
        $Domains | ForEach-Object { Remove-TestDomain $_ }
        $Luns | ForEach-Object { Remove-TestIscsiLun $_ }
    }

    It 'runs every example of README.md (each test names the README line it runs)' {
        $ast = [System.Management.Automation.Language.Parser]::ParseFile((Join-Path $PSScriptRoot 'Readme.Tests.ps1'), [ref]$null, [ref]$null)
        $named = $ast.FindAll({ param($n) $n -is [System.Management.Automation.Language.CommandAst] -and $n.GetCommandName() -eq 'Invoke-ReadmeExample' }, $true) |
            ForEach-Object {
                $elements = $_.CommandElements
                for ($i = 1; $i -lt $elements.Count; $i++) {
                    if ($elements[$i] -is [System.Management.Automation.Language.CommandParameterAst] -and $elements[$i].ParameterName -eq 'Example') {
                        $value = $elements[$i + 1]
                        $strings = if ($value -is [System.Management.Automation.Language.ArrayLiteralAst]) { $value.Elements } else { @($value) }
                        foreach ($string in $strings) {
                            # The coverage test reads the calls, it does not run them: the lines must be written out.
                            if ($string -isnot [System.Management.Automation.Language.StringConstantExpressionAst]) {
                                throw "Invoke-ReadmeExample at line $($_.Extent.StartLineNumber) names its README line with '$($string.Extent.Text)': write the line out in single quotes"
                            }
                            $string.Value
                        }
                    }
                }
            }
        $readme = $ReadmeExamples.First
        $readme.Count | Should -BeGreaterThan 10 -Because "README.md's Examples section was read"
        $untested = $readme | Where-Object { $_ -cnotin $named }
        $stale = $named | Where-Object { $_ -cnotin $readme }
        $untested | Should -BeNullOrEmpty -Because 'every README example runs in a test here (Invoke-ReadmeExample -Example <its first line>)'
        $stale | Should -BeNullOrEmpty -Because 'each Invoke-ReadmeExample names a line README.md has'
    }

    It 'lists every domain, and the LUNs of web*' {
        Assert-LiveStack
        $lun = New-TestIscsiLun readme; $script:Luns += $lun
        $disk = "<disk type='network' device='lun'><driver name='qemu' type='raw' cache='none'/><source protocol='iscsi' name='$($lun.Iqn)/1'><host name='127.0.0.1' port='$IscsiPort'/></source><target dev='sdc' bus='scsi'/><address type='drive' controller='0' bus='0' target='0' unit='2'/></disk>"
        $name = New-TestDomain exp -ShutOff "<controller type='scsi' index='0' model='virtio-scsi'/>$disk"; $script:Domains += $name
        $all = Invoke-ReadmeExample -Example 'Get-DomainScsiTopology'
        $all.ExitCode | Should -Be 0 -Because $all.Output
        $all.Output | Should -Match ([regex]::Escape($name))

        $listed = Invoke-ReadmeExample -Example 'Get-DomainScsiTopology web* | Select-Object -ExpandProperty Luns' -Substitute ([ordered]@{ 'web*' = "$name*" })
        $listed.ExitCode | Should -Be 0 -Because $listed.Output
        $listed.Output | Should -Match 'sdc'
        $listed.Output | Should -Match '0:0:0:2'
    }

    It 'reads the persistent definition with -Inactive' {
        Assert-LiveStack
        $name = New-TestDomain exp "<controller type='scsi' index='0' model='virtio-scsi'/>"; $script:Domains += $name
        $result = Invoke-ReadmeExample -Example 'Get-DomainScsiTopology web01 -Inactive            # the persistent definition (next boot)' -Substitute ([ordered]@{ 'web01' = $name })
        $result.ExitCode | Should -Be 0 -Because $result.Output
        $result.Output | Should -Match ([regex]::Escape($name))
    }

    It 'pipes the topology into New-ScsiController into Add-PassthroughLun, with no URI anywhere' {
        Assert-LiveStack
        $lun = New-TestIscsiLun readme; $script:Luns += $lun
        $name = New-TestDomain exp "<controller type='scsi' index='0' model='lsilogic'/>"; $script:Domains += $name
        $result = Invoke-ReadmeExample -Example 'Get-DomainScsiTopology web01 | New-ScsiController | Add-PassthroughLun -Path /dev/mapper/3600a098038303634722b4d59704b7a31' `
            -Substitute ([ordered]@{ 'web01' = $name } + (Get-IscsiInsteadOfPath /dev/mapper/3600a098038303634722b4d59704b7a31 $lun))
        $result.ExitCode | Should -Be 0 -Because $result.Output
        $result.Output | Should -Match '1:0:0:0'
        Get-ScsiBlockBus $name | Should -Be 'scsi1.0'
    }

    It 'adds a controller by itself in the short form' {
        Assert-LiveStack
        $lun = New-TestIscsiLun readme; $script:Luns += $lun
        $name = New-TestDomain exp; $script:Domains += $name
        $result = Invoke-ReadmeExample -Example 'Add-PassthroughLun web01 -Path /dev/disk/by-id/wwn-0x600a098038303634722b4d59704b7a31' `
            -Substitute ([ordered]@{ 'web01' = $name } + (Get-IscsiInsteadOfPath /dev/disk/by-id/wwn-0x600a098038303634722b4d59704b7a31 $lun))
        $result.ExitCode | Should -Be 0 -Because $result.Output
        Get-InactiveXml $name | Should -Match "index='0' model='virtio-scsi'"
        Get-ScsiBlockBus $name | Should -Be 'scsi0.0'
    }

    It 'attaches an iSCSI LUN at an explicit address and name, shareable' {
        Assert-LiveStack
        $lun = New-TestIscsiLun readme; $script:Luns += $lun
        $name = New-TestDomain exp "<controller type='scsi' index='0' model='virtio-scsi'/><controller type='scsi' index='1' model='virtio-scsi'/>"; $script:Domains += $name
        $result = Invoke-ReadmeExample -Example 'Add-PassthroughLun web01 -IscsiPortal 192.0.2.10:3260 -IscsiTarget iqn.2001-05.com.example:storage -IscsiLun 1 `' `
            -Substitute ([ordered]@{ 'web01' = $name; '192.0.2.10:3260' = $lun.Portal; 'iqn.2001-05.com.example:storage' = $lun.Iqn })
        $result.ExitCode | Should -Be 0 -Because $result.Output
        $xml = Get-InactiveXml $name
        $xml | Should -Match "<target dev='sdd' bus='scsi'/>"
        $xml | Should -Match '<shareable/>'
        $xml | Should -Match "controller='1' bus='0' target='0' unit='3'"
    }

    It 'boots from a LUN (the persistent definition gets the boot order)' {
        Assert-LiveStack
        $lun = New-TestIscsiLun readme; $script:Luns += $lun
        $name = New-TestDomain exp -ShutOff "<controller type='scsi' index='0' model='virtio-scsi'/>"; $script:Domains += $name
        $result = Invoke-ReadmeExample -Example 'Add-PassthroughLun web01 -Path /dev/mapper/3600a0980383036347a2b4d59704b7a32 -BootOrder 1' `
            -Substitute ([ordered]@{ 'web01' = $name } + (Get-IscsiInsteadOfPath /dev/mapper/3600a0980383036347a2b4d59704b7a32 $lun))
        $result.ExitCode | Should -Be 0 -Because $result.Output
        Get-InactiveXml $name | Should -Match "<boot order='1'/>"
    }

    It 'shows under -WhatIf what would change, naming the LUN, and changes nothing' {
        Assert-LiveStack
        $lun = New-TestIscsiLun readme; $script:Luns += $lun
        $name = New-TestDomain exp "<controller type='scsi' index='0' model='virtio-scsi'/>"; $script:Domains += $name
        $before = Get-InactiveXml $name
        $result = Invoke-ReadmeExample -Example 'Add-PassthroughLun web01 -Path /dev/mapper/3600a0980383036347a2b4d59704b7a33 -WhatIf' `
            -Substitute ([ordered]@{ 'web01' = $name } + (Get-IscsiInsteadOfPath /dev/mapper/3600a0980383036347a2b4d59704b7a33 $lun))
        $result.ExitCode | Should -Be 0 -Because $result.Output
        $result.Output | Should -Match "What if: Attach iscsi://$([regex]::Escape($lun.Portal))/$([regex]::Escape($lun.Iqn))/1 as passthrough LUN sda at 0:0:0:0"
        Get-InactiveXml $name | Should -Be $before
    }

    It 'adds a controller to the running domain only, and one to the next boot only' {
        Assert-LiveStack
        $name = New-TestDomain exp; $script:Domains += $name
        $live = Invoke-ReadmeExample -Example 'New-ScsiController web01 -Queues 4 -Live' -Substitute ([ordered]@{ 'web01' = $name })
        $live.ExitCode | Should -Be 0 -Because $live.Output
        (Invoke-TestVirsh dumpxml $name) -replace '"', "'" | Should -Match "model='virtio-scsi'"
        Get-InactiveXml $name | Should -Not -Match "type='scsi'"
        $config = Invoke-ReadmeExample -Example 'New-ScsiController web01 -Model virtio-scsi -Index 5 -Config' -Substitute ([ordered]@{ 'web01' = $name })
        $config.ExitCode | Should -Be 0 -Because $config.Output
        Get-InactiveXml $name | Should -Match "index='5' model='virtio-scsi'"
    }

    It 'detaches by name, by source (answering the prompt that names the LUN) and piped under -WhatIf' {
        Assert-LiveStack
        $one = New-TestIscsiLun readme; $two = New-TestIscsiLun readme; $script:Luns += $one, $two
        $name = New-TestDomain exp -ShutOff "<controller type='scsi' index='0' model='virtio-scsi'/>"; $script:Domains += $name
        Import-Module $ModuleManifest -Force
        try {
            Add-PassthroughLun -ConnectionUri $Uri $name -IscsiPortal $one.Portal -IscsiTarget $one.Iqn -IscsiLun 1 -TargetDevice sdd | Out-Null
            Add-PassthroughLun -ConnectionUri $Uri $name -IscsiPortal $two.Portal -IscsiTarget $two.Iqn -IscsiLun 1 -TargetDevice sde | Out-Null
        } finally { Remove-Module VirtioScsi }

        $piped = Invoke-ReadmeExample -Example 'Get-DomainScsiTopology web01 | Select-Object -ExpandProperty Luns | Remove-PassthroughLun -WhatIf' -Substitute ([ordered]@{ 'web01' = $name })
        $piped.ExitCode | Should -Be 0 -Because $piped.Output
        $piped.Output | Should -Match 'What if: Detach LUN sdd \(iscsi://.*, address 0:0:0:0\)'
        $piped.Output | Should -Match 'What if: Detach LUN sde \(iscsi://.*, address 0:0:0:1\)'
        Get-InactiveXml $name | Should -Match "dev='sde'"

        $byName = Invoke-ReadmeExample -Example 'Remove-PassthroughLun web01 -TargetDevice sdd -Confirm:$false' -Substitute ([ordered]@{ 'web01' = $name })
        $byName.ExitCode | Should -Be 0 -Because $byName.Output
        Get-InactiveXml $name | Should -Not -Match "dev='sdd'"

        $bySource = Invoke-ReadmeExample -Example 'Remove-PassthroughLun web01 -Path /dev/mapper/3600a098038303634722b4d59704b7a31 -Timeout 60' -Answer 'y' `
            -Substitute ([ordered]@{ 'web01' = $name } + (Get-IscsiInsteadOfPath /dev/mapper/3600a098038303634722b4d59704b7a31 $two))
        $bySource.ExitCode | Should -Be 0 -Because $bySource.Output
        # The prompt wraps at the console's width: compare it unwrapped.
        $bySource.Output -replace "`r?`n", '' | Should -Match "Detach LUN sde \(iscsi://$([regex]::Escape($two.Portal))/$([regex]::Escape($two.Iqn))/1, address 0:0:0:1\) from domain '$([regex]::Escape($name))'\?"
        Get-InactiveXml $name | Should -Not -Match "dev='sde'"
    }

    It 'removes a controller with its disks with -Force' {
        Assert-LiveStack
        $lun = New-TestIscsiLun readme; $script:Luns += $lun
        $name = New-TestDomain exp -ShutOff "<controller type='scsi' index='0' model='virtio-scsi'/><controller type='scsi' index='1' model='virtio-scsi'/>"; $script:Domains += $name
        $disk = "<disk type='network' device='lun'><driver name='qemu' type='raw' cache='none'/><source protocol='iscsi' name='$($lun.Iqn)/1'><host name='127.0.0.1' port='$IscsiPort'/></source><target dev='sda' bus='scsi'/><address type='drive' controller='1' bus='0' target='0' unit='0'/></disk>"
        $file = New-TemporaryFile; Set-Content $file $disk
        try { Invoke-TestVirsh attach-device $name $file --config | Out-Null } finally { Remove-Item $file }
        $result = Invoke-ReadmeExample -Example 'Remove-ScsiController web01 -Index 1 -Force -Confirm:$false' -Substitute ([ordered]@{ 'web01' = $name })
        $result.ExitCode | Should -Be 0 -Because $result.Output
        $xml = Get-InactiveXml $name
        $xml | Should -Not -Match "index='1'"
        $xml | Should -Not -Match '<disk'
    }

    It 'gets the controllers and the LUNs, and pipes the LUNs into Remove-PassthroughLun -PassThru' {
        Assert-LiveStack
        $one = New-TestIscsiLun readme; $two = New-TestIscsiLun readme; $script:Luns += $one, $two
        $disk = { param($lun, $dev, $controller) "<disk type='network' device='lun'><driver name='qemu' type='raw' cache='none'/><source protocol='iscsi' name='$($lun.Iqn)/1'><host name='127.0.0.1' port='$IscsiPort'/></source><target dev='$dev' bus='scsi'/><address type='drive' controller='$controller' bus='0' target='0' unit='0'/></disk>" }
        $name = New-TestDomain exp -ShutOff ("<controller type='scsi' index='0' model='virtio-scsi'/><controller type='scsi' index='1' model='virtio-scsi'/>" + (& $disk $one sda 0) + (& $disk $two sdb 1)); $script:Domains += $name

        $controllers = Invoke-ReadmeExample -Example 'Get-ScsiController web01' -Substitute ([ordered]@{ 'web01' = $name })
        $controllers.ExitCode | Should -Be 0 -Because $controllers.Output
        $controllers.Output | Should -Match 'Free on target 0'
        $controllers.Output | Should -Match '16,383 of 16,384'

        $onZero = Invoke-ReadmeExample -Example 'Get-PassthroughLun web01 -Controller 0' -Substitute ([ordered]@{ 'web01' = $name })
        $onZero.ExitCode | Should -Be 0 -Because $onZero.Output
        $onZero.Output | Should -Match 'sda'
        $onZero.Output | Should -Not -Match 'sdb'

        $removed = Invoke-ReadmeExample -Example 'Get-PassthroughLun web01 | Remove-PassthroughLun -PassThru -Confirm:$false' -Substitute ([ordered]@{ 'web01' = $name })
        $removed.ExitCode | Should -Be 0 -Because $removed.Output
        # -PassThru: the removed LUNs, as they were.
        $removed.Output | Should -Match '0:0:0:0'
        $removed.Output | Should -Match '1:0:0:0'
        Get-InactiveXml $name | Should -Not -Match '<disk'
    }

    It 'loads the module with a prefix, and calls it module-qualified' {
        Assert-LiveStack
        $lun = New-TestIscsiLun readme; $script:Luns += $lun
        $name = New-TestDomain exp -ShutOff; $script:Domains += $name
        $prefixed = Invoke-ReadmeExample -Example 'Import-Module VirtioScsi -Prefix Kvm', 'Get-KvmDomainScsiTopology web01 | New-KvmScsiController | Add-KvmPassthroughLun -Path /dev/mapper/3600a098038303634722b4d59704b7a31' `
            -Substitute ([ordered]@{ 'web01' = $name } + (Get-IscsiInsteadOfPath /dev/mapper/3600a098038303634722b4d59704b7a31 $lun))
        $prefixed.ExitCode | Should -Be 0 -Because $prefixed.Output
        Get-InactiveXml $name | Should -Match "<target dev='sda' bus='scsi'/>"
        $qualified = Invoke-ReadmeExample -Example 'VirtioScsi\New-ScsiController web01      # without a prefix, module-qualified' -Substitute ([ordered]@{ 'web01' = $name })
        $qualified.ExitCode | Should -Be 0 -Because $qualified.Output
        Get-InactiveXml $name | Should -Match "index='1' model='virtio-scsi'"
    }

    It 'lists the host''s LUNs, the virtio disk with -All, and finds no LUN with the example''s WWID' {
        Assert-LiveStack
        # This machine has no host SCSI disk, only its virtio disk, and no LUN with the README's WWID.
        $name = New-TestDomain hl -ShutOff "<controller type='scsi' index='0' model='virtio-scsi'/>"; $script:Domains += $name
        $before = Get-InactiveXml $name
        $listed = Invoke-ReadmeExample -Example 'Get-HostScsiLun'
        $listed.ExitCode | Should -Be 0 -Because $listed.Output
        $all = Invoke-ReadmeExample -Example 'Get-HostScsiLun -All | Format-List Wwid, Path, Paths, HostAddress, UsedBy, HostUse, NotPassthroughCapableReason'
        $all.ExitCode | Should -Be 0 -Because $all.Output
        if (Test-Path /sys/class/block/vda) {
            # The list's labels come coloured (PSStyle); the text is what counts.
            $text = $all.Output -replace "`e\[[0-9;]*m", '' -replace '\s+', ' '
            $text | Should -Match 'Paths : \{/dev/vda\}'
            $text | Should -Match 'NotPassthroughCapableReason : /dev/vda is not a SCSI device of the host'
        }
        # No LUN has the WWID: nothing comes down the pipe, nothing is attached, no error.
        $piped = Invoke-ReadmeExample -Example 'Get-HostScsiLun -Wwid 600a098038303634722b4d59704b7a35 | Add-PassthroughLun -Domain web01 -WhatIf' -Substitute ([ordered]@{ 'web01' = $name })
        $piped.ExitCode | Should -Be 0 -Because $piped.Output
        $piped.Output.Trim() | Should -BeNullOrEmpty
        $byWwid = Invoke-ReadmeExample -Example 'Add-PassthroughLun web01 -Wwid 600a098038303634722b4d59704b7a35 -WhatIf' -Substitute ([ordered]@{ 'web01' = $name }) -AllowErrors
        $byWwid.Output -replace '\s+', ' ' | Should -Match "No host LUN has the WWID '600a098038303634722b4d59704b7a35'\. Recommendation: List the host's LUNs with Get-HostScsiLun"
        Get-InactiveXml $name | Should -Be $before
    }

    It 'catches an error and reads its id and recommended action' {
        Assert-LiveStack
        $name = New-TestDomain exp -ShutOff; $script:Domains += $name
        $result = Invoke-ReadmeExample -Example 'try { Add-PassthroughLun web01 -Path /dev/sdb1 -ErrorAction Stop }', 'catch { $_.FullyQualifiedErrorId; $_.ErrorDetails.RecommendedAction }' `
            -Substitute ([ordered]@{ 'web01' = $name }) -AllowErrors
        # No /dev/sdb1 here: the error is SourceNotFound; the shape (id, then advice) is the README's.
        $lines = @($result.Output.Trim() -split "`r?`n")
        $lines[0] | Should -Match '^Source\w+,VirtioScsi\.Commands\.AddPassthroughLunCommand$'
        $lines.Count | Should -BeGreaterThan 1
        $lines[1] | Should -Not -BeNullOrEmpty
    }
}

# What a user reads (issue 10): the default views at 80 columns, -WhatIf naming the object with commands that run
# when pasted, errors that give their advice once, tab completion of the getters, and help that says what the code
# does (each of those tests checks the help's words and the behaviour they describe together).

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestSupport.ps1')
    Import-Module $ModuleManifest -Force
    $script:Live = Test-LiveStack
    if (-not $Live -and $env:VIRTIOSCSI_REQUIRE_LIVE -eq '1') { throw 'The live libvirt stack is required but missing: run .ci/setup-stack.sh as root.' }

    function Get-Disk([string] $Iqn, [string] $Dev, [int] $Controller = 0, [int] $Unit = 0) {
        "<disk type='network' device='lun'><driver name='qemu' type='raw' cache='none'/><source protocol='iscsi' name='$Iqn/1'><host name='127.0.0.1' port='$IscsiPort'/></source>" +
        "<target dev='$Dev' bus='scsi'/><address type='drive' controller='$Controller' bus='0' target='0' unit='$Unit'/></disk>"
    }

    # A command in a child pwsh, as a user runs it: what it prints, host output (What if:) included.
    function Invoke-AsUser([string] $Command) {
        $pwsh, $pwshArgs = Get-PwshCommand
        & $pwsh @pwshArgs -NoProfile -NonInteractive -Command "Import-Module '$ModuleManifest'; $Command" 2>&1 | Out-String -Width 200
    }

    function Get-InactiveXml([string] $Name) { (Invoke-TestVirsh dumpxml --inactive $Name) -replace '"', "'" }

    # The text of one section of a cmdlet's help, on one line.
    function Get-HelpText([string] $Cmdlet) { (Get-Help $Cmdlet -Full | Out-String -Width 4096) -replace '\s+', ' ' }
}

AfterAll {
    Remove-Module VirtioScsi -ErrorAction SilentlyContinue
}

Describe 'What a user reads' {
    BeforeEach { $script:Domains = @(); $script:Luns = @(); $script:Files = @() }
    AfterEach {
        $Domains | ForEach-Object { Remove-TestDomain $_ }
        $Luns | ForEach-Object { Remove-TestIscsiLun $_ }
        $Files | ForEach-Object { Remove-Item $_ -ErrorAction SilentlyContinue }
    }

    It 'shows every column of the default tables at 80 columns, with TargetDevice headed as the parameter and free capacity in admin words' {
        Assert-LiveStack
        $iqn = 'iqn.2026-11.test.virtioscsi:exp-a-rather-long-target-name-for-the-80-column-view'
        $controllers = (0..3 | ForEach-Object { "<controller type='scsi' index='$_' model='virtio-scsi'/>" }) -join ''
        $name = New-TestDomain exp -ShutOff ($controllers + (Get-Disk $iqn sda)); $script:Domains += $name

        $topology = Get-DomainScsiTopology -ConnectionUri $Uri $name | Out-String -Width 80
        foreach ($header in 'Domain', 'State', 'LUNs', 'Hotplug', 'Differs', 'Controllers') { $topology | Should -Match "\b$header\b" }
        ($topology -split "`r?`n" | Where-Object Length -GT 80) | Should -BeNullOrEmpty
        ($topology -replace '\s+', '') | Should -Match '0:virtio-scsi,1:virtio-scsi,2:virtio-scsi,3:virtio-scsi'

        $lun = Get-PassthroughLun -ConnectionUri $Uri $name | Out-String -Width 80
        foreach ($header in 'Domain', 'TargetDevice', 'Address', 'Presence', 'Source') { $lun | Should -Match "\b$header\b" }
        $header = @($lun -split "`r?`n" | Where-Object { $_ -match '^Domain' })[0]
        $header | Should -Not -CMatch '\bTarget\b(?!Device)' -Because 'the sdX column is headed as its parameter, -TargetDevice (-Target is the SCSI target number)'
        ($lun -split "`r?`n" | Where-Object Length -GT 80) | Should -BeNullOrEmpty
        # Wrapped, not cut: the whole IQN is there.
        ($lun -replace '\s+', '') | Should -Match ([regex]::Escape("iscsi://127.0.0.1:$IscsiPort/$iqn/1"))

        $controller = Get-ScsiController -ConnectionUri $Uri $name 0 | Out-String -Width 80
        $controller | Should -Match 'Free on target 0'
        $controller | Should -Match '16,383 of 16,384'
        $controller | Should -Not -Match '4194303'
        (Get-ScsiController -ConnectionUri $Uri $name 0 | Format-List | Out-String) | Should -Match '256 targets × 16,384 units'
    }

    It 'names the controller and the disks -Force detaches under -WhatIf, and its commands run when pasted into a shell' {
        Assert-LiveStack
        $name = New-TestDomain exp -ShutOff ("<controller type='scsi' index='0' model='virtio-scsi'/>" + (Get-Disk 'iqn.2026-11.test.virtioscsi:exp-paste' sda)); $script:Domains += $name
        $before = Get-InactiveXml $name
        $out = Invoke-AsUser "Remove-ScsiController -ConnectionUri '$Uri' '$name' 0 -Force -WhatIf"
        $out | Should -Match "What if: Remove SCSI controller 0 \(virtio-scsi\) from domain '$([regex]::Escape($name))', detaching its disks first: sda \(iscsi://127\.0\.0\.1:$IscsiPort/iqn\.2026-11\.test\.virtioscsi:exp-paste/1\)"
        ([regex]::Matches($out, 'What if:')).Count | Should -Be 1
        $out | Should -Not -Match '/tmp/virtioscsi-'
        Get-InactiveXml $name | Should -Be $before

        # Paste the commands, as shown, into bash: they do what the cmdlet would have done.
        $commands = [regex]::Matches($out, "(?ms)^  (virsh [^\n]*<<'VIRTIOSCSI_XML')\r?\n(.*?)^VIRTIOSCSI_XML\r?$") | ForEach-Object { $_.Value }
        $commands.Count | Should -Be 2
        $script = Join-Path ([IO.Path]::GetTempPath()) "virtioscsi-exp-paste-$PID.sh"; $script:Files += $script
        Set-Content -Path $script -Value ($commands -join "`n")
        $pasted = & bash $script 2>&1 | Out-String
        $LASTEXITCODE | Should -Be 0 -Because $pasted
        $xml = Get-InactiveXml $name
        $xml | Should -Not -Match '<disk'
        $xml | Should -Not -Match "type='scsi'"
    }

    It 'says under -Verbose that a command naming the temporary XML file is illustrative' {
        Assert-LiveStack
        $name = New-TestDomain exp -ShutOff; $script:Domains += $name
        $verbose = New-ScsiController -ConnectionUri $Uri $name -Verbose 4>&1 | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }
        # The commands as they ran, with the module's temporary file (the -WhatIf form reads /dev/stdin).
        $withFile = @($verbose.Message | Where-Object { $_ -match "--file '(?!/dev/stdin)" })
        $withFile.Count | Should -BeGreaterThan 0
        $withFile | ForEach-Object { $_ | Should -Match 'illustrative: the --file is temporary' }
    }

    It 'gives an error''s advice once, as Recommendation, after a message that says what failed' {
        Assert-LiveStack
        $name = New-TestDomain exp -ShutOff "<controller type='scsi' index='0' model='virtio-scsi'/>"; $script:Domains += $name
        $out = Invoke-AsUser "Remove-PassthroughLun -ConnectionUri '$Uri' '$name' sdz -Confirm:`$false"
        $out | Should -Match "has no SCSI disk sdz"
        $advice = 'List its LUNs with Get-DomainScsiTopology.'
        ([regex]::Matches($out, [regex]::Escape($advice))).Count | Should -Be 1 -Because $out
    }

    It 'completes the getters'' domains, target devices and controller indexes' {
        Assert-LiveStack
        $name = New-TestDomain exp -ShutOff ("<controller type='scsi' index='0' model='virtio-scsi'/><controller type='scsi' index='1' model='lsilogic'/>" + (Get-Disk 'iqn.2026-11.test.virtioscsi:exp-tab' sdc)); $script:Domains += $name
        function Complete([string] $line) { (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText }
        Complete "Get-PassthroughLun -ConnectionUri $Uri -Domain $name" | Should -Contain $name
        Complete "Get-ScsiController -ConnectionUri $Uri -Domain $name" | Should -Contain $name
        Complete "Get-PassthroughLun -ConnectionUri $Uri -Domain $name -TargetDevice " | Should -Be 'sdc'
        Complete "Get-ScsiController -ConnectionUri $Uri -Domain $name -Index " | Should -Be @('0', '1')
        Complete "Get-PassthroughLun -ConnectionUri $Uri -Domain $name -Controller " | Should -Be @('0', '1')
    }
}

Describe 'Help that says what the code does' {
    BeforeEach { $script:Domains = @(); $script:Files = @() }
    AfterEach {
        $Domains | ForEach-Object { Remove-TestDomain $_ }
        $Files | ForEach-Object { & losetup -d $_ *> $null }
    }

    It 'Add-PassthroughLun: a loop device is refused up front with SourceNotScsi, as the help says' {
        Assert-LiveStack
        $help = Get-HelpText Add-PassthroughLun
        $help | Should -Match 'a block device without a SCSI layer, such as a loop device, a logical volume or an NVMe namespace \(SourceNotScsi\)'
        $help | Should -Not -Match 'loop device[^.]*AttachFailed'
        $image = Join-Path ([IO.Path]::GetTempPath()) "virtioscsi-exp-loop-$PID.img"
        $stream = [IO.File]::Create($image); $stream.SetLength(8MB); $stream.Dispose()
        try {
            $loop = (& losetup --find --show $image 2>$null)
            if (-not $loop) { Set-ItResult -Skipped -Because 'this machine cannot create loop devices'; return }
            $script:Files += $loop
            $name = New-TestDomain exp -ShutOff "<controller type='scsi' index='0' model='virtio-scsi'/>"; $script:Domains += $name
            $before = Get-InactiveXml $name
            Add-PassthroughLun -ConnectionUri $Uri $name -Path $loop -ErrorAction SilentlyContinue -ErrorVariable failed | Out-Null
            $failed[0].FullyQualifiedErrorId | Should -BeLike 'SourceNotScsi,*'
            $failed[0].TargetObject | Should -Be $loop
            Get-InactiveXml $name | Should -Be $before
        } finally { Remove-Item $image -ErrorAction SilentlyContinue }
    }

    It 'Remove-ScsiController: -Index binds from an Index property, and piped disks are refused, as the help says' {
        Assert-LiveStack
        $help = Get-HelpText Remove-ScsiController
        $help | Should -Match 'a Controller property \(which disks have\) does not bind to it'
        $help | Should -Match 'PowerShell refuses each of them \(InputObjectMissingMandatory\) and nothing is removed'
        $name = New-TestDomain exp -ShutOff ("<controller type='scsi' index='0' model='virtio-scsi'/>" + (Get-Disk 'iqn.2026-11.test.virtioscsi:exp-bind' sda)); $script:Domains += $name
        $before = Get-InactiveXml $name
        Get-PassthroughLun -ConnectionUri $Uri $name | Remove-ScsiController -Force -Confirm:$false -ErrorAction SilentlyContinue -ErrorVariable failed
        $failed[0].FullyQualifiedErrorId | Should -BeLike 'InputObjectMissingMandatory,*'
        Get-InactiveXml $name | Should -Be $before
        Get-ScsiController -ConnectionUri $Uri $name | Remove-ScsiController -Force -Confirm:$false
        Get-InactiveXml $name | Should -Not -Match "type='scsi'"
    }

    It 'Get-DomainScsiTopology -Inactive: nothing is compared, every Presence is Both, as the help says' {
        Assert-LiveStack
        $help = Get-HelpText Get-DomainScsiTopology
        $help | Should -Match 'Where only one definition is read \(with -Inactive, and for a domain that is not running or is transient\), nothing is compared: every controller and disk has Presence Both, and DefinitionsDiffer is False'
        $name = New-TestDomain exp "<controller type='scsi' index='0' model='virtio-scsi'/>"; $script:Domains += $name
        New-ScsiController -ConnectionUri $Uri $name -Index 1 -Config | Out-Null
        $merged = Get-DomainScsiTopology -ConnectionUri $Uri $name
        ($merged.Controllers | Where-Object Index -EQ 1).Presence | Should -Be 'ConfigOnly'
        $merged.DefinitionsDiffer | Should -BeTrue
        $inactive = Get-DomainScsiTopology -ConnectionUri $Uri $name -Inactive
        $inactive.Controllers.Presence | Should -Be @('Both', 'Both')
        $inactive.DefinitionsDiffer | Should -BeFalse
    }

    It 'README: the target object is the domain, and the path for errors about a -Path' {
        Assert-LiveStack
        $readme = (Get-Content (Join-Path $RepoRoot 'README.md') -Raw) -replace '\s+', ' '
        $readme | Should -Match 'the domain as target object \(the path, for errors about a `-Path`\)'
        $name = New-TestDomain exp -ShutOff "<controller type='scsi' index='0' model='virtio-scsi'/>"; $script:Domains += $name
        Add-PassthroughLun -ConnectionUri $Uri $name -Path /dev/mapper/vsp-exp-no-such-device -ErrorAction SilentlyContinue -ErrorVariable byPath | Out-Null
        $byPath[0].FullyQualifiedErrorId | Should -BeLike 'SourceNotFound,*'
        $byPath[0].TargetObject | Should -Be '/dev/mapper/vsp-exp-no-such-device'
        Remove-PassthroughLun -ConnectionUri $Uri $name sdz -Confirm:$false -ErrorAction SilentlyContinue -ErrorVariable byName
        $byName[0].TargetObject | Should -Be $name
    }
}

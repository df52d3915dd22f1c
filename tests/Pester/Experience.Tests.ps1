BeforeAll {
    . (Join-Path $PSScriptRoot 'TestSupport.ps1')
    Import-Module $ModuleManifest -Force
    $script:Live = Test-LiveStack
    if (-not $Live -and $env:VIRTIOSCSI_REQUIRE_LIVE -eq '1') { throw 'The live libvirt stack is required but missing: run .ci/setup-stack.sh as root.' }

    function Get-Completion([string] $line) {
        (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches
    }
}

AfterAll {
    Remove-Module VirtioScsi -ErrorAction SilentlyContinue
}

Describe 'Tab completion, progress and Ctrl+C' {
    BeforeEach { $script:Domains = @(); $script:Luns = @() }
    AfterEach {
        $Domains | ForEach-Object { Remove-TestDomain $_ }
        $Luns | ForEach-Object { Remove-TestIscsiLun $_ }
    }

    It 'completes domain names from the connection, quoting names that need it' {
        Assert-LiveStack
        $plain = New-TestDomain tab -ShutOff
        $spaced = New-TestDomain tab -ShutOff -Name "vsp-tab-$PID with space"
        $script:Domains += $plain, $spaced
        $matches = Get-Completion "Get-DomainScsiTopology -ConnectionUri $Uri vsp-tab-$PID"
        $matches.CompletionText | Should -Contain $plain
        $matches.CompletionText | Should -Contain "'vsp-tab-$PID with space'"
        $matches.ListItemText | Should -Contain "vsp-tab-$PID with space"
        (Get-Completion "Add-PassthroughLun -ConnectionUri $Uri -Domain vsp-tab-$PID-").CompletionText | Should -Be $plain
    }

    It 'completes -Controller and -TargetDevice from the domain on the command line' {
        Assert-LiveStack
        $name = New-TestDomain tabdev "<controller type='scsi' index='0' model='lsilogic'/><controller type='scsi' index='1' model='virtio-scsi'/>"
        $script:Domains += $name
        $lun = New-TestIscsiLun tabdev; $script:Luns += $lun
        Add-PassthroughLun -ConnectionUri $Uri $name -IscsiPortal $lun.Portal -IscsiTarget $lun.Iqn -IscsiLun 1 | Out-Null

        (Get-Completion "Add-PassthroughLun -ConnectionUri $Uri -Domain $name -Controller ").CompletionText | Should -Be @('1', '0')
        (Get-Completion "Remove-PassthroughLun -ConnectionUri $Uri -Domain $name -TargetDevice ").CompletionText | Should -Be 'sda'
    }

    It 'shows progress when it reads many domains' {
        Assert-LiveStack
        $prefix = "vsp-progress-$PID"
        1..50 | ForEach-Object { $script:Domains += New-TestDomain progress -ShutOff -Name "$prefix-$_" }
        $ps = [powershell]::Create()
        try {
            $null = $ps.AddCommand('Import-Module').AddArgument($ModuleManifest).AddStatement()
            $null = $ps.AddCommand('Get-DomainScsiTopology').AddParameter('Name', "$prefix-*").AddParameter('ConnectionUri', $Uri)
            $out = $ps.Invoke()
            $out | Should -HaveCount 50
            $ps.Streams.Progress.Count | Should -BeGreaterThan 0
            $ps.Streams.Progress[-1].RecordType | Should -Be 'Completed'
        } finally { $ps.Dispose() }
    }

    It 'stops promptly on Ctrl+C while it waits for a guest that does not release a device' {
        Assert-LiveStack
        # An empty domain has no OS to answer an ACPI unplug request: the removal would wait out -Timeout.
        $name = New-TestDomain stop "<controller type='scsi' index='0' model='virtio-scsi'/>"; $script:Domains += $name
        $ps = [powershell]::Create()
        try {
            $null = $ps.AddCommand('Import-Module').AddArgument($ModuleManifest).AddStatement()
            $null = $ps.AddCommand('Remove-ScsiController').AddParameter('ConnectionUri', $Uri).AddParameter('Domain', $name).
                AddParameter('Index', 0).AddParameter('Live').AddParameter('Timeout', 120).AddParameter('Confirm', $false)
            $handle = $ps.BeginInvoke()
            Start-Sleep -Seconds 3
            $clock = [Diagnostics.Stopwatch]::StartNew()
            $ps.Stop()
            $clock.Elapsed.TotalSeconds | Should -BeLessThan 5
            $handle.IsCompleted | Should -BeTrue
        } finally { $ps.Dispose() }
    }
}

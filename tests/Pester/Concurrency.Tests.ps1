BeforeAll {
    . (Join-Path $PSScriptRoot 'TestSupport.ps1')
    Import-Module $ModuleManifest -Force
    $script:Live = Test-LiveStack
    if (-not $Live -and $env:VIRTIOSCSI_REQUIRE_LIVE -eq '1') { throw 'The live libvirt stack is required but missing: run .ci/setup-stack.sh as root.' }
    $script:Parallel = 16
    $script:Rounds = 2
    $script:Luns = @()
    if ($Live) { $script:Luns = 1..$Parallel | ForEach-Object { New-TestIscsiLun conc } }

    # Attaches the LUNs to a domain, all at once, in parallel runspaces of this process (a runbook's fan-out).
    function Invoke-ParallelAttach([string] $Domain, $Luns) {
        $manifest = $ModuleManifest; $uri = $Uri
        $Luns | ForEach-Object -ThrottleLimit 16 -Parallel {
            Import-Module $using:manifest
            try {
                Add-PassthroughLun $using:Domain -ConnectionUri $using:uri -IscsiPortal $_.Portal -IscsiTarget $_.Iqn -IscsiLun 1 -ErrorAction Stop |
                    Select-Object TargetDevice, Address, IsPassthrough, Controller
            } catch { [pscustomobject]@{ Error = "$($_.FullyQualifiedErrorId): $_" } }
        }
    }

    # What libvirt holds, read with the test's own virsh: each definition's SCSI disks and controllers.
    function Get-ScsiState([string] $Domain) {
        $definitions = @([xml](Invoke-TestVirsh dumpxml --inactive $Domain))
        if ((Invoke-TestVirsh domstate $Domain).Trim() -eq 'running') { $definitions += [xml](Invoke-TestVirsh dumpxml $Domain) }
        foreach ($definition in $definitions) {
            $devices = $definition.domain.devices
            [pscustomobject]@{
                Disks = @($devices.disk | Where-Object { $_.target.bus -eq 'scsi' } |
                    ForEach-Object { "$($_.target.dev)@$($_.address.controller):$($_.address.bus):$($_.address.target):$($_.address.unit)" } | Sort-Object)
                Controllers = @($devices.controller | Where-Object { $_.type -eq 'scsi' } | ForEach-Object { "$($_.index):$($_.model)" })
            }
        }
    }

    function Assert-AllLanded([string] $Domain, $Results) {
        $failed = @($Results | Where-Object { $_.Error })
        $failed.Error | Should -BeNullOrEmpty
        $Results.Count | Should -Be $Parallel
        [Collections.Generic.HashSet[string]]::new([string[]]$Results.TargetDevice).Count | Should -Be $Parallel
        [Collections.Generic.HashSet[string]]::new([string[]]@($Results | ForEach-Object Address)).Count | Should -Be $Parallel
        $Results.IsPassthrough | Should -Not -Contain $false
        $states = @(Get-ScsiState $Domain)
        foreach ($state in $states) {
            $state.Disks.Count | Should -Be $Parallel
            $state.Controllers | Should -Be @('0:virtio-scsi')
        }
        if ($states.Count -eq 2) { $states[0].Disks -join ',' | Should -Be ($states[1].Disks -join ',') }
    }
}

AfterAll {
    $Luns | ForEach-Object { Remove-TestIscsiLun $_ }
    Remove-Module VirtioScsi -ErrorAction SilentlyContinue
}

# Runbooks in parallel lose nothing: every change to one domain lands at a name and address of its own
# (about_VirtioScsi, CONCURRENT CHANGES AND INTERRUPTIONS).
Describe 'Concurrent changes to one domain' {
    BeforeEach { $script:Domains = @() }
    AfterEach { $Domains | ForEach-Object { Remove-TestDomain $_ } }

    It 'lands 16 of 16 parallel attaches to one running domain, round <_>' -ForEach (1..2) {
        Assert-LiveStack
        # No controller to begin with: one call adds it, the others find and use it.
        $name = New-TestDomain conc; $script:Domains += $name
        Assert-AllLanded $name @(Invoke-ParallelAttach $name $Luns)
        @(Get-ScsiBlockBus $name).Count | Should -Be $Parallel
    }

    It 'lands 16 of 16 parallel attaches to one shut-off domain, round <_>' -ForEach (1..2) {
        Assert-LiveStack
        $name = New-TestDomain conc -ShutOff; $script:Domains += $name
        Assert-AllLanded $name @(Invoke-ParallelAttach $name $Luns)
    }

    It 'lands 16 of 16 attaches from two processes at once, round <_>' -ForEach (1..2) {
        Assert-LiveStack
        $name = New-TestDomain conc; $script:Domains += $name
        $pwsh, $pwshArgs = Get-PwshCommand
        $halves = @($Luns[0..7]), @($Luns[8..15])
        $child = Join-Path ([IO.Path]::GetTempPath()) "vsp-conc-child-$PID.ps1"
        Set-Content -Path $child -Value @'
param([string] $Manifest, [string] $Domain, [string] $Uri, [string] $LunsFile, [string] $Out)
Import-Module $Manifest
$results = Get-Content $LunsFile -Raw | ConvertFrom-Json | ForEach-Object -ThrottleLimit 8 -Parallel {
    Import-Module $using:Manifest
    try {
        Add-PassthroughLun $using:Domain -ConnectionUri $using:Uri -IscsiPortal $_.Portal -IscsiTarget $_.Iqn -IscsiLun 1 -ErrorAction Stop |
            Select-Object TargetDevice, Address, IsPassthrough
    } catch { [pscustomobject]@{ Error = "$($_.FullyQualifiedErrorId): $_" } }
}
ConvertTo-Json -Depth 3 @($results) | Set-Content $Out
'@
        $processes = foreach ($half in $halves) {
            $out = [IO.Path]::GetTempFileName()
            $lunsFile = [IO.Path]::GetTempFileName()
            ConvertTo-Json @($half | Select-Object Portal, Iqn) | Set-Content $lunsFile
            $arguments = @($pwshArgs) + @('-NoProfile', '-NonInteractive', '-File', $child, '-Manifest', $ModuleManifest, '-Domain', $name,
                                          '-Uri', $Uri, '-LunsFile', $lunsFile, '-Out', $out)
            [pscustomobject]@{ Process = (Start-Process -FilePath $pwsh -ArgumentList $arguments -PassThru); Out = $out; Luns = $lunsFile }
        }
        $results = foreach ($p in $processes) {
            $p.Process.WaitForExit(180000) | Should -BeTrue
            Get-Content $p.Out -Raw | ConvertFrom-Json
            Remove-Item $p.Out, $p.Luns
        }
        Remove-Item $child
        Assert-AllLanded $name @($results)
    }
}

# A virsh wrapper (tests/FaultInjection/faulty-virsh.sh) first on PATH of a child pwsh kills that pwsh
# (SIGKILL) just before the LUN step: the controller is in, the LUN not.
Describe 'A call killed between the controller and the LUN' {
    BeforeEach {
        $script:Domains = @()
        $script:FaultDir = Join-Path ([IO.Path]::GetTempPath()) "vsp-conc-virsh-$PID-$([guid]::NewGuid().ToString('N'))"
        New-Item -ItemType Directory -Path (Join-Path $FaultDir bin) | Out-Null
        Copy-Item (Join-Path $RepoRoot 'tests/FaultInjection/faulty-virsh.sh') (Join-Path $FaultDir 'bin/virsh')
        & chmod +x (Join-Path $FaultDir 'bin/virsh')
    }
    AfterEach {
        $Domains | ForEach-Object { Remove-TestDomain $_ }
        Remove-Item -Recurse -Force $FaultDir -ErrorAction SilentlyContinue
    }

    It 'leaves a controller and a step file that the next run adopts and removes' {
        Assert-LiveStack
        $name = New-TestDomain conc; $script:Domains += $name
        $lun = $Luns[0]
        $pwsh, $pwshArgs = Get-PwshCommand
        $attach = "Import-Module '$ModuleManifest'; Add-PassthroughLun '$name' -ConnectionUri '$Uri' -IscsiPortal '$($lun.Portal)' -IscsiTarget '$($lun.Iqn)' -IscsiLun 1 -ErrorAction Stop | Select-Object TargetDevice, Controller | ConvertTo-Json"
        $stepFilesBefore = @(Get-ChildItem ([IO.Path]::GetTempPath()) -Filter 'virtioscsi-*.xml').Name

        New-Item -ItemType File (Join-Path $FaultDir 'armed-kill-caller-at-lun') | Out-Null
        $env:VIRTIOSCSI_REAL_VIRSH = (Get-Command virsh -CommandType Application | Select-Object -First 1).Source
        $path = $env:PATH
        try {
            $env:PATH = (Join-Path $FaultDir bin) + [IO.Path]::PathSeparator + $path
            $killed = Start-Process -FilePath $pwsh -ArgumentList (@($pwshArgs) + @('-NoProfile', '-NonInteractive', '-Command', $attach)) -PassThru
        } finally { $env:PATH = $path }
        $killed.WaitForExit(120000) | Should -BeTrue
        $killed.ExitCode | Should -Be 137 -Because 'the wrapper killed it (SIGKILL)'
        Test-Path (Join-Path $FaultDir 'fired-kill-caller-at-lun') | Should -BeTrue

        # What the killed call left: a virtio-scsi controller without its LUN, and the LUN step's file.
        foreach ($state in Get-ScsiState $name) {
            $state.Controllers | Should -Be @('0:virtio-scsi')
            $state.Disks | Should -BeNullOrEmpty
        }
        $left = @(Get-ChildItem ([IO.Path]::GetTempPath()) -Filter 'virtioscsi-*.xml' | Where-Object { $_.Name -notin $stepFilesBefore -and $_.Name -match '^virtioscsi-[0-9a-f]{32}\.xml$' -and (Get-Content $_.FullName -Raw) -match [regex]::Escape($lun.Iqn) })
        $left.Count | Should -Be 1
        $left[0].LastWriteTimeUtc = [datetime]::UtcNow.AddMinutes(-2)   # as if the next run came two minutes later

        # The next run (a new process, no fault): uses the controller that was left, adds no other, and removes the stale file.
        $out = & $pwsh @pwshArgs -NoProfile -NonInteractive -Command $attach | Out-String | ConvertFrom-Json
        $out.Controller | Should -Be 0
        foreach ($state in Get-ScsiState $name) {
            $state.Controllers | Should -Be @('0:virtio-scsi')
            $state.Disks | Should -Be @('sda@0:0:0:0')
        }
        Test-Path $left[0].FullName | Should -BeFalse
    }
}

# Time limits that hold, and progress that ends on every way out (issue 10, 8).
Describe 'Time limits and progress' {
    BeforeEach { $script:Domains = @() }
    AfterEach {
        $Domains | ForEach-Object { Remove-TestDomain $_ }
        Remove-Item Env:VIRTIOSCSI_ROLLBACK_TIMEOUT_SEC -ErrorAction SilentlyContinue
    }

    It 'ends Remove-ScsiController -Timeout 5 after about 5 seconds when the guest does not let go' {
        Assert-LiveStack
        # An empty domain runs no OS to answer the ACPI unplug request: the wait runs to its end.
        $name = New-TestDomain conc "<controller type='scsi' index='0' model='virtio-scsi'/>"; $script:Domains += $name
        $clock = [Diagnostics.Stopwatch]::StartNew()
        { Remove-ScsiController $name -ConnectionUri $Uri -Index 0 -Timeout 5 -Confirm:$false -ErrorAction Stop } |
            Should -Throw -ErrorId 'DetachTimedOut,VirtioScsi.Commands.RemoveScsiControllerCommand'
        $clock.Elapsed.TotalSeconds | Should -BeLessThan 7
        $clock.Elapsed.TotalSeconds | Should -BeGreaterThan 4.5
    }

    It 'reports a rollback that cannot finish as RollbackIncomplete, cause first, with the command that removes what is left, and completes its progress' {
        Assert-LiveStack
        # No OS: the controller the attach hot-plugs is never released when the LUN (a target tgtd does not serve) fails.
        $name = New-TestDomain conc; $script:Domains += $name
        $env:VIRTIOSCSI_ROLLBACK_TIMEOUT_SEC = '8'
        $ps = [PowerShell]::Create()
        $null = $ps.AddCommand('Import-Module').AddArgument($ModuleManifest).AddStatement()
        $null = $ps.AddCommand('Add-PassthroughLun').AddParameter('Domain', $name).AddParameter('ConnectionUri', $Uri).
            AddParameter('IscsiPortal', $Portal).AddParameter('IscsiTarget', 'iqn.2026-11.test.virtioscsi:no-such-target').AddParameter('IscsiLun', 1)
        $clock = [Diagnostics.Stopwatch]::StartNew()
        $null = $ps.Invoke()
        $clock.Elapsed.TotalSeconds | Should -BeLessThan 25
        $record = $ps.Streams.Error | Select-Object -First 1
        $record.FullyQualifiedErrorId | Should -Be 'RollbackIncomplete,VirtioScsi.Commands.AddPassthroughLunCommand'
        $record.Exception.Message | Should -Match '^Attach iscsi://.* failed'
        $record.Exception.Message | Should -Match 'Left behind in domain .*virtio-scsi controller 0 \(live only\)'
        $record.Exception.InnerException.ErrorId | Should -Be 'AttachFailed'
        $record.ErrorDetails.RecommendedAction | Should -Match ([regex]::Escape("Remove-ScsiController -Domain '$name' -Index 0 -Live -Force"))
        $progress = @($ps.Streams.Progress)
        $progress.Count | Should -BeGreaterThan 0
        $progress[-1].RecordType | Should -Be 'Completed'
        $ps.Dispose()
    }
}

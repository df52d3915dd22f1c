BeforeAll {
    . (Join-Path $PSScriptRoot 'TestSupport.ps1')
    $script:Live = Test-LiveStack
    if (-not $Live -and $env:VIRTIOSCSI_REQUIRE_LIVE -eq '1') { throw 'The live libvirt stack is required but missing: run .ci/setup-stack.sh as root.' }

    # What the demo may leave behind: its domains, its iSCSI targets, its work folders.
    function Get-DemoLeftovers {
        @(& virsh --connect $Uri list --all --name | Where-Object { $_ -like 'vsdemo-*' })
        @((& tgtadm -C $TgtControlPort --lld iscsi --mode target --op show) | Where-Object { $_ -match 'demo\.virtioscsi' })
        @(Get-ChildItem ([IO.Path]::GetTempPath()) -Filter 'virtioscsi-demo.*' -ErrorAction SilentlyContinue | ForEach-Object FullName)
    }
}

Describe 'The one-command demo (demo/run-demo.sh)' {
    It 'runs as README says, shows the guest seeing the LUN, and leaves nothing behind' {
        Assert-LiveStack
        $before = Get-DemoLeftovers
        $output = & bash (Join-Path $RepoRoot 'demo/run-demo.sh') 2>&1 | Out-String
        $LASTEXITCODE | Should -Be 0 -Because $output
        $output | Should -Match 'VSGUEST add .*vendor=IET product=VIRTUAL-DISK.*driver=virtio_scsi'
        $output | Should -Match 'VSGUEST remove '
        $output | Should -Match '1 virtio-scsi'
        Get-DemoLeftovers | Should -Be $before
    }

    It 'cleans up when interrupted with Ctrl+C' {
        Assert-LiveStack
        $before = Get-DemoLeftovers
        $log = [IO.Path]::GetTempFileName()
        try {
            # Its own process group, as a terminal's Ctrl+C reaches the whole foreground group.
            $process = Start-Process -FilePath setsid -ArgumentList 'bash', (Join-Path $RepoRoot 'demo/run-demo.sh') `
                -RedirectStandardOutput $log -PassThru
            $deadline = [DateTime]::UtcNow.AddSeconds(60)
            while ([DateTime]::UtcNow -lt $deadline -and -not ((Get-Content $log -Raw) -match 'Waiting for the guest kernel')) { Start-Sleep -Milliseconds 100 }
            (Get-Content $log -Raw) | Should -Match 'Waiting for the guest kernel'
            & kill -INT -- "-$($process.Id)"
            $process.WaitForExit(60000) | Should -BeTrue
            (Get-Content $log -Raw) | Should -Match 'Cleaning up'
            Get-DemoLeftovers | Should -Be $before
        } finally { Remove-Item $log -ErrorAction SilentlyContinue }
    }
}

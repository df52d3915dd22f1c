# One LUN on several domains as a user runs it, in a child pwsh: -WhatIf prints each domain's plan, and a
# failure on the second domain, made by a virsh wrapper first on PATH (the real virsh, with that domain's
# attach-device pointed at a file that does not exist), leaves the first domain as it was.

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestSupport.ps1')
    $script:Virtio0 = "<controller type='scsi' index='0' model='virtio-scsi'/>"

    function Invoke-ChildPwsh([string] $Command) {
        $pwsh, $pwshArgs = Get-PwshCommand
        & $pwsh @pwshArgs -NoProfile -NonInteractive -Command "Import-Module '$ModuleManifest'; $Command" 2>&1 | Out-String -Width 400
    }
}

Describe 'Add-PassthroughLun -Domain with several domains' {
    BeforeEach {
        $script:Domains = @()
        $script:Luns = @()
    }
    AfterEach {
        $Domains | ForEach-Object { Remove-TestDomain $_ }
        $Luns | ForEach-Object { Remove-TestIscsiLun $_ }
    }

    It 'prints the plan of each domain under -WhatIf and changes neither' {
        Assert-LiveStack
        $a = New-TestDomain cl $Virtio0; $b = New-TestDomain cl "<controller type='scsi' index='0' model='lsilogic'/>"; $script:Domains += $a, $b
        $lun = New-TestIscsiLun cl-whatif; $script:Luns += $lun
        $before = ($a, $b | ForEach-Object { Invoke-TestVirsh dumpxml $_; Invoke-TestVirsh dumpxml --inactive $_ }) -join "`n"

        $out = Invoke-ChildPwsh "Add-PassthroughLun -ConnectionUri '$Uri' -Domain '$a','$b' -IscsiPortal '$($lun.Portal)' -IscsiTarget '$($lun.Iqn)' -IscsiLun 1 -Shareable -WhatIf"

        foreach ($domain in $a, $b) {
            $out | Should -Match ("What if: Add virtio-scsi controller 1 to domain '" + [regex]::Escape($domain) + "'")
            $out | Should -Match ("attach-device --domain '" + [regex]::Escape($domain) + "'")
        }
        $out | Should -Match 'address type="drive" controller="1" bus="0" target="0" unit="0"'
        ($a, $b | ForEach-Object { Invoke-TestVirsh dumpxml $_; Invoke-TestVirsh dumpxml --inactive $_ }) -join "`n" | Should -Be $before
    }

    It 'undoes the first domain, live and persistent, when attach-device fails on the second' {
        Assert-LiveStack
        $a = New-TestDomain cl $Virtio0; $b = New-TestDomain cl $Virtio0; $script:Domains += $a, $b
        $lun = New-TestIscsiLun cl-fail; $script:Luns += $lun
        $before = (Invoke-TestVirsh dumpxml $a), (Invoke-TestVirsh dumpxml --inactive $a)

        $bin = Join-Path ([IO.Path]::GetTempPath()) "vsp-cl-$PID-bin"
        New-Item -ItemType Directory -Force $bin | Out-Null
        $real = (Get-Command virsh -CommandType Application | Select-Object -First 1).Source
        # The module sends commands as one argument (a process per batch) or on stdin (its session): both are rewritten.
        @"
#!/bin/bash
rewrite() { sed -u -E "s#(attach-device --domain '$b' --file )'[^']*'#\1'/nonexistent/vsp-injected-failure.xml'#g"; }
args=(); for a in "`$@"; do args+=("`$(printf '%s' "`$a" | rewrite)"); done
exec '$real' "`${args[@]}" < <(rewrite)
"@ | Set-Content -Path (Join-Path $bin 'virsh')
        & chmod +x (Join-Path $bin 'virsh')
        $path = $env:PATH
        try {
            $env:PATH = "$bin$([IO.Path]::PathSeparator)$path"
            $out = Invoke-ChildPwsh ("Add-PassthroughLun -ConnectionUri '$Uri' -Domain '$a','$b' -IscsiPortal '$($lun.Portal)' -IscsiTarget '$($lun.Iqn)' -IscsiLun 1 -Shareable " +
                                     "-ErrorVariable e -ErrorAction SilentlyContinue | Out-Null; `$e | ForEach-Object { 'ERROR ' + `$_.FullyQualifiedErrorId + ' ' + `$_.Exception.Message }")
        }
        finally {
            $env:PATH = $path
            Remove-Item -Recurse -Force $bin
        }

        $out | Should -Match 'ERROR AttachFailed,VirtioScsi.Commands.AddPassthroughLunCommand'
        $out | Should -Match 'vsp-injected-failure'
        $out | Should -Match ("Undone on domain '" + [regex]::Escape($a) + "'")
        (Invoke-TestVirsh dumpxml $a), (Invoke-TestVirsh dumpxml --inactive $a) | Should -Be $before
        Invoke-TestVirsh dumpxml --inactive $b | Should -Not -Match ([regex]::Escape($lun.Iqn))
    }
}

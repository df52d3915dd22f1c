<#
.SYNOPSIS
    The cmdlet half of demo/run-demo.sh: shows a domain's SCSI topology, attaches an iSCSI LUN through
    the pipeline, shows what the guest itself sees, and detaches the LUN again.
#>
param(
    [Parameter(Mandatory)] [string] $Domain,
    [Parameter(Mandatory)] [string] $Portal,
    [Parameter(Mandatory)] [string] $Iqn,
    [Parameter(Mandatory)] [string] $SerialLog,
    [Parameter(Mandatory)] [string] $Module
)
$ErrorActionPreference = 'Stop'
Import-Module (Resolve-Path $Module)
$PSDefaultParameterValues['*:ConnectionUri'] = 'qemu:///system'

# The guest's own lines on its serial console: "VSGUEST ready", "VSGUEST add …", "VSGUEST inq …".
function Wait-GuestLine([scriptblock] $Match, [int] $Seconds, [string] $What) {
    $deadline = [DateTime]::UtcNow.AddSeconds($Seconds)
    while ([DateTime]::UtcNow -lt $deadline) {
        $lines = @(Get-Content -Path $SerialLog -ErrorAction SilentlyContinue | ForEach-Object {
            $i = $_.IndexOf('VSGUEST '); if ($i -ge 0) { $_.Substring($i).TrimEnd("`r") } })
        $found = $lines | Where-Object $Match
        if ($found) { return $lines }
        Start-Sleep -Milliseconds 200
    }
    throw "The guest did not report $What within $Seconds s."
}

Write-Host "`n== Waiting for the guest kernel"
Wait-GuestLine { $_ -like 'VSGUEST ready*' } 90 'that it is ready' | Out-Null

Write-Host "`n== Before: Get-DomainScsiTopology $Domain"
Get-DomainScsiTopology $Domain | Format-Table | Out-Host
Get-DomainScsiTopology $Domain | Select-Object -ExpandProperty Controllers | Format-Table | Out-Host

Write-Host "== Get-DomainScsiTopology $Domain | New-ScsiController | Add-PassthroughLun -IscsiPortal $Portal -IscsiTarget $Iqn -IscsiLun 1"
$lun = Get-DomainScsiTopology $Domain | New-ScsiController | Add-PassthroughLun -IscsiPortal $Portal -IscsiTarget $Iqn -IscsiLun 1
$lun | Format-Table | Out-Host

Write-Host "== After: the lsi controller is untouched, the LUN sits on the new virtio-scsi controller"
Get-DomainScsiTopology $Domain | Select-Object -ExpandProperty Controllers | Format-Table | Out-Host

Write-Host "== What the guest says (its own sg_inq: the target's vendor, not QEMU's)"
$lines = Wait-GuestLine { $_ -like 'VSGUEST inq-end*' } 60 'the new device'
$lines | Where-Object { $_ -like 'VSGUEST add*' -or $_ -like '*identification*' -or $_ -like '*revision level*' } | ForEach-Object { "  $_" } | Out-Host

Write-Host "== Remove-PassthroughLun $Domain -TargetDevice $($lun.TargetDevice)"
$lun | Remove-PassthroughLun -Confirm:$false
$lines = Wait-GuestLine { $_ -like 'VSGUEST remove*' } 30 'that the device is gone'
$lines | Where-Object { $_ -like 'VSGUEST remove*' } | ForEach-Object { "  $_" } | Out-Host

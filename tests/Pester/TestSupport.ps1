# Shared by the Pester suites: the built module, and real domains and iSCSI LUNs on the live stack
# (libvirtd on qemu:///system and the project's tgtd, from .ci/setup-stack.sh).

$script:RepoRoot = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
$script:Version = (Import-PowerShellDataFile (Join-Path $RepoRoot 'VirtioScsi.psd1')).ModuleVersion
$script:ModuleManifest = if ($env:VIRTIOSCSI_MODULE) { $env:VIRTIOSCSI_MODULE } else { Join-Path $RepoRoot "out/VirtioScsi/$Version/VirtioScsi.psd1" }
$script:Uri = 'qemu:///system'
$script:IscsiPort = if ($env:VIRTIOSCSI_ISCSI_PORT) { [int]$env:VIRTIOSCSI_ISCSI_PORT } else { 13260 }
$script:TgtControlPort = if ($env:VIRTIOSCSI_TGT_CONTROL_PORT) { $env:VIRTIOSCSI_TGT_CONTROL_PORT } else { '13' }
$script:Portal = "127.0.0.1:$IscsiPort"

function Get-PwshCommand {
    # The pwsh that runs these tests, as a program and the arguments that come before its own: a pwsh
    # installed as a .NET tool runs as `dotnet pwsh.dll` (its process path is dotnet), the Microsoft and
    # distro packages as a native pwsh executable.
    $process = [Environment]::ProcessPath
    if ([IO.Path]::GetFileNameWithoutExtension($process) -eq 'dotnet') {
        return $process, @(Join-Path $PSHOME 'pwsh.dll')
    }
    return $process, @()
}

function Test-LiveStack {
    if (-not (Get-Command virsh -ErrorAction SilentlyContinue)) { return $false }
    & virsh --connect $Uri version --daemon *> $null
    if ($LASTEXITCODE -ne 0) { return $false }
    & tgtadm -C $TgtControlPort --lld iscsi --mode system --op show *> $null
    return $LASTEXITCODE -eq 0
}

function Assert-LiveStack {
    if (Test-LiveStack) { return }
    if ($env:VIRTIOSCSI_REQUIRE_LIVE -eq '1') { throw 'The live libvirt stack is required but missing: run .ci/setup-stack.sh as root.' }
    Set-ItResult -Skipped -Because 'the live libvirt stack is missing (run .ci/setup-stack.sh as root)'
}

function Invoke-TestVirsh {
    Invoke-TestVirshOn $Uri @args
}

# Invoke-TestVirsh for another connection, such as the second host of the remote tests.
function Invoke-TestVirshOn {
    $connection, $arguments = $args
    $output = & virsh --connect $connection @arguments 2>&1
    if ($LASTEXITCODE -ne 0) { throw "virsh --connect $connection $($arguments -join ' ') failed: $output" }
    $output -join "`n"
}

$script:Sequence = 0
function New-TestDomain {
    param([string] $Purpose, [string] $Devices = '', [switch] $ShutOff, [switch] $NoAcpi, [string] $Name,
          [string] $ConnectionUri = $Uri)
    $script:Sequence++
    if (-not $Name) { $Name = "vsp-$Purpose-$PID-$script:Sequence" }
    # A qemu:///session daemon's QEMU runs as its user, who has no access to /dev/kvm.
    $type = if ((Test-Path /dev/kvm) -and $ConnectionUri -notlike '*/session*') { 'kvm' } else { 'qemu' }
    $features = if ($NoAcpi) { '' } else { '<features><acpi/></features>' }
    $xml = "<domain type='$type'><name>$([Security.SecurityElement]::Escape($Name))</name><memory unit='MiB'>64</memory><vcpu>1</vcpu>" +
           "<os><type arch='x86_64' machine='pc'>hvm</type></os>$features<devices>$Devices</devices></domain>"
    $file = [IO.Path]::GetTempFileName()
    Set-Content -Path $file -Value $xml
    try {
        Invoke-TestVirshOn $ConnectionUri define $file | Out-Null
        if (-not $ShutOff) { Invoke-TestVirshOn $ConnectionUri start $Name | Out-Null }
    } finally { Remove-Item $file }
    $Name
}

function Remove-TestDomain {
    param([string] $Name, [string] $ConnectionUri = $Uri)
    & virsh --connect $ConnectionUri destroy $Name *> $null
    & virsh --connect $ConnectionUri undefine $Name *> $null
}

function New-TestIscsiLun {
    param([string] $Purpose)
    $shown = (& tgtadm -C $TgtControlPort --lld iscsi --mode target --op show) -join "`n"
    $used = [regex]::Matches($shown, '(?m)^Target (\d+):') | ForEach-Object { [int]$_.Groups[1].Value }
    # 1000-1999: the Pester suites' own range (xunit uses 100-899, the guest scripts 900-999).
    $tid = 1000..1999 | Where-Object { $_ -notin $used } | Select-Object -First 1
    $iqn = "iqn.2026-11.test.virtioscsi:pester-$Purpose-$PID-$tid"
    $file = Join-Path ([IO.Path]::GetTempPath()) "virtioscsi-pester-$PID-$tid.img"
    $stream = [IO.File]::Create($file); $stream.SetLength(32MB); $stream.Dispose()
    & tgtadm -C $TgtControlPort --lld iscsi --mode target --op new --tid $tid --targetname $iqn | Out-Null
    & tgtadm -C $TgtControlPort --lld iscsi --mode logicalunit --op new --tid $tid --lun 1 --backing-store $file | Out-Null
    & tgtadm -C $TgtControlPort --lld iscsi --mode target --op bind --tid $tid --initiator-address 127.0.0.1 | Out-Null
    [pscustomobject]@{ Tid = $tid; Iqn = $iqn; Lun = 1; Portal = $Portal; File = $file }
}

function Remove-TestIscsiLun {
    param($Lun)
    & tgtadm -C $TgtControlPort --lld iscsi --mode target --op delete --force --tid $Lun.Tid *> $null
    Remove-Item $Lun.File -ErrorAction SilentlyContinue
}

function Get-ScsiBlockBus {
    param([string] $Domain, [string] $ConnectionUri = $Uri)
    $qtree = Invoke-TestVirshOn $ConnectionUri qemu-monitor-command $Domain --hmp 'info qtree'
    $bus = $null
    foreach ($line in $qtree -split "`n") {
        $line = $line.Trim()
        if ($line -like 'bus: *') { $bus = $line.Substring(5) }
        if ($line -like 'dev: scsi-block,*') { $bus }
    }
}

#requires -Version 7.0
<#
.SYNOPSIS
    Builds, tests and packages the VirtioScsi module.
.DESCRIPTION
    Build   : publishes the module into out/VirtioScsi/<version>/ (manifest, DLL, format file, en-US help).
    Test    : builds, then runs the xunit suite and the Pester suites (tests/run-tests.sh does the same from bash).
    Package : builds, then zips out/VirtioScsi/<version>/ into out/VirtioScsi-<version>.zip.
    Docs    : regenerates en-US/VirtioScsi.PowerShell.dll-Help.xml from docs/en-US/*.md with platyPS (if installed).
    The version comes from ModuleVersion in VirtioScsi.psd1, its only home.
.EXAMPLE
    pwsh ./build.ps1
    Import-Module ./out/VirtioScsi/0.1.0/VirtioScsi.psd1
#>
[CmdletBinding()]
param(
    [ValidateSet('Build', 'Test', 'Package', 'Docs')]
    [string[]] $Task = 'Build',

    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release'
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest

$root = $PSScriptRoot
$manifestPath = Join-Path $root 'VirtioScsi.psd1'
$version = (Import-PowerShellDataFile $manifestPath).ModuleVersion
$moduleDir = Join-Path $root "out/VirtioScsi/$version"

function Invoke-Native {
    param([string] $Program, [string[]] $Arguments)
    & $Program @Arguments
    if ($LASTEXITCODE -ne 0) { throw "$Program $($Arguments -join ' ') failed with exit code $LASTEXITCODE" }
}

function Invoke-Build {
    $publish = Join-Path $root 'out/publish'
    Invoke-Native dotnet @('publish', (Join-Path $root 'src/VirtioScsi.PowerShell'), '-c', $Configuration, '-o', $publish, '--nologo', '-v', 'quiet')
    if (Test-Path $moduleDir) { Remove-Item $moduleDir -Recurse -Force }
    New-Item -ItemType Directory -Path (Join-Path $moduleDir 'en-US') -Force | Out-Null
    Copy-Item (Join-Path $publish 'VirtioScsi.PowerShell.dll') $moduleDir
    Copy-Item $manifestPath, (Join-Path $root 'VirtioScsi.Format.ps1xml') $moduleDir
    Copy-Item (Join-Path $root 'en-US/*') (Join-Path $moduleDir 'en-US') -Recurse
    Write-Host "Built VirtioScsi $version into $moduleDir"
}

function Invoke-Test {
    Invoke-Build
    Invoke-Native dotnet @('test', (Join-Path $root 'tests/VirtioScsi.Tests'), '-c', $Configuration, '--nologo')
    & (Join-Path $root 'tests/Pester/Invoke-PesterSuites.ps1')
    if ($LASTEXITCODE -ne 0) { throw 'Pester suites failed' }
}

function Invoke-Package {
    Invoke-Build
    $zip = Join-Path $root "out/VirtioScsi-$version.zip"
    Compress-Archive -Path $moduleDir -DestinationPath $zip -Force
    Write-Host "Packaged $zip"
}

function Invoke-Docs {
    if (-not (Get-Module -ListAvailable platyPS)) {
        throw 'platyPS is not installed: Install-Module platyPS, then run ./build.ps1 -Task Docs again. The committed en-US help stays as it is.'
    }
    Import-Module platyPS
    New-ExternalHelp -Path (Join-Path $root 'docs/en-US') -OutputPath (Join-Path $root 'en-US') -Force | Out-Null
    Write-Host 'Regenerated en-US/VirtioScsi.PowerShell.dll-Help.xml'
}

foreach ($t in $Task) {
    & "Invoke-$t"
}

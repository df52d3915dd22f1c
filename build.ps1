#requires -Version 7.0
<#
.SYNOPSIS
    Builds, tests and packages the VirtioScsi module.
.DESCRIPTION
    Build   : publishes the module into out/VirtioScsi/<version>/ (manifest, DLL, format file, en-US help).
    Test    : builds, then runs the xunit suite and the Pester suites (tests/run-tests.sh does the same from bash).
    Package : builds, then publishes the module with PSResourceGet into the file repository out/package/
              (VirtioScsi.<version>.nupkg, PowerShell Gallery-shaped) and zips it as out/VirtioScsi-<version>.zip,
              which extracts as VirtioScsi/<version>/; writes the updatable help for Update-Help into
              out/updatable-help/.
    Docs    : regenerates en-US/ (VirtioScsi.PowerShell.dll-Help.xml and about_*.help.txt) from docs/en-US/*.md with
              the converter in tools/HelpCompiler (Markdig), and the MAML with platyPS where it is installed.
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
    Copy-Item $manifestPath, (Join-Path $root 'VirtioScsi.Format.ps1xml'), (Join-Path $root 'VirtioScsi.Types.ps1xml') $moduleDir
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
    $packageDir = Join-Path $root 'out/package'
    if (Test-Path $packageDir) { Remove-Item $packageDir -Recurse -Force }
    New-Item -ItemType Directory -Path $packageDir | Out-Null

    # PSResourceGet keeps its repositories in the user's PSResourceRepository.xml. Publishing runs in a job
    # (a child pwsh) whose HOME, XDG_DATA_HOME and XDG_CONFIG_HOME are a throwaway folder, so the user's
    # repositories are neither read nor changed, and only the temporary file repository is known to it.
    $store = Join-Path ([IO.Path]::GetTempPath()) "virtioscsi-psresourceget-$PID"
    $saved = $env:HOME, $env:XDG_DATA_HOME, $env:XDG_CONFIG_HOME
    try {
        # The folders must exist: .NET reports a missing one as '', and PSResourceGet and NuGet would then write
        # into the current folder.
        $env:HOME = $store
        $env:XDG_DATA_HOME = (New-Item -ItemType Directory -Path (Join-Path $store '.local/share') -Force).FullName
        $env:XDG_CONFIG_HOME = (New-Item -ItemType Directory -Path (Join-Path $store '.config') -Force).FullName
        $job = Start-Job -ArgumentList $moduleDir, $packageDir -ScriptBlock {
            param($ModuleDir, $PackageDir)
            $ErrorActionPreference = 'Stop'
            $name = "VirtioScsiBuild$PID"
            Register-PSResourceRepository -Name $name -Uri $PackageDir -Trusted
            try { Publish-PSResource -Path $ModuleDir -Repository $name }
            finally { Unregister-PSResourceRepository -Name $name }
        }
        $job | Receive-Job -Wait -AutoRemoveJob -ErrorAction Stop
    } finally {
        $env:HOME, $env:XDG_DATA_HOME, $env:XDG_CONFIG_HOME = $saved
        Remove-Item -LiteralPath $store -Recurse -Force -ErrorAction SilentlyContinue
    }
    $nupkg = Join-Path $packageDir "VirtioScsi.$version.nupkg"
    if (-not (Test-Path $nupkg)) { throw "Publish-PSResource wrote no $nupkg" }
    Write-Host "Packaged $nupkg (a file repository: Register-PSResourceRepository -Uri $packageDir)"

    Invoke-UpdatableHelp

    # The zip holds VirtioScsi/<version>/, so that it extracts into any folder of PSModulePath as is.
    $staging = Join-Path ([IO.Path]::GetTempPath()) "virtioscsi-zip-$PID"
    try {
        New-Item -ItemType Directory -Path (Join-Path $staging 'VirtioScsi') -Force | Out-Null
        Copy-Item $moduleDir (Join-Path $staging 'VirtioScsi') -Recurse
        $zip = Join-Path $root "out/VirtioScsi-$version.zip"
        Compress-Archive -Path (Join-Path $staging 'VirtioScsi') -DestinationPath $zip -Force
        Write-Host "Packaged $zip"
    } finally {
        Remove-Item -LiteralPath $staging -Recurse -Force -ErrorAction SilentlyContinue
    }
}

# Update-Help -Module VirtioScsi reads <HelpInfoURI>/VirtioScsi_<GUID>_HelpInfo.xml, then fetches the help of each
# culture it lists from its HelpContentURI as VirtioScsi_<GUID>_<culture>_HelpContent.zip (PowerShell 7 on Linux and
# macOS; Windows wants a .cab, which cannot be made here). Both files go into out/updatable-help/, to be published
# where the manifest's HelpInfoURI points.
function Invoke-UpdatableHelp {
    $manifest = Import-PowerShellDataFile $manifestPath
    if (-not $manifest.ContainsKey('HelpInfoURI')) { throw 'VirtioScsi.psd1 has no HelpInfoURI: Update-Help would have nowhere to look.' }
    $folder = Join-Path $root 'out/updatable-help'
    if (Test-Path $folder) { Remove-Item -LiteralPath $folder -Recurse -Force }
    New-Item -ItemType Directory -Path $folder | Out-Null
    $prefix = "VirtioScsi_$($manifest.GUID)"
    $cultureVersion = ([version]$version).ToString(3) + '.0'
    $helpInfo = @"
<?xml version="1.0" encoding="utf-8"?>
<HelpInfo xmlns="http://schemas.microsoft.com/powershell/help/2010/05">
  <HelpContentURI>$([Security.SecurityElement]::Escape($manifest.HelpInfoURI))</HelpContentURI>
  <SupportedUICultures>
    <UICulture>
      <UICultureName>en-US</UICultureName>
      <UICultureVersion>$cultureVersion</UICultureVersion>
    </UICulture>
  </SupportedUICultures>
</HelpInfo>
"@
    Set-Content -LiteralPath (Join-Path $folder "${prefix}_HelpInfo.xml") -Value $helpInfo -Encoding utf8NoBOM
    Compress-Archive -Path (Join-Path $moduleDir 'en-US/*') -DestinationPath (Join-Path $folder "${prefix}_en-US_HelpContent.zip")
    Write-Host "Wrote the updatable help into $folder (publish it at $($manifest.HelpInfoURI))"
}

function Invoke-Docs {
    $docs = Join-Path $root 'docs/en-US'
    $help = Join-Path $root 'en-US'
    # The converter in this repo writes the MAML and the about_ topics; tests/Pester/HelpSource.Tests.ps1 checks
    # that en-US/ is exactly what it makes of the markdown.
    Invoke-Native dotnet @('run', '--project', (Join-Path $root 'tools/HelpCompiler'), '-c', $Configuration, '-v', 'quiet', '--', $docs, $help)
    # Where platyPS is installed, it writes the MAML instead (the converter writes the layout platyPS 0.14 writes;
    # the about_ topics stay the converter's, as platyPS lays them out differently).
    if (Get-Module -ListAvailable platyPS) {
        Import-Module platyPS
        $pages = Get-ChildItem $docs -Filter '*.md' | Where-Object Name -NotLike 'about_*'
        New-ExternalHelp -Path $pages.FullName -OutputPath $help -Force | Out-Null
        Write-Host 'platyPS wrote the MAML.'
    }
    Write-Host "Regenerated $help from $docs"
}

foreach ($t in $Task) {
    & "Invoke-$t"
}

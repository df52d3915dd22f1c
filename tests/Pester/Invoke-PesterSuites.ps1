<#
.SYNOPSIS
    Runs the Pester suites in this folder against the built module (out/VirtioScsi/<version>/).
.PARAMETER ResultFile
    Where to write one line "passed failed skipped", for tests/run-tests.sh to count.
#>
[CmdletBinding()]
param([string] $ResultFile)

$ErrorActionPreference = 'Stop'
# tests/run-tests.sh puts the pinned Pester (tools/toolchain/install.sh) first on PSModulePath.
Import-Module Pester -MinimumVersion 5.5

$configuration = New-PesterConfiguration
$configuration.Run.Path = $PSScriptRoot
$configuration.Run.PassThru = $true
$configuration.Output.Verbosity = 'Detailed'
$result = Invoke-Pester -Configuration $configuration

$skipped = $result.SkippedCount + $result.NotRunCount
if ($ResultFile) {
    "$($result.PassedCount) $($result.FailedCount) $skipped" | Set-Content -Path $ResultFile -Encoding ascii
}
Write-Host "Pester: $($result.PassedCount) passed, $($result.FailedCount) failed, $skipped skipped"
exit ([int]($result.FailedCount -gt 0 -or $result.Result -ne 'Passed'))

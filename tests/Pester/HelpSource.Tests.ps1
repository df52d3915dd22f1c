# The committed help in en-US/ must be exactly what build.ps1 -Task Docs makes of docs/en-US/*.md, so that the help
# a user reads cannot drift from its source. The suite builds and runs the converter (tools/HelpCompiler) itself.

BeforeDiscovery {
    . (Join-Path $PSScriptRoot 'TestSupport.ps1')
    $script:CommittedCases = @(Get-ChildItem (Join-Path $RepoRoot 'en-US') -File | ForEach-Object { @{ File = $_.Name } })
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestSupport.ps1')
    $script:Generated = Join-Path ([IO.Path]::GetTempPath()) "virtioscsi-pester-help-$PID"
    $output = & dotnet run --project (Join-Path $RepoRoot 'tools/HelpCompiler') -c Release -v quiet -- (Join-Path $RepoRoot 'docs/en-US') $Generated 2>&1
    if ($LASTEXITCODE -ne 0) { throw "tools/HelpCompiler failed: $output" }

    # The first line where two texts part, for a failure message that says where to look.
    function Get-FirstDifference([string] $Expected, [string] $Actual) {
        $expectedLines = $Expected -split "`n"; $actualLines = $Actual -split "`n"
        for ($i = 0; $i -lt [Math]::Max($expectedLines.Count, $actualLines.Count); $i++) {
            if ($expectedLines[$i] -cne $actualLines[$i]) {
                return "line $($i + 1): the markdown makes '$($expectedLines[$i])', en-US/ has '$($actualLines[$i])'"
            }
        }
    }
}

AfterAll {
    if ($Generated -like (Join-Path ([IO.Path]::GetTempPath()) 'virtioscsi-pester-help-*')) {
        Remove-Item -LiteralPath $Generated -Recurse -Force -ErrorAction SilentlyContinue
    }
}

Describe 'The committed help and its markdown' {
    It 'has a file in en-US/ for each file the markdown makes, and no other' {
        @(Get-ChildItem $Generated -File).Name | Sort-Object | Should -Be (@(Get-ChildItem (Join-Path $RepoRoot 'en-US') -File).Name | Sort-Object)
    }

    It 'en-US/<File> is exactly what docs/en-US makes of it (run ./build.ps1 -Task Docs after editing the markdown)' -ForEach $CommittedCases {
        $made = Join-Path $Generated $File
        $made | Should -Exist -Because 'no markdown in docs/en-US makes it'
        $expected = [IO.File]::ReadAllText($made)
        $actual = [IO.File]::ReadAllText((Join-Path $RepoRoot "en-US/$File"))
        if ($actual -cne $expected) {
            throw "en-US/$File is not what docs/en-US makes of it; run ./build.ps1 -Task Docs and commit en-US/. First difference at $(Get-FirstDifference $expected $actual)"
        }
    }
}

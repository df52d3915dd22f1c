# The module as a user installs it: build.ps1 -Task Package publishes it with PSResourceGet into a file repository
# (out/package/), and a fresh pwsh installs it from there with Install-PSResource and imports it by name.
# Every PSResourceGet call runs in a job (a child pwsh) whose HOME and XDG folders are a throwaway folder: its
# repository list and its CurrentUser module path are that folder's, so nothing of the user's is read or changed.

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestSupport.ps1')
    $script:UserRepositories = Join-Path ([Environment]::GetFolderPath('LocalApplicationData')) 'PSResourceGet/PSResourceRepository.xml'
    $script:UserRepositoriesBefore = if (Test-Path $UserRepositories) { (Get-FileHash $UserRepositories).Hash }
    $script:UserInstall = Join-Path ([Environment]::GetFolderPath('UserProfile')) '.local/share/powershell/Modules/VirtioScsi'
    $script:UserInstallBefore = Test-Path $UserInstall

    & (Join-Path $RepoRoot 'build.ps1') -Task Package
    $script:PackageDir = Join-Path $RepoRoot 'out/package'
    $script:Nupkg = Join-Path $PackageDir "VirtioScsi.$Version.nupkg"
    $script:Zip = Join-Path $RepoRoot "out/VirtioScsi-$Version.zip"
    $script:Sandbox = Join-Path ([IO.Path]::GetTempPath()) "virtioscsi-pester-package-$PID"
    New-Item -ItemType Directory -Path $Sandbox -Force | Out-Null
    $script:UserModules = Join-Path $Sandbox '.local/share/powershell/Modules'

    # Runs a script block in a fresh pwsh whose home is the throwaway folder and whose PSModulePath is PowerShell's
    # default (user, shared and $PSHOME modules) plus $ModulePath, as a new user's session has.
    function Invoke-FreshPwsh {
        param([scriptblock] $ScriptBlock, [object[]] $ArgumentList = @(), [string] $ModulePath = '', [string] $HomeDir = $Sandbox)
        $saved = $env:HOME, $env:XDG_DATA_HOME, $env:XDG_CONFIG_HOME, $env:PSModulePath
        try {
            # The folders must exist: .NET reports a missing one as '', and PSResourceGet and NuGet would then
            # write into the current folder.
            $env:HOME = $HomeDir
            $env:XDG_DATA_HOME = (New-Item -ItemType Directory -Path (Join-Path $HomeDir '.local/share') -Force).FullName
            $env:XDG_CONFIG_HOME = (New-Item -ItemType Directory -Path (Join-Path $HomeDir '.config') -Force).FullName
            $env:PSModulePath = $ModulePath
            Start-Job -ScriptBlock $ScriptBlock -ArgumentList $ArgumentList | Receive-Job -Wait -AutoRemoveJob -ErrorAction Stop
        } finally {
            $env:HOME, $env:XDG_DATA_HOME, $env:XDG_CONFIG_HOME, $env:PSModulePath = $saved
        }
    }

    function Read-ZipEntry([string] $Path, [string] $Entry) {
        Add-Type -AssemblyName System.IO.Compression.FileSystem
        $archive = [IO.Compression.ZipFile]::OpenRead($Path)
        try {
            $reader = [IO.StreamReader]::new($archive.GetEntry($Entry).Open())
            try { $reader.ReadToEnd() } finally { $reader.Dispose() }
        } finally { $archive.Dispose() }
    }

    function Get-ZipEntryNames([string] $Path) {
        Add-Type -AssemblyName System.IO.Compression.FileSystem
        $archive = [IO.Compression.ZipFile]::OpenRead($Path)
        try { $archive.Entries.FullName -replace '\\', '/' } finally { $archive.Dispose() }
    }
}

AfterAll {
    # Only ever the folder this suite made under the temp path.
    if ($Sandbox -and $Sandbox -like (Join-Path ([IO.Path]::GetTempPath()) 'virtioscsi-pester-package-*')) {
        Remove-Item -LiteralPath $Sandbox -Recurse -Force -ErrorAction SilentlyContinue
    }
}

Describe 'build.ps1 -Task Package' {
    It 'publishes a PowerShell Gallery-shaped VirtioScsi.<version>.nupkg into out/package' {
        $Nupkg | Should -Exist
        $entries = Get-ZipEntryNames $Nupkg
        foreach ($file in 'VirtioScsi.nuspec', 'VirtioScsi.psd1', 'VirtioScsi.PowerShell.dll', 'VirtioScsi.Format.ps1xml',
            'en-US/VirtioScsi.PowerShell.dll-Help.xml', 'en-US/about_VirtioScsi.help.txt') {
            $entries | Should -Contain $file
        }
        $nuspec = [xml](Read-ZipEntry $Nupkg 'VirtioScsi.nuspec')
        $metadata = $nuspec.package.metadata
        $metadata.id | Should -Be 'VirtioScsi'
        $metadata.version | Should -Be $Version
        $metadata.authors | Should -Not -BeNullOrEmpty
        $metadata.description | Should -Not -BeNullOrEmpty
        $metadata.licenseUrl | Should -Match '/LICENSE$'
        $metadata.tags -split ' ' | Should -Contain 'PSModule'
    }

    It 'zips the module as VirtioScsi/<version>/' {
        $entries = Get-ZipEntryNames $Zip
        $entries | Should -Contain "VirtioScsi/$Version/VirtioScsi.psd1"
        $entries | Where-Object { $_ -notlike "VirtioScsi/$Version/*" } | Should -BeNullOrEmpty
    }

    It 'leaves the user''s PSResourceGet repositories and module folder as they were' {
        $after = if (Test-Path $UserRepositories) { (Get-FileHash $UserRepositories).Hash }
        $after | Should -Be $UserRepositoriesBefore
        Test-Path $UserInstall | Should -Be $UserInstallBefore
        Join-Path $RepoRoot 'PSResourceGet' | Should -Not -Exist
        Join-Path $RepoRoot 'NuGet' | Should -Not -Exist
    }
}

Describe 'Installing the package the PowerShell way' {
    BeforeAll {
        # Install-PSResource into the CurrentUser scope of the throwaway home, from the file repository only.
        $script:Installed = Invoke-FreshPwsh -ArgumentList $PackageDir -ScriptBlock {
            param($PackageDir)
            $ErrorActionPreference = 'Stop'
            Register-PSResourceRepository -Name VirtioScsiTest -Uri $PackageDir -Trusted
            try {
                Install-PSResource VirtioScsi -Repository VirtioScsiTest -Scope CurrentUser -PassThru |
                    Select-Object Name, @{ n = 'Version'; e = { $_.Version.ToString() } }, InstalledLocation
            } finally { Unregister-PSResourceRepository -Name VirtioScsiTest }
        }
    }

    AfterEach {
        if ($script:Domain) { Remove-TestDomain $script:Domain; $script:Domain = $null }
    }

    It 'installs VirtioScsi <version> with Install-PSResource' {
        $Installed.Name | Should -Be 'VirtioScsi'
        $Installed.Version | Should -Be $Version
        Join-Path $UserModules "VirtioScsi/$Version/VirtioScsi.psd1" | Should -Exist
        # PSResourceGet kept its repository list in the throwaway home, not in the user's or the current folder.
        Join-Path $Sandbox '.local/share/PSResourceGet/PSResourceRepository.xml' | Should -Exist
    }

    It 'imports by name in a fresh pwsh and runs a cmdlet against the live libvirt' {
        Assert-LiveStack
        $script:Domain = New-TestDomain pkg -ShutOff
        $result = Invoke-FreshPwsh -ArgumentList $Uri, $Domain -ScriptBlock {
            param($Uri, $Domain)
            $ErrorActionPreference = 'Stop'
            Import-Module VirtioScsi
            [pscustomobject]@{
                ModuleBase = (Get-Module VirtioScsi).ModuleBase
                Commands   = @((Get-Command -Module VirtioScsi).Name)
                Topology   = Get-DomainScsiTopology -Name $Domain -ConnectionUri $Uri -ErrorAction Stop |
                    Select-Object Name, State
            }
        }
        $result.ModuleBase | Should -Be (Join-Path $UserModules "VirtioScsi/$Version")
        $result.Commands | Should -Contain 'Get-DomainScsiTopology'
        $result.Commands | Should -HaveCount 5
        $result.Topology.Name | Should -Be $Domain
        "$($result.Topology.State)" | Should -Be 'shut off'
    }

    It 'imports by name from out/ once out/ is on PSModulePath' {
        # A home of its own, without the copy the test above installed.
        $result = Invoke-FreshPwsh -ModulePath (Join-Path $RepoRoot 'out') -HomeDir (Join-Path $Sandbox 'plain') -ScriptBlock {
            Import-Module VirtioScsi -ErrorAction Stop
            (Get-Module VirtioScsi).ModuleBase
        }
        $result | Should -Be (Join-Path $RepoRoot "out/VirtioScsi/$Version")
    }

    It 'leaves the user''s PSResourceGet repositories and module folder as they were' {
        $after = if (Test-Path $UserRepositories) { (Get-FileHash $UserRepositories).Hash }
        $after | Should -Be $UserRepositoriesBefore
        Test-Path $UserInstall | Should -Be $UserInstallBefore
        Join-Path $RepoRoot 'PSResourceGet' | Should -Not -Exist
        Join-Path $RepoRoot 'NuGet' | Should -Not -Exist
    }
}

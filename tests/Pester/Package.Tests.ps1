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
        foreach ($file in 'VirtioScsi.nuspec', 'VirtioScsi.psd1', 'VirtioScsi.PowerShell.dll', 'VirtioScsi.Format.ps1xml', 'VirtioScsi.Types.ps1xml',
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
        # Every cmdlet the manifest exports, and only those.
        $result.Commands | Sort-Object | Should -Be ((Import-PowerShellDataFile (Join-Path $RepoRoot 'VirtioScsi.psd1')).CmdletsToExport | Sort-Object)
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
}

Describe 'Update-Help -Module VirtioScsi' {
    BeforeAll {
        # The updatable help that build.ps1 -Task Package wrote, served as its HelpInfoURI would serve it, by a
        # listener on 127.0.0.1; the installed module's manifest and HelpInfo.xml name that listener instead.
        $probe = [Net.Sockets.TcpListener]::new([Net.IPAddress]::Loopback, 0); $probe.Start()
        $script:Local = "http://127.0.0.1:$($probe.LocalEndpoint.Port)/"; $probe.Stop()
        $script:Served = New-Item -ItemType Directory -Path (Join-Path $Sandbox 'served') -Force
        $script:Published = Get-ChildItem (Join-Path $RepoRoot 'out/updatable-help')
        Copy-Item $Published.FullName $Served
        $helpInfo = Get-ChildItem $Served -Filter '*_HelpInfo.xml'
        (Get-Content -Raw $helpInfo.FullName) -replace '<HelpContentURI>[^<]*</HelpContentURI>', "<HelpContentURI>$Local</HelpContentURI>" |
            Set-Content -LiteralPath $helpInfo.FullName -NoNewline

        $script:Modules = Join-Path $Sandbox 'helpless-modules'
        $copy = New-Item -ItemType Directory -Path (Join-Path $Modules "VirtioScsi") -Force
        Copy-Item (Join-Path $RepoRoot "out/VirtioScsi/$Version") $copy -Recurse
        Remove-Item -LiteralPath (Join-Path $copy "$Version/en-US") -Recurse  # only Update-Help can bring the help back
        $manifestCopy = Join-Path $copy "$Version/VirtioScsi.psd1"
        (Get-Content -Raw $manifestCopy) -replace "HelpInfoURI\s*=\s*'[^']*'", "HelpInfoURI = '$Local'" | Set-Content -LiteralPath $manifestCopy -NoNewline

        $script:Stop = [Threading.ManualResetEventSlim]::new($false)
        $script:Server = Start-ThreadJob -ArgumentList $Local, $Served.FullName, $Stop -ScriptBlock {
            param($Prefix, $Folder, $Stop)
            $listener = [Net.HttpListener]::new()
            $listener.Prefixes.Add($Prefix)
            $listener.Start()
            try {
                while (-not $Stop.IsSet) {
                    $next = $listener.GetContextAsync()
                    while (-not $next.Wait(200)) { if ($Stop.IsSet) { return } }
                    $context = $next.Result
                    $file = Join-Path $Folder ([IO.Path]::GetFileName($context.Request.Url.AbsolutePath))
                    if (Test-Path -LiteralPath $file -PathType Leaf) {
                        $bytes = [IO.File]::ReadAllBytes($file)
                        $context.Response.OutputStream.Write($bytes, 0, $bytes.Length)
                    } else { $context.Response.StatusCode = 404 }
                    $context.Response.Close()
                    "GET $($context.Request.Url.AbsolutePath) $($context.Response.StatusCode)"
                }
            } finally { $listener.Close() }
        }
    }

    AfterAll {
        $Stop.Set()
        $Server | Wait-Job -Timeout 10 | Out-Null
        $Server | Remove-Job -Force
    }

    It 'has its HelpInfoURI in the manifest and the same HelpContentURI in the HelpInfo.xml it publishes' {
        $uri = (Import-PowerShellDataFile (Join-Path $RepoRoot 'VirtioScsi.psd1')).HelpInfoURI
        $uri | Should -Match '^https://.+/$'
        $guid = (Import-PowerShellDataFile (Join-Path $RepoRoot 'VirtioScsi.psd1')).GUID
        $Published.Name | Sort-Object | Should -Be @("VirtioScsi_${guid}_en-US_HelpContent.zip", "VirtioScsi_${guid}_HelpInfo.xml")
        $info = [xml](Get-Content -Raw ($Published | Where-Object Name -Like '*_HelpInfo.xml').FullName)
        $info.HelpInfo.HelpContentURI | Should -Be $uri
        $info.HelpInfo.SupportedUICultures.UICulture.UICultureName | Should -Be 'en-US'
    }

    It 'installs the module''s help from its HelpInfoURI, without HelpInfoUriNotFound' {
        $result = Invoke-FreshPwsh -ModulePath $Modules -HomeDir (Join-Path $Sandbox 'update-help') -ScriptBlock {
            $errors = $null
            Update-Help -Module VirtioScsi -UICulture en-US -Scope CurrentUser -Force -ErrorVariable errors -ErrorAction SilentlyContinue
            [pscustomobject]@{
                Errors   = @($errors | ForEach-Object { "$($_.FullyQualifiedErrorId): $($_.Exception.Message)" })
                Synopsis = (Get-Help Get-DomainScsiTopology).Synopsis
            }
        }
        $result.Errors | Should -BeNullOrEmpty
        $result.Synopsis | Should -Be ([xml](Get-Content -Raw (Join-Path $RepoRoot 'en-US/VirtioScsi.PowerShell.dll-Help.xml'))).helpItems.command.Where({ $_.details.name -eq 'Get-DomainScsiTopology' }).details.description.para
        # Get-Help finds about_ topics only beside the module, not in the CurrentUser help folder, so the about
        # topic is checked as a file (the module ships it in en-US/ anyway).
        $installed = Join-Path $Sandbox "update-help/.local/share/powershell/Help/VirtioScsi/$Version/en-US"
        Join-Path $installed 'VirtioScsi.PowerShell.dll-Help.xml' | Should -Exist
        Join-Path $installed 'about_VirtioScsi.help.txt' | Should -Exist
        $guid = (Import-PowerShellDataFile (Join-Path $RepoRoot 'VirtioScsi.psd1')).GUID
        @(Receive-Job $Server) | Should -Contain "GET /VirtioScsi_${guid}_en-US_HelpContent.zip 200" -Because 'the help came from the HelpInfoURI'
    }
}

# Last, after packaging, installing and Update-Help.
Describe 'What the user had' {
    It 'is as it was: the PSResourceGet repositories, the CurrentUser modules, and no PSResourceGet or NuGet folder in the repo' {
        $after = if (Test-Path $UserRepositories) { (Get-FileHash $UserRepositories).Hash }
        $after | Should -Be $UserRepositoriesBefore
        Test-Path $UserInstall | Should -Be $UserInstallBefore
        Join-Path $RepoRoot 'PSResourceGet' | Should -Not -Exist
        Join-Path $RepoRoot 'NuGet' | Should -Not -Exist
    }
}

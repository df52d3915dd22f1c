@{
    # The module version lives here and nowhere else: Directory.Build.props stamps it into the assembly.
    ModuleVersion        = '0.1.0'
    GUID                 = '5b7f4d0e-2c61-4f1a-9a57-6f2f3f1c8d21'
    RootModule           = 'VirtioScsi.PowerShell.dll'
    Author               = 'VirtioScsi contributors'
    CompanyName          = 'VirtioScsi'
    Copyright            = '(c) VirtioScsi contributors. MIT License.'
    Description          = 'Attach SAN LUNs to KVM/libvirt domains as virtio-scsi passthrough devices (raw device mapping), through virsh.'
    PowerShellVersion    = '5.1'
    CompatiblePSEditions = @('Desktop', 'Core')
    FormatsToProcess     = @('VirtioScsi.Format.ps1xml')
    TypesToProcess       = @('VirtioScsi.Types.ps1xml')
    # Where Update-Help finds the help that build.ps1 -Task Package writes into out/updatable-help/: each
    # release carries those two files as assets.
    HelpInfoURI          = 'https://github.com/virtioscsi/VirtioScsi/releases/latest/download/'
    CmdletsToExport      = @(
        'Get-DomainScsiTopology'
        'New-ScsiController'
        'Add-PassthroughLun'
        'Remove-PassthroughLun'
        'Remove-ScsiController'
        'Get-PassthroughLun'
        'Get-ScsiController'
        'Get-HostScsiLun'
        'Disconnect-VirshSession'
    )
    FunctionsToExport    = @()
    VariablesToExport    = @()
    AliasesToExport      = @()
    PrivateData          = @{
        PSData = @{
            Tags         = @('libvirt', 'KVM', 'QEMU', 'virtio-scsi', 'SCSI', 'SAN', 'LUN', 'passthrough', 'iSCSI', 'Linux')
            ProjectUri   = 'https://github.com/virtioscsi/VirtioScsi'
            LicenseUri   = 'https://github.com/virtioscsi/VirtioScsi/blob/main/LICENSE'
            ReleaseNotes = '0.1.0: Get-DomainScsiTopology, New-ScsiController, Add-PassthroughLun, Remove-PassthroughLun, Remove-ScsiController, Get-PassthroughLun and Get-ScsiController.'
        }
    }
}

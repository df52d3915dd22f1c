using System.Management.Automation;
using VirtioScsi.Virsh;

namespace VirtioScsi.Commands;

/// <summary>
/// Remove-Module VirtioScsi (and Import-Module -Force, which removes it first) closes the virsh sessions the
/// module kept open between calls; the processes would otherwise stay until the idle timeout or pwsh's end.
/// </summary>
public sealed class ModuleLifetime : IModuleAssemblyCleanup
{
    public void OnRemove(PSModuleInfo psModuleInfo) => VirshSessionPool.Shared.Close();
}

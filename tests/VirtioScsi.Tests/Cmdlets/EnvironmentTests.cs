using System;
using System.IO;
using System.Linq;
using VirtioScsi.Tests.Live;
using Xunit;

namespace VirtioScsi.Tests.Cmdlets;

/// <summary>
/// Tests that change the process environment (PATH, LIBVIRT_DEFAULT_URI, VIRTIOSCSI_VIRSH_TIMEOUT_SEC), which
/// the runspace shares with every other test: xunit runs this collection alone, after the parallel ones.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessEnvironmentCollection
{
    public const string Name = "Process environment";
}

[Collection(ProcessEnvironmentCollection.Name)]
public sealed class EnvironmentTests : IClassFixture<ModuleRunspace>
{
    private readonly ModuleRunspace _ps;

    public EnvironmentTests(ModuleRunspace ps) => _ps = ps;

    /// <summary>Sets environment variables for the duration of a test, and restores them.</summary>
    private sealed class Environment_ : IDisposable
    {
        private readonly (string Name, string? Value)[] _saved;

        public Environment_(params (string Name, string? Value)[] set)
        {
            _saved = set.Select(s => (s.Name, Environment.GetEnvironmentVariable(s.Name))).ToArray();
            foreach (var (name, value) in set) Environment.SetEnvironmentVariable(name, value);
        }

        public void Dispose()
        {
            foreach (var (name, value) in _saved) Environment.SetEnvironmentVariable(name, value);
        }
    }

    [Fact]
    public void VirshNotFound_stops_the_command_and_names_the_package()
    {
        PipelineResult result;
        using (new Environment_(("PATH", "/nonexistent")))
            result = _ps.Run("'vst-sdk-a', 'vst-sdk-b' | New-ScsiController -Config");
        // Terminating: one error for the two piped domains, where any other error would be one per domain.
        var error = result.SingleError();
        Assert.Equal($"VirshNotFound,{_ps.CmdletClass("New-ScsiController")}", error.FullyQualifiedErrorId);
        Assert.Contains(error.CategoryInfo.Category, ErrorRecordTests.Documented.Value["VirshNotFound"]);
        Assert.Equal("virsh", error.TargetObject);
        Assert.Contains("virsh", error.ErrorDetails!.Message);
        Assert.Contains("libvirt-clients", error.ErrorDetails.RecommendedAction);
        Assert.DoesNotContain("libvirt-clients", error.ErrorDetails.Message);
    }

    [SkippableFact]
    public void VirshTimedOut_when_virsh_does_not_answer_in_VIRTIOSCSI_VIRSH_TIMEOUT_SEC()
    {
        LiveStack.Require();
        // Fault injection around the real virsh: it answers, but only after the timeout.
        var slow = Path.Combine(Path.GetTempPath(), $"virtioscsi-sdk-slow-{Environment.ProcessId}");
        Directory.CreateDirectory(slow);
        var wrapper = Path.Combine(slow, "virsh");
        File.WriteAllText(wrapper, $"#!/bin/sh\nsleep 10\nexec {Support.Tools.Virsh} \"$@\"\n");
        LiveStack.Run("chmod", "700", wrapper);
        try
        {
            PipelineResult result;
            var clock = System.Diagnostics.Stopwatch.StartNew();
            using (new Environment_(("PATH", slow + ":" + Environment.GetEnvironmentVariable("PATH")), ("VIRTIOSCSI_VIRSH_TIMEOUT_SEC", "1")))
                result = _ps.Run("Get-DomainScsiTopology -ConnectionUri $uri -Name vst-sdk-slow");
            var error = result.SingleError();
            Assert.Equal($"VirshTimedOut,{_ps.CmdletClass("Get-DomainScsiTopology")}", error.FullyQualifiedErrorId);
            Assert.Contains(error.CategoryInfo.Category, ErrorRecordTests.Documented.Value["VirshTimedOut"]);
            // No domain was read yet: the target is the virsh command that did not finish.
            Assert.False(string.IsNullOrWhiteSpace(error.TargetObject as string));
            Assert.Contains("VIRTIOSCSI_VIRSH_TIMEOUT_SEC", error.ErrorDetails!.RecommendedAction);
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(8), $"a 1 s timeout took {clock.Elapsed}");
        }
        finally
        {
            Directory.Delete(slow, recursive: true);
        }
    }

    // ---- A null ConnectionUri on a piped object means the default connection (issue 10, point 2).

    /// <summary>No LIBVIRT_DEFAULT_URI: the default connection is virsh's own, qemu:///system for root.</summary>
    private static Environment_ DefaultConnection()
    {
        var environment = new Environment_(("LIBVIRT_DEFAULT_URI", null));
        Skip.If(LiveStack.Run("virsh", "uri").Output.Trim() != LiveStack.Uri, "virsh's own default connection is not " + LiveStack.Uri + " here");
        return environment;
    }

    [SkippableFact]
    public void A_topology_read_without_a_uri_says_so_with_an_empty_ConnectionUri()
    {
        LiveStack.Require();
        using var domain = TestDomain.Create("sdk", start: false);
        using var _ = DefaultConnection();
        var result = _ps.Run("Get-DomainScsiTopology -Name $args[0]", domain.Name).ThrowOnError();
        Assert.Equal(domain.Name, result.Property("Name"));
        Assert.True(string.IsNullOrEmpty((string?)result.Property("ConnectionUri")));
    }

    [SkippableFact]
    public void An_object_with_a_null_ConnectionUri_binds_to_the_default_connection()
    {
        LiveStack.Require();
        using var domain = TestDomain.Create("sdk", start: false);
        using var _ = DefaultConnection();
        var result = _ps.Run("[pscustomobject]@{ Domain = $args[0]; ConnectionUri = $null } | New-ScsiController", domain.Name);
        result.ThrowOnError();
        Assert.Equal(0, result.Property("Index"));
        Assert.Contains("model='virtio-scsi'", LiveStack.DumpXml(domain.Name, inactive: true));
    }

    [SkippableFact]
    public void An_empty_ConnectionUri_means_the_default_connection_too()
    {
        LiveStack.Require();
        using var domain = TestDomain.Create("exp", TestDevices.Virtio0, start: false);
        using var _ = DefaultConnection();
        var result = _ps.Run("[pscustomobject]@{ Domain = $args[0]; ConnectionUri = '' } | Get-DomainScsiTopology", domain.Name).ThrowOnError();
        Assert.Equal(domain.Name, result.Property("Name"));
        _ps.Run("Remove-ScsiController -Domain $args[0] -Index 0 -ConnectionUri '' -Confirm:$false", domain.Name).ThrowOnError();
        Assert.DoesNotContain("type='scsi'", LiveStack.DumpXml(domain.Name, inactive: true).Replace('"', '\''));
    }

    [SkippableFact]
    public void The_readme_pipeline_topology_to_controller_to_lun_works_without_a_uri()
    {
        LiveStack.Require();
        using var domain = TestDomain.Create("sdk", TestDevices.Lsi0, start: false);
        using var _ = DefaultConnection();
        var result = _ps.Run("Get-DomainScsiTopology $args[0] | New-ScsiController | Add-PassthroughLun -IscsiPortal $args[1] -IscsiTarget $args[2] -IscsiLun 1",
            domain.Name, LiveStack.Portal, TestDevices.UnusedIqn);
        result.ThrowOnError();
        Assert.Equal("1:0:0:0", result.Property("Address"));
    }

    [SkippableFact]
    public void The_readme_pipeline_topology_to_luns_to_removal_works_without_a_uri()
    {
        LiveStack.Require();
        using var domain = TestDomain.Create("sdk", TestDevices.Virtio0 + TestDevices.IscsiDisk("sda", 0, TestDevices.UnusedIqn), start: false);
        using var _ = DefaultConnection();
        var result = _ps.Run("Get-DomainScsiTopology $args[0] | Select-Object -ExpandProperty Luns | Remove-PassthroughLun -Confirm:$false", domain.Name);
        result.ThrowOnError();
        Assert.DoesNotContain("<disk", LiveStack.DumpXml(domain.Name, inactive: true));
    }
}

using VirtioScsi.Planning;
using VirtioScsi.Errors;
using VirtioScsi.Model;
using VirtioScsi.Tests.Support;
using Xunit;

namespace VirtioScsi.Tests.Planning;

/// <summary>Where a change goes, from the domain's state and the user's -Live and -Config switches.</summary>
public class ChangeScopeTests
{
    private static readonly string Xml = Fixtures.Text("virtio-only.live.xml");

    [Fact]
    public void A_running_persistent_domain_is_changed_live_and_persistently_by_default()
    {
        var scope = ChangeScope.Resolve(Dom.Running(Xml), false, false);
        Assert.True(scope.Live);
        Assert.True(scope.Config);
        Assert.Equal("live and persistent", scope.ToString());
    }

    [Fact]
    public void A_paused_persistent_domain_is_changed_live_and_persistently_by_default()
    {
        var scope = ChangeScope.Resolve(Dom.Paused(Xml), false, false);
        Assert.True(scope.Live);
        Assert.True(scope.Config);
    }

    [Fact]
    public void A_shut_off_domain_is_changed_persistently_by_default()
    {
        var scope = ChangeScope.Resolve(Dom.ShutOff(Xml), false, false);
        Assert.False(scope.Live);
        Assert.True(scope.Config);
        Assert.Equal("persistent only", scope.ToString());
    }

    [Fact]
    public void A_transient_domain_is_changed_live_by_default()
    {
        var scope = ChangeScope.Resolve(Dom.Transient(Xml), false, false);
        Assert.True(scope.Live);
        Assert.False(scope.Config);
        Assert.Equal("live only", scope.ToString());
    }

    [Fact]
    public void Live_alone_on_a_running_persistent_domain_leaves_the_persistent_definition_alone()
    {
        var scope = ChangeScope.Resolve(Dom.Running(Xml), true, false);
        Assert.True(scope.Live);
        Assert.False(scope.Config);
    }

    [Fact]
    public void Config_alone_on_a_running_persistent_domain_leaves_the_running_domain_alone()
    {
        var scope = ChangeScope.Resolve(Dom.Running(Xml), false, true);
        Assert.False(scope.Live);
        Assert.True(scope.Config);
    }

    [Fact]
    public void Live_and_config_together_change_both()
    {
        var scope = ChangeScope.Resolve(Dom.Running(Xml), true, true);
        Assert.True(scope.Live);
        Assert.True(scope.Config);
    }

    [Fact]
    public void Config_on_a_shut_off_domain_is_allowed()
    {
        var scope = ChangeScope.Resolve(Dom.ShutOff(Xml), false, true);
        Assert.False(scope.Live);
        Assert.True(scope.Config);
    }

    [Fact]
    public void Live_on_a_transient_domain_is_allowed()
    {
        var scope = ChangeScope.Resolve(Dom.Transient(Xml), true, false);
        Assert.True(scope.Live);
        Assert.False(scope.Config);
    }

    [Fact]
    public void Live_on_a_shut_off_domain_fails()
    {
        var e = Dom.Fails(ErrorIds.LiveChangeOnInactiveDomain, () => ChangeScope.Resolve(Dom.ShutOff(Xml), true, false));
        Assert.Equal(ErrorKind.InvalidOperation, e.Kind);
        Assert.Contains("fx-virtio-only", e.Message);
        Assert.Contains("shut off", e.Message);
        Dom.Fails(ErrorIds.LiveChangeOnInactiveDomain, () => ChangeScope.Resolve(Dom.ShutOff(Xml), true, true));
    }

    [Fact]
    public void Config_on_a_transient_domain_fails()
    {
        var e = Dom.Fails(ErrorIds.ConfigChangeOnTransientDomain, () => ChangeScope.Resolve(Dom.Transient(Xml), false, true));
        Assert.Equal(ErrorKind.InvalidOperation, e.Kind);
        Dom.Fails(ErrorIds.ConfigChangeOnTransientDomain, () => ChangeScope.Resolve(Dom.Transient(Xml), true, true));
    }
}

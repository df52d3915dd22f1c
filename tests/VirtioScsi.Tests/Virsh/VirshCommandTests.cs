using System;
using VirtioScsi.Virsh;
using Xunit;

namespace VirtioScsi.Tests.Virsh;

public class VirshCommandTests
{
    [Fact]
    public void Values_are_quoted_and_names_are_bare()
    {
        var command = new VirshCommand("attach-device").Option("--domain", "web 01").Option("--file", "/tmp/x.xml").Flag("--live");
        Assert.Equal("attach-device --domain 'web 01' --file '/tmp/x.xml' --live", command.ToVirshSyntax());
    }

    [Fact]
    public void A_value_that_looks_like_an_option_stays_a_quoted_value() =>
        Assert.Equal("dumpxml --domain '--all'", new VirshCommand("dumpxml").Option("--domain", "--all").ToVirshSyntax());

    [Fact]
    public void The_pasteable_command_line_names_the_connection() =>
        Assert.Equal("virsh --connect 'qemu:///system' list --all",
            new VirshCommand("list").Flag("--all").ToCommandLine("qemu:///system"));

    [Theory]
    [InlineData("dumpxml; reboot")]
    [InlineData("--domain")]
    [InlineData("Dumpxml")]
    [InlineData("")]
    public void Command_names_must_be_plain_words(string name) =>
        Assert.Throws<ArgumentException>(() => new VirshCommand(name));

    [Theory]
    [InlineData("domain")]
    [InlineData("--domain x")]
    [InlineData("--a;b")]
    public void Option_names_must_be_plain_double_dash_words(string name) =>
        Assert.Throws<ArgumentException>(() => new VirshCommand("list").Flag(name));
}

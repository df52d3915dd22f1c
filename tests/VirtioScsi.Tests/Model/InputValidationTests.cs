using System;
using VirtioScsi.Errors;
using VirtioScsi.Model;
using Xunit;

namespace VirtioScsi.Tests.Model;

/// <summary>Text that libvirt's XML cannot carry back exactly is refused with the module's own ErrorIds.</summary>
public class InputValidationTests
{
    [Theory]
    [InlineData("vm\u0000")]
    [InlineData("vm\u0001x")]
    [InlineData("\u001b[31mvm")]
    [InlineData("vm\r")]
    [InlineData("vm\nother")]
    [InlineData("vm\t")]
    [InlineData("vm\u0085")]
    [InlineData("vm\u2028")]
    [InlineData("")]
    public void Domain_names_that_cannot_round_trip_are_DomainNameInvalid(string name)
    {
        Refused(name);
    }

    // As numbers: xunit cannot carry U+FFFF or half a surrogate pair in a test case's name.
    [Theory]
    [InlineData(0xFFFF)]
    [InlineData(0xFFFE)]
    [InlineData(0xD800)]
    [InlineData(0xDC00)]
    public void Names_with_non_characters_or_half_a_surrogate_pair_are_DomainNameInvalid(int code) => Refused("vm" + (char)code + "x");

    private static void Refused(string name)
    {
        var e = Assert.Throws<VirtioScsiException>(() => InputValidation.DomainName(name));
        Assert.Equal(ErrorIds.DomainNameInvalid, e.ErrorId);
        Assert.Equal(name, e.TargetObject);
        // The message shows the character as \uXXXX, never raw (an ESC would repaint the terminal).
        foreach (var c in e.Message) Assert.False(char.IsControl(c), $"raw U+{(int)c:X4} in: {e.Message}");
    }

    [Theory]
    [InlineData("my vm")]
    [InlineData(" vm ")]
    [InlineData("vm-\u00e9\U0001F600")]
    public void Printable_names_pass(string name) => InputValidation.DomainName(name);

    [Theory]
    [InlineData("127.0.0.1\u0000", "iqn.2026-11.org.example:x", "-IscsiPortal")]
    [InlineData("127.0.0.1\n", "iqn.2026-11.org.example:x", "-IscsiPortal")]
    [InlineData("\t127.0.0.1", "iqn.2026-11.org.example:x", "-IscsiPortal")]
    [InlineData("127.0.0.1", "iqn.2026-11.org.example:x\u0001", "-IscsiTarget")]
    [InlineData("127.0.0.1", "iqn.2026-11.org.example:x\r", "-IscsiTarget")]
    [InlineData("127.0.0.1", "iqn.2026-11.org.example:\u001bx", "-IscsiTarget")]
    public void Iscsi_parameters_with_control_characters_are_SourceInvalid(string portal, string iqn, string parameter)
    {
        var e = Assert.Throws<VirtioScsiException>(() => LunSource.FromIscsiParameters(portal, iqn, 1));
        Assert.Equal(ErrorIds.SourceInvalid, e.ErrorId);
        Assert.StartsWith(parameter, e.Message);
    }

    [Theory]
    [InlineData("/dev/sdb\n")]
    [InlineData("/dev/s\u0000db")]
    [InlineData("/dev/\u001bsdb")]
    [InlineData("/dev/sdb\t")]
    public void Paths_with_control_characters_are_SourceInvalid(string path)
    {
        var e = Assert.Throws<VirtioScsiException>(() => InputValidation.Source(LunSource.Block(path)));
        Assert.Equal(ErrorIds.SourceInvalid, e.ErrorId);
        Assert.Equal(path, e.TargetObject);
    }

    [Fact]
    public void A_path_with_a_space_passes_libvirt_keeps_it() => InputValidation.Source(LunSource.Block("/dev/disk/by-id/my disk"));
}

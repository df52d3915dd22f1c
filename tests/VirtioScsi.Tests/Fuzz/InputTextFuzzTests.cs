using System;
using System.Linq;
using System.Text;
using System.Xml.Linq;
using VirtioScsi.Errors;
using VirtioScsi.Libvirt;
using VirtioScsi.Model;
using VirtioScsi.Planning;
using Xunit;
using Xunit.Abstractions;

namespace VirtioScsi.Tests.Fuzz;

/// <summary>
/// Random text as a user could pass it (-Domain, -Path, -IscsiPortal, -IscsiTarget): the module either
/// refuses it with its own error, or the text goes into device XML and comes back from it exactly.
/// </summary>
public class InputTextFuzzTests
{
    private readonly ITestOutputHelper _output;

    public InputTextFuzzTests(ITestOutputHelper output) => _output = output;

    private const string Printable = "abcXYZ019/-_.:[]@ '\"<>&;=%\u00a0\u00e9\ufeff";
    private static readonly string[] Risky =
        { "\t", "\r", "\n", "\r\n", "\u0000", "\u0001", "\u001b", "\u007f", "\u0085", "\u2028", "\u2029", "\ufffe", "\uffff", "\ud800", "\udc00", "\U0001F600" };

    /// <summary>Mostly printable text; now and then a character that XML or libvirt does not carry back.</summary>
    private static string RandomText(Random random)
    {
        var text = new StringBuilder();
        var length = random.Next(1, 24);
        for (var i = 0; i < length; i++)
        {
            if (random.Next(40) == 0) text.Append(Risky[random.Next(Risky.Length)]);
            else text.Append(Printable[random.Next(Printable.Length)]);
        }
        return text.ToString();
    }

    [Fact]
    public void Text_is_refused_with_the_modules_error_or_round_trips_exactly_through_device_xml()
    {
        var random = new Random(20261201);
        int refused = 0, accepted = 0;
        for (var i = 0; i < 20_000; i++)
        {
            var text = RandomText(random);
            var name = "vm" + RandomText(random);
            var iqn = "iqn.2026-11.org.example:" + RandomText(random);
            var kind = i % 3;
            try
            {
                InputValidation.DomainName(name);
                LunSource source = kind switch
                {
                    0 => LunSource.Block("/dev/" + text),
                    1 => LunSource.FromIscsiParameters(text, "iqn.2026-11.org.example:x", 1),
                    _ => LunSource.FromIscsiParameters("127.0.0.1", iqn, 1),
                };
                InputValidation.Source(source);

                var disk = DeviceXml.Lun(source, new DriveAddress(0, 0, 0, 1), "sdb", new LunOptions(), null);
                var domain = new XElement("domain", new XAttribute("type", "kvm"), new XElement("name", name), new XElement("devices", disk));
                var back = DomainDefinition.Parse(domain.ToString());
                Assert.Equal(name, back.Name);
                var read = back.ScsiDisks.Single().Source;
                Assert.Equal(source.Path, read.Path);
                Assert.Equal(source.IscsiHost, read.IscsiHost);
                Assert.Equal(source.IscsiTarget, read.IscsiTarget);
                Assert.Equal(source.IscsiPort, read.IscsiPort);
                Assert.Equal(source.IscsiLun, read.IscsiLun);
                accepted++;
            }
            catch (VirtioScsiException e) when (e.ErrorId is ErrorIds.DomainNameInvalid or ErrorIds.SourceInvalid)
            {
                refused++;
            }
        }
        _output.WriteLine($"{accepted} accepted and round-tripped, {refused} refused");
        Assert.True(accepted > 1000 && refused > 1000, $"{accepted} accepted, {refused} refused");
    }
}

using System.Collections.Generic;
using System.Linq;
using VirtioScsi.Virsh;
using Xunit;

namespace VirtioScsi.Tests.Virsh;

public class VirshQuotingTests
{
    public static IEnumerable<object[]> AwkwardValues() => new[]
    {
        "plain", "", "two words", "semi;colon", "it's", "'", "''", "\"double\"", "back\\slash", "trailing\\",
        "$(touch /tmp/virtioscsi-pwned)", "`id`", "a\nb", "tab\there", "#comment", "--all", "-x", "ünïcødé-домен", "a'b\"c\\d;e f",
    }.Select(v => new object[] { v });

    [Theory]
    [MemberData(nameof(AwkwardValues))]
    public void Quoted_values_are_wrapped_in_single_quotes_with_inner_quotes_escaped(string value)
    {
        var quoted = VirshQuoting.Quote(value);
        Assert.StartsWith("'", quoted);
        Assert.EndsWith("'", quoted);
        Assert.Equal(value, Unquote(quoted));
    }

    [Fact]
    public void A_single_quote_closes_escapes_and_reopens() =>
        Assert.Equal("'it'\\''s'", VirshQuoting.Quote("it's"));

    [Fact]
    public void Nul_cannot_be_passed() =>
        Assert.Throws<System.ArgumentException>(() => VirshQuoting.Quote("a\0b"));

    /// <summary>The same values through virsh's own parser: 'virsh echo' prints each argument back.</summary>
    [SkippableTheory]
    [MemberData(nameof(AwkwardValues))]
    public void Virsh_itself_reads_back_every_quoted_value_unchanged(string value)
    {
        Skip.If(Support.Tools.Virsh is null, "virsh is not installed");
        // echo needs no connection; its output is the argument and a newline.
        var runner = new VirshProcessRunner(virshPath: Support.Tools.Virsh);
        var command = new VirshCommand("echo").Option("--string", value);
        var result = runner.Run(command);
        Assert.True(result.Succeeded, result.Error);
        Assert.Equal(value + "\n", result.Output);
    }

    // A POSIX-shell reading of the quoted form, independent of the quoting code.
    private static string Unquote(string text)
    {
        var result = new System.Text.StringBuilder();
        var inQuotes = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '\'') { inQuotes = !inQuotes; continue; }
            if (!inQuotes && c == '\\') { result.Append(text[++i]); continue; }
            result.Append(c);
        }
        Assert.False(inQuotes);
        return result.ToString();
    }
}

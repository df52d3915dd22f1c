using System.Diagnostics;
using System.Linq;
using VirtioScsi.Virsh;
using Xunit;

namespace VirtioScsi.Tests.Virsh;

public class ProcessArgumentsTests
{
    [Theory]
    [InlineData(new[] { "a", "b" }, "a b")]
    [InlineData(new[] { "two words" }, "\"two words\"")]
    [InlineData(new[] { "" }, "\"\"")]
    [InlineData(new[] { "say \"hi\"" }, "\"say \\\"hi\\\"\"")]
    [InlineData(new[] { "end\\" }, "\"end\\\\\"")]
    [InlineData(new[] { "a\\b" }, "\"a\\b\"")]
    public void Joins_with_the_command_line_rules_dotnet_splits_by(string[] arguments, string expected) =>
        Assert.Equal(expected, ProcessArguments.Join(arguments));

    /// <summary>A real process receives exactly the arguments given, whatever they contain.</summary>
    [Fact]
    public void A_real_process_receives_every_argument_unchanged()
    {
        var arguments = new[]
        {
            "plain", "", "two words", "\"quoted\"", "back\\slash", "trailing\\", "\\\\\"", "semi;colon", "$(id)", "it's",
            "a\tb", "new\nline", "ünï", "--all", " leading", "trailing ", "\\\"\\",
        };
        // printf repeats its format for every argument: each comes back NUL-terminated.
        var startInfo = new ProcessStartInfo("printf", ProcessArguments.Join(new[] { "%s\\0" }.Concat(arguments)))
        {
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(startInfo)!;
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.Equal(0, process.ExitCode);
        Assert.Equal(arguments, output.Split('\0').SkipLast(1).ToArray());
    }
}

using System;
using System.Globalization;
using System.Linq;
using Xunit;
using Xunit.Abstractions;

namespace VirtioScsi.Tests.Fuzz;

/// <summary>
/// The parser and what follows it survive what they are given (FuzzHarness). The short form (1000 inputs)
/// runs in every test run within a few seconds; the long form runs when VIRTIOSCSI_FUZZ_INPUTS is set (e.g. 10000), with
/// VIRTIOSCSI_FUZZ_SEED choosing the inputs:
/// <code>VIRTIOSCSI_FUZZ_INPUTS=10000 dotnet test tests/VirtioScsi.Tests --filter FullyQualifiedName~FuzzTests</code>
/// </summary>
public class FuzzTests
{
    private readonly ITestOutputHelper _output;

    public FuzzTests(ITestOutputHelper output) => _output = output;

    private static int Env(string name, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : fallback;

    [Fact]
    public void Mutated_domain_and_node_device_xml_ends_in_a_result_or_the_modules_own_error()
    {
        var inputs = Env("VIRTIOSCSI_FUZZ_INPUTS", 0);
        var longForm = inputs > 0;
        var seed = Env("VIRTIOSCSI_FUZZ_SEED", 20261201);
        // The short form: the same 1000 inputs every run (the seeds, then mutations), a few seconds; the time
        // budget is only a bound for a machine under load, and running out of it fails the test.
        if (!longForm) inputs = 1000;
        var report = FuzzHarness.Run(inputs, seed, longForm ? TimeSpan.FromHours(1) : TimeSpan.FromSeconds(60));
        _output.WriteLine($"seed {seed}: {report}");
        Console.WriteLine($"fuzz seed {seed}: {report}");
        foreach (var finding in report.Findings.Take(20))
            _output.WriteLine($"input {finding.Input}, {finding.Step}: {finding.What}{Environment.NewLine}{finding.Xml[..Math.Min(finding.Xml.Length, 3000)]}");
        Assert.True(report.Inputs == inputs, $"only {report.Inputs} of {inputs} inputs ran within the time budget: {report}");
        var first = report.Findings.FirstOrDefault();
        Assert.True(first is null, $"{report.Findings.Count} foreign results, first: input {first?.Input}, {first?.Step}: {first?.What}");
    }

    [Fact]
    public void The_mutations_are_the_same_for_the_same_seed()
    {
        var seedXml = FuzzHarness.DomainSeeds()[0];
        var a = new XmlMutator(7);
        var b = new XmlMutator(7);
        var watch = System.Diagnostics.Stopwatch.StartNew();
        for (var i = 0; i < 50; i++) Assert.Equal(a.Mutate(seedXml), b.Mutate(seedXml));
        _output.WriteLine($"100 mutations: {watch.ElapsedMilliseconds} ms");
    }
}

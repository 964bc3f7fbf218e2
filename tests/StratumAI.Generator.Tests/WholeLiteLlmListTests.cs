using StratumAI.Catalog;
using StratumAI.Catalog.LiteLlm;
using StratumAI.Generator.Tests.Infrastructure;
using Xunit.Abstractions;

namespace StratumAI.Generator.Tests;

/// <summary>
/// The whole LiteLLM price list imported (thousands of models) through the real driver: every model
/// becomes compilable code. How long that takes is measured by benchmarks/ (GeneratorBenchmarks), not here.
/// </summary>
public class WholeLiteLlmListTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("litellm_model_prices.json")]
    [InlineData("litellm_model_prices_latest_mirror.json")]
    public void WholeLiteLlmList_GeneratesCodeThatCompiles(string priceList)
    {
        var json = File.ReadAllText(Path.Combine(TestPaths.RepoRoot, "..", "shared", "data", priceList));
        var imported = LiteLlmImporter.Import(json);
        var files = imported.Files
            .Where(f => f.Provider is not null && f.Models.Count > 0)
            .Select(f => new CatalogTestFile("/litellm/" + f.Provider!.Id + ".yaml", CatalogYamlWriter.Write(f)))
            .ToList();
        var modelCount = imported.Files.Sum(f => f.Models.Count);
        Assert.True(modelCount > 1000, $"Only {modelCount} models were imported.");
        var compilation = GeneratorHarness.CreateCompilation("internal static class Nothing { }");
        var driver = GeneratorHarness.CreateDriver(files);

        driver = driver.RunGeneratorsAndUpdateCompilation(compilation, out var generated, out var diagnostics);
        output.WriteLine($"{files.Count} files, {modelCount} models");

        Assert.DoesNotContain(diagnostics, d => !d.Id.StartsWith("STRAT", StringComparison.Ordinal));
        var source = driver.GetRunResult().GeneratedTrees.Single(t => t.FilePath.EndsWith("/Model.g.cs", StringComparison.Ordinal)).ToString();
        Assert.True(source.Split(" = ").Length > 1000);
        Assert.Empty(generated.GetDiagnostics().Where(d => d.Severity == Microsoft.CodeAnalysis.DiagnosticSeverity.Error));
    }
}

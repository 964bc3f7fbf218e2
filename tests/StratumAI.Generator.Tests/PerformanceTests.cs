using System.Diagnostics;
using StratumAI.Catalog;
using StratumAI.Catalog.LiteLlm;
using StratumAI.Generator.Tests.Infrastructure;
using Xunit.Abstractions;

namespace StratumAI.Generator.Tests;

/// <summary>
/// The whole LiteLLM price list imported (thousands of models) through the real driver. The benchmark
/// targets under 1 s cold; this test uses a looser bound so a busy shared machine does not fail it,
/// while quadratic work (seconds to minutes at this size) still does.
/// </summary>
public class PerformanceTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("litellm_model_prices.json")]
    [InlineData("litellm_model_prices_latest_mirror.json")]
    public void WholeLiteLlmList_GeneratesQuicklyAndTheOutputCompiles(string priceList)
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

        var stopwatch = Stopwatch.StartNew();
        driver = driver.RunGeneratorsAndUpdateCompilation(compilation, out var generated, out var diagnostics);
        var cold = stopwatch.Elapsed;
        stopwatch.Restart();
        driver.RunGenerators(compilation.Clone());
        var warm = stopwatch.Elapsed;
        output.WriteLine($"{files.Count} files, {modelCount} models: cold {cold.TotalMilliseconds:F0} ms, cached re-run {warm.TotalMilliseconds:F0} ms");

        Assert.DoesNotContain(diagnostics, d => !d.Id.StartsWith("STRAT", StringComparison.Ordinal));
        var source = driver.GetRunResult().GeneratedTrees.Single(t => t.FilePath.EndsWith("/Model.g.cs", StringComparison.Ordinal)).ToString();
        Assert.True(source.Split(" = ").Length > 1000);
        Assert.True(cold < TimeSpan.FromSeconds(8), $"Cold generation took {cold}.");
        Assert.True(warm < TimeSpan.FromSeconds(1), $"A cached re-run took {warm}.");
        Assert.Empty(generated.GetDiagnostics().Where(d => d.Severity == Microsoft.CodeAnalysis.DiagnosticSeverity.Error));
    }
}

using System.Diagnostics;
using StratumAI.Catalog.LiteLlm;

namespace StratumAI.Catalog.Tests;

public class PerformanceTests
{
    [Fact]
    public void ParseAndMerge_WholeLiteLlmImportAsYaml_TakesWellUnderASecond()
    {
        var import = LiteLlmImporter.Import(File.ReadAllText(TestPaths.LiteLlmNew));
        var texts = import.Files.Select(f => (f.FilePath, Text: CatalogYamlWriter.Write(f))).ToList();
        var modelCount = import.Files.Sum(f => f.Models.Count);

        // Warm once so the measurement is the parser, not the JIT of this test.
        CatalogMerger.Merge(texts.Take(1).Select(t => CatalogParser.Parse(t.FilePath, t.Text)), Array.Empty<CatalogFile>());
        var watch = Stopwatch.StartNew();
        var spec = CatalogMerger.Merge(texts.Select(t => CatalogParser.Parse(t.FilePath, t.Text)), Array.Empty<CatalogFile>());
        watch.Stop();

        Assert.Equal(modelCount, spec.Models.Count);
        Assert.True(modelCount > 1500, $"Only {modelCount} models.");

        // Typically ~150 ms on one core; the bound leaves room for a busy shared CI machine.
        Assert.True(watch.ElapsedMilliseconds < 1000, $"Parsing and merging {modelCount} models took {watch.ElapsedMilliseconds} ms.");
    }
}

using StratumAI.Catalog.LiteLlm;

namespace StratumAI.Catalog.Tests;

/// <summary>
/// The whole LiteLLM list, imported and written as catalog YAML, parses and merges back to every model.
/// How fast that is belongs to benchmarks/ (GeneratorBenchmarks), not to a unit test.
/// </summary>
public class WholeImportRoundTripTests
{
    [Fact]
    public void ParseAndMerge_WholeLiteLlmImportAsYaml_KeepsEveryModelWithoutDiagnostics()
    {
        var import = LiteLlmImporter.Import(File.ReadAllText(TestPaths.LiteLlmNew));
        var texts = import.Files.Select(f => (f.FilePath, Text: CatalogYamlWriter.Write(f))).ToList();
        var modelCount = import.Files.Sum(f => f.Models.Count);

        var spec = CatalogMerger.Merge(texts.Select(t => CatalogParser.Parse(t.FilePath, t.Text)), Array.Empty<CatalogFile>());

        Assert.True(modelCount > 1500, $"Only {modelCount} models.");
        Assert.Equal(modelCount, spec.Models.Count);
        Assert.Empty(spec.Diagnostics);
    }
}

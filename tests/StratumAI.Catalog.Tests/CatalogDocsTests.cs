using System.Text.RegularExpressions;

namespace StratumAI.Catalog.Tests;

/// <summary>The examples in docs/catalog.md are valid catalog files that merge over the default catalog.</summary>
public class CatalogDocsTests
{
    private static readonly Regex CodeBlock = new("```(yaml|json)\\n(.*?)```", RegexOptions.Singleline | RegexOptions.CultureInvariant);

    [Fact]
    public void CatalogDocs_CompleteExamples_MergeWithoutDiagnostics()
    {
        var page = File.ReadAllText(Path.Combine(TestPaths.RepoRoot, "docs", "catalog.md")).Replace("\r\n", "\n", StringComparison.Ordinal);
        var defaults = Directory.GetFiles(TestPaths.CatalogDir, "*.yaml").Select(p => CatalogParser.Parse(p, File.ReadAllText(p))).ToList();
        var checkedExamples = 0;

        foreach (Match block in CodeBlock.Matches(page))
        {
            var text = block.Groups[2].Value;
            if (!text.Contains("provider", StringComparison.Ordinal))
            {
                continue; // a fragment (e.g. a tiers block), not a whole file
            }

            var file = CatalogParser.Parse("models." + block.Groups[1].Value, text);
            var spec = CatalogMerger.Merge(defaults, new[] { file });

            Assert.True(spec.Diagnostics.Count == 0, $"Example:\n{text}\nreports: {Marked.Describe(spec.Diagnostics)}");
            Assert.NotNull(file.Provider);
            checkedExamples++;
        }

        Assert.True(checkedExamples >= 6, $"Only {checkedExamples} examples checked.");
    }
}

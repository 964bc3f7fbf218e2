using StratumAI.Catalog.LiteLlm;

namespace StratumAI.Catalog.Tests;

/// <summary>The default catalog shipped in <c>catalog/</c> parses, merges and matches LiteLLM's prices.</summary>
public class DefaultCatalogTests
{
    // The eight providers with code-level support, plus Mistral: defined by its catalog file alone.
    private static readonly string[] KnownProviders = { "openai", "anthropic", "gemini", "deepseek", "groq", "xai", "ollama", "openrouter", "mistral" };

    private static readonly Lazy<CatalogSpec> Spec = new(() =>
    {
        var files = Directory.GetFiles(TestPaths.CatalogDir, "*.yaml")
            .Concat(Directory.GetFiles(TestPaths.CatalogDir, "*.json"))
            .Select(path => CatalogParser.Parse(path, File.ReadAllText(path)))
            .ToList();
        return CatalogMerger.Merge(files, Array.Empty<CatalogFile>());
    });

    [Fact]
    public void DefaultCatalog_ParsesAndMergesWithoutDiagnostics()
    {
        Assert.True(Spec.Value.Diagnostics.Count == 0, Marked.Describe(Spec.Value.Diagnostics));
    }

    [Fact]
    public void DefaultCatalog_HasAtLeastFortyModelsAndThreePerKnownProvider()
    {
        var spec = Spec.Value;

        Assert.True(spec.Models.Count >= 40, $"Only {spec.Models.Count} models.");
        Assert.Equal(KnownProviders.OrderBy(p => p, StringComparer.Ordinal), spec.Providers.Select(p => p.Id).OrderBy(p => p, StringComparer.Ordinal));
        foreach (var provider in KnownProviders)
        {
            Assert.True(spec.Models.Count(m => m.ProviderId == provider) >= 3, $"{provider} has fewer than 3 models.");
        }
    }

    [Fact]
    public void DefaultCatalog_HasTheEnumNamesTheDesignUses()
    {
        var byName = Spec.Value.Models.ToDictionary(m => m.EnumName, m => m);

        Assert.Equal(("gpt-4o", "openai"), (byName["Gpt4o"].Id, byName["Gpt4o"].ProviderId));
        Assert.StartsWith("claude-3-5-sonnet", byName["Claude35Sonnet"].Id, StringComparison.Ordinal);
        Assert.Equal("anthropic", byName["Claude35Sonnet"].ProviderId);
    }

    [Fact]
    public void DefaultCatalog_PricesMatchTheNewerLiteLlmListExactly()
    {
        var list = LiteLlmPriceList.Parse(File.ReadAllText(TestPaths.LiteLlmNew));
        var mismatches = new List<string>();
        var compared = 0;
        foreach (var model in Spec.Value.Models)
        {
            // LiteLLM sometimes lists a model twice for one provider (deepseek/deepseek-chat and
            // deepseek-chat); the catalog must match one of those entries exactly.
            var entries = list.FindAll(model.ProviderId, model.Id);
            if (entries.Count == 0)
            {
                continue;
            }

            compared++;
            var actual = model.Price;
            if (!entries.Any(e => SamePrices(e.Model.Price, actual)
                && (e.Model.Price.Batch is not null || actual.Batch is null || model.ProviderId == "anthropic" || PublishedBatchPrices.Contains(model.ProviderId + "/" + model.Id))))
            {
                mismatches.Add($"{model.ProviderId}/{model.Id}: catalog {Describe(actual)}, LiteLLM "
                    + string.Join(" or ", entries.Select(e => $"{Describe(e.Model.Price)} ({e.Key})")));
            }
        }

        Assert.True(compared >= 40, $"Only {compared} default models were found in LiteLLM's list.");
        Assert.True(mismatches.Count == 0, "Prices differ from LiteLLM:\n" + string.Join("\n", mismatches));

        // Audio and service-tier (flex, priority, batch) prices too: a model LiteLLM prices them for must carry them. Batch
        // prices LiteLLM lacks come from the providers' published batch pricing (DefaultCatalog_BatchPricesLiteLlmLacks…).
        static bool SamePrices(CatalogPrice expected, CatalogPrice actual)
            => expected.Input == actual.Input && expected.Output == actual.Output
                && expected.CachedInput == actual.CachedInput && expected.CacheWrite == actual.CacheWrite
                && expected.AudioInput == actual.AudioInput && expected.AudioOutput == actual.AudioOutput
                && expected.Flex == actual.Flex && expected.Priority == actual.Priority
                && (expected.Batch == actual.Batch || expected.Batch is null);

        static string Describe(CatalogPrice p) => $"in {p.Input} out {p.Output} cached {p.CachedInput?.ToString() ?? "-"} write {p.CacheWrite?.ToString() ?? "-"}"
            + $" audio in {p.AudioInput?.ToString() ?? "-"} audio out {p.AudioOutput?.ToString() ?? "-"} flex {p.Flex?.ToString() ?? "-"} priority {p.Priority?.ToString() ?? "-"} batch {p.Batch?.ToString() ?? "-"}";
    }

    // Batch prices LiteLLM does not list, written from the providers' published batch pricing (the catalog files say where):
    // half of every standard token price. Anthropic: every model (Message Batches, 50%); OpenAI: the gpt-5 family.
    private static readonly HashSet<string> PublishedBatchPrices = new(StringComparer.Ordinal) { "openai/gpt-5", "openai/gpt-5-mini", "openai/gpt-5-nano" };

    private static ServiceTierPrice HalfPrices(CatalogPrice p) => new(p.Input / 2, p.Output / 2, p.CachedInput / 2, p.CacheWrite / 2);

    [Fact]
    public void DefaultCatalog_BatchPricesLiteLlmLacks_AreHalfOfEveryStandardPrice_ForEveryAnthropicModel()
    {
        foreach (var model in Spec.Value.Models.Where(m => m.ProviderId == "anthropic" || PublishedBatchPrices.Contains(m.ProviderId + "/" + m.Id)))
        {
            Assert.True(model.Price.Batch == HalfPrices(model.Price), $"{model.Id}: batch {model.Price.Batch}, expected {HalfPrices(model.Price)}");
        }

        Assert.Equal(new ServiceTierPrice(0.025m, 0.2m, 0.0025m), Spec.Value.Models.Single(m => m.Id == "gpt-5-nano").Price.Batch);
        Assert.Equal(new ServiceTierPrice(1.25m, 5m), Spec.Value.Models.Single(m => m.Id == "gpt-4o").Price.Batch);
    }
}

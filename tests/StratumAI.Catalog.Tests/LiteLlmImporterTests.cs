using System.Globalization;
using System.Text.Json;
using StratumAI.Catalog.LiteLlm;

namespace StratumAI.Catalog.Tests;

public class LiteLlmImporterTests
{
    private static readonly Lazy<string> OldJson = new(() => File.ReadAllText(TestPaths.LiteLlmOld));
    private static readonly Lazy<string> NewJson = new(() => File.ReadAllText(TestPaths.LiteLlmNew));
    private static readonly Lazy<LiteLlmPriceList> OldList = new(() => LiteLlmPriceList.Parse(OldJson.Value));
    private static readonly Lazy<LiteLlmPriceList> NewList = new(() => LiteLlmPriceList.Parse(NewJson.Value));

    public static TheoryData<string> Files() => new() { "old", "new" };

    private static LiteLlmPriceList List(string which) => which == "old" ? OldList.Value : NewList.Value;

    private static string Json(string which) => which == "old" ? OldJson.Value : NewJson.Value;

    [Theory]
    [MemberData(nameof(Files))]
    public void Import_WholeLiteLlmFile_MergesWithoutErrors(string which)
    {
        var result = LiteLlmImporter.Import(List(which));

        var spec = CatalogMerger.Merge(result.Files, Array.Empty<CatalogFile>());
        Assert.Empty(spec.Diagnostics);
        Assert.True(spec.Models.Count > 1000, $"Only {spec.Models.Count} models imported.");
        Assert.Equal(
            new[] { "openai", "anthropic", "gemini", "deepseek", "groq", "xai", "ollama", "openrouter" },
            result.Files.Take(8).Select(f => f.Provider!.Id));
        Assert.Equal(spec.Models.Count, spec.Models.Select(m => m.EnumName).Distinct(StringComparer.Ordinal).Count());
        Assert.Contains(result.Skipped, s => s.Key == "sample_spec");
        Assert.DoesNotContain(spec.Models, m => m.Id == "sample_spec" || m.Id == "last_updated");
        if (which == "new")
        {
            Assert.Contains(result.Skipped, s => s.Key == "last_updated");
        }
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Import_EveryPrice_IsThePerTokenJsonTextTimesOneMillionExactly(string which)
    {
        using var document = JsonDocument.Parse(Json(which));
        var checkedPrices = 0;
        foreach (var entry in List(which).Entries)
        {
            var raw = document.RootElement.GetProperty(entry.Key);
            checkedPrices += Compare(raw, "input_cost_per_token", entry.Model.Price.Input);
            checkedPrices += Compare(raw, "output_cost_per_token", entry.Model.Price.Output);
            checkedPrices += Compare(raw, "cache_read_input_token_cost", entry.Model.Price.CachedInput);
            checkedPrices += Compare(raw, "cache_creation_input_token_cost", entry.Model.Price.CacheWrite);
            checkedPrices += Compare(raw, "cache_creation_input_token_cost_above_1hr", entry.Model.Price.CacheWrite1h);
            checkedPrices += Compare(raw, "output_cost_per_reasoning_token", entry.Model.Price.Reasoning);
            checkedPrices += Compare(raw, "input_cost_per_audio_token", entry.Model.Price.AudioInput);
            checkedPrices += Compare(raw, "output_cost_per_audio_token", entry.Model.Price.AudioOutput);
            foreach (var (suffix, tier) in new[] { ("_flex", entry.Model.Price.Flex), ("_priority", entry.Model.Price.Priority) })
            {
                checkedPrices += Compare(raw, "input_cost_per_token" + suffix, tier?.Input);
                checkedPrices += Compare(raw, "output_cost_per_token" + suffix, tier?.Output);
                checkedPrices += Compare(raw, "cache_read_input_token_cost" + suffix, tier?.CachedInput);
                checkedPrices += Compare(raw, "cache_creation_input_token_cost" + suffix, tier?.CacheWrite);
                checkedPrices += Compare(raw, "input_cost_per_audio_token" + suffix, tier?.AudioInput);
            }
        }

        Assert.True(checkedPrices > 2000, $"Only {checkedPrices} prices compared.");

        static int Compare(JsonElement raw, string name, decimal? actual)
        {
            if (!raw.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
            {
                Assert.Null(actual);
                return 0;
            }

            var expected = decimal.Parse(value.GetRawText(), NumberStyles.Float, CultureInfo.InvariantCulture) * 1_000_000m;
            Assert.Equal(expected, actual);
            return 1;
        }
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Import_Gpt4o_HasLiteLlmsPricesAndCapabilities(string which)
    {
        var model = Find(which, "openai", "gpt-4o");

        Assert.Equal((2.5m, 10m, 1.25m, (decimal?)null), (model.Price.Input, model.Price.Output, model.Price.CachedInput, model.Price.CacheWrite));
        Assert.Equal((128000, 16384), (model.ContextWindow, model.MaxOutputTokens));
        Assert.Equal(new[] { "streaming", "tools", "vision", "json_schema", "prompt_caching", "pdf" }, model.Capabilities);
        Assert.Equal("Gpt4o", model.EnumName);
        Assert.Null(model.Dialect);
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Import_ClaudeSonnet4_HasCacheWriteReadAndAnAbove200kTier(string which)
    {
        var model = Find(which, "anthropic", "claude-sonnet-4-20250514");

        Assert.Equal((3m, 15m, 0.3m, 3.75m), (model.Price.Input, model.Price.Output, model.Price.CachedInput, model.Price.CacheWrite));
        Assert.Equal(new PriceTier(200000, 6m, 22.5m, 0.6m, 7.5m), Assert.Single(model.Price.Tiers));
        Assert.Equal((1000000, 64000), (model.ContextWindow, model.MaxOutputTokens));
        Assert.Equal("2026-05-14", model.DeprecatedOn);
    }

    [Fact]
    public void Import_ClaudeSonnet45_HasOneHourCacheWritePrices_BaseAndAboveItsTier()
    {
        var model = Find("new", "anthropic", "claude-sonnet-4-5");

        Assert.Equal((3.75m, 6m), (model.Price.CacheWrite, model.Price.CacheWrite1h));
        Assert.Equal(new PriceTier(200000, 6m, 22.5m, 0.6m, 7.5m, 12m), Assert.Single(model.Price.Tiers));
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Import_Gpt5_HasFlexAndPriorityPrices(string which)
    {
        var model = Find(which, "openai", "gpt-5");

        // input_cost_per_token_flex 6.25e-07, output_cost_per_token_flex 5e-06, cache_read_input_token_cost_flex 6.25e-08; priority 2.5e-06, 2e-05, 2.5e-07.
        Assert.Equal(new ServiceTierPrice(0.625m, 5m, 0.0625m), model.Price.Flex);
        Assert.Equal(new ServiceTierPrice(2.5m, 20m, 0.25m), model.Price.Priority);
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Import_BatchPrices_FromTheBatchesKeys(string which)
    {
        // gpt-4o: input_cost_per_token_batches 1.25e-06, output_cost_per_token_batches 5e-06; gpt-5 has no _batches keys.
        Assert.Equal(new ServiceTierPrice(1.25m, 5m), Find(which, "openai", "gpt-4o").Price.Batch);
        Assert.Null(Find(which, "openai", "gpt-5").Price.Batch);
        Assert.Null(Find(which, "anthropic", "claude-sonnet-4-5").Price.Batch);
    }

    [Fact]
    public void Import_AudioPrices_AndAServiceTiersAudioPrice()
    {
        // gemini/gemini-2.0-flash: input_cost_per_audio_token 7e-07 (7x its text input price).
        Assert.Equal((0.1m, 0.7m), (Find("new", "gemini", "gemini-2.0-flash").Price.Input, Find("new", "gemini", "gemini-2.0-flash").Price.AudioInput));

        // gemini/gemini-3-flash-preview: input_cost_per_audio_token_priority 1.8e-06; no flex prices.
        var flash = Find("new", "gemini", "gemini-3-flash-preview");
        Assert.Equal(new ServiceTierPrice(0.9m, 5.4m, 0.09m, null, 1.8m), flash.Price.Priority);
        Assert.Null(flash.Price.Flex);

        // gpt-4o-audio-preview: input_cost_per_audio_token 4e-05, output_cost_per_audio_token 8e-05.
        var audio = Find("new", "openai", "gpt-4o-audio-preview");
        Assert.Equal((40m, 80m), (audio.Price.AudioInput, audio.Price.AudioOutput));
    }

    [Fact]
    public void Import_Claude35SonnetInTheOlderFile_HasCacheWriteAndRead()
    {
        var model = Find("old", "anthropic", "claude-3-5-sonnet-20241022");

        Assert.Equal((3m, 15m, 0.3m, 3.75m), (model.Price.Input, model.Price.Output, model.Price.CachedInput, model.Price.CacheWrite));
        Assert.Equal("Claude35Sonnet20241022", model.EnumName);
    }

    [Theory]
    [InlineData("old", "0.3125", null)]
    [InlineData("new", "0.125", "0.25")]
    public void Import_Gemini25Pro_LosesTheProviderPrefixAndHasAnAbove200kTier(string which, string cached, string? tierCached)
    {
        var model = Find(which, "gemini", "gemini-2.5-pro");

        Assert.True(List(which).TryGetEntry("gemini/gemini-2.5-pro", out var entry));
        Assert.Equal("gemini-2.5-pro", entry!.Model.Id);
        Assert.Equal((1.25m, 10m, decimal.Parse(cached, CultureInfo.InvariantCulture)), (model.Price.Input, model.Price.Output, model.Price.CachedInput));
        var tier = Assert.Single(model.Price.Tiers);
        Assert.Equal((200000L, 2.5m, 15m), (tier.AboveInputTokens, tier.Input, tier.Output));
        Assert.Equal(tierCached is null ? null : decimal.Parse(tierCached, CultureInfo.InvariantCulture), tier.CachedInput);
        Assert.Equal(1048576, model.ContextWindow);
        Assert.Contains("audio", model.Capabilities);
        Assert.Contains("reasoning", model.Capabilities);
    }

    [Fact]
    public void Import_Gemini15Flash_HasAnAbove128kTier()
    {
        var model = Find("old", "gemini", "gemini-1.5-flash");

        Assert.Equal((0.075m, 0.3m), (model.Price.Input, model.Price.Output));
        Assert.Equal(new PriceTier(128000, 0.15m, 0.6m, null, null), Assert.Single(model.Price.Tiers));
    }

    [Theory]
    [InlineData("old", "0.27", "1.1", "0.07")]
    [InlineData("new", "0.28", "0.42", "0.028")]
    public void Import_DeepSeekChat_PrefersTheProviderPrefixedEntry(string which, string input, string output, string cached)
    {
        var result = LiteLlmImporter.Import(List(which), new LiteLlmImportOptions { Providers = new[] { "deepseek" } });
        var model = result.Files.Single().Models.Single(m => m.Id == "deepseek-chat");

        Assert.Equal(
            (decimal.Parse(input, CultureInfo.InvariantCulture), decimal.Parse(output, CultureInfo.InvariantCulture), decimal.Parse(cached, CultureInfo.InvariantCulture)),
            (model.Price.Input, model.Price.Output, model.Price.CachedInput));
        Assert.Contains(result.Skipped, s => s.Key == "deepseek-chat" && s.Reason.Contains("deepseek/deepseek-chat", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Import_OSeriesModels_AreReasoningModelsWithLiteLlmsPrices(string which)
    {
        var o3 = Find(which, "openai", "o3");
        var o1 = Find(which, "openai", "o1");
        var o3Mini = Find(which, "openai", "o3-mini");

        Assert.Equal((2m, 8m, 0.5m), (o3.Price.Input, o3.Price.Output, o3.Price.CachedInput));
        Assert.Equal((15m, 60m, 7.5m), (o1.Price.Input, o1.Price.Output, o1.Price.CachedInput));
        Assert.Equal((1.1m, 4.4m, 0.55m), (o3Mini.Price.Input, o3Mini.Price.Output, o3Mini.Price.CachedInput));
        Assert.All(new[] { o3, o1, o3Mini }, m => Assert.Contains("reasoning", m.Capabilities));
        Assert.Equal(("O3", "O3Mini"), (o3.EnumName, o3Mini.EnumName));
    }

    [Fact]
    public void Import_ReasoningTokenPrice_ComesFromOutputCostPerReasoningToken()
    {
        var model = Find("old", "dashscope", "qwen-turbo");

        Assert.Equal((0.2m, 0.5m), (model.Price.Output, model.Price.Reasoning));
    }

    [Fact]
    public void Import_ResponsesModeModel_GetsTheResponsesDialect()
    {
        var model = Find("old", "openai", "gpt-5-pro");

        Assert.Equal("openai-responses", model.Dialect);
    }

    [Fact]
    public void Import_OpenRouterKey_KeepsTheUpstreamVendorInTheId()
    {
        var model = Find("old", "openrouter", "anthropic/claude-3.5-sonnet");

        Assert.Equal("AnthropicClaude35Sonnet", model.EnumName);
        Assert.Equal((3m, 15m), (model.Price.Input, model.Price.Output));
    }

    [Fact]
    public void Import_KnownProviders_HaveRealEndpointsAndDialects()
    {
        var files = LiteLlmImporter.Import(OldList.Value).Files;

        var byId = files.ToDictionary(f => f.Provider!.Id, f => f.Provider!);
        Assert.Equal(("anthropic", "https://api.anthropic.com", "ANTHROPIC_API_KEY"), (byId["anthropic"].Dialect, byId["anthropic"].BaseUrl, byId["anthropic"].ApiKeyEnv));
        Assert.Equal(("gemini", "Gemini"), (byId["gemini"].Dialect, byId["gemini"].TypeName));
        Assert.Equal(("ollama", (string?)null), (byId["ollama"].Dialect, byId["ollama"].ApiKeyEnv));
        Assert.Equal(("openai", "https://api.groq.com/openai/v1"), (byId["groq"].Dialect, byId["groq"].BaseUrl));
        Assert.Equal(("openai", "https://api.mistral.ai/v1", "MISTRAL_API_KEY", "Mistral"), (byId["mistral"].Dialect, byId["mistral"].BaseUrl, byId["mistral"].ApiKeyEnv, byId["mistral"].TypeName));
        Assert.Equal("VertexAiLanguageModels", byId["vertex_ai-language-models"].TypeName);
    }

    [Fact]
    public void Import_EnumNameCollisionAcrossProviders_PrefixesTheProviderTypeName()
    {
        const string Json = """
            {
              "groq/gpt.4o": { "litellm_provider": "groq", "mode": "chat", "input_cost_per_token": 1e-06, "output_cost_per_token": 2e-06, "max_tokens": 8192 },
              "gpt-4o": { "litellm_provider": "openai", "mode": "chat", "input_cost_per_token": 2.5e-06, "output_cost_per_token": 1e-05, "max_input_tokens": 128000 },
              "xai/gpt_4o": { "litellm_provider": "xai", "mode": "chat", "input_cost_per_token": 1e-06, "output_cost_per_token": 2e-06, "max_tokens": 8192 },
              "custom/gpt-4o": { "litellm_provider": "custom", "mode": "chat", "input_cost_per_token": 1e-06, "output_cost_per_token": 2e-06, "max_tokens": 8192 }
            }
            """;

        var result = LiteLlmImporter.Import(Json);

        var names = result.Files.SelectMany(f => f.Models).ToDictionary(m => m.Id + "@" + m.ProviderId, m => m.EnumName);
        Assert.Equal(new Dictionary<string, string> { ["gpt-4o@openai"] = "Gpt4o", ["gpt.4o@groq"] = "GroqGpt4o", ["gpt_4o@xai"] = "XAIGpt4o" }, names);
        Assert.Contains(result.Skipped, s => s.Key == "custom/gpt-4o" && s.Reason.Contains("already imported for provider openai", StringComparison.Ordinal));
        Assert.Empty(CatalogMerger.Merge(result.Files, Array.Empty<CatalogFile>()).Diagnostics);
    }

    [Fact]
    public void Import_JunkEntries_AreSkippedWithAReason()
    {
        const string Json = """
            {
              "sample_spec": { "mode": "one of: chat, embedding" },
              "last_updated": "2026-07-24T18:23:43",
              "text-price": { "litellm_provider": "openai", "mode": "chat", "input_cost_per_token": "abc", "output_cost_per_token": 1e-06, "max_tokens": 10 },
              "negative": { "litellm_provider": "openai", "mode": "chat", "input_cost_per_token": -1e-06, "output_cost_per_token": 1e-06, "max_tokens": 10 },
              "huge": { "litellm_provider": "openai", "mode": "chat", "input_cost_per_token": 1e300, "output_cost_per_token": 1e-06, "max_tokens": 10 },
              "no-window": { "litellm_provider": "openai", "mode": "chat", "input_cost_per_token": 1e-06, "output_cost_per_token": 1e-06 },
              "fraction-window": { "litellm_provider": "openai", "mode": "chat", "input_cost_per_token": 1e-06, "output_cost_per_token": 1e-06, "max_tokens": 10.5 },
              "embed": { "litellm_provider": "openai", "mode": "embedding", "input_cost_per_token": 1e-06 },
              "bad provider": { "litellm_provider": "Bad Provider!", "mode": "chat", "input_cost_per_token": 1e-06, "output_cost_per_token": 1e-06, "max_tokens": 10 },
              "---": { "litellm_provider": "openai", "mode": "chat", "input_cost_per_token": 1e-06, "output_cost_per_token": 1e-06, "max_tokens": 10 },
              "bad-tier": { "litellm_provider": "openai", "mode": "chat", "input_cost_per_token": 1e-06, "output_cost_per_token": 1e-06, "max_tokens": 10, "input_cost_per_token_above_200k_tokens": true },
              "good": { "litellm_provider": "openai", "mode": "chat", "input_cost_per_token": 1e-06, "output_cost_per_token": 1e-06, "max_tokens": 2000000.0 }
            }
            """;

        var result = LiteLlmImporter.Import(Json);

        Assert.Equal(new[] { "good" }, result.Files.SelectMany(f => f.Models).Select(m => m.Id));
        Assert.Equal(2000000, result.Files.Single().Models.Single().ContextWindow);
        var reasons = result.Skipped.ToDictionary(s => s.Key, s => s.Reason);
        Assert.Equal(11, reasons.Count);
        Assert.Contains("input_cost_per_token", reasons["text-price"], StringComparison.Ordinal);
        Assert.Contains("input_cost_per_token", reasons["negative"], StringComparison.Ordinal);
        Assert.Contains("input_cost_per_token", reasons["huge"], StringComparison.Ordinal);
        Assert.Contains("max_input_tokens", reasons["no-window"], StringComparison.Ordinal);
        Assert.Contains("max_tokens", reasons["fraction-window"], StringComparison.Ordinal);
        Assert.Contains("embedding", reasons["embed"], StringComparison.Ordinal);
        Assert.Contains("above_200k", reasons["bad-tier"], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("not json")]
    [InlineData("[1,2]")]
    [InlineData("{\"a\": ")]
    public void Import_TextThatIsNotALiteLlmFile_GivesNoFilesAndAReason(string? json)
    {
        var result = LiteLlmImporter.Import(json);

        Assert.Empty(result.Files);
        Assert.Single(result.Skipped);
    }

    [Fact]
    public void TryGetPrice_LooksUpOneEntryByItsExactKey()
    {
        Assert.True(LiteLlmImporter.TryGetPrice(OldJson.Value, "gemini/gemini-2.5-pro", out var price));
        Assert.Equal((1.25m, 10m, 0.3125m), (price!.Input, price.Output, price.CachedInput));
        Assert.False(LiteLlmImporter.TryGetPrice(OldJson.Value, "no-such-model", out var missing));
        Assert.Null(missing);
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Import_WrittenAsYaml_ParsesBackToTheSameRecords(string which)
    {
        var result = LiteLlmImporter.Import(List(which));

        foreach (var file in result.Files)
        {
            var yaml = CatalogYamlWriter.Write(file, "Imported from LiteLLM.");
            var parsed = CatalogParser.Parse(file.FilePath, yaml);

            Assert.True(parsed.Diagnostics.Count == 0, file.FilePath + ": " + Marked.Describe(parsed.Diagnostics));
            Assert.Equal(file.Provider! with { Location = default }, parsed.Provider! with { Location = default });
            Assert.Equal(
                file.Models.Select(m => m with { Location = default }),
                parsed.Models.Select(m => m with { Location = default, ReplacementLocation = null }));
        }
    }

    private static CatalogModel Find(string which, string provider, string id)
    {
        Assert.True(List(which).TryFind(provider, id, out var entry), $"{provider}/{id} is not in the {which} LiteLLM file.");
        return entry!.Model;
    }
}

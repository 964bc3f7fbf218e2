using StratumAI.Catalog;
using CatalogPriceTier = StratumAI.Catalog.PriceTier;

namespace StratumAI.Generator.Tests.Infrastructure;

/// <summary>Hand-built catalog specs, so the emitter is tested without the parser.</summary>
internal static class SpecBuilder
{
    private static readonly SourceLocation Nowhere = SourceLocation.StartOf("/spec.yaml");

    public static CatalogProvider Provider(string id, string name, string typeName, string dialect = "openai", string? baseUrl = "https://example.test/v1", string? apiKeyEnv = null)
        => new(id, name, typeName, dialect, baseUrl, apiKeyEnv, Nowhere);

    public static CatalogModel Model(
        string id,
        string enumName,
        string providerId,
        decimal input = 1m,
        decimal output = 2m,
        decimal? cachedInput = null,
        decimal? cacheWrite = null,
        decimal? reasoning = null,
        CatalogPriceTier[]? tiers = null,
        string[]? capabilities = null,
        string? dialect = null,
        int contextWindow = 8192,
        int? maxOutputTokens = null,
        decimal? quality = null,
        string[]? aliases = null,
        string? deprecatedOn = null,
        string? replacement = null)
        => new(
            id,
            enumName,
            providerId,
            dialect,
            contextWindow,
            maxOutputTokens,
            new CatalogPrice(input, output, cachedInput, cacheWrite, reasoning, (tiers ?? []).ToEquatableArray()),
            (capabilities ?? []).ToEquatableArray(),
            quality,
            (aliases ?? []).ToEquatableArray(),
            deprecatedOn,
            replacement,
            Nowhere);

    public static CatalogSpec Spec(CatalogProvider[] providers, CatalogModel[] models)
        => new(providers.ToEquatableArray(), models.ToEquatableArray(), EquatableArray<CatalogDiagnostic>.Empty);

    /// <summary>Every field in use, plus the awkward cases: markup in names, a local provider without a key, a model-less provider.</summary>
    private static CatalogModel WithServiceTiersAndAudio(CatalogModel model) => model with
    {
        Price = model.Price with
        {
            AudioInput = 40m,
            AudioOutput = 80m,
            Flex = new ServiceTierPrice(0.55m, 2.20m, 0.275m),
            Priority = new ServiceTierPrice(2.00m, 8.00m, null, null, 60m),
        },
    };

    public static CatalogSpec EveryFeature()
        => Spec(
            [
                Provider("openai", "OpenAI", "OpenAI", apiKeyEnv: "OPENAI_API_KEY", baseUrl: "https://api.openai.com/v1"),
                Provider("anthropic", "Anthropic", "Anthropic", dialect: "anthropic", apiKeyEnv: "ANTHROPIC_API_KEY", baseUrl: "https://api.anthropic.com/v1"),
                Provider("local", "Local <LLM> & \"friends\"", "Local", dialect: "ollama", baseUrl: "http://localhost:11434"),
                Provider("empty", "Empty", "Empty"),
            ],
            [
                Model("gpt-4o", "Gpt4o", "openai", input: 2.50m, output: 10.00m, cachedInput: 1.25m, capabilities: ["streaming", "tools", "vision", "json_schema"],
                    contextWindow: 128000, maxOutputTokens: 16384, quality: 0.86m, aliases: ["gpt-4o-2024-08-06"]),
                WithServiceTiersAndAudio(Model("o3-mini", "O3Mini", "openai", input: 1.10m, output: 4.40m, reasoning: 4.40m, capabilities: ["reasoning"], dialect: "openai-responses",
                    contextWindow: 200000, maxOutputTokens: 100000, deprecatedOn: "2026-06-30", replacement: "gpt-4o")),
                Model("claude-3-5-sonnet", "Claude35Sonnet", "anthropic", input: 3.00m, output: 15.00m, cachedInput: 0.30m, cacheWrite: 3.75m,
                    tiers: [new CatalogPriceTier(200000, 6.00m, 22.50m, 0.60m, 7.50m)], capabilities: ["streaming", "prompt_caching", "pdf", "audio", "json_mode"],
                    contextWindow: 200000, maxOutputTokens: 8192),
                Model("llama3.2:3b \"q4\"\\x", "Llama32", "local", input: 0m, output: 0m, contextWindow: 131072),
            ]);
}

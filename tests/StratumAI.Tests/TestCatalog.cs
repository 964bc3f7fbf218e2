using System.Text.Json;
using System.Text.Json.Nodes;
using StratumAI.Testing;

namespace StratumAI.Tests;

/// <summary>Hand-built catalog entries (the generator is not wired into these tests) and shared helpers.</summary>
internal static class TestCatalog
{
    /// <summary>A key that must never show up in messages, ToString or logs.</summary>
    public const string CanaryKey = "sk-canary-7f3e9b2c1d4a";

    // Prices are the default catalog's (catalog/*.yaml), USD per 1M tokens.
    public static readonly ModelPricing Gpt4oPricing = new(2.5m, 10m, CachedInputPerMillion: 1.25m);
    public static readonly ModelPricing O3MiniPricing = new(1.1m, 4.4m, CachedInputPerMillion: 0.55m);
    public static readonly ModelPricing Gpt41Pricing = new(2m, 8m, CachedInputPerMillion: 0.5m);
    public static readonly ModelPricing Gpt41NanoPricing = new(0.1m, 0.4m, CachedInputPerMillion: 0.025m);
    public static readonly ModelPricing Gpt35TurboPricing = new(0.5m, 1.5m);
    public static readonly ModelPricing DeepSeekPricing = new(0.28m, 0.42m, CachedInputPerMillion: 0.028m);
    public static readonly ModelPricing GroqLlama70bPricing = new(0.59m, 0.79m);
    public static readonly ModelPricing Grok3MiniPricing = new(0.3m, 0.5m, CachedInputPerMillion: 0.075m);
    public static readonly ModelPricing ClaudeSonnetPricing = new(3m, 15m, CachedInputPerMillion: 0.3m, CacheWritePerMillion: 3.75m);

    public static ProviderInfo Provider(string id, Uri? baseUrl = null, string? apiKeyEnv = "STRATUM_TEST_UNSET_KEY", string dialect = "openai") =>
        new(id, id.ToUpperInvariant(), dialect, baseUrl?.ToString(), apiKeyEnv);

    public static ModelInfo Model(string id, ProviderInfo provider, ModelPricing pricing, string? dialect = null, IReadOnlyList<string>? aliases = null) =>
        new(id, "M" + new string(id.Where(char.IsLetterOrDigit).ToArray()), provider, dialect, 128_000, 16_384, pricing, ModelCapabilities.None, aliases: aliases);

    public static Uri V1(this FakeProviderServer server) => new(server.BaseUri, "v1");

    /// <summary>A client whose provider <paramref name="providerId"/> points at the fake server with the canary key.</summary>
    public static StratumClient ClientFor(FakeProviderServer server, string providerId, string? apiKey = CanaryKey, Action<StratumClientOptions>? configure = null)
    {
        var options = new StratumClientOptions { Models = new ModelRegistry() };
        var provider = options.Provider(providerId);
        provider.ApiKey = apiKey;
        provider.BaseUrl = server.V1();
        configure?.Invoke(options);
        return new StratumClient(options);
    }

    public static string Fixture(string relative) => FixtureLoader.GetFixturePath(relative);

    public static JsonNode? Json(string text) => JsonNode.Parse(text);

    public static JsonNode? RecordedRequestBody(RecordedExchange exchange) =>
        JsonNode.Parse(exchange.Request?.Body ?? throw new InvalidOperationException("The fixture has no recorded request."));

    /// <summary>Compares JSON structurally; a property whose value is null counts as absent (the same on the wire).</summary>
    public static void AssertJsonEqual(JsonNode? expected, JsonNode? actual)
    {
        expected = WithoutNulls(expected);
        actual = WithoutNulls(actual);
        Assert.True(
            JsonNode.DeepEquals(expected, actual),
            $"JSON differs.\nExpected: {expected?.ToJsonString(new JsonSerializerOptions { WriteIndented = false })}\nActual:   {actual?.ToJsonString()}");
    }

    private static JsonNode? WithoutNulls(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                var copy = new JsonObject();
                foreach (var (key, value) in obj)
                {
                    if (value is not null)
                    {
                        copy[key] = WithoutNulls(value);
                    }
                }

                return copy;
            case JsonArray array:
                return new JsonArray(array.Select(WithoutNulls).ToArray());
            default:
                return node?.DeepClone();
        }
    }
}

using StratumAI.Testing;

namespace StratumAI.Postgres.Tests;

/// <summary>A StratumClient whose openai provider is a fake server replaying recordings, and gpt-4.1-nano with its prices.</summary>
internal static class TestClient
{
    public static StratumClient For(FakeProviderServer server, out ModelInfo nano)
    {
        var options = new StratumClientOptions { Models = new ModelRegistry() };
        var provider = options.Provider("openai");
        provider.ApiKey = "sk-test-not-a-real-key";
        provider.BaseUrl = new Uri(server.BaseUri, "v1");
        nano = new ModelInfo("gpt-4.1-nano", "Gpt41Nano", new ProviderInfo("openai", "OpenAI", "openai", provider.BaseUrl.ToString(), null), null, 1_047_576, 32_768, new ModelPricing(0.1m, 0.4m, CachedInputPerMillion: 0.025m), ModelCapabilities.None);
        return new StratumClient(options);
    }
}

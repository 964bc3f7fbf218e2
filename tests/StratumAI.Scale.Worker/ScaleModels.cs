namespace StratumAI.Scale.Worker;

/// <summary>
/// The model, client and prompt every multi-process test uses, in the worker and in the test process alike: gpt-4.1-nano at
/// the default catalog's prices, on the fake provider server, with the recorded exchange
/// <c>openai/chat__vercel-ai-openai__openai-text.json</c> (which costs exactly <see cref="CostPerCall"/>).
/// </summary>
internal static class ScaleModels
{
    /// <summary>The recorded OpenAI exchange the fake server replays.</summary>
    public const string Fixture = "openai/chat__vercel-ai-openai__openai-text.json";

    /// <summary>What one replayed call costs at gpt-4.1-nano's prices (its recorded usage, priced).</summary>
    public const decimal CostPerCall = 0.0001468m;

    /// <summary>Keeps each reservation small: the worst case is this many output tokens.</summary>
    public const int MaxOutputTokens = 500;

    /// <summary>The prompt of every call.</summary>
    public const string Prompt = "hi";

    /// <summary>gpt-4.1-nano's prices in the default catalog (USD per 1M tokens).</summary>
    public static readonly ModelPricing NanoPricing = new(0.1m, 0.4m, CachedInputPerMillion: 0.025m);

    /// <summary>gpt-4.1-nano served by the fake server.</summary>
    public static ModelInfo Nano(Uri baseUrl) =>
        new("gpt-4.1-nano", "Gpt41Nano", new ProviderInfo("openai", "OpenAI", "openai", baseUrl.ToString(), "STRATUM_TEST_UNSET_KEY"), null, 128_000, 16_384, NanoPricing, ModelCapabilities.None);

    /// <summary>A client whose openai provider is the fake server, with a test key.</summary>
    public static StratumClient ClientFor(Uri baseUrl)
    {
        var options = new StratumClientOptions { Models = new ModelRegistry() };
        var provider = options.Provider("openai");
        provider.ApiKey = "sk-scale-test";
        provider.BaseUrl = baseUrl;
        return new StratumClient(options);
    }
}


namespace StratumAI.Tests.Routing;

/// <summary>A small hand-built catalog spanning cheap to expensive models, for router tests.</summary>
internal static class RoutingTestCatalog
{
    public static readonly ProviderInfo OpenAI = new("openai", "OpenAI", "openai", "https://api.openai.com/v1", "STRATUM_ROUTER_TEST_OPENAI_KEY");
    public static readonly ProviderInfo Anthropic = new("anthropic", "Anthropic", "anthropic", "https://api.anthropic.com/v1", "STRATUM_ROUTER_TEST_ANTHROPIC_KEY");
    public static readonly ProviderInfo Local = new("ollama", "Ollama", "ollama", "http://127.0.0.1:11434", null);

    public const ModelCapabilities Full = ModelCapabilities.Streaming | ModelCapabilities.Tools | ModelCapabilities.Vision | ModelCapabilities.JsonSchema | ModelCapabilities.JsonMode;

    public static readonly ModelInfo Nano = Make("nano", OpenAI, 0.10m, 0.40m, 0.62, Full);
    public static readonly ModelInfo Mini = Make("mini", OpenAI, 0.40m, 1.60m, 0.80, Full);
    public static readonly ModelInfo Large = Make("large", OpenAI, 2.50m, 10m, 0.90, Full);
    public static readonly ModelInfo Sonnet = Make("sonnet", Anthropic, 3m, 15m, 0.92, ModelCapabilities.Streaming | ModelCapabilities.Tools | ModelCapabilities.Vision);
    public static readonly ModelInfo Llama = Make("llama", Local, 0m, 0m, 0.55, ModelCapabilities.Streaming, contextWindow: 8_192);

    public static ModelInfo[] All => [Nano, Mini, Large, Sonnet, Llama];

    public static ModelInfo Make(string id, ProviderInfo provider, decimal input, decimal output, double? quality, ModelCapabilities capabilities, int contextWindow = 128_000, int? maxOutput = 16_384) =>
        new(id, "M" + id.Replace("-", "", StringComparison.Ordinal), provider, null, contextWindow, maxOutput, new ModelPricing(input, output), capabilities, quality);

    /// <summary>A router over <paramref name="models"/> whose quality estimate is the catalog score lowered by the difficulty, so tests control it exactly.</summary>
    public static ModelRouter Router(IEnumerable<ModelInfo> models, Action<RouterOptions>? configure = null)
    {
        var options = new RouterOptions { QualityEstimator = new CatalogQuality() };
        configure?.Invoke(options);
        return new ModelRouter(models, options);
    }

    /// <summary>Expected quality = catalog quality, or null when the catalog has none.</summary>
    internal sealed class CatalogQuality : QualityEstimator
    {
        public override double? Estimate(ModelInfo model, ComplexityAnalysis analysis) => model.Quality;
    }
}

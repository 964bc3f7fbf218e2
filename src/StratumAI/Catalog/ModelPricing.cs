namespace StratumAI;

/// <summary>A price tier that replaces the base prices when the prompt exceeds <see cref="AboveInputTokens"/> tokens.</summary>
/// <param name="AboveInputTokens">Prompt size (input tokens, cached included) above which this tier applies.</param>
/// <param name="InputPerMillion">USD per 1M uncached input tokens.</param>
/// <param name="OutputPerMillion">USD per 1M output tokens.</param>
/// <param name="CachedInputPerMillion">USD per 1M cached input tokens, or null to keep the base cached-input price (the tier's input price when there is none).</param>
/// <param name="CacheWritePerMillion">USD per 1M cache-write tokens, or null to keep the base cache-write price (the tier's input price when there is none).</param>
/// <param name="CacheWrite1hPerMillion">USD per 1M tokens written to a one-hour cache, or null to keep the base one-hour price
/// (the tier's cache-write price when there is none).</param>
public sealed record PriceTier(
    long AboveInputTokens,
    decimal InputPerMillion,
    decimal OutputPerMillion,
    decimal? CachedInputPerMillion = null,
    decimal? CacheWritePerMillion = null,
    decimal? CacheWrite1hPerMillion = null);

/// <summary>A model's prices in USD per one million tokens, exact <see cref="decimal"/> values from the catalog.</summary>
/// <param name="InputPerMillion">Uncached input tokens.</param>
/// <param name="OutputPerMillion">Output tokens.</param>
/// <param name="CachedInputPerMillion">Cached input tokens (cache reads), or null when the provider has no separate price.</param>
/// <param name="CacheWritePerMillion">Tokens written to the prompt cache (Anthropic's five-minute rate), or null when not priced apart.</param>
/// <param name="ReasoningPerMillion">Reasoning tokens, or null when they are billed as output.</param>
/// <param name="Tiers">Tiers for large prompts, ordered by threshold; may be empty.</param>
/// <param name="CacheWrite1hPerMillion">Tokens written to a one-hour prompt cache (Anthropic <c>ttl: "1h"</c>), or null to bill
/// them at <paramref name="CacheWritePerMillion"/>.</param>
/// <param name="AudioInputPerMillion">Audio input tokens (<see cref="StratumUsageKeys.AudioInputTokens"/>), or null to bill them
/// at the input price.</param>
/// <param name="AudioOutputPerMillion">Audio output tokens (<see cref="StratumUsageKeys.AudioOutputTokens"/>), or null to bill them
/// at the output price.</param>
/// <param name="Flex">Prices of the flex service tier, applied when the response reports it
/// (<see cref="StratumUsageKeys.FlexServiceTier"/>), or null when the model has none.</param>
/// <param name="Priority">Prices of the priority service tier, applied when the response reports it
/// (<see cref="StratumUsageKeys.PriorityServiceTier"/>), or null when the model has none.</param>
/// <param name="Batch">Prices of the provider's batch API (OpenAI Batch, Anthropic Message Batches), applied to the results of a
/// batch (<see cref="StratumUsageKeys.BatchServiceTier"/>), or null when the model has none (its results are then billed at the
/// standard prices).</param>
public sealed record ModelPricing(
    decimal InputPerMillion,
    decimal OutputPerMillion,
    decimal? CachedInputPerMillion = null,
    decimal? CacheWritePerMillion = null,
    decimal? ReasoningPerMillion = null,
    IReadOnlyList<PriceTier>? Tiers = null,
    decimal? CacheWrite1hPerMillion = null,
    decimal? AudioInputPerMillion = null,
    decimal? AudioOutputPerMillion = null,
    ServiceTierPricing? Flex = null,
    ServiceTierPricing? Priority = null,
    ServiceTierPricing? Batch = null)
{
    /// <summary>Free: every price zero (local models).</summary>
    public static ModelPricing Free { get; } = new(0m, 0m);

    /// <summary>Tiers for large prompts; never null.</summary>
    public IReadOnlyList<PriceTier> Tiers { get; init; } = Tiers ?? Array.Empty<PriceTier>();
}

/// <summary>
/// Prices of one service tier (OpenAI's <c>flex</c> or <c>priority</c>, or a provider's batch API), in USD per one million tokens. They replace the
/// model's standard prices for a call the provider reports it served at that tier; a price left null keeps the standard one.
/// </summary>
/// <param name="InputPerMillion">Uncached input tokens, or null for the standard price.</param>
/// <param name="OutputPerMillion">Output tokens, or null for the standard price.</param>
/// <param name="CachedInputPerMillion">Cached input tokens, or null for the standard price.</param>
/// <param name="CacheWritePerMillion">Cache-write tokens, or null for the standard price.</param>
/// <param name="AudioInputPerMillion">Audio input tokens, or null for the standard price.</param>
public sealed record ServiceTierPricing(
    decimal? InputPerMillion = null,
    decimal? OutputPerMillion = null,
    decimal? CachedInputPerMillion = null,
    decimal? CacheWritePerMillion = null,
    decimal? AudioInputPerMillion = null);

using Microsoft.Extensions.AI;

namespace StratumAI;

/// <summary>Computes the exact cost of a call from its token usage and the catalog's prices.</summary>
/// <remarks>
/// <para>The rules, per million tokens:</para>
/// <list type="bullet">
/// <item>The price tier is the last tier (tiers are ordered by threshold) whose <see cref="PriceTier.AboveInputTokens"/>
/// is below the prompt size (<see cref="UsageDetails.InputTokenCount"/>, cached tokens included); with none, the base prices.
/// A tier without a cached-input or cache-write price keeps the base one.</item>
/// <item>Uncached input = input − cached − cache-write tokens, at the input price.</item>
/// <item>Cached input (<see cref="UsageDetails.CachedInputTokenCount"/>) at the cached-input price, or the input price when the catalog has none.</item>
/// <item>Cache-write tokens (<see cref="StratumUsageKeys.CacheWriteInputTokens"/> in <see cref="UsageDetails.AdditionalCounts"/>) at the cache-write price, or the input price.
/// Those of them written to a one-hour cache (<see cref="StratumUsageKeys.CacheWrite1hInputTokens"/>, at most all of them) at the
/// one-hour price (<see cref="ModelPricing.CacheWrite1hPerMillion"/>; the tier's, else the base one) when the catalog has one.</item>
/// <item>Output tokens at the output price. When the catalog has a reasoning price (<see cref="ModelPricing.ReasoningPerMillion"/>),
/// reasoning tokens (<see cref="UsageDetails.ReasoningTokenCount"/>, which are part of the output count) are billed at it
/// instead and taken out of the output; otherwise they are billed within output and <see cref="CallCost.Reasoning"/> is zero.</item>
/// <item>Service tier: when the usage reports the call was served at the flex or priority tier or by the batch API
/// (<see cref="StratumUsageKeys.FlexServiceTier"/>, <see cref="StratumUsageKeys.PriorityServiceTier"/>,
/// <see cref="StratumUsageKeys.BatchServiceTier"/>, exactly one of them) and the model has prices for it
/// (<see cref="ModelPricing.Flex"/>, <see cref="ModelPricing.Priority"/>, <see cref="ModelPricing.Batch"/>), those replace the standard input,
/// output, cached-input, cache-write and audio-input prices they list. A prompt-size tier still replaces the prices it lists.
/// When the service tier prices output, reasoning tokens are billed within output at that price.</item>
/// <item>Audio input tokens (<see cref="StratumUsageKeys.AudioInputTokens"/>, at most the uncached input) are taken out of the
/// uncached input and billed at the audio-input price (<see cref="ModelPricing.AudioInputPerMillion"/>), or the input price when the
/// catalog has none; audio output tokens (<see cref="StratumUsageKeys.AudioOutputTokens"/>) are taken out of the output and billed at
/// the audio-output price, or the output price. Both are part of <see cref="CallCost.Input"/> and <see cref="CallCost.Output"/>.</item>
/// </list>
/// <para>Missing counts are zero. Thread-safe and allocation-light; decimals are exact, nothing is rounded.</para>
/// </remarks>
public static class CostCalculator
{
    private const decimal PerMillion = 1_000_000m;

    /// <summary>Computes the cost of a call.</summary>
    /// <param name="pricing">The model's prices.</param>
    /// <param name="usage">The call's token usage.</param>
    /// <returns>The cost, by component.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="pricing"/> or <paramref name="usage"/> is null.</exception>
    public static CallCost Calculate(ModelPricing pricing, UsageDetails usage)
    {
        ArgumentNullException.ThrowIfNull(pricing);
        ArgumentNullException.ThrowIfNull(usage);

        long input = usage.InputTokenCount ?? 0;
        long cached = usage.CachedInputTokenCount ?? 0;
        long cacheWrite = 0, oneHour = 0, audioIn = 0, audioOut = 0;
        ServiceTierPricing? service = null;
        if (usage.AdditionalCounts is { } counts)
        {
            cacheWrite = counts.TryGetValue(StratumUsageKeys.CacheWriteInputTokens, out var written) ? written : 0;
            oneHour = counts.TryGetValue(StratumUsageKeys.CacheWrite1hInputTokens, out var hour) ? Math.Clamp(hour, 0, Math.Max(cacheWrite, 0)) : 0;
            audioIn = counts.TryGetValue(StratumUsageKeys.AudioInputTokens, out var heard) ? Math.Max(heard, 0) : 0;
            audioOut = counts.TryGetValue(StratumUsageKeys.AudioOutputTokens, out var spoken) ? Math.Max(spoken, 0) : 0;
            service = ServiceTier(pricing, counts);
        }

        long output = usage.OutputTokenCount ?? 0;
        long reasoning = usage.ReasoningTokenCount ?? 0;

        var inputPrice = service?.InputPerMillion ?? pricing.InputPerMillion;
        var outputPrice = service?.OutputPerMillion ?? pricing.OutputPerMillion;
        var cachedBase = service?.CachedInputPerMillion ?? pricing.CachedInputPerMillion;
        var cacheWriteBase = service?.CacheWritePerMillion ?? pricing.CacheWritePerMillion;
        var audioInPrice = service?.AudioInputPerMillion ?? pricing.AudioInputPerMillion;
        var cachedPrice = cachedBase ?? inputPrice;
        var cacheWritePrice = cacheWriteBase ?? inputPrice;
        var oneHourPrice = pricing.CacheWrite1hPerMillion;

        // A service tier that prices output bills reasoning within it (as LiteLLM does); otherwise the reasoning price stands.
        var reasoningPrice = service?.OutputPerMillion is null ? pricing.ReasoningPerMillion : null;

        PriceTier? tier = null;
        foreach (var candidate in pricing.Tiers)
        {
            if (input > candidate.AboveInputTokens)
            {
                tier = candidate;
            }
        }

        if (tier is not null)
        {
            inputPrice = tier.InputPerMillion;
            outputPrice = tier.OutputPerMillion;
            // A tier that does not price cache reads or writes keeps the base price for them (as LiteLLM does);
            // only a model with no such price at all bills them at the (tier's) input price.
            cachedPrice = tier.CachedInputPerMillion ?? cachedBase ?? tier.InputPerMillion;
            cacheWritePrice = tier.CacheWritePerMillion ?? cacheWriteBase ?? tier.InputPerMillion;
            oneHourPrice = tier.CacheWrite1hPerMillion ?? pricing.CacheWrite1hPerMillion;
        }

        // Without a one-hour price every cache write is billed at the cache-write price.
        var oneHourCost = oneHourPrice is { } hourPrice ? oneHour * hourPrice : oneHour * cacheWritePrice;

        var uncached = Math.Max(0, input - cached - cacheWrite);
        audioIn = Math.Min(audioIn, uncached);
        decimal reasoningCost = 0m;
        var billedOutput = output;
        if (reasoningPrice is { } perReasoning && reasoning > 0)
        {
            reasoningCost = reasoning * perReasoning / PerMillion;
            billedOutput = Math.Max(0, output - reasoning);
        }

        audioOut = Math.Min(audioOut, billedOutput);
        billedOutput -= audioOut;

        return new CallCost(
            Input: (((uncached - audioIn) * inputPrice) + (audioIn * (audioInPrice ?? inputPrice))) / PerMillion,
            CachedInput: cached * cachedPrice / PerMillion,
            CacheWrite: (((cacheWrite - oneHour) * cacheWritePrice) + oneHourCost) / PerMillion,
            Output: ((billedOutput * outputPrice) + (audioOut * (pricing.AudioOutputPerMillion ?? outputPrice))) / PerMillion,
            Reasoning: reasoningCost);
    }

    // The tier the provider reported serving the call at, when the model prices it; a usage that reports both is ambiguous
    // (an aggregate of calls at different tiers) and is billed at the standard prices.
    private static ServiceTierPricing? ServiceTier(ModelPricing pricing, AdditionalPropertiesDictionary<long> counts)
    {
        var flex = counts.TryGetValue(StratumUsageKeys.FlexServiceTier, out var flexCalls) && flexCalls > 0;
        var priority = counts.TryGetValue(StratumUsageKeys.PriorityServiceTier, out var priorityCalls) && priorityCalls > 0;
        var batch = counts.TryGetValue(StratumUsageKeys.BatchServiceTier, out var batchCalls) && batchCalls > 0;
        return (flex ? 1 : 0) + (priority ? 1 : 0) + (batch ? 1 : 0) != 1 ? null
            : flex ? pricing.Flex
            : priority ? pricing.Priority
            : pricing.Batch;
    }
}

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
        long cacheWrite = 0, oneHour = 0;
        if (usage.AdditionalCounts is { } counts)
        {
            cacheWrite = counts.TryGetValue(StratumUsageKeys.CacheWriteInputTokens, out var written) ? written : 0;
            oneHour = counts.TryGetValue(StratumUsageKeys.CacheWrite1hInputTokens, out var hour) ? Math.Clamp(hour, 0, Math.Max(cacheWrite, 0)) : 0;
        }

        long output = usage.OutputTokenCount ?? 0;
        long reasoning = usage.ReasoningTokenCount ?? 0;

        var inputPrice = pricing.InputPerMillion;
        var outputPrice = pricing.OutputPerMillion;
        var cachedPrice = pricing.CachedInputPerMillion ?? pricing.InputPerMillion;
        var cacheWritePrice = pricing.CacheWritePerMillion ?? pricing.InputPerMillion;
        var oneHourPrice = pricing.CacheWrite1hPerMillion;

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
            cachedPrice = tier.CachedInputPerMillion ?? pricing.CachedInputPerMillion ?? tier.InputPerMillion;
            cacheWritePrice = tier.CacheWritePerMillion ?? pricing.CacheWritePerMillion ?? tier.InputPerMillion;
            oneHourPrice = tier.CacheWrite1hPerMillion ?? pricing.CacheWrite1hPerMillion;
        }

        // Without a one-hour price every cache write is billed at the cache-write price.
        var oneHourCost = oneHourPrice is { } hourPrice ? oneHour * hourPrice : oneHour * cacheWritePrice;

        var uncached = Math.Max(0, input - cached - cacheWrite);
        decimal reasoningCost = 0m;
        var billedOutput = output;
        if (pricing.ReasoningPerMillion is { } reasoningPrice && reasoning > 0)
        {
            reasoningCost = reasoning * reasoningPrice / PerMillion;
            billedOutput = Math.Max(0, output - reasoning);
        }

        return new CallCost(
            Input: uncached * inputPrice / PerMillion,
            CachedInput: cached * cachedPrice / PerMillion,
            CacheWrite: (((cacheWrite - oneHour) * cacheWritePrice) + oneHourCost) / PerMillion,
            Output: billedOutput * outputPrice / PerMillion,
            Reasoning: reasoningCost);
    }
}

using Microsoft.Extensions.AI;

namespace StratumAI.Tests.Cost;

/// <summary>Each expected value is worked out by hand: tokens × USD-per-1M ÷ 1,000,000, exact decimals.</summary>
public sealed class CostCalculatorTests
{
    private static UsageDetails Usage(long input, long output, long? cached = null, long? cacheWrite = null, long? reasoning = null)
    {
        var usage = new UsageDetails { InputTokenCount = input, OutputTokenCount = output, CachedInputTokenCount = cached, ReasoningTokenCount = reasoning };
        if (cacheWrite is { } written)
        {
            usage.AdditionalCounts = new() { [StratumUsageKeys.CacheWriteInputTokens] = written };
        }

        return usage;
    }

    [Fact]
    public void PlainUsage_BillsInputAndOutput()
    {
        // 1,000 × 2.50 / 1M = 0.0025; 500 × 10 / 1M = 0.005.
        var cost = CostCalculator.Calculate(new ModelPricing(2.5m, 10m), Usage(1_000, 500));

        Assert.Equal(new CallCost(0.0025m, 0m, 0m, 0.005m, 0m), cost);
        Assert.Equal(0.0075m, cost.Total);
    }

    [Fact]
    public void CachedTokens_WithoutACachedPrice_FallBackToTheInputPrice()
    {
        // (1,000 − 400) × 3 / 1M = 0.0018; 400 × 3 / 1M = 0.0012; 10 × 15 / 1M = 0.00015.
        var cost = CostCalculator.Calculate(new ModelPricing(3m, 15m), Usage(1_000, 10, cached: 400));

        Assert.Equal(new CallCost(0.0018m, 0.0012m, 0m, 0.00015m, 0m), cost);
    }

    [Fact]
    public void CacheWriteTokens_AreTakenOutOfInputAndBilledAtTheCacheWritePrice()
    {
        // (10,000 − 2,000 − 5,000) × 3 / 1M = 0.009; 2,000 × 0.30 / 1M = 0.0006; 5,000 × 3.75 / 1M = 0.01875; 100 × 15 / 1M = 0.0015.
        var pricing = new ModelPricing(3m, 15m, CachedInputPerMillion: 0.3m, CacheWritePerMillion: 3.75m);

        var cost = CostCalculator.Calculate(pricing, Usage(10_000, 100, cached: 2_000, cacheWrite: 5_000));

        Assert.Equal(new CallCost(0.009m, 0.0006m, 0.01875m, 0.0015m, 0m), cost);
        Assert.Equal(0.02985m, cost.Total);
    }

    [Fact]
    public void CacheWriteTokens_WithoutACacheWritePrice_FallBackToTheInputPrice()
    {
        // 0 uncached; 1,000 × 2 / 1M = 0.002 written.
        var cost = CostCalculator.Calculate(new ModelPricing(2m, 8m), Usage(1_000, 0, cacheWrite: 1_000));

        Assert.Equal(new CallCost(0m, 0m, 0.002m, 0m, 0m), cost);
    }

    [Fact]
    public void OneHourCacheWrites_AreBilledAtTheOneHourPrice_AndTheRestAtTheCacheWritePrice()
    {
        // (10,000 − 6,000) × 3 / 1M = 0.012 uncached; (6,000 − 4,000) × 3.75 / 1M = 0.0075 and 4,000 × 6 / 1M = 0.024 written; 100 × 15 / 1M = 0.0015.
        var pricing = new ModelPricing(3m, 15m, CacheWritePerMillion: 3.75m, CacheWrite1hPerMillion: 6m);

        var cost = CostCalculator.Calculate(pricing, OneHourUsage(10_000, 100, cacheWrite: 6_000, oneHour: 4_000));

        Assert.Equal(new CallCost(0.012m, 0m, 0.0315m, 0.0015m, 0m), cost);
    }

    [Fact]
    public void OneHourCacheWrites_WithoutAOneHourPrice_AreBilledAtTheCacheWritePrice()
    {
        // 6,000 × 3.75 / 1M = 0.0225, whatever the cache's lifetime.
        var pricing = new ModelPricing(3m, 15m, CacheWritePerMillion: 3.75m);

        var cost = CostCalculator.Calculate(pricing, OneHourUsage(6_000, 0, cacheWrite: 6_000, oneHour: 4_000));

        Assert.Equal(new CallCost(0m, 0m, 0.0225m, 0m, 0m), cost);
    }

    [Fact]
    public void OneHourCount_IsCappedAtTheCacheWriteCount()
    {
        // A one-hour count above the cache-write count cannot bill more tokens than were written: 1,000 × 6 / 1M = 0.006.
        var pricing = new ModelPricing(3m, 15m, CacheWritePerMillion: 3.75m, CacheWrite1hPerMillion: 6m);

        var cost = CostCalculator.Calculate(pricing, OneHourUsage(1_000, 0, cacheWrite: 1_000, oneHour: 5_000));

        Assert.Equal(new CallCost(0m, 0m, 0.006m, 0m, 0m), cost);
    }

    [Fact]
    public void AboveATier_OneHourWritesUseTheTiersOneHourPrice_ElseTheBaseOne()
    {
        // Above 200k: 2,000 × 7.5 + 1,000 × 12 = 0.027 with the tier's one-hour price; 2,000 × 7.5 + 1,000 × 6 = 0.021 without.
        var withTierPrice = new ModelPricing(3m, 15m, CacheWritePerMillion: 3.75m, Tiers: [new PriceTier(200_000, 6m, 22.5m, CacheWritePerMillion: 7.5m, CacheWrite1hPerMillion: 12m)], CacheWrite1hPerMillion: 6m);
        var withoutTierPrice = withTierPrice with { Tiers = [new PriceTier(200_000, 6m, 22.5m, CacheWritePerMillion: 7.5m)] };
        var usage = OneHourUsage(250_000, 0, cacheWrite: 3_000, oneHour: 1_000);

        Assert.Equal(0.027m, CostCalculator.Calculate(withTierPrice, usage).CacheWrite);
        Assert.Equal(0.021m, CostCalculator.Calculate(withoutTierPrice, usage).CacheWrite);
    }

    private static UsageDetails OneHourUsage(long input, long output, long cacheWrite, long oneHour) => new()
    {
        InputTokenCount = input,
        OutputTokenCount = output,
        AdditionalCounts = new() { [StratumUsageKeys.CacheWriteInputTokens] = cacheWrite, [StratumUsageKeys.CacheWrite1hInputTokens] = oneHour },
    };

    [Fact]
    public void ReasoningTokens_WithAReasoningPrice_AreBilledApartFromOutput()
    {
        // 100 × 1 / 1M = 0.0001; (1,000 − 800) × 4 / 1M = 0.0008; 800 × 3.5 / 1M = 0.0028.
        var pricing = new ModelPricing(1m, 4m, ReasoningPerMillion: 3.5m);

        var cost = CostCalculator.Calculate(pricing, Usage(100, 1_000, reasoning: 800));

        Assert.Equal(new CallCost(0.0001m, 0m, 0m, 0.0008m, 0.0028m), cost);
        Assert.Equal(0.0037m, cost.Total);
    }

    [Fact]
    public void ReasoningTokens_WithoutAReasoningPrice_StayInOutput()
    {
        // 100 × 1 / 1M = 0.0001; 1,000 × 4 / 1M = 0.004.
        var cost = CostCalculator.Calculate(new ModelPricing(1m, 4m), Usage(100, 1_000, reasoning: 800));

        Assert.Equal(new CallCost(0.0001m, 0m, 0m, 0.004m, 0m), cost);
    }

    [Fact]
    public void PromptAboveATierThreshold_UsesTheTierPrices()
    {
        // Gemini-style: 1.25 / 10 up to 200k prompt tokens, 2.50 / 15 above.
        var pricing = new ModelPricing(1.25m, 10m, CachedInputPerMillion: 0.31m,
            Tiers: [new PriceTier(200_000, 2.5m, 15m, CachedInputPerMillion: 0.625m)]);

        // At the threshold: base prices. 200,000 × 1.25 / 1M = 0.25; 1,000 × 10 / 1M = 0.01.
        Assert.Equal(new CallCost(0.25m, 0m, 0m, 0.01m, 0m), CostCalculator.Calculate(pricing, Usage(200_000, 1_000)));

        // Above: (250,000 − 50,000) × 2.5 / 1M = 0.5; 50,000 × 0.625 / 1M = 0.03125; 1,000 × 15 / 1M = 0.015.
        Assert.Equal(new CallCost(0.5m, 0.03125m, 0m, 0.015m, 0m), CostCalculator.Calculate(pricing, Usage(250_000, 1_000, cached: 50_000)));
    }

    [Fact]
    public void SeveralTiers_UseTheHighestOneExceeded()
    {
        var pricing = new ModelPricing(1m, 2m, Tiers: [new PriceTier(1_000, 3m, 4m), new PriceTier(10_000, 5m, 6m)]);

        // 20,000 × 5 / 1M = 0.1; 100 × 6 / 1M = 0.0006.
        Assert.Equal(0.1006m, CostCalculator.Calculate(pricing, Usage(20_000, 100)).Total);
        // 5,000 × 3 / 1M = 0.015; 100 × 4 / 1M = 0.0004.
        Assert.Equal(0.0154m, CostCalculator.Calculate(pricing, Usage(5_000, 100)).Total);
    }

    [Fact]
    public void TierWithoutCachedPrice_KeepsTheBaseCachedPrice()
    {
        // As LiteLLM prices xai/grok-4-1-fast-reasoning: its 128k tier lists input and output only.
        var pricing = new ModelPricing(1m, 2m, CachedInputPerMillion: 0.1m, Tiers: [new PriceTier(1_000, 3m, 4m)]);

        // (2,000 − 1,000) × 3 / 1M = 0.003; 1,000 × 0.1 / 1M = 0.0001 (base cached price); 0 output.
        Assert.Equal(new CallCost(0.003m, 0.0001m, 0m, 0m, 0m), CostCalculator.Calculate(pricing, Usage(2_000, 0, cached: 1_000)));
    }

    [Fact]
    public void TierWithoutCachedPrice_OnAModelWithNoCachedPrice_BillsCachedTokensAtTheTierInputPrice()
    {
        var pricing = new ModelPricing(1m, 2m, Tiers: [new PriceTier(1_000, 3m, 4m)]);

        // (2,000 − 1,000) × 3 / 1M = 0.003; 1,000 × 3 / 1M = 0.003 (no cached price anywhere: tier input price).
        Assert.Equal(new CallCost(0.003m, 0.003m, 0m, 0m, 0m), CostCalculator.Calculate(pricing, Usage(2_000, 0, cached: 1_000)));
    }

    [Fact]
    public void MissingCounts_CostNothing()
    {
        Assert.Equal(CallCost.Zero, CostCalculator.Calculate(new ModelPricing(2.5m, 10m), new UsageDetails()));
        Assert.Equal(0m, CallCost.Zero.Total);
    }

    [Fact]
    public void FreeModel_CostsNothing()
    {
        Assert.Equal(0m, CostCalculator.Calculate(ModelPricing.Free, Usage(123_456, 7_890, cached: 100)).Total);
    }

    [Fact]
    public void TinyPrices_StayExact()
    {
        // 1 × 0.0000001 / 1M = 0.0000000000001: no rounding, no double.
        var cost = CostCalculator.Calculate(new ModelPricing(0.0000001m, 0m), Usage(1, 0));

        Assert.Equal(0.0000000000001m, cost.Input);
    }

    private static UsageDetails WithCounts(UsageDetails usage, params (string Key, long Value)[] counts)
    {
        usage.AdditionalCounts ??= new();
        foreach (var (key, value) in counts)
        {
            usage.AdditionalCounts[key] = value;
        }

        return usage;
    }

    // gpt-5 (LiteLLM): 1.25 / 10 / cached 0.125; flex 0.625 / 5 / 0.0625; priority 2.5 / 20 / 0.25.
    private static readonly ModelPricing Gpt5Pricing = new(1.25m, 10m, 0.125m,
        Flex: new ServiceTierPricing(0.625m, 5m, 0.0625m), Priority: new ServiceTierPricing(2.5m, 20m, 0.25m));

    [Fact]
    public void FlexTier_BillsEveryKindAtTheFlexPrices()
    {
        var usage = WithCounts(Usage(10_000, 1_000, cached: 4_000), (StratumUsageKeys.FlexServiceTier, 1));

        // 6,000 × 0.625 = 3,750; 4,000 × 0.0625 = 250; 1,000 × 5 = 5,000 → / 1M (standard: 7,500 + 500 + 10,000).
        Assert.Equal(new CallCost(0.00375m, 0.00025m, 0m, 0.005m, 0m), CostCalculator.Calculate(Gpt5Pricing, usage));
    }

    [Fact]
    public void PriorityTier_WithoutATierPriceForAKind_KeepsTheStandardPriceForIt()
    {
        // gpt-5-nano as LiteLLM lists it: a priority input price only.
        var pricing = new ModelPricing(0.05m, 0.4m, 0.005m, Priority: new ServiceTierPricing(InputPerMillion: 2.5m));
        var usage = WithCounts(Usage(1_000, 100, cached: 200), (StratumUsageKeys.PriorityServiceTier, 1));

        // 800 × 2.5 = 2,000; 200 × 0.005 = 1; 100 × 0.4 = 40 → / 1M.
        Assert.Equal(new CallCost(0.002m, 0.000001m, 0m, 0.00004m, 0m), CostCalculator.Calculate(pricing, usage));
    }

    [Fact]
    public void BatchTier_BillsEveryKindItPricesAtTheBatchPrices_AndTheOthersAtTheStandardOnes()
    {
        // claude-haiku-4-5 (catalog): 1 / 5 / cached 0.1 / write 1.25 / 1-hour write 2; batch half of each but the 1-hour write.
        var pricing = new ModelPricing(1m, 5m, 0.1m, 1.25m, CacheWrite1hPerMillion: 2m, Batch: new ServiceTierPricing(0.5m, 2.5m, 0.05m, 0.625m));
        var usage = WithCounts(Usage(10_000, 1_000, cached: 4_000), (StratumUsageKeys.CacheWriteInputTokens, 2_000), (StratumUsageKeys.BatchServiceTier, 1));

        // 4,000 × 0.5 = 2,000; 4,000 × 0.05 = 200; 2,000 × 0.625 = 1,250; 1,000 × 2.5 = 2,500 → / 1M.
        Assert.Equal(new CallCost(0.002m, 0.0002m, 0.00125m, 0.0025m, 0m), CostCalculator.Calculate(pricing, usage));
        // A model without batch prices, or a usage that also reports another tier: the standard prices.
        Assert.Equal(CostCalculator.Calculate(pricing with { Batch = null }, Usage(10_000, 1_000, cached: 4_000)), CostCalculator.Calculate(pricing with { Batch = null }, WithCounts(Usage(10_000, 1_000, cached: 4_000), (StratumUsageKeys.BatchServiceTier, 1))));
        Assert.Equal(CostCalculator.Calculate(pricing, Usage(1_000, 100)), CostCalculator.Calculate(pricing, WithCounts(Usage(1_000, 100), (StratumUsageKeys.BatchServiceTier, 1), (StratumUsageKeys.FlexServiceTier, 1))));
    }

    [Fact]
    public void ServiceTier_TheModelHasNoPricesFor_OrBothTiersReported_BillsTheStandardPrices()
    {
        var standard = CostCalculator.Calculate(Gpt5Pricing, Usage(1_000, 100));

        Assert.Equal(standard, CostCalculator.Calculate(new ModelPricing(1.25m, 10m, 0.125m), WithCounts(Usage(1_000, 100), (StratumUsageKeys.FlexServiceTier, 1))));
        Assert.Equal(standard, CostCalculator.Calculate(Gpt5Pricing, WithCounts(Usage(1_000, 100), (StratumUsageKeys.FlexServiceTier, 1), (StratumUsageKeys.PriorityServiceTier, 1))));
        Assert.Equal(standard, CostCalculator.Calculate(Gpt5Pricing, WithCounts(Usage(1_000, 100), (StratumUsageKeys.FlexServiceTier, 0))));
    }

    [Fact]
    public void ServiceTierThatPricesOutput_BillsReasoningWithinItsOutput()
    {
        // gemini-3-flash-preview (LiteLLM): output and reasoning 3; priority output 5.4, no priority reasoning price.
        var pricing = new ModelPricing(0.5m, 3m, 0.05m, ReasoningPerMillion: 3m, Priority: new ServiceTierPricing(0.9m, 5.4m, 0.09m, AudioInputPerMillion: 1.8m));
        var usage = WithCounts(Usage(1_000, 500, reasoning: 300), (StratumUsageKeys.PriorityServiceTier, 1));

        // 1,000 × 0.9 = 900; 500 × 5.4 = 2,700 (reasoning inside) → / 1M.
        Assert.Equal(new CallCost(0.0009m, 0m, 0m, 0.0027m, 0m), CostCalculator.Calculate(pricing, usage));
    }

    [Fact]
    public void ServiceTier_AboveAPromptSizeTier_TheTiersPricesWinForWhatItPrices()
    {
        // gpt-5.4 (LiteLLM): 2.5 / 15 / 0.25, above 272k 5 / 22.5 / 0.5; flex 1.25 / 7.5 / 0.13 and no flex price above 272k.
        var pricing = new ModelPricing(2.5m, 15m, 0.25m, Tiers: [new PriceTier(272_000, 5m, 22.5m)], Flex: new ServiceTierPricing(1.25m, 7.5m, 0.13m));
        var usage = WithCounts(Usage(300_000, 1_000, cached: 100_000), (StratumUsageKeys.FlexServiceTier, 1));

        // 200,000 × 5 = 1,000,000; 100,000 × 0.13 (the tier lists no cached price: flex's) = 13,000; 1,000 × 22.5 = 22,500 → / 1M.
        Assert.Equal(new CallCost(1m, 0.013m, 0m, 0.0225m, 0m), CostCalculator.Calculate(pricing, usage));
    }

    [Fact]
    public void AudioTokens_AreTakenOutOfTextAndBilledAtTheAudioPrices()
    {
        var pricing = new ModelPricing(2.5m, 10m, 1.25m, AudioInputPerMillion: 40m, AudioOutputPerMillion: 80m);
        var usage = WithCounts(Usage(1_000, 300, cached: 200), (StratumUsageKeys.AudioInputTokens, 500), (StratumUsageKeys.AudioOutputTokens, 100));

        // Input: (1,000 − 200 − 500) × 2.5 = 750 + 500 × 40 = 20,000; cached 200 × 1.25 = 250; output 200 × 10 = 2,000 + 100 × 80 = 8,000.
        Assert.Equal(new CallCost(0.02075m, 0.00025m, 0m, 0.01m, 0m), CostCalculator.Calculate(pricing, usage));
    }

    [Fact]
    public void AudioTokens_WithoutAudioPrices_AreBilledAsText_AndNeverMoreThanTheTokensBilled()
    {
        var usage = WithCounts(Usage(1_000, 300, cached: 200), (StratumUsageKeys.AudioInputTokens, 5_000), (StratumUsageKeys.AudioOutputTokens, 100));

        Assert.Equal(CostCalculator.Calculate(new ModelPricing(2.5m, 10m, 1.25m), Usage(1_000, 300, cached: 200)), CostCalculator.Calculate(new ModelPricing(2.5m, 10m, 1.25m), usage));

        // More audio than uncached input: at most the 800 uncached tokens are audio (800 × 40 = 32,000), cached stay cached.
        var priced = CostCalculator.Calculate(new ModelPricing(2.5m, 10m, 1.25m, AudioInputPerMillion: 40m), usage);
        Assert.Equal((0.032m, 0.00025m), (priced.Input, priced.CachedInput));
    }
}

using Microsoft.Extensions.AI;
using static StratumAI.Tests.Caching.CacheTestKit;

namespace StratumAI.Tests.Caching;

public sealed class RepeatedPromptWorkloadTests
{
    [Fact]
    public void Workload_HasExactlyThe30PercentRepeats()
    {
        var prompts = RepeatedPromptWorkload.Create(1_000, 300, seed: 2026);

        Assert.Equal(1_000, prompts.Count);
        Assert.Equal(700, prompts.Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(prompts, RepeatedPromptWorkload.Create(1_000, 300, seed: 2026));
    }

    [Theory]
    [InlineData(Store.Hybrid)]
    [InlineData(Store.Distributed)]
    public async Task WorkloadWith30PercentRepeats_CutsProviderCallsBy30Percent(Store store)
    {
        var prompts = RepeatedPromptWorkload.Create(1_000, 300, seed: 2026);
        var inner = new ScriptedChatClient();
        using var cache = NewCacheClient(inner, store);

        var hits = 0;
        foreach (var prompt in prompts)
        {
            if ((await cache.GetResponseAsync(prompt, Cached("openai/gpt-4.1-nano"))).IsCacheHit())
            {
                hits++;
            }
        }

        var saved = 1.0 - (inner.Calls / (double)prompts.Count);
        Assert.Equal(700, inner.Calls);
        Assert.Equal(300, hits);
        Assert.True(saved >= 0.30, $"Provider calls cut by {saved:P1}, below the 30% target.");
    }
}

using Microsoft.Extensions.AI;
using static StratumAI.Tests.Caching.CacheTestKit;

namespace StratumAI.Tests.Caching;

public sealed class RepeatedPromptWorkloadTests
{
    /// <summary>
    /// 1,000 prompts of which exactly 300 repeat an earlier one, at positions and with originals drawn from a seeded
    /// generator (selection sampling, so the count is exact and the list the same on every run).
    /// </summary>
    internal static List<string> Workload(int total, int repeats, int seed)
    {
        var random = new Random(seed);
        var prompts = new List<string>(total);
        var unique = new List<string>();
        for (var slot = 0; slot < total; slot++)
        {
            var repeatsLeft = repeats - (prompts.Count - unique.Count);
            if (unique.Count > 0 && random.Next(total - slot) < repeatsLeft)
            {
                prompts.Add(unique[random.Next(unique.Count)]);
            }
            else
            {
                var prompt = $"Question {unique.Count}: what is {random.Next(1_000_000)} in words?";
                unique.Add(prompt);
                prompts.Add(prompt);
            }
        }

        return prompts;
    }

    [Fact]
    public void Workload_HasExactlyThe30PercentRepeats()
    {
        var prompts = Workload(1_000, 300, seed: 2026);

        Assert.Equal(1_000, prompts.Count);
        Assert.Equal(700, prompts.Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(prompts, Workload(1_000, 300, seed: 2026));
    }

    [Theory]
    [InlineData(Store.Hybrid)]
    [InlineData(Store.Distributed)]
    public async Task WorkloadWith30PercentRepeats_CutsProviderCallsBy30Percent(Store store)
    {
        var prompts = Workload(1_000, 300, seed: 2026);
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

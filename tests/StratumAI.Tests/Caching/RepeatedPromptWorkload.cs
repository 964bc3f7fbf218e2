namespace StratumAI.Tests.Caching;

/// <summary>
/// A deterministic list of prompts of which an exact number repeat an earlier one: positions and originals are drawn
/// from a seeded generator by selection sampling, so the count is exact and the list is the same on every run.
/// </summary>
/// <remarks>Shared with the cache benchmark (linked into benchmarks/StratumAI.Benchmarks), so both measure the same workload.</remarks>
internal static class RepeatedPromptWorkload
{
    public static List<string> Create(int total, int repeats, int seed)
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
}

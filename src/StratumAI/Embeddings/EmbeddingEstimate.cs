using Microsoft.Extensions.AI;

namespace StratumAI;

/// <summary>
/// The worst case of an embedding call, as a <see cref="BudgetEstimate"/>: every input counted on the high side
/// (<see cref="EmbeddingTokenEstimator"/>) at the highest input price the model can charge (standard, prompt-size tiers,
/// service tiers), and no output. What a budget reserves for the call, and what cost tracking records — flagged
/// <see cref="CostRecord.IsEstimated"/> — for a call that reported no usage.
/// </summary>
internal static class EmbeddingEstimate
{
    public static BudgetEstimate For(ModelInfo model, IEnumerable<string> inputs, CancellationToken cancellationToken = default)
    {
        var pricing = model.Pricing;
        var price = pricing.InputPerMillion;
        foreach (var tier in pricing.Tiers)
        {
            price = Math.Max(price, tier.InputPerMillion);
        }

        price = Math.Max(price, pricing.Flex?.InputPerMillion ?? 0m);
        price = Math.Max(price, pricing.Priority?.InputPerMillion ?? 0m);
        return new BudgetEstimate(model, EmbeddingTokenEstimator.Count(inputs, cancellationToken), 0, price, 0m, TokenizerCounted: false);
    }

    /// <summary>The model of an embedding call: the one of the generator below (a StratumAI generator names it), else none.</summary>
    public static ModelInfo? ModelOf(IEmbeddingGenerator<string, Embedding<float>> inner) => inner.GetService(typeof(ModelInfo)) as ModelInfo;

    /// <summary>The inputs as a list, enumerated once (the estimate and the call both read them).</summary>
    public static IReadOnlyList<string> List(IEnumerable<string> values) => values as IReadOnlyList<string> ?? values.ToArray();
}

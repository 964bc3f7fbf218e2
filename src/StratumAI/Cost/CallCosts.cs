using Microsoft.Extensions.AI;

namespace StratumAI;

/// <summary>
/// The one rule every StratumAI component prices a call by: the cost the serving model client attached
/// (<see cref="StratumUsageKeys.Cost"/>), else the reported usage at the serving catalog model's prices
/// (<see cref="CostCalculator"/>), else unknown. Telemetry, budgets, cost tracking, the cache and the model client all use it,
/// so they agree to the last decimal.
/// </summary>
internal static class CallCosts
{
    /// <summary><paramref name="usage"/> at <paramref name="model"/>'s prices; null when either is unknown.</summary>
    public static CallCost? Price(ModelInfo? model, UsageDetails? usage) =>
        model is not null && usage is not null ? CostCalculator.Calculate(model.Pricing, usage) : null;

    /// <summary>The cost <paramref name="attached"/> by the model client, else <paramref name="usage"/> priced at <paramref name="model"/>.</summary>
    public static CallCost? Of(CallCost? attached, ModelInfo? model, UsageDetails? usage) => attached ?? Price(model, usage);

    /// <summary>
    /// The cost of a response: the one attached to it, else its usage at the prices of the model that served it
    /// (<see cref="ChatResponseStratumExtensions.GetModelInfo"/>), else of <paramref name="model"/>.
    /// </summary>
    public static CallCost? Of(ChatResponse response, ModelInfo? model) =>
        response.GetCost() ?? Price(response.GetModelInfo() ?? model, response.Usage);

    /// <summary>The sum of two costs, component by component (usage updates of one stream add up).</summary>
    public static CallCost Add(CallCost? a, CallCost b) => a is null ? b : new(
        a.Input + b.Input,
        a.CachedInput + b.CachedInput,
        a.CacheWrite + b.CacheWrite,
        a.Output + b.Output,
        a.Reasoning + b.Reasoning);
}

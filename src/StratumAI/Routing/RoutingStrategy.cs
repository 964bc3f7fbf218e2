namespace StratumAI;

/// <summary>How <see cref="ModelRouter"/> chooses among the models that pass the hard constraints.</summary>
public enum RoutingStrategy
{
    /// <summary>
    /// The cheapest model whose expected quality clears the bar: at least <see cref="RouterOptions.MinQualityRatio"/> of the
    /// best candidate's expected quality and at least <see cref="RouterOptions.MinExpectedQuality"/>.
    /// </summary>
    Cost,

    /// <summary>The model with the highest expected quality, optionally under <see cref="RouterOptions.MaxEstimatedCost"/>; ties go to the cheaper.</summary>
    Quality,

    /// <summary>
    /// The model that maximises expected quality − λ × (estimated cost ÷ the most expensive candidate's), with
    /// λ = <see cref="RouterOptions.CostWeight"/>.
    /// </summary>
    Hybrid,

    /// <summary>
    /// Among the models that clear the <see cref="Cost"/> strategy's quality bar, the one with the lowest moving-average latency
    /// observed by <see cref="ModelRouter.Latency"/>; models never observed come after observed ones, cheapest first.
    /// </summary>
    Latency,
}

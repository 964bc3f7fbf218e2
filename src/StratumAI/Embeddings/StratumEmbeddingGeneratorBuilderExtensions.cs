using Microsoft.Extensions.AI;

namespace StratumAI;

/// <summary>
/// The StratumAI money middleware for an <see cref="EmbeddingGeneratorBuilder{TInput, TEmbedding}"/>, under the same names as
/// for chat: <c>UseStratumBudget</c> and <c>UseStratumCostTracking</c>. Budgets, trackers and ledgers are shared with chat
/// pipelines, so one budget caps chat and embedding spend together and one ledger holds both.
/// </summary>
/// <remarks>
/// Order, outermost first: budget, then cost tracking, then the StratumAI generator
/// (<c>stratum.GetEmbeddingGenerator(model)</c>), as for chat. For a cache and telemetry, Microsoft.Extensions.AI's own
/// <c>UseDistributedCache</c> and <c>UseOpenTelemetry</c> apply to embeddings; see docs/embeddings.md.
/// </remarks>
public static class StratumEmbeddingGeneratorBuilderExtensions
{
    /// <summary>Records the cost of every billed embedding call in <paramref name="tracker"/> (and the ledger of <paramref name="configure"/>).</summary>
    /// <param name="builder">The pipeline.</param>
    /// <param name="tracker">Where records go; may be shared with chat pipelines.</param>
    /// <param name="configure">Sets the options (a ledger, the default caller), or null for the defaults.</param>
    /// <returns><paramref name="builder"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> or <paramref name="tracker"/> is null.</exception>
    public static EmbeddingGeneratorBuilder<string, Embedding<float>> UseStratumCostTracking(
        this EmbeddingGeneratorBuilder<string, Embedding<float>> builder,
        CostTracker tracker,
        Action<StratumCostTrackingOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(tracker);
        return builder.Use(inner =>
        {
            var options = new StratumCostTrackingOptions();
            configure?.Invoke(options);
            return new CostTrackingEmbeddingGenerator(inner, tracker, options);
        });
    }

    /// <summary>
    /// Records the cost of every billed embedding call in the <see cref="CostTracker"/> registered in the pipeline's services,
    /// and appends each record to the registered <see cref="ICostLedger"/> when there is one.
    /// </summary>
    /// <param name="builder">The pipeline.</param>
    /// <param name="configure">Sets the options, or null for the defaults.</param>
    /// <returns><paramref name="builder"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is null.</exception>
    /// <exception cref="InvalidOperationException">Thrown when the pipeline is built: no <see cref="CostTracker"/> is registered.</exception>
    public static EmbeddingGeneratorBuilder<string, Embedding<float>> UseStratumCostTracking(
        this EmbeddingGeneratorBuilder<string, Embedding<float>> builder,
        Action<StratumCostTrackingOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Use((inner, services) =>
        {
            var (tracker, options) = CostTrackingChatClientBuilderExtensions.FromServices(services, configure);
            return new CostTrackingEmbeddingGenerator(inner, tracker, options);
        });
    }

    /// <summary>Keeps the pipeline's embedding calls within <paramref name="budgets"/>: reserve the worst case before, settle after.</summary>
    /// <param name="builder">The pipeline.</param>
    /// <param name="budgets">The budgets; may be shared with chat pipelines.</param>
    /// <param name="configure">Sets the options (the default caller, a logger), or null for the defaults.</param>
    /// <returns><paramref name="builder"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> or <paramref name="budgets"/> is null.</exception>
    public static EmbeddingGeneratorBuilder<string, Embedding<float>> UseStratumBudget(
        this EmbeddingGeneratorBuilder<string, Embedding<float>> builder,
        BudgetManager budgets,
        Action<StratumBudgetOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(budgets);
        return builder.Use(inner =>
        {
            var options = new StratumBudgetOptions();
            configure?.Invoke(options);
            return new BudgetEmbeddingGenerator(inner, budgets, options);
        });
    }
}

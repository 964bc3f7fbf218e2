using Microsoft.Extensions.AI;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.Logging;

namespace StratumAI;

/// <summary>
/// The StratumAI middleware for an <see cref="EmbeddingGeneratorBuilder{TInput, TEmbedding}"/>, under the same names as for
/// chat: <c>UseStratumBudget</c>, <c>UseStratumCostTracking</c>, <c>UseStratumCache</c> and <c>UseStratumTelemetry</c>.
/// Budgets, trackers, ledgers, caches and telemetry names are shared with chat pipelines, so one budget caps chat and
/// embedding spend together and one ledger holds both.
/// </summary>
/// <remarks>
/// Order, outermost first, as for chat: budget, cost tracking, cache, telemetry, then the StratumAI generator
/// (<c>stratum.GetEmbeddingGenerator(model)</c>). A cache hit is then recorded at $0 with what it saved, reserves nothing
/// beyond its estimate, and makes no span; see docs/embeddings.md.
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

    /// <summary>
    /// Serves the vector of an input embedded before from the <see cref="HybridCache"/> registered in the pipeline's services,
    /// else the <see cref="IDistributedCache"/>, input by input (<see cref="ResponseCacheEmbeddingGenerator"/>).
    /// </summary>
    /// <param name="builder">The pipeline.</param>
    /// <param name="configure">Sets the TTL, key prefix and the rest of <see cref="EmbeddingCacheOptions"/>, or null for the defaults.</param>
    /// <returns><paramref name="builder"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is null.</exception>
    /// <exception cref="InvalidOperationException">When the pipeline is built: the services hold neither a <see cref="HybridCache"/> nor an <see cref="IDistributedCache"/>.</exception>
    public static EmbeddingGeneratorBuilder<string, Embedding<float>> UseStratumCache(
        this EmbeddingGeneratorBuilder<string, Embedding<float>> builder,
        Action<EmbeddingCacheOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Use((inner, services) =>
        {
            var options = ConfigureCache(configure, services);
            return services.GetService(typeof(HybridCache)) is HybridCache hybrid
                ? new ResponseCacheEmbeddingGenerator(inner, hybrid, options)
                : services.GetService(typeof(IDistributedCache)) is IDistributedCache distributed
                    ? new ResponseCacheEmbeddingGenerator(inner, distributed, options)
                    : throw new InvalidOperationException("UseStratumCache() found neither a HybridCache nor an IDistributedCache in the services. Register one (services.AddHybridCache() or services.AddDistributedMemoryCache()), or pass the cache to UseStratumCache(cache).");
        });
    }

    /// <summary>Serves the vector of an input embedded before from <paramref name="cache"/> (<see cref="ResponseCacheEmbeddingGenerator"/>).</summary>
    /// <param name="builder">The pipeline.</param>
    /// <param name="cache">The cache.</param>
    /// <param name="configure">Sets the options, or null for the defaults.</param>
    /// <returns><paramref name="builder"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> or <paramref name="cache"/> is null.</exception>
    public static EmbeddingGeneratorBuilder<string, Embedding<float>> UseStratumCache(
        this EmbeddingGeneratorBuilder<string, Embedding<float>> builder,
        HybridCache cache,
        Action<EmbeddingCacheOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(cache);
        return builder.Use((inner, services) => new ResponseCacheEmbeddingGenerator(inner, cache, ConfigureCache(configure, services)));
    }

    /// <summary>Serves the vector of an input embedded before from a plain <paramref name="cache"/> (Redis, SQL Server, memory, ...).</summary>
    /// <param name="builder">The pipeline.</param>
    /// <param name="cache">The cache.</param>
    /// <param name="configure">Sets the options, or null for the defaults.</param>
    /// <returns><paramref name="builder"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> or <paramref name="cache"/> is null.</exception>
    public static EmbeddingGeneratorBuilder<string, Embedding<float>> UseStratumCache(
        this EmbeddingGeneratorBuilder<string, Embedding<float>> builder,
        IDistributedCache cache,
        Action<EmbeddingCacheOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(cache);
        return builder.Use((inner, services) => new ResponseCacheEmbeddingGenerator(inner, cache, ConfigureCache(configure, services)));
    }

    /// <summary>Logs every embedding call and records it as OpenTelemetry GenAI spans and metrics, with its cost (<see cref="TelemetryEmbeddingGenerator"/>).</summary>
    /// <param name="builder">The pipeline.</param>
    /// <param name="configure">Sets the options: logger factory, source name, clock.</param>
    /// <returns><paramref name="builder"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is null.</exception>
    /// <remarks>Without <see cref="StratumTelemetryOptions.LoggerFactory"/>, the <see cref="ILoggerFactory"/> of the pipeline's
    /// services is used, if any. Subscribe with <c>AddSource("StratumAI")</c> and <c>AddMeter("StratumAI")</c>, as for chat.</remarks>
    public static EmbeddingGeneratorBuilder<string, Embedding<float>> UseStratumTelemetry(
        this EmbeddingGeneratorBuilder<string, Embedding<float>> builder,
        Action<StratumTelemetryOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Use((inner, services) =>
        {
            var options = new StratumTelemetryOptions();
            configure?.Invoke(options);
            options.LoggerFactory ??= services.GetService(typeof(ILoggerFactory)) as ILoggerFactory;
            return new TelemetryEmbeddingGenerator(inner, options);
        });
    }

    private static EmbeddingCacheOptions ConfigureCache(Action<EmbeddingCacheOptions>? configure, IServiceProvider services)
    {
        var options = new EmbeddingCacheOptions();
        configure?.Invoke(options);
        options.TimeProvider ??= services.GetService(typeof(TimeProvider)) as TimeProvider;
        options.Logger ??= (services.GetService(typeof(ILoggerFactory)) as ILoggerFactory)?.CreateLogger<ResponseCacheEmbeddingGenerator>();
        return options;
    }
}

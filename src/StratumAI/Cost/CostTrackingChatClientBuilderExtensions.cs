using Microsoft.Extensions.AI;

namespace StratumAI;

/// <summary>Adds <see cref="CostTrackingChatClient"/> to a <see cref="ChatClientBuilder"/> pipeline.</summary>
/// <remarks>
/// Place it outside retry and fallback middleware to record one entry per call, inside them to record every attempt. A ledger
/// (<see cref="StratumCostTrackingOptions.Ledger"/>) gets every record too, awaited before the call returns; a failed append throws
/// <see cref="CostLedgerException"/>, which is not retryable, so retries never repeat a billed call because of it.
/// </remarks>
public static class CostTrackingChatClientBuilderExtensions
{
    /// <summary>Records the cost of every billed attempt of the pipeline's calls in <paramref name="tracker"/>.</summary>
    /// <param name="builder">The pipeline.</param>
    /// <param name="tracker">Where records go; may be shared by many pipelines.</param>
    /// <param name="configure">Sets the options (a ledger to append every record to, the default caller), or null for the defaults.</param>
    /// <returns><paramref name="builder"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> or <paramref name="tracker"/> is null.</exception>
    /// <remarks>Nothing is taken from the pipeline's services: the ledger is the one <paramref name="configure"/> sets, if any.</remarks>
    public static ChatClientBuilder UseStratumCostTracking(this ChatClientBuilder builder, CostTracker tracker, Action<StratumCostTrackingOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(tracker);
        return builder.Use(inner =>
        {
            var options = new StratumCostTrackingOptions();
            configure?.Invoke(options);
            return new CostTrackingChatClient(inner, tracker, options);
        });
    }

    /// <summary>
    /// Records the cost of every billed attempt of the pipeline's calls in the <see cref="CostTracker"/> registered in the pipeline's
    /// services, and appends each record to the registered <see cref="ICostLedger"/> when there is one. Register both with
    /// <c>AddInMemoryCostLedger</c> or <c>AddSqliteCostLedger</c> (package StratumAI.Sqlite).
    /// </summary>
    /// <param name="builder">The pipeline.</param>
    /// <param name="configure">Sets the options (another ledger, the default caller), or null for the defaults.</param>
    /// <returns><paramref name="builder"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is null.</exception>
    /// <exception cref="InvalidOperationException">Thrown when the pipeline is built: no <see cref="CostTracker"/> is registered.</exception>
    public static ChatClientBuilder UseStratumCostTracking(this ChatClientBuilder builder, Action<StratumCostTrackingOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Use((inner, services) =>
        {
            var (tracker, options) = FromServices(services, configure);
            return new CostTrackingChatClient(inner, tracker, options);
        });
    }

    /// <summary>The registered <see cref="CostTracker"/>, and options with the registered <see cref="ICostLedger"/> unless <paramref name="configure"/> set one.</summary>
    internal static (CostTracker Tracker, StratumCostTrackingOptions Options) FromServices(IServiceProvider services, Action<StratumCostTrackingOptions>? configure)
    {
        var tracker = services.GetService(typeof(CostTracker)) as CostTracker
            ?? throw new InvalidOperationException("UseStratumCostTracking() needs a CostTracker in the services; register one with AddInMemoryCostLedger, AddSqliteCostLedger or AddSingleton<CostTracker>(), or pass one to UseStratumCostTracking(tracker).");
        var options = new StratumCostTrackingOptions();
        configure?.Invoke(options);
        options.Ledger ??= services.GetService(typeof(ICostLedger)) as ICostLedger;
        return (tracker, options);
    }
}

using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace StratumAI;

/// <summary>Adds cost tracking with the <see cref="CostTracker"/> and <see cref="ICostLedger"/> of the application's services to a pipeline.</summary>
public static class CostLedgerChatClientBuilderExtensions
{
    /// <summary>
    /// Records every billed attempt of the pipeline's calls in the <see cref="CostTracker"/> registered in the services and appends
    /// each record to the registered <see cref="ICostLedger"/>, awaited before the call returns (see <see cref="CostTrackingChatClient.Ledger"/>).
    /// Register them with <c>AddInMemoryCostLedger</c> or <c>AddSqliteCostLedger</c> (package StratumAI.Sqlite).
    /// </summary>
    /// <param name="builder">The pipeline.</param>
    /// <param name="configure">Sets options of the middleware, e.g. <see cref="CostTrackingChatClient.DefaultCaller"/>.</param>
    /// <returns><paramref name="builder"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is null.</exception>
    /// <exception cref="InvalidOperationException">Thrown when the pipeline is built: no <see cref="CostTracker"/> or no <see cref="ICostLedger"/> is registered.</exception>
    /// <remarks>The same as <c>UseCostTracking(tracker, ledger)</c> with both taken from the services; use one or the other, not both.</remarks>
    public static ChatClientBuilder UseCostLedger(this ChatClientBuilder builder, Action<CostTrackingChatClient>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Use((inner, services) =>
        {
            var tracker = services.GetService<CostTracker>()
                ?? throw new InvalidOperationException("UseCostLedger needs a CostTracker in the services; register one with AddInMemoryCostLedger, AddSqliteCostLedger or AddSingleton<CostTracker>.");
            var ledger = services.GetService<ICostLedger>()
                ?? throw new InvalidOperationException("UseCostLedger needs an ICostLedger in the services; register one with AddInMemoryCostLedger or AddSqliteCostLedger.");
            var client = new CostTrackingChatClient(inner, tracker, ledger);
            configure?.Invoke(client);
            return client;
        });
    }
}

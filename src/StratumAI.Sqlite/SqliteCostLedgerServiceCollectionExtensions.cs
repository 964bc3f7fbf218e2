using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using StratumAI;
using StratumAI.Sqlite;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers a <see cref="SqliteCostLedger"/> as the application's <see cref="ICostLedger"/>.</summary>
public static class SqliteCostLedgerServiceCollectionExtensions
{
    /// <summary>
    /// Registers a singleton <see cref="SqliteCostLedger"/> on a database file as the <see cref="ICostLedger"/> (replacing any other),
    /// and a <see cref="CostTracker"/> when none is registered. Use it in a pipeline with <c>UseStratumCostTracking()</c>
    /// (<see cref="CostTrackingChatClientBuilderExtensions"/>), which records in both.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="databasePath">The path of the database file; created when missing.</param>
    /// <returns>The services, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="databasePath"/> is null, empty or white space.</exception>
    public static IServiceCollection AddSqliteCostLedger(this IServiceCollection services, string databasePath)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(databasePath);
        return services.AddSqliteCostLedger(options => options.DatabasePath = databasePath);
    }

    /// <summary>
    /// Registers a singleton <see cref="SqliteCostLedger"/> with options set in code as the <see cref="ICostLedger"/> (replacing any other),
    /// and a <see cref="CostTracker"/> when none is registered. The container disposes the ledger, releasing the file.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configure">Sets the options; more configuration can be added with <c>services.Configure&lt;SqliteCostLedgerOptions&gt;</c>.</param>
    /// <returns>The services, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> or <paramref name="configure"/> is null.</exception>
    public static IServiceCollection AddSqliteCostLedger(this IServiceCollection services, Action<SqliteCostLedgerOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);

        services.AddOptions<SqliteCostLedgerOptions>().Configure(configure);
        services.TryAddSingleton(static provider => new SqliteCostLedger(provider.GetRequiredService<IOptions<SqliteCostLedgerOptions>>().Value));
        services.Replace(ServiceDescriptor.Singleton<ICostLedger>(static provider => provider.GetRequiredService<SqliteCostLedger>()));
        services.TryAddSingleton(static provider => new CostTracker(provider.GetService<TimeProvider>()));
        return services;
    }
}

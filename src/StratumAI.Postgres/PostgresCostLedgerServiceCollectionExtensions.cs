using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using StratumAI;
using StratumAI.Postgres;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers a <see cref="PostgresCostLedger"/> as the application's <see cref="ICostLedger"/>.</summary>
public static class PostgresCostLedgerServiceCollectionExtensions
{
    /// <summary>
    /// Registers a singleton <see cref="PostgresCostLedger"/> on a database (its <c>public</c> schema) as the <see cref="ICostLedger"/>
    /// (replacing any other), and a <see cref="CostTracker"/> when none is registered. Use it in a pipeline with
    /// <c>UseStratumCostTracking()</c> (<see cref="CostTrackingChatClientBuilderExtensions"/>), which records in both.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="connectionString">The Npgsql connection string.</param>
    /// <returns>The services, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="connectionString"/> is null, empty or white space.</exception>
    public static IServiceCollection AddPostgresCostLedger(this IServiceCollection services, string connectionString)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        return services.AddPostgresCostLedger(options => options.ConnectionString = connectionString);
    }

    /// <summary>
    /// Registers a singleton <see cref="PostgresCostLedger"/> with options set in code as the <see cref="ICostLedger"/> (replacing any other),
    /// and a <see cref="CostTracker"/> when none is registered. The container disposes the ledger, closing its connections.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configure">Sets the options; more configuration can be added with <c>services.Configure&lt;PostgresCostLedgerOptions&gt;</c>.</param>
    /// <returns>The services, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> or <paramref name="configure"/> is null.</exception>
    public static IServiceCollection AddPostgresCostLedger(this IServiceCollection services, Action<PostgresCostLedgerOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);

        services.AddOptions<PostgresCostLedgerOptions>().Configure(configure);
        services.TryAddSingleton(static provider => new PostgresCostLedger(provider.GetRequiredService<IOptions<PostgresCostLedgerOptions>>().Value));
        services.Replace(ServiceDescriptor.Singleton<ICostLedger>(static provider => provider.GetRequiredService<PostgresCostLedger>()));
        services.TryAddSingleton(static provider => new CostTracker(provider.GetService<TimeProvider>()));
        return services;
    }
}

using Microsoft.Extensions.DependencyInjection.Extensions;
using StratumAI;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers an <see cref="ICostLedger"/> and the <see cref="CostTracker"/> that feeds it.</summary>
public static class CostLedgerServiceCollectionExtensions
{
    /// <summary>
    /// Registers a singleton <see cref="InMemoryCostLedger"/> as the <see cref="ICostLedger"/> (replacing any other), and a
    /// <see cref="CostTracker"/> (stamped with the registered <see cref="TimeProvider"/>, if any) when none is registered.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <returns>The services, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> is null.</exception>
    public static IServiceCollection AddInMemoryCostLedger(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton<InMemoryCostLedger>();
        services.Replace(ServiceDescriptor.Singleton<ICostLedger>(static provider => provider.GetRequiredService<InMemoryCostLedger>()));
        services.TryAddSingleton(static provider => new CostTracker(provider.GetService<TimeProvider>()));
        return services;
    }
}

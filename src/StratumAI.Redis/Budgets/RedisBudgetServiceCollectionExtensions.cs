using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using StratumAI;
using StratumAI.Redis;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers budgets shared through Redis: a <see cref="BudgetManager"/> over a <see cref="RedisBudgetStore"/>.</summary>
public static class RedisBudgetServiceCollectionExtensions
{
    /// <summary>
    /// Registers a singleton <see cref="BudgetManager"/> whose windows live in Redis (shared by every process using the same
    /// key prefix), connecting with a StackExchange.Redis configuration string. <c>UseStratumBudget()</c> without arguments
    /// then takes it from the services, as it takes an in-memory one.
    /// </summary>
    /// <remarks>
    /// The connection is registered as the <see cref="IConnectionMultiplexer"/> when none is (shared with other StratumAI.Redis
    /// features), created at first use with <c>AbortOnConnectFail = false</c> (the application starts while Redis is down; calls
    /// fail closed until it answers) and a fail-fast backlog (a command is not queued while disconnected). The configuration
    /// string is never logged or put in a message.
    /// </remarks>
    /// <param name="services">The services.</param>
    /// <param name="configuration">The StackExchange.Redis configuration, e.g. <c>redis.internal:6379,password=…,ssl=true</c>.</param>
    /// <param name="policies">The policies; give every process the same ones.</param>
    /// <param name="configure">Sets the store's options (key prefix, lease, timeout, fail open), or null for the defaults.</param>
    /// <returns>The services, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> or <paramref name="policies"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="configuration"/> is null or empty.</exception>
    public static IServiceCollection AddStratumRedisBudgets(this IServiceCollection services, string configuration, IEnumerable<BudgetPolicy> policies, Action<RedisBudgetOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrEmpty(configuration);
        RedisRegistration.TryAddConnection(services, configuration);
        return services.AddStratumRedisBudgets(policies, configure);
    }

    /// <summary>
    /// Registers a singleton <see cref="BudgetManager"/> whose windows live in Redis, over the <see cref="IConnectionMultiplexer"/>
    /// registered in the services. <c>UseStratumBudget()</c> without arguments then takes it from the services.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="policies">The policies; give every process the same ones.</param>
    /// <param name="configure">Sets the store's options (key prefix, lease, timeout, fail open), or null for the defaults.</param>
    /// <returns>The services, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> or <paramref name="policies"/> is null.</exception>
    /// <exception cref="InvalidOperationException">When the manager is first resolved: no <see cref="IConnectionMultiplexer"/> is registered.</exception>
    public static IServiceCollection AddStratumRedisBudgets(this IServiceCollection services, IEnumerable<BudgetPolicy> policies, Action<RedisBudgetOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(policies);
        var list = policies.ToArray();
        RedisRegistration.AddOptions(services, configure);

        services.TryAddSingleton(static provider => new RedisBudgetStore(
            provider.GetRequiredService<IConnectionMultiplexer>(),
            provider.GetRequiredService<IOptions<RedisBudgetOptions>>().Value,
            provider.GetService<ILoggerFactory>()?.CreateLogger<RedisBudgetStore>()));
        services.Replace(ServiceDescriptor.Singleton(provider => new BudgetManager(
            list,
            provider.GetRequiredService<RedisBudgetStore>(),
            provider.GetService<TimeProvider>())));
        return services;
    }
}

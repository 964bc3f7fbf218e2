using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using StratumAI;
using StratumAI.Redis;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers rate limits shared through Redis: a <see cref="RedisRateLimitStore"/> as the <see cref="RateLimitStore"/>.</summary>
public static class RedisRateLimitServiceCollectionExtensions
{
    /// <summary>
    /// Registers a <see cref="RedisRateLimitStore"/> as the singleton <see cref="RateLimitStore"/>, connecting with a StackExchange.Redis
    /// configuration string; <c>UseStratumRateLimits()</c> without a store then shares its windows with every process.
    /// </summary>
    /// <remarks>
    /// The connection is registered as the <see cref="IConnectionMultiplexer"/> when none is (shared with the other StratumAI.Redis
    /// features), created with <c>AbortOnConnectFail = false</c> and a fail-fast backlog: while Redis is down every call is
    /// decided in its own process at once instead of waiting for a reconnect.
    /// </remarks>
    /// <param name="services">The services.</param>
    /// <param name="configuration">The StackExchange.Redis configuration, e.g. <c>redis.internal:6379,password=…,ssl=true</c>.</param>
    /// <param name="configure">Sets the store's options, or null for the defaults.</param>
    /// <returns>The services, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="configuration"/> is null or empty.</exception>
    public static IServiceCollection AddStratumRedisRateLimits(this IServiceCollection services, string configuration, Action<RedisRateLimitOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrEmpty(configuration);
        RedisRegistration.TryAddConnection(services, configuration);
        return services.AddStratumRedisRateLimits(configure);
    }

    /// <summary>
    /// Registers a <see cref="RedisRateLimitStore"/> over the <see cref="IConnectionMultiplexer"/> registered in the services as the
    /// singleton <see cref="RateLimitStore"/>.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configure">Sets the store's options, or null for the defaults.</param>
    /// <returns>The services, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> is null.</exception>
    public static IServiceCollection AddStratumRedisRateLimits(this IServiceCollection services, Action<RedisRateLimitOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        RedisRegistration.AddOptions(services, configure);

        services.TryAddSingleton(static provider => new RedisRateLimitStore(
            provider.GetRequiredService<IConnectionMultiplexer>(),
            provider.GetRequiredService<IOptions<RedisRateLimitOptions>>().Value,
            provider.GetService<ILoggerFactory>()?.CreateLogger<RedisRateLimitStore>()));
        services.Replace(ServiceDescriptor.Singleton<RateLimitStore>(static provider => provider.GetRequiredService<RedisRateLimitStore>()));
        return services;
    }
}

using Microsoft.Extensions.AI;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.Logging;

namespace StratumAI;

/// <summary>Adds a <see cref="ResponseCacheChatClient"/> to a <see cref="ChatClientBuilder"/> pipeline.</summary>
/// <remarks>
/// Register it first (outermost) so that a hit skips everything below it: telemetry, fallbacks, retries, budgets and cost
/// tracking. To see hits in a <see cref="CostTracker"/> (recorded at $0 with what they saved), add a
/// <see cref="CostTrackingChatClient"/> outside the cache as well.
/// </remarks>
public static class ResponseCacheChatClientBuilderExtensions
{
    /// <summary>Caches responses in the <see cref="HybridCache"/> registered in the pipeline's services, else in the <see cref="IDistributedCache"/>.</summary>
    /// <param name="builder">The pipeline.</param>
    /// <param name="configure">Sets TTLs, opt-in rules and the rest of <see cref="ResponseCacheOptions"/>, or null for the defaults.</param>
    /// <returns><paramref name="builder"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is null.</exception>
    /// <exception cref="InvalidOperationException">When the pipeline is built: the services hold neither a <see cref="HybridCache"/> nor an <see cref="IDistributedCache"/>.</exception>
    public static ChatClientBuilder UseStratumCache(this ChatClientBuilder builder, Action<ResponseCacheOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Use((inner, services) =>
        {
            var options = Configure(configure, services);
            return services.GetService(typeof(HybridCache)) is HybridCache hybrid
                ? new ResponseCacheChatClient(inner, hybrid, options)
                : services.GetService(typeof(IDistributedCache)) is IDistributedCache distributed
                    ? new ResponseCacheChatClient(inner, distributed, options)
                    : throw new InvalidOperationException("UseStratumCache() found neither a HybridCache nor an IDistributedCache in the services. Register one (services.AddHybridCache() or services.AddDistributedMemoryCache()), or pass the cache to UseStratumCache(cache).");
        });
    }

    /// <summary>Caches responses in <paramref name="cache"/>.</summary>
    /// <param name="builder">The pipeline.</param>
    /// <param name="cache">The cache.</param>
    /// <param name="configure">Sets TTLs, opt-in rules and the rest of <see cref="ResponseCacheOptions"/>, or null for the defaults.</param>
    /// <returns><paramref name="builder"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> or <paramref name="cache"/> is null.</exception>
    public static ChatClientBuilder UseStratumCache(this ChatClientBuilder builder, HybridCache cache, Action<ResponseCacheOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(cache);
        return builder.Use((inner, services) => new ResponseCacheChatClient(inner, cache, Configure(configure, services)));
    }

    /// <summary>Caches responses in a plain <paramref name="cache"/> (Redis, SQL Server, memory, ...).</summary>
    /// <param name="builder">The pipeline.</param>
    /// <param name="cache">The cache.</param>
    /// <param name="configure">Sets TTLs, opt-in rules and the rest of <see cref="ResponseCacheOptions"/>, or null for the defaults.</param>
    /// <returns><paramref name="builder"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> or <paramref name="cache"/> is null.</exception>
    public static ChatClientBuilder UseStratumCache(this ChatClientBuilder builder, IDistributedCache cache, Action<ResponseCacheOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(cache);
        return builder.Use((inner, services) => new ResponseCacheChatClient(inner, cache, Configure(configure, services)));
    }

    private static ResponseCacheOptions Configure(Action<ResponseCacheOptions>? configure, IServiceProvider services)
    {
        var options = new ResponseCacheOptions();
        configure?.Invoke(options);
        options.TimeProvider ??= services.GetService(typeof(TimeProvider)) as TimeProvider;
        options.Logger ??= (services.GetService(typeof(ILoggerFactory)) as ILoggerFactory)?.CreateLogger<ResponseCacheChatClient>();
        return options;
    }
}

using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;

namespace StratumAI;

/// <summary>Adds <see cref="RateLimitChatClient"/> to a <see cref="ChatClientBuilder"/> pipeline.</summary>
/// <remarks>
/// Place it below <c>UseStratumCache</c>, <c>UseStratumFallbacks</c> and <c>UseStratumResilience</c>, and above
/// <c>UseStratumBudget</c>. Refusals (event 1040) and pauses (event 1041) are logged with
/// <see cref="StratumRateLimitOptions.Logger"/>, else a logger of the pipeline's <see cref="ILoggerFactory"/>.
/// </remarks>
public static class RateLimitChatClientBuilderExtensions
{
    /// <summary>
    /// Keeps the pipeline's calls within rate limits before they are sent, in the <see cref="RateLimitStore"/> registered in the
    /// pipeline's services (StratumAI.Redis's <c>AddStratumRedisRateLimits</c> registers one shared by every process), else in
    /// <see cref="InProcessRateLimitStore.Shared"/> (this process only).
    /// </summary>
    /// <param name="builder">The pipeline.</param>
    /// <param name="configure">Sets the limits, the longest wait and the logger, or null for the defaults (catalog and provider limits only).</param>
    /// <returns><paramref name="builder"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is null.</exception>
    public static ChatClientBuilder UseStratumRateLimits(this ChatClientBuilder builder, Action<StratumRateLimitOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Use((inner, services) =>
            Create(inner, services.GetService(typeof(RateLimitStore)) as RateLimitStore ?? InProcessRateLimitStore.Shared, configure, services));
    }

    /// <summary>Keeps the pipeline's calls within rate limits before they are sent, in <paramref name="store"/>.</summary>
    /// <param name="builder">The pipeline.</param>
    /// <param name="store">Where the windows and pauses live; may be shared by many pipelines.</param>
    /// <param name="configure">Sets the limits, the longest wait and the logger, or null for the defaults.</param>
    /// <returns><paramref name="builder"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> or <paramref name="store"/> is null.</exception>
    public static ChatClientBuilder UseStratumRateLimits(this ChatClientBuilder builder, RateLimitStore store, Action<StratumRateLimitOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(store);
        return builder.Use((inner, services) => Create(inner, store, configure, services));
    }

    private static RateLimitChatClient Create(IChatClient inner, RateLimitStore store, Action<StratumRateLimitOptions>? configure, IServiceProvider services)
    {
        var options = new StratumRateLimitOptions();
        configure?.Invoke(options);
        options.Logger ??= (services.GetService(typeof(ILoggerFactory)) as ILoggerFactory)?.CreateLogger<RateLimitChatClient>();
        return new RateLimitChatClient(inner, store, options);
    }
}

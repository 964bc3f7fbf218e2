using Microsoft.Extensions.AI;

namespace StratumAI;

/// <summary>Adds a <see cref="RoutingChatClient"/> to a chat pipeline.</summary>
public static class RoutingChatClientBuilderExtensions
{
    /// <summary>
    /// Routes every request that names no model to the catalog model the router picks, called through
    /// <paramref name="client"/>. Register it last (innermost).
    /// </summary>
    /// <param name="builder">The pipeline.</param>
    /// <param name="client">The client that calls the chosen models; its catalog (<see cref="StratumClient.Models"/>) is routed over.</param>
    /// <param name="configure">Sets the strategy and constraints, or null for the defaults (<see cref="RoutingStrategy.Cost"/>).</param>
    /// <returns><paramref name="builder"/>.</returns>
    /// <remarks>
    /// Unless <paramref name="configure"/> sets <see cref="RouterOptions.IsProviderConfigured"/>, only providers with an API key
    /// (in the client's options or its environment variable) or that need none are considered. The catalog is read when the
    /// pipeline is built.
    /// </remarks>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> or <paramref name="client"/> is null.</exception>
    public static ChatClientBuilder UseStratumRouter(this ChatClientBuilder builder, StratumClient client, Action<RouterOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(client);
        return builder.Use((inner, services) => new RoutingChatClient(inner, client, client.CreateRouter(configure), services.GetService(typeof(TimeProvider)) as TimeProvider));
    }

    /// <summary>Routes every request that names no model with <paramref name="router"/>, calling the chosen model through <paramref name="client"/>.</summary>
    /// <param name="builder">The pipeline.</param>
    /// <param name="client">The client that calls the chosen models.</param>
    /// <param name="router">The router, which may be shared between pipelines (its latency observations are).</param>
    /// <returns><paramref name="builder"/>.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public static ChatClientBuilder UseStratumRouter(this ChatClientBuilder builder, StratumClient client, ModelRouter router)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(router);
        return builder.Use((inner, services) => new RoutingChatClient(inner, client, router, services.GetService(typeof(TimeProvider)) as TimeProvider));
    }
}

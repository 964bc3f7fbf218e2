using Microsoft.Extensions.AI;

namespace StratumAI;

/// <summary>Routed calls on a <see cref="StratumClient"/>: let the router pick the model.</summary>
public static class StratumClientRoutingExtensions
{
    /// <summary>Creates a router over the client's catalog that only considers providers the client can call.</summary>
    /// <param name="client">The client.</param>
    /// <param name="configure">Sets the strategy and constraints, or null for the defaults.</param>
    /// <returns>A router; create it once and reuse it, it keeps latency observations.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="client"/> is null.</exception>
    public static ModelRouter CreateRouter(this StratumClient client, Action<RouterOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        var options = new RouterOptions();
        configure?.Invoke(options);
        options.IsProviderConfigured ??= provider => IsConfigured(client.Options, provider);
        return new ModelRouter(client.Models.Models, options);
    }

    /// <summary>Routes a conversation with <paramref name="router"/> and sends it to the chosen model.</summary>
    /// <param name="client">The client that calls the model.</param>
    /// <param name="router">The router (e.g. from <see cref="CreateRouter"/>).</param>
    /// <param name="messages">The conversation.</param>
    /// <param name="options">Per-call options, or null.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The response, carrying the <see cref="RouteDecision"/> (<see cref="RoutingResponseExtensions.GetRouteDecision(ChatResponse)"/>) and the cost.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="client"/>, <paramref name="router"/> or <paramref name="messages"/> is null.</exception>
    /// <exception cref="StratumNoRouteException">No catalog model can serve the request.</exception>
    /// <exception cref="StratumException">The call failed.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public static Task<ChatResponse> GetRoutedResponseAsync(this StratumClient client, ModelRouter router, IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(router);
        ArgumentNullException.ThrowIfNull(messages);
        return RouteAndSendAsync(client, router, messages, options, cancellationToken);
    }

    /// <summary>
    /// Routes a conversation with a router built for this call from <paramref name="routerOptions"/> and sends it to the chosen
    /// model. For many calls, create a router once (<see cref="CreateRouter"/>) and use the other overload.
    /// </summary>
    /// <param name="client">The client.</param>
    /// <param name="messages">The conversation.</param>
    /// <param name="routerOptions">Strategy and constraints, or null for the defaults. Null <see cref="RouterOptions.IsProviderConfigured"/> is set to the client's providers.</param>
    /// <param name="options">Per-call options, or null.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The response, carrying the <see cref="RouteDecision"/> and the cost.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="client"/> or <paramref name="messages"/> is null.</exception>
    /// <exception cref="StratumNoRouteException">No catalog model can serve the request.</exception>
    /// <exception cref="StratumException">The call failed.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public static Task<ChatResponse> GetRoutedResponseAsync(this StratumClient client, IEnumerable<ChatMessage> messages, RouterOptions? routerOptions = null, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(messages);
        routerOptions ??= new RouterOptions();
        routerOptions.IsProviderConfigured ??= provider => IsConfigured(client.Options, provider);
        return RouteAndSendAsync(client, new ModelRouter(client.Models.Models, routerOptions), messages, options, cancellationToken);
    }

    /// <summary>True when a provider can be called: a key in the options, a key in its environment variable, or no key needed.</summary>
    internal static bool IsConfigured(StratumClientOptions options, ProviderInfo provider)
    {
        if (options.Providers.TryGetValue(provider.Id, out var settings) && !string.IsNullOrEmpty(settings.ApiKey))
        {
            return true;
        }

        return string.IsNullOrEmpty(provider.ApiKeyEnvironmentVariable)
            || !string.IsNullOrEmpty(Environment.GetEnvironmentVariable(provider.ApiKeyEnvironmentVariable));
    }

    private static async Task<ChatResponse> RouteAndSendAsync(StratumClient client, ModelRouter router, IEnumerable<ChatMessage> messages, ChatOptions? options, CancellationToken cancellationToken)
    {
        using var routing = new RoutingChatClient(client.AsChatClient(), client, router);
        return await routing.GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
    }
}

/// <summary>Reads the routing decision from a routed response.</summary>
public static class RoutingResponseExtensions
{
    /// <summary>The decision that chose the model for this response.</summary>
    /// <param name="response">A response from a <see cref="RoutingChatClient"/>.</param>
    /// <returns>The decision, or null when the response was not routed.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="response"/> is null.</exception>
    public static RouteDecision? GetRouteDecision(this ChatResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        if (response.AdditionalProperties?.TryGetValue(RouteDecision.PropertyKey, out var value) == true)
        {
            return value as RouteDecision;
        }

        for (var i = response.Messages.Count - 1; i >= 0; i--)
        {
            if (response.Messages[i].AdditionalProperties?.TryGetValue(RouteDecision.PropertyKey, out value) == true)
            {
                return value as RouteDecision;
            }
        }

        return null;
    }

    /// <summary>The decision carried by a streaming update (the first update of a routed stream).</summary>
    /// <param name="update">A streaming update.</param>
    /// <returns>The decision, or null when this update carries none.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="update"/> is null.</exception>
    public static RouteDecision? GetRouteDecision(this ChatResponseUpdate update)
    {
        ArgumentNullException.ThrowIfNull(update);
        return update.AdditionalProperties?.TryGetValue(RouteDecision.PropertyKey, out var value) == true ? value as RouteDecision : null;
    }
}

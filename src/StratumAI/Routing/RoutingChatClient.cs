using System.Diagnostics;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace StratumAI;

/// <summary>
/// Chat middleware that picks a catalog model for every request with a <see cref="ModelRouter"/> and calls it through a
/// <see cref="StratumClient"/>. The chosen model and the <see cref="RouteDecision"/> are put on the response.
/// </summary>
/// <remarks>
/// <para>A request that already names a model (<see cref="ChatOptions.ModelId"/>) is not routed: it goes to the inner client
/// unchanged. Routed requests do not pass through the inner client, so register this client last (innermost) in a
/// <see cref="ChatClientBuilder"/>; middleware registered before it (logging, caching, budgets) sees every call.</para>
/// <para>The decision is stored under <see cref="RouteDecision.PropertyKey"/> in <see cref="ChatResponse.AdditionalProperties"/>
/// (streaming: on the first update), and tagged on the current <see cref="Activity"/> when one is recording. Each routed call's
/// duration is recorded in <see cref="ModelRouter.Latency"/>.</para>
/// <para>Thread-safe.</para>
/// </remarks>
public sealed class RoutingChatClient : DelegatingChatClient
{
    private readonly StratumClient _client;
    private readonly TimeProvider _time;

    /// <summary>Creates the middleware.</summary>
    /// <param name="innerClient">The client that serves requests naming a model explicitly.</param>
    /// <param name="client">The client used to call the chosen models.</param>
    /// <param name="router">The router that chooses them.</param>
    /// <param name="timeProvider">Clock for latency measurements, or null for <see cref="TimeProvider.System"/>.</param>
    /// <exception cref="ArgumentNullException">An argument other than <paramref name="timeProvider"/> is null.</exception>
    public RoutingChatClient(IChatClient innerClient, StratumClient client, ModelRouter router, TimeProvider? timeProvider = null)
        : base(innerClient)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(router);
        _client = client;
        Router = router;
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <summary>The router choosing the models.</summary>
    public ModelRouter Router { get; }

    /// <inheritdoc />
    /// <exception cref="StratumNoRouteException">No catalog model can serve the request.</exception>
    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        if (!string.IsNullOrEmpty(options?.ModelId))
        {
            return await base.GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
        }

        var list = messages as IList<ChatMessage> ?? messages.ToList();
        var decision = Router.Route(list, options, cancellationToken: cancellationToken);
        Tag(decision);
        var started = _time.GetTimestamp();
        var response = await _client.GetChatClient(decision.Model).GetResponseAsync(list, options, cancellationToken).ConfigureAwait(false);
        Router.Latency.Record(decision.Model, _time.GetElapsedTime(started));
        response.AdditionalProperties ??= [];
        response.AdditionalProperties[RouteDecision.PropertyKey] = decision;
        response.AdditionalProperties[StratumUsageKeys.ModelInfo] = decision.Model;
        return response;
    }

    /// <inheritdoc />
    /// <exception cref="StratumNoRouteException">No catalog model that streams can serve the request.</exception>
    public override IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        if (!string.IsNullOrEmpty(options?.ModelId))
        {
            return base.GetStreamingResponseAsync(messages, options, cancellationToken);
        }

        // Routed eagerly so that "no route" surfaces at the call, not at the first MoveNextAsync.
        var list = messages as IList<ChatMessage> ?? messages.ToList();
        var decision = Router.Route(list, options, streaming: true, cancellationToken);
        return StreamAsync(decision, list, options, cancellationToken);
    }

    /// <inheritdoc />
    public override object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is null && serviceType.IsInstanceOfType(Router) ? Router : base.GetService(serviceType, serviceKey);
    }

    private async IAsyncEnumerable<ChatResponseUpdate> StreamAsync(RouteDecision decision, IList<ChatMessage> messages, ChatOptions? options, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        Tag(decision);
        var started = _time.GetTimestamp();
        var first = true;
        await foreach (var update in _client.GetChatClient(decision.Model).GetStreamingResponseAsync(messages, options, cancellationToken).ConfigureAwait(false))
        {
            if (first)
            {
                update.AdditionalProperties ??= [];
                update.AdditionalProperties[RouteDecision.PropertyKey] = decision;
                first = false;
            }

            yield return update;
        }

        Router.Latency.Record(decision.Model, _time.GetElapsedTime(started));
    }

    private static void Tag(RouteDecision decision)
    {
        var activity = Activity.Current;
        if (activity is null || !activity.IsAllDataRequested)
        {
            return;
        }

        activity.SetTag("gen_ai.request.model", decision.Model.Id);
        activity.SetTag("gen_ai.system", decision.Model.Provider.Id);
        activity.SetTag("stratum.route.strategy", decision.Strategy.ToString());
        activity.SetTag("stratum.route.difficulty", decision.Analysis.Difficulty);
        activity.SetTag("stratum.route.reason", decision.Reason);
    }
}

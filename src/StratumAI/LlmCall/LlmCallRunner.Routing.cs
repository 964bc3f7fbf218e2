using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace StratumAI;

/// <summary><c>[LlmCall(Strategy = …)]</c>: the router picks the model per call, its next-ranked candidates are the fallbacks.</summary>
public static partial class LlmCallRunner
{
    /// <summary>How many routed candidates one call may try: the chosen model and two fallbacks.</summary>
    public const int MaxRoutedModels = 3;

    // One router per client and strategy: a router keeps latency observations, and building one walks the catalog.
    private static readonly ConditionalWeakTable<StratumClient, ModelRouter?[]> Routers = new();

    /// <summary>
    /// Routes a call with <paramref name="strategy"/> and returns the ranked candidates to try in order: the chosen model
    /// first, then up to <see cref="MaxRoutedModels"/> − 1 fallbacks. Over the catalog of the <see cref="StratumClient"/>
    /// behind <paramref name="client"/> (providers it can call; one router per client and strategy, kept), else over
    /// <see cref="ModelRegistry.Default"/>.
    /// </summary>
    /// <param name="client">The chat client the call goes through (<see cref="GetChatClient"/> for a <see cref="StratumClient"/>).</param>
    /// <param name="strategy">How to choose.</param>
    /// <param name="messages">The formatted messages.</param>
    /// <param name="options">Per-call options, or null.</param>
    /// <param name="streaming">True for a streaming method: only models that stream.</param>
    /// <param name="format">The structured output format, or null: only models with JSON schema support when set.</param>
    /// <returns>The models to try, best first.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="client"/> or <paramref name="messages"/> is null.</exception>
    /// <exception cref="StratumNoRouteException">No model can serve the call.</exception>
    public static IReadOnlyList<LlmCallTarget> Route(IChatClient client, RoutingStrategy strategy, IList<ChatMessage> messages, ChatOptions? options, bool streaming, ChatResponseFormat? format)
    {
        ArgumentNullException.ThrowIfNull(client);
        if (client.GetService(typeof(StratumClient)) is not StratumClient stratum)
        {
            return Route(new ModelRouter(ModelRegistry.Default.Models, new RouterOptions { Strategy = strategy }), messages, options, streaming, format);
        }

        var routers = Routers.GetValue(stratum, static _ => new ModelRouter?[Enum.GetValues<RoutingStrategy>().Length]);
        var index = (int)strategy;
        if ((uint)index >= (uint)routers.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(strategy), strategy, "Unknown routing strategy.");
        }

        var router = Volatile.Read(ref routers[index]);
        if (router is null)
        {
            Interlocked.CompareExchange(ref routers[index], stratum.CreateRouter(o => o.Strategy = strategy), null);
            router = Volatile.Read(ref routers[index])!;
        }

        return Route(router, messages, options, streaming, format);
    }

    private static LlmCallTarget[] Route(ModelRouter router, IList<ChatMessage> messages, ChatOptions? options, bool streaming, ChatResponseFormat? format)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var routed = options;
        if (format is not null)
        {
            // The router reads the format to require JSON schema support.
            routed = options?.Clone() ?? new ChatOptions();
            routed.ResponseFormat = format;
        }

        var decision = router.Route(messages, routed, streaming);
        return decision.Candidates.Take(MaxRoutedModels).Select(c => LlmCallTarget.FromModel(c.Model)).ToArray();
    }
}

using Microsoft.Extensions.AI;

namespace StratumAI;

/// <summary>How a StratumAI middleware finds the <see cref="StratumCallContext"/> of the call passing through it.</summary>
internal static class CallContexts
{
    /// <summary>
    /// The context of the call and the options to pass down. The context attached to <paramref name="options"/> when it is for
    /// the model they name: no look-up, and the options go down unchanged (no copy). Otherwise the context is resolved now (one
    /// registry look-up, <see cref="StratumCallContext.Resolve"/>) and attached to a copy of the options, so every middleware
    /// below reuses it. Null, with the options unchanged, when the call names no model the registry knows and the inner client
    /// has none.
    /// </summary>
    /// <param name="options">The call's options, or null.</param>
    /// <param name="inner">The middleware's inner client (its model when the options name none).</param>
    /// <param name="registry">The catalog to resolve the model id in.</param>
    /// <param name="known">The model <see cref="ChatOptions.ModelId"/> names, when the middleware already knows it (no look-up then).</param>
    /// <returns>The context, or null; and the options to pass down.</returns>
    public static (StratumCallContext? Context, ChatOptions? Options) Enter(ChatOptions? options, IChatClient inner, ModelRegistry registry, ModelInfo? known = null)
    {
        if (StratumCallContext.Current(options) is { } current)
        {
            return (current, options);
        }

        var attached = options.GetCallContext();
        var context = known is null ? StratumCallContext.Resolve(options, inner, registry)
            : attached is null ? StratumCallContext.Create(known, options)
            : attached.NextAttempt(known);
        return context is null ? (null, options) : (context, context.AttachTo(options));
    }
}

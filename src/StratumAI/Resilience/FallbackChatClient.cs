using System.ComponentModel;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace StratumAI;

/// <summary>
/// Middleware that tries the next model of an ordered list when a call fails in a way a fallback can fix — after the
/// retries below it (<see cref="ResilienceChatClient"/>) are exhausted, or at once for a context window exceeded (only to
/// a model with a larger window) and, when enabled, a content-filter refusal. The rule is <see cref="FallbackPolicy"/>.
/// </summary>
/// <remarks>
/// <para>Each attempt sends a clone of the call's <see cref="ChatOptions"/> with <see cref="ChatOptions.ModelId"/> set to
/// the model tried, so the inner client must send to the model named there (<c>stratum.AsChatClient()</c> does).</para>
/// <para>The loop and the rule are those of <see cref="LlmCallAttribute"/> methods too (one engine, one
/// <see cref="FallbackPolicy"/>): the same failure gets the same decision through either.</para>
/// <para>When every model tried failed, <see cref="AllFallbacksFailedException"/> lists each attempt (model, error,
/// duration). A failure no fallback can fix (a bad request, bad credentials) surfaces unchanged, as does the failure of
/// the only model tried.</para>
/// <para>Streaming: a stream falls back only until its first update reached the caller; after that a failure surfaces
/// unchanged, so the caller never sees the answers of two models mixed.</para>
/// <para>Thread-safe: one instance serves concurrent calls.</para>
/// </remarks>
public sealed class FallbackChatClient : DelegatingChatClient
{
    private readonly string[] _fallbacks;
    private readonly LlmCallTarget[] _targets;
    private readonly FallbackPolicy _policy;
    private readonly ModelRegistry _registry;
    private readonly FallbackEngine _engine;

    /// <summary>Wraps a chat client.</summary>
    /// <param name="innerClient">The client that sends each request to the model in <see cref="ChatOptions.ModelId"/>.</param>
    /// <param name="options">The fallback models and settings; the values are copied.</param>
    /// <exception cref="ArgumentNullException"><paramref name="innerClient"/> or <paramref name="options"/> is null.</exception>
    /// <exception cref="ArgumentException">A fallback model id is null or empty.</exception>
    public FallbackChatClient(IChatClient innerClient, StratumFallbackOptions options)
        : base(innerClient)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(options.TimeProvider, "options.TimeProvider");
        foreach (var id in options.Models)
        {
            ArgumentException.ThrowIfNullOrEmpty(id, "options.Models");
        }

        _fallbacks = [.. options.Models];
        _targets = Array.ConvertAll(_fallbacks, LlmCallTarget.FromModelId);
        _policy = new FallbackPolicy
        {
            FallBackOnContentFiltered = options.FallBackOnContentFiltered,
            FallBackOnSchemaMismatch = options.FallBackOnSchemaMismatch,
        };
        _registry = CallModel.RegistryFor(innerClient, options.Registry);
        _engine = new FallbackEngine(options.TimeProvider, options.Logger ?? NullLogger.Instance);
    }

    /// <summary>The fallback model ids, in order.</summary>
    public IReadOnlyList<string> FallbackModels => _fallbacks;

    /// <summary>
    /// The rule that decides whether a failure falls back and which model may take over; a call's own
    /// <see cref="StratumChatOptionsExtensions.WithFallbackPolicy"/> replaces it for that call.
    /// </summary>
    public FallbackPolicy Policy => _policy;

    /// <inheritdoc />
    /// <exception cref="AllFallbacksFailedException">More than one model was tried and every one failed in a way a fallback may fix.</exception>
    /// <exception cref="StratumException">A failure no fallback can fix, or the failure of the only model that could be tried.</exception>
    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var (response, _) = await _engine.GetResponseAsync(InnerClient, messages, Chain(options), static (response, _) => response, cancellationToken).ConfigureAwait(false);
        return response;
    }

    /// <inheritdoc />
    /// <exception cref="AllFallbacksFailedException">More than one model was tried and every one failed before its first update.</exception>
    /// <exception cref="StratumException">A failure no fallback can fix, the failure of the only model that could be tried, or any failure after the first update.</exception>
    public override IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);

        // Every update reaches the caller: the first one ends the chance to fall back.
        return _engine.GetStreamingResponseAsync(InnerClient, messages, () => Chain(options), static _ => true, cancellationToken);
    }

    /// <summary>The call as it came in (its model resolved once, or its attached context reused), then the fallbacks.</summary>
    /// <summary>
    /// The chain of one call: its first attempt carries the call's context (resolved here once, or the one attached above), so
    /// the middleware below look nothing up again; each fallback attempt gets the next context.
    /// </summary>
    private FallbackChain Chain(ChatOptions? options)
    {
        (var context, options) = CallContexts.Enter(options, InnerClient, _registry);
        return FallbackChain.ForMiddleware(options.GetFallbackPolicy() ?? _policy, options, context, _targets, _registry);
    }
}

/// <summary>Adds <see cref="FallbackChatClient"/> to a <see cref="ChatClientBuilder"/> pipeline.</summary>
public static class FallbackChatClientBuilderExtensions
{
    /// <summary>Not a fallback chain: names no model to fall back to. Pass the models, or configure them.</summary>
    /// <param name="builder">The pipeline.</param>
    /// <returns>Never returns.</returns>
    /// <exception cref="ArgumentException">Always: a fallback chain needs at least one model.</exception>
    /// <remarks>
    /// Exists so that <c>UseStratumFallbacks()</c> is a clear compile error (this overload is obsolete as an error) instead of
    /// CS0121, the ambiguity between the <see cref="string"/> and <see cref="ModelInfo"/> overloads.
    /// </remarks>
    [Obsolete("UseStratumFallbacks needs at least one fallback model: UseStratumFallbacks(\"gpt-4.1-mini\"), UseStratumFallbacks(o => o.Models.Add(...)).", error: true)]
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static ChatClientBuilder UseStratumFallbacks(this ChatClientBuilder builder) =>
        throw new ArgumentException("UseStratumFallbacks needs at least one fallback model.", nameof(builder));

    /// <summary>Tries <paramref name="fallbackModelIds"/>, in order, when a call fails in a way a fallback can fix. Place it above <c>UseStratumResilience</c>.</summary>
    /// <param name="builder">The pipeline.</param>
    /// <param name="fallbackModelIds">Model ids or aliases, in order.</param>
    /// <returns><paramref name="builder"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> or <paramref name="fallbackModelIds"/> is null.</exception>
    /// <exception cref="ArgumentException">An id is null or empty.</exception>
    public static ChatClientBuilder UseStratumFallbacks(this ChatClientBuilder builder, params string[] fallbackModelIds)
    {
        ArgumentNullException.ThrowIfNull(fallbackModelIds);
        return builder.UseStratumFallbacks(o => o.Add(fallbackModelIds));
    }

    /// <summary>Tries <paramref name="fallbackModels"/>, in order, when a call fails in a way a fallback can fix. Place it above <c>UseStratumResilience</c>.</summary>
    /// <param name="builder">The pipeline.</param>
    /// <param name="fallbackModels">Catalog models, in order.</param>
    /// <returns><paramref name="builder"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> or <paramref name="fallbackModels"/> (or one of them) is null.</exception>
    public static ChatClientBuilder UseStratumFallbacks(this ChatClientBuilder builder, params ModelInfo[] fallbackModels)
    {
        ArgumentNullException.ThrowIfNull(fallbackModels);
        return builder.UseStratumFallbacks(o => o.Add(fallbackModels));
    }

    /// <summary>Adds a fallback chain configured by <paramref name="configure"/>. Place it above <c>UseStratumResilience</c>.</summary>
    /// <param name="builder">The pipeline.</param>
    /// <param name="configure">Sets the fallback models and options.</param>
    /// <returns><paramref name="builder"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> or <paramref name="configure"/> is null.</exception>
    public static ChatClientBuilder UseStratumFallbacks(this ChatClientBuilder builder, Action<StratumFallbackOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        var options = new StratumFallbackOptions();
        configure(options);
        return builder.Use((inner, services) =>
        {
            options.Logger ??= services.GetService<ILoggerFactory>()?.CreateLogger<FallbackChatClient>();
            return new FallbackChatClient(inner, options);
        });
    }
}

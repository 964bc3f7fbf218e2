using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
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
    private readonly FallbackPolicy _policy;
    private readonly ModelRegistry _registry;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;

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
        _policy = new FallbackPolicy { FallBackOnContentFiltered = options.FallBackOnContentFiltered };
        _registry = CallModel.RegistryFor(innerClient, options.Registry);
        _timeProvider = options.TimeProvider;
        _logger = options.Logger ?? NullLogger.Instance;
    }

    /// <summary>The fallback model ids, in order.</summary>
    public IReadOnlyList<string> FallbackModels => _fallbacks;

    /// <summary>The rule that decides whether a failure falls back and which model may take over.</summary>
    public FallbackPolicy Policy => _policy;

    /// <inheritdoc />
    /// <exception cref="AllFallbacksFailedException">More than one model was tried and every one failed in a way a fallback may fix.</exception>
    /// <exception cref="StratumException">A failure no fallback can fix, or the failure of the only model that could be tried.</exception>
    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var chain = new Chain(this, options);
        while (chain.Next(out var attemptOptions))
        {
            var start = _timeProvider.GetTimestamp();
            try
            {
                return await InnerClient.GetResponseAsync(messages, attemptOptions, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested && _policy.ShouldFallBack(ex))
            {
                chain.Failed(ex, _timeProvider.GetElapsedTime(start));
            }
        }

        throw chain.Exhausted();
    }

    /// <inheritdoc />
    /// <exception cref="AllFallbacksFailedException">More than one model was tried and every one failed before its first update.</exception>
    /// <exception cref="StratumException">A failure no fallback can fix, the failure of the only model that could be tried, or any failure after the first update.</exception>
    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages,
        ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var chain = new Chain(this, options);
        IAsyncEnumerator<ChatResponseUpdate>? enumerator = null;
        var hasFirst = false;
        while (enumerator is null && chain.Next(out var attemptOptions))
        {
            var start = _timeProvider.GetTimestamp();
            var candidate = InnerClient.GetStreamingResponseAsync(messages, attemptOptions, cancellationToken).GetAsyncEnumerator(cancellationToken);
            try
            {
                hasFirst = await candidate.MoveNextAsync().ConfigureAwait(false);
                enumerator = candidate;
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested && _policy.ShouldFallBack(ex))
            {
                await candidate.DisposeAsync().ConfigureAwait(false);
                chain.Failed(ex, _timeProvider.GetElapsedTime(start));
            }
            catch
            {
                await candidate.DisposeAsync().ConfigureAwait(false);
                throw;
            }
        }

        if (enumerator is null)
        {
            throw chain.Exhausted();
        }

        await using (enumerator.ConfigureAwait(false))
        {
            if (!hasFirst)
            {
                yield break;
            }

            yield return enumerator.Current;
            while (await enumerator.MoveNextAsync().ConfigureAwait(false))
            {
                yield return enumerator.Current;
            }
        }
    }

    /// <summary>The models of one call: which to try next, and what each tried one did.</summary>
    private sealed class Chain(FallbackChatClient owner, ChatOptions? options)
    {
        private readonly List<FallbackAttempt> _attempts = [];
        private readonly HashSet<string> _tried = new(StringComparer.Ordinal);
        private int _next = -1;
        private string? _currentId;
        private ModelInfo? _current;
        private Exception? _lastError;

        // The first context-window failure and the largest window a prompt overflowed: every later model must be larger.
        private Exception? _overflow;
        private ModelInfo? _overflowed;

        /// <summary>Advances to the next model that may be tried; false when none is left.</summary>
        public bool Next(out ChatOptions? attemptOptions)
        {
            if (_next < 0)
            {
                _next = 0;
                _current = CallModel.Resolve(owner.InnerClient, owner._registry, options?.ModelId);
                _currentId = _current?.Id ?? options?.ModelId;
                if (_currentId is not null)
                {
                    _tried.Add(_currentId);
                }

                attemptOptions = options;
                return true;
            }

            while (_next < owner._fallbacks.Length)
            {
                var id = owner._fallbacks[_next++];
                owner._registry.TryGet(id, out var candidate);
                var key = candidate?.Id ?? id;
                if (!_tried.Add(key) || (_overflow is not null && !FallbackPolicy.IsCandidate(_overflow, _overflowed, candidate)))
                {
                    continue;
                }

                StratumLog.FallingBack(owner._logger, _currentId, key, _lastError?.GetType().Name ?? "an unknown failure");
                _current = candidate;
                _currentId = key;
                attemptOptions = options?.Clone() ?? new ChatOptions();
                attemptOptions.ModelId = key;
                return true;
            }

            attemptOptions = null;
            return false;
        }

        public void Failed(Exception error, TimeSpan duration)
        {
            var stratum = error as StratumException;
            _lastError = error;
            _attempts.Add(new FallbackAttempt(
                _currentId ?? stratum?.ModelId ?? string.Empty,
                _current?.Provider.Id ?? stratum?.ProviderId,
                error,
                duration));
            if (error is StratumContextWindowExceededException)
            {
                _overflow ??= error;
                if (_current is not null && (_overflowed is null || _current.ContextWindow > _overflowed.ContextWindow))
                {
                    _overflowed = _current;
                }
            }
        }

        public AllFallbacksFailedException Exhausted()
        {
            if (_attempts.Count == 1)
            {
                // One model tried (no fallback configured, or none eligible): its own failure says more than a list of one.
                ExceptionDispatchInfo.Throw(_attempts[0].Error);
            }

            return new AllFallbacksFailedException(_attempts);
        }
    }
}

/// <summary>Adds <see cref="FallbackChatClient"/> to a <see cref="ChatClientBuilder"/> pipeline.</summary>
public static class FallbackChatClientBuilderExtensions
{
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

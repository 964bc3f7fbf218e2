using System.Collections.Concurrent;
using System.Globalization;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Timeout;

namespace StratumAI;

/// <summary>
/// Middleware that retries transient failures with Polly.Core — waiting exactly what the provider asked for
/// (<c>Retry-After</c>, <c>retry-after-ms</c>, the reset time of an exhausted rate limit) or else an exponential backoff
/// with jitter — behind a circuit breaker per provider (StratumAI's own, lock-free, with the rules of Polly's), an attempt
/// timeout and a total timeout.
/// </summary>
/// <remarks>
/// <para>Pipeline, outer to inner: total timeout → retry → circuit breaker (one per provider of the call's model) → attempt timeout.</para>
/// <para>Retried: <see cref="StratumException.IsRetryable"/> failures — 429 (not an exhausted quota), 408, 5xx, Anthropic 529,
/// connection failures — plus raw <see cref="HttpRequestException"/> / <see cref="IOException"/>; timed-out attempts only
/// when <see cref="StratumResilienceOptions.RetryTimeouts"/> (off by default: a hung provider goes to the fallback after one
/// attempt timeout). Never retried: 400, 401, 403, 404 and every other failure retrying cannot fix, a caller's cancellation,
/// an open circuit (<see cref="StratumCircuitOpenException"/>), and a rate limit whose requested wait exceeds
/// <see cref="StratumResilienceOptions.MaxRetryAfter"/> or the time left of <see cref="StratumResilienceOptions.TotalTimeout"/>.</para>
/// <para>Streaming: a stream is retried only until its first update reached the caller; after that a failure surfaces
/// unchanged. The timeouts bound the wait for the first update.</para>
/// <para>Timeouts surface as <see cref="StratumTimeoutException"/>; an open circuit as <see cref="StratumCircuitOpenException"/>;
/// every other failure unchanged (the last one, once retries are exhausted).</para>
/// <para>Thread-safe: one instance serves concurrent calls; circuit breakers are shared by all calls through it.
/// Place <c>UseStratumCostTracking</c> below it to record every attempt, and <c>UseStratumFallbacks</c> above it.</para>
/// </remarks>
public sealed class ResilienceChatClient : DelegatingChatClient
{
    private static readonly ResiliencePropertyKey<CallState> StateKey = new("stratum.resilience.call");

    private readonly StratumResilienceOptions _options;
    private readonly ModelRegistry _registry;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, ProviderPipeline> _pipelines = new(StringComparer.Ordinal);

    /// <summary>Wraps a chat client.</summary>
    /// <param name="innerClient">The client whose calls are retried; it should send to the model in <see cref="ChatOptions.ModelId"/>.</param>
    /// <param name="options">Settings; null for the defaults. The values are copied.</param>
    /// <exception cref="ArgumentNullException"><paramref name="innerClient"/> is null.</exception>
    /// <exception cref="ArgumentException">An option is out of range (a negative delay, a timeout under 10 ms or over a day, a failure ratio outside (0, 1]...).</exception>
    public ResilienceChatClient(IChatClient innerClient, StratumResilienceOptions? options = null)
        : base(innerClient)
    {
        _options = Copy(options ?? new StratumResilienceOptions());
        _timeProvider = _options.TimeProvider;
        _registry = CallModel.RegistryFor(innerClient, _options.Models);
        _logger = _options.Logger ?? NullLogger.Instance;

        // Built once up front so a bad option fails here, not on the first call.
        _pipelines[string.Empty] = CreatePipeline(string.Empty);
    }

    /// <summary>The settings in use (a copy of those given).</summary>
    public StratumResilienceOptions Options => Copy(_options);

    /// <summary>The state of the circuit breaker of a provider, or null when no call to it went through this client yet or breakers are off.</summary>
    /// <param name="providerId">The provider id, e.g. <c>openai</c>.</param>
    /// <returns>The state.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="providerId"/> is null.</exception>
    public CircuitState? GetCircuitState(string providerId)
    {
        ArgumentNullException.ThrowIfNull(providerId);
        return _pipelines.TryGetValue(providerId, out var pipeline) && pipeline.Breaker is { } breaker
            ? breaker.State
            : null;
    }

    /// <inheritdoc />
    /// <exception cref="StratumTimeoutException">An attempt timed out (and was not retried, or retries were exhausted), or the total timeout elapsed.</exception>
    /// <exception cref="StratumCircuitOpenException">The provider's circuit is open.</exception>
    /// <exception cref="StratumException">The last failure, once retries are exhausted, or a failure that is not retried.</exception>
    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var call = Prepare(ref options);
        using var total = TotalTimeout.Start(_options.TotalTimeout, _timeProvider, cancellationToken);
        var context = ResilienceContextPool.Shared.Get(total.Token);
        try
        {
            context.Properties.Set(StateKey, call.State);
            // Executed as object, the result type the pipeline's strategies are built for (non-generic builder: they serve
            // streams too). With ChatResponse, Polly bridges each reactive strategy (retry, circuit breaker) with two async
            // conversions per call, about 1.5 KB; as object the one async lambda here is the only conversion.
            return (ChatResponse)await call.Pipeline.Pipeline.ExecuteAsync<object, (ResilienceChatClient Client, IEnumerable<ChatMessage> Messages, ChatOptions? Options)>(
                static async (ctx, state) => await state.Client.InnerClient.GetResponseAsync(state.Messages, state.Options, ctx.CancellationToken).ConfigureAwait(false),
                context,
                (Client: this, Messages: messages, Options: options)).ConfigureAwait(false);
        }
        catch (Exception ex) when (Translate(ex, call.State, total, cancellationToken) is { } translated)
        {
            throw translated;
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    /// <inheritdoc />
    /// <exception cref="StratumTimeoutException">No first update arrived in time (attempt timeouts exhausted, or the total timeout).</exception>
    /// <exception cref="StratumCircuitOpenException">The provider's circuit is open.</exception>
    /// <exception cref="StratumException">The last failure before the first update, or any failure after it.</exception>
    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages,
        ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var started = await StartStreamAsync(messages, options, cancellationToken).ConfigureAwait(false);
        await using (started.ConfigureAwait(false))
        {
            if (!started.HasFirst)
            {
                yield break;
            }

            yield return started.Enumerator.Current;
            while (await started.Enumerator.MoveNextAsync().ConfigureAwait(false))
            {
                yield return started.Enumerator.Current;
            }
        }
    }

    private async Task<StartedStream> StartStreamAsync(IEnumerable<ChatMessage> messages, ChatOptions? options, CancellationToken cancellationToken)
    {
        var call = Prepare(ref options);
        using var total = TotalTimeout.Start(_options.TotalTimeout, _timeProvider, cancellationToken);
        var context = ResilienceContextPool.Shared.Get(total.Token);
        try
        {
            context.Properties.Set(StateKey, call.State);
            return (StartedStream)await call.Pipeline.Pipeline.ExecuteAsync(
                static (ctx, state) => StartAttemptAsync(state.Inner, state.Messages, state.Options, ctx.CancellationToken, state.CallerToken),
                context,
                (Inner: InnerClient, Messages: messages, Options: options, CallerToken: cancellationToken)).ConfigureAwait(false);
        }
        catch (Exception ex) when (Translate(ex, call.State, total, cancellationToken) is { } translated)
        {
            throw translated;
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    /// <summary>
    /// Opens the stream and waits for its first update. The stream runs on a token of its own (linked to the caller's), not
    /// on Polly's: Polly's timeout tokens are pooled and end with the attempt, while the stream lives on with the caller.
    /// Polly's token cancels the stream only while the first update is awaited. Returns the <see cref="StartedStream"/> as
    /// object, the pipeline's result type (see <see cref="GetResponseAsync"/>).
    /// </summary>
    private static async ValueTask<object> StartAttemptAsync(
        IChatClient inner,
        IEnumerable<ChatMessage> messages,
        ChatOptions? options,
        CancellationToken attemptToken,
        CancellationToken callerToken)
    {
        var lifetime = CancellationTokenSource.CreateLinkedTokenSource(callerToken);
        IAsyncEnumerator<ChatResponseUpdate>? enumerator = null;
        try
        {
            enumerator = inner.GetStreamingResponseAsync(messages, options, lifetime.Token).GetAsyncEnumerator(lifetime.Token);
            bool hasFirst;
            using (attemptToken.Register(static source => ((CancellationTokenSource)source!).Cancel(), lifetime))
            {
                hasFirst = await enumerator.MoveNextAsync().ConfigureAwait(false);
            }

            return new StartedStream(enumerator, hasFirst, lifetime);
        }
        catch
        {
            if (enumerator is not null)
            {
                await enumerator.DisposeAsync().ConfigureAwait(false);
            }

            lifetime.Dispose();
            throw;
        }
    }

    /// <summary>The call's pipeline and state; its context is resolved once and passed down in <paramref name="options"/>.</summary>
    private PreparedCall Prepare(ref ChatOptions? options)
    {
        (var context, options) = CallContexts.Enter(options, InnerClient, _registry);
        var model = context?.Model;
        var key = model?.Provider.Id ?? options?.ModelId ?? string.Empty;
        var pipeline = _pipelines.GetOrAdd(key, static (providerKey, self) => self.CreatePipeline(providerKey), this);
        var state = new CallState(model?.Id ?? options?.ModelId, model?.Provider.Id, _timeProvider.GetTimestamp());
        return new PreparedCall(pipeline, state);
    }

    private Exception? Translate(Exception exception, CallState state, TotalTimeout totalTimeout, CancellationToken cancellationToken)
    {
        var where = state.ModelId is null ? "The call" : string.Create(CultureInfo.InvariantCulture, $"The call to model '{state.ModelId}'");
        switch (exception)
        {
            case OperationCanceledException or TimeoutRejectedException when totalTimeout.Elapsed && !cancellationToken.IsCancellationRequested:
            case TimeoutRejectedException when !cancellationToken.IsCancellationRequested:
                var total = totalTimeout.Elapsed;
                var limit = total ? _options.TotalTimeout : _options.AttemptTimeout;
                var which = total
                    ? "the total timeout (StratumResilienceOptions.TotalTimeout)"
                    : _options.RetryTimeouts
                        ? "the attempt timeout (StratumResilienceOptions.AttemptTimeout) on its last attempt"
                        : "the attempt timeout (StratumResilienceOptions.AttemptTimeout); a timed-out attempt is not retried (StratumResilienceOptions.RetryTimeouts)";
                return new StratumTimeoutException(
                    string.Create(CultureInfo.InvariantCulture, $"{where} did not finish within {limit?.TotalSeconds} s, {which}."),
                    exception)
                {
                    ProviderId = state.ProviderId,
                    ModelId = state.ModelId,
                    Timeout = limit,
                };
            case BrokenCircuitException broken:
                var provider = state.ProviderId ?? "(unknown)";
                return new StratumCircuitOpenException(
                    string.Create(CultureInfo.InvariantCulture, $"{where} was not sent: the circuit breaker for provider '{provider}' is open after repeated failures."),
                    broken)
                {
                    ProviderId = state.ProviderId,
                    ModelId = state.ModelId,
                    RetryAfter = broken.RetryAfter,
                };
            default:
                return null;
        }
    }

    private ProviderPipeline CreatePipeline(string providerKey)
    {
        var builder = new ResiliencePipelineBuilder { TimeProvider = _timeProvider };
        try
        {
            if (_options.MaxRetryAttempts > 0)
            {
                builder.AddRetry(CreateRetryOptions());
            }

            ProviderCircuit? breaker = null;
            if (_options.EnableCircuitBreaker)
            {
                breaker = new ProviderCircuit(
                    _options.CircuitBreakerFailureRatio,
                    _options.CircuitBreakerMinimumThroughput,
                    _options.CircuitBreakerSamplingDuration,
                    _options.CircuitBreakerBreakDuration,
                    _timeProvider,
                    (breakDuration, failure) => StratumLog.CircuitOpened(_logger, providerKey, breakDuration, failure?.GetType().Name ?? "an unknown failure"));
                builder.AddStrategy(_ => new ProviderCircuitStrategy(breaker));
            }

            if (_options.AttemptTimeout is { } attempt)
            {
                builder.AddTimeout(attempt);
            }

            return new ProviderPipeline(builder.Build(), breaker);
        }
        catch (System.ComponentModel.DataAnnotations.ValidationException ex)
        {
            throw new ArgumentException("The resilience options are invalid: " + ex.Message, ex);
        }
    }

    private RetryStrategyOptions CreateRetryOptions()
    {
        var maxRetryAfter = _options.MaxRetryAfter;
        var totalTimeout = _options.TotalTimeout;
        var timeProvider = _timeProvider;
        var retryTimeouts = _options.RetryTimeouts;
        var onRetry = _options.OnRetry;
        var logger = _logger;
        var retry = new RetryStrategyOptions
        {
            MaxRetryAttempts = _options.MaxRetryAttempts,
            Delay = _options.BaseDelay,
            MaxDelay = _options.MaxDelay,
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
            ShouldHandle = args =>
            {
                if (args.Outcome.Exception is not { } ex || !TransientFailure.IsRetryable(ex))
                {
                    return new ValueTask<bool>(false);
                }

                // A provider that did not answer in time most likely still will not: hand the call to the fallback instead.
                if (!retryTimeouts && TransientFailure.IsTimeout(ex))
                {
                    return new ValueTask<bool>(false);
                }

                if (TransientFailure.RequestedDelay(ex) is not { } requested)
                {
                    return new ValueTask<bool>(true);
                }

                // Waiting less than asked is refused again (a retry storm); waiting past the deadline is wasted.
                var fits = requested <= maxRetryAfter;
                if (fits && totalTimeout is { } total && args.Context.Properties.TryGetValue(StateKey, out var state))
                {
                    fits = timeProvider.GetElapsedTime(state.StartTimestamp) + requested < total;
                }

                return new ValueTask<bool>(fits);
            },

            // Exactly the provider's wait: MaxDelay and jitter apply to computed backoff only.
            DelayGenerator = static args => new ValueTask<TimeSpan?>(args.Outcome.Exception is { } ex ? TransientFailure.RequestedDelay(ex) : null),
            OnRetry = args =>
            {
                var ex = args.Outcome.Exception!;
                args.Context.Properties.TryGetValue(StateKey, out var state);
                StratumLog.Retrying(logger, state?.ModelId, state?.ProviderId, args.AttemptNumber + 1, args.RetryDelay, ex.GetType().Name);
                onRetry?.Invoke(new StratumRetryEvent(
                    state?.ModelId,
                    state?.ProviderId,
                    args.AttemptNumber,
                    args.RetryDelay,
                    TransientFailure.RequestedDelay(ex) is { } asked && asked == args.RetryDelay,
                    ex));
                return default;
            },
        };

        if (_options.Randomizer is { } randomizer)
        {
            retry.Randomizer = randomizer;
        }

        return retry;
    }

    private static StratumResilienceOptions Copy(StratumResilienceOptions options)
    {
        var source = options;
        ArgumentNullException.ThrowIfNull(source.TimeProvider, "options.TimeProvider");
        if (source.MaxRetryAttempts < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(options), source.MaxRetryAttempts, "MaxRetryAttempts cannot be negative.");
        }

        if (source.MaxRetryAfter < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(options), source.MaxRetryAfter, "MaxRetryAfter cannot be negative.");
        }

        return new StratumResilienceOptions
        {
            MaxRetryAttempts = source.MaxRetryAttempts,
            BaseDelay = source.BaseDelay,
            MaxDelay = source.MaxDelay,
            MaxRetryAfter = source.MaxRetryAfter,
            AttemptTimeout = source.AttemptTimeout,
            TotalTimeout = source.TotalTimeout,
            RetryTimeouts = source.RetryTimeouts,
            EnableCircuitBreaker = source.EnableCircuitBreaker,
            CircuitBreakerFailureRatio = source.CircuitBreakerFailureRatio,
            CircuitBreakerMinimumThroughput = source.CircuitBreakerMinimumThroughput,
            CircuitBreakerSamplingDuration = source.CircuitBreakerSamplingDuration,
            CircuitBreakerBreakDuration = source.CircuitBreakerBreakDuration,
            Models = source.Models,
            TimeProvider = source.TimeProvider,
            OnRetry = source.OnRetry,
            Logger = source.Logger,
            Randomizer = source.Randomizer,
        };
    }

    private sealed record ProviderPipeline(ResiliencePipeline Pipeline, ProviderCircuit? Breaker);

    private readonly record struct PreparedCall(ProviderPipeline Pipeline, CallState State);

    /// <summary>What one call's strategies share through the Polly context.</summary>
    private sealed class CallState(string? modelId, string? providerId, long startTimestamp)
    {
        public string? ModelId { get; } = modelId;

        public string? ProviderId { get; } = providerId;

        public long StartTimestamp { get; } = startTimestamp;
    }

    /// <summary>
    /// The total timeout of one call: a token source of this middleware's own, cancelled when the timeout elapses (on the
    /// options' <see cref="TimeProvider"/>) or the caller cancels. Not a Polly timeout strategy: that one, outermost, costs an
    /// async state machine of about a kilobyte per call around the whole pipeline; this costs one token source and a timer.
    /// </summary>
    private readonly struct TotalTimeout : IDisposable
    {
        private readonly CancellationTokenSource? _source;
        private readonly ITimer? _timer;
        private readonly CancellationToken _caller;

        private TotalTimeout(CancellationTokenSource? source, ITimer? timer, CancellationToken caller)
        {
            _source = source;
            _timer = timer;
            _caller = caller;
        }

        /// <summary>The token the attempts run on: the caller's when there is no total timeout.</summary>
        public CancellationToken Token => _source?.Token ?? _caller;

        /// <summary>True once the timeout elapsed (not the caller's cancellation).</summary>
        public bool Elapsed => _source is { IsCancellationRequested: true } && !_caller.IsCancellationRequested;

        public static TotalTimeout Start(TimeSpan? timeout, TimeProvider timeProvider, CancellationToken caller)
        {
            if (timeout is not { } total)
            {
                return new TotalTimeout(null, null, caller);
            }

            var source = CancellationTokenSource.CreateLinkedTokenSource(caller);
            if (timeProvider == TimeProvider.System)
            {
                source.CancelAfter(total);
                return new TotalTimeout(source, null, caller);
            }

            var timer = timeProvider.CreateTimer(static state => CancelQuietly((CancellationTokenSource)state!), source, total, Timeout.InfiniteTimeSpan);
            return new TotalTimeout(source, timer, caller);
        }

        public void Dispose()
        {
            _timer?.Dispose();
            _source?.Dispose();
        }

        // A timer of another TimeProvider may fire while the call ends and disposes the source: nothing is left to cancel then.
        private static void CancelQuietly(CancellationTokenSource source)
        {
            try
            {
                source.Cancel();
            }
            catch (ObjectDisposedException)
            {
            }
        }
    }

    /// <summary>A stream whose first update (if any) has arrived; owns the enumerator and its token source.</summary>
    private sealed class StartedStream(IAsyncEnumerator<ChatResponseUpdate> enumerator, bool hasFirst, CancellationTokenSource lifetime) : IAsyncDisposable
    {
        public IAsyncEnumerator<ChatResponseUpdate> Enumerator { get; } = enumerator;

        public bool HasFirst { get; } = hasFirst;

        public async ValueTask DisposeAsync()
        {
            try
            {
                await Enumerator.DisposeAsync().ConfigureAwait(false);
            }
            finally
            {
                lifetime.Dispose();
            }
        }
    }
}

/// <summary>Adds <see cref="ResilienceChatClient"/> to a <see cref="ChatClientBuilder"/> pipeline.</summary>
public static class ResilienceChatClientBuilderExtensions
{
    /// <summary>
    /// Retries transient failures (waiting exactly what <c>Retry-After</c> asks), with a circuit breaker per provider and
    /// attempt and total timeouts. Place it below <c>UseStratumFallbacks</c> and above <c>UseStratumCostTracking</c>.
    /// </summary>
    /// <param name="builder">The pipeline.</param>
    /// <param name="configure">Changes the default <see cref="StratumResilienceOptions"/>; null keeps them.</param>
    /// <returns><paramref name="builder"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is null.</exception>
    public static ChatClientBuilder UseStratumResilience(this ChatClientBuilder builder, Action<StratumResilienceOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = new StratumResilienceOptions();
        configure?.Invoke(options);
        return builder.Use((inner, services) =>
        {
            options.Logger ??= services.GetService<ILoggerFactory>()?.CreateLogger<ResilienceChatClient>();
            return new ResilienceChatClient(inner, options);
        });
    }
}

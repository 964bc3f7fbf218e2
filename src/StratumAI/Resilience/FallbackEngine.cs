using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;

namespace StratumAI;

/// <summary>
/// StratumAI's one fallback loop: tries the models of a <see cref="FallbackChain"/> in order, deciding after each failure
/// with one <see cref="FallbackPolicy"/>, for whole responses and for streams. <see cref="FallbackChatClient"/> (the
/// middleware door) and <see cref="LlmCallRunner"/> (the <c>[LlmCall]</c> door) both run on it, so a failure gets the
/// same decision through either.
/// </summary>
/// <remarks>
/// <para>A failure falls back when the caller has not cancelled and <see cref="FallbackPolicy.ShouldFallBack"/> says so;
/// any other failure surfaces unchanged at once. Reading the answer (an <c>[LlmCall]</c> method's text or structured value)
/// is part of the attempt, so a failure to read it is judged by the same rule — a schema mismatch included, which is
/// <see cref="FallbackPolicy.FallBackOnSchemaMismatch"/>.</para>
/// <para>A stream falls back only until something reached the caller; after that a failure surfaces unchanged.</para>
/// <para>Stateless and thread-safe; the per-call state is the chain's.</para>
/// </remarks>
internal sealed class FallbackEngine(TimeProvider timeProvider, ILogger logger)
{
    /// <summary>Calls the chain's models in turn until one answers and its answer is read.</summary>
    /// <typeparam name="T">What is read from the answer.</typeparam>
    /// <param name="inner">Sends one attempt: the model is named by the attempt's options (<see cref="FallbackChain.Options"/>).</param>
    /// <param name="messages">The conversation.</param>
    /// <param name="chain">The models, the rule and the per-call state.</param>
    /// <param name="read">Reads the answer; a failure here is the attempt's failure.</param>
    /// <param name="cancellationToken">Cancels the call; a cancelled call never falls back.</param>
    /// <returns>The answering response and what was read from it.</returns>
    /// <exception cref="AllFallbacksFailedException">More than one model was tried and every one failed in a way the rule falls back on.</exception>
    public async Task<(ChatResponse Response, T Value)> GetResponseAsync<T>(
        IChatClient inner,
        IEnumerable<ChatMessage> messages,
        FallbackChain chain,
        Func<ChatResponse, FallbackChain, T> read,
        CancellationToken cancellationToken)
    {
        while (chain.MoveNext(logger))
        {
            var start = timeProvider.GetTimestamp();
            try
            {
                var response = await inner.GetResponseAsync(messages, chain.Options, cancellationToken).ConfigureAwait(false);
                var value = read(response, chain);
                chain.Succeeded(timeProvider.GetElapsedTime(start));
                return (response, value);
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested && chain.Policy.ShouldFallBack(ex))
            {
                chain.Failed(ex, timeProvider.GetElapsedTime(start));
            }
        }

        throw chain.Exhausted();
    }

    /// <summary>
    /// Streams the first model of the chain that starts answering. A model that fails before an update reached the caller
    /// (as <paramref name="reachesCaller"/> tells) falls back like a whole response; after that its failure surfaces.
    /// </summary>
    /// <param name="inner">Sends one attempt.</param>
    /// <param name="messages">The conversation.</param>
    /// <param name="createChain">Creates the models, the rule and the per-call state, when the stream is enumerated (each enumeration is a call of its own).</param>
    /// <param name="reachesCaller">True for an update the caller will see: from it on, no other model may take over.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The updates of the model that answered, every one of them (also those that do not reach the caller).</returns>
    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IChatClient inner,
        IEnumerable<ChatMessage> messages,
        Func<FallbackChain> createChain,
        Func<ChatResponseUpdate, bool> reachesCaller,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var chain = createChain();
        while (chain.MoveNext(logger))
        {
            var start = timeProvider.GetTimestamp();
            IAsyncEnumerator<ChatResponseUpdate>? enumerator = null;
            var committed = false;
            Exception? failure = null;
            try
            {
                while (true)
                {
                    ChatResponseUpdate update;
                    try
                    {
                        enumerator ??= inner.GetStreamingResponseAsync(messages, chain.Options, cancellationToken).GetAsyncEnumerator(cancellationToken);
                        if (!await enumerator.MoveNextAsync().ConfigureAwait(false))
                        {
                            break;
                        }

                        update = enumerator.Current;
                    }
                    catch (Exception ex) when (!committed && !cancellationToken.IsCancellationRequested && chain.Policy.ShouldFallBack(ex))
                    {
                        failure = ex;
                        break;
                    }

                    if (!committed && reachesCaller(update))
                    {
                        // From here on the caller holds part of this model's answer: no other model may replace it.
                        committed = true;
                        chain.Succeeded(timeProvider.GetElapsedTime(start));
                    }

                    yield return update;
                }
            }
            finally
            {
                if (enumerator is not null)
                {
                    await enumerator.DisposeAsync().ConfigureAwait(false);
                }
            }

            if (failure is null)
            {
                if (!committed)
                {
                    chain.Succeeded(timeProvider.GetElapsedTime(start));
                }

                yield break;
            }

            chain.Failed(failure, timeProvider.GetElapsedTime(start));
        }

        throw chain.Exhausted();
    }
}

/// <summary>
/// The models of one call and what happened to each: which to try next (each resolved at most once, skipping models
/// already tried and, after a context window exceeded, models whose window is not larger), the options and call context
/// of the current attempt, and the attempts so far.
/// </summary>
/// <remarks>Not thread-safe: one chain serves one call.</remarks>
internal sealed class FallbackChain
{
    private readonly ChatOptions? _options;
    private readonly IReadOnlyList<LlmCallTarget> _targets;
    private readonly ModelRegistry _registry;
    private readonly bool _strict;
    private readonly string _name;
    private readonly ChatResponseFormat? _format;

    // The middleware's first attempt: the call as it came in, sent unchanged.
    private bool _head;
    private int _next;
    private List<string>? _tried;
    private List<FallbackAttempt>? _attempts;
    private Exception? _lastError;

    // The context of the last attempt whose model was known: the next known model's is its next attempt.
    private StratumCallContext? _callContext;

    // The first context-window failure and the largest window a prompt overflowed: every later model must be larger.
    private Exception? _overflow;
    private ModelInfo? _overflowed;

    private FallbackChain(FallbackPolicy policy, ChatOptions? options, IReadOnlyList<LlmCallTarget> targets, ModelRegistry registry, bool strict, string name, ChatResponseFormat? format)
    {
        Policy = policy;
        _options = options;
        _targets = targets;
        _registry = registry;
        _strict = strict;
        _name = name;
        _format = format;
    }

    /// <summary>The rule this call decides with.</summary>
    public FallbackPolicy Policy { get; }

    /// <summary>The id of the model of the current attempt (the catalog id when known), or null when the call named none.</summary>
    public string? ModelId { get; private set; }

    /// <summary>The catalog model of the current attempt, when known.</summary>
    public ModelInfo? Model { get; private set; }

    /// <summary>The provider of the current attempt, when known.</summary>
    public string? ProviderId => Model?.Provider.Id;

    /// <summary>The call context of the current attempt, when its model is known.</summary>
    public StratumCallContext? Context { get; private set; }

    /// <summary>The options the current attempt sends: a copy naming its model and carrying its context (the first attempt of the middleware: the caller's own).</summary>
    public ChatOptions? Options { get; private set; }

    /// <summary>Every attempt so far, in order.</summary>
    public IReadOnlyList<FallbackAttempt> Attempts => _attempts ?? (IReadOnlyList<FallbackAttempt>)[];

    /// <summary>
    /// The chain of an <c>[LlmCall]</c> method: its models in order. With <paramref name="strict"/>, a model id the registry
    /// does not know is an error (the registry is the <see cref="StratumClient"/>'s); otherwise it is sent as written.
    /// </summary>
    public static FallbackChain ForLlmCall(FallbackPolicy policy, IReadOnlyList<LlmCallTarget> targets, ChatOptions? options, ChatResponseFormat? format, ModelRegistry registry, bool strict)
        => new(policy, options, targets, registry, strict, "the [LlmCall] method", format);

    /// <summary>
    /// The chain of <see cref="FallbackChatClient"/>: the call as it came in (its model in <paramref name="first"/>, when
    /// known), then the fallbacks.
    /// </summary>
    public static FallbackChain ForMiddleware(FallbackPolicy policy, ChatOptions? options, StratumCallContext? first, IReadOnlyList<LlmCallTarget> fallbacks, ModelRegistry registry)
    {
        var chain = new FallbackChain(policy, options, fallbacks, registry, strict: false, "the fallback chain", format: null) { _head = true };
        chain.Context = first;
        chain._callContext = first;
        chain.Model = first?.Model;
        chain.ModelId = first?.Model.Id ?? options?.ModelId;
        return chain;
    }

    /// <summary>Advances to the next model that may be tried; false when none is left.</summary>
    /// <exception cref="StratumModelNotFoundException">A strict chain names a model id its registry does not know.</exception>
    public bool MoveNext(ILogger logger)
    {
        if (_head)
        {
            _head = false;
            if (ModelId is not null)
            {
                (_tried ??= []).Add(ModelId);
            }

            Options = _options;
            return true;
        }

        while (_next < _targets.Count)
        {
            var target = _targets[_next++];
            var (id, model) = Resolve(target);
            if (Tried(id) || (_overflow is not null && !FallbackPolicy.IsCandidate(_overflow, _overflowed, model)))
            {
                continue;
            }

            if (_attempts is not null)
            {
                StratumLog.FallingBack(logger, ModelId, id, _lastError?.GetType().Name ?? "an unknown failure");
            }

            (_tried ??= []).Add(id);
            StratumCallContext? context = null;
            if (model is not null)
            {
                context = _callContext is null ? StratumCallContext.Create(model, _options) : _callContext.NextAttempt(model);
                _callContext = context;
            }

            Context = context;
            Model = model;
            ModelId = id;
            var options = Context?.AttachTo(_options);
            if (options is null)
            {
                options = _options?.Clone() ?? new ChatOptions();
                options.ModelId = id;
            }

            if (_format is not null)
            {
                options.ResponseFormat = _format;
            }

            Options = options;
            return true;
        }

        return false;
    }

    /// <summary>Records the current attempt as failed with <paramref name="error"/>.</summary>
    public void Failed(Exception error, TimeSpan duration)
    {
        _lastError = error;
        Record(error, duration);
        if (error is StratumContextWindowExceededException)
        {
            _overflow ??= error;
            if (Model is not null && (_overflowed is null || Model.ContextWindow > _overflowed.ContextWindow))
            {
                _overflowed = Model;
            }
        }
    }

    /// <summary>Records the current attempt as the one that answered.</summary>
    public void Succeeded(TimeSpan duration) => Record(null, duration);

    /// <summary>
    /// The failure to throw when no model is left: the only failure itself when one model was tried (it says more than a
    /// list of one), else <see cref="AllFallbacksFailedException"/> listing every attempt.
    /// </summary>
    public Exception Exhausted()
    {
        var attempts = _attempts!;
        if (attempts.Count == 1)
        {
            ExceptionDispatchInfo.Throw(attempts[0].Error!);
        }

        return new AllFallbacksFailedException(_name, attempts);
    }

    private void Record(Exception? error, TimeSpan duration)
    {
        var stratum = error as StratumException;
        (_attempts ??= new List<FallbackAttempt>(Math.Max(_targets.Count, 1))).Add(new FallbackAttempt(
            ModelId ?? stratum?.ModelId ?? string.Empty,
            ProviderId ?? stratum?.ProviderId,
            error,
            duration));
    }

    private bool Tried(string id)
    {
        if (_tried is null)
        {
            return false;
        }

        foreach (var tried in _tried)
        {
            if (string.Equals(tried, id, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The id and catalog model of a target: a model given as one is never looked up; an id is, once.</summary>
    private (string Id, ModelInfo? Model) Resolve(LlmCallTarget target)
    {
        if (target.Model is { } model)
        {
            return (model.Id, model);
        }

        var id = target.ModelId ?? throw new ArgumentException("A model target is empty (default(LlmCallTarget)).", nameof(target));
        if (_registry.TryGet(id, out var found))
        {
            return (found.Id, found);
        }

        return _strict
            ? throw new StratumModelNotFoundException(
                $"The model '{id}' named by an [LlmCall] method is not in the catalog (StratumClient.Models). Check the id, or add the model to a catalog file.")
            {
                ModelId = id,
            }
            : (id, null);
    }
}

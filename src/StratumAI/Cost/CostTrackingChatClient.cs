using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace StratumAI;

/// <summary>Middleware that records every billed attempt of the calls going through it in a <see cref="CostTracker"/>.</summary>
/// <remarks>
/// <para>What is recorded, exactly once per call:</para>
/// <list type="bullet">
/// <item>A response: its cost from <see cref="ChatResponseStratumExtensions.GetCost"/>, or computed with <see cref="CostCalculator"/>
/// from its usage and the <see cref="ModelInfo"/> of the response, else of the call (its <see cref="StratumCallContext"/>),
/// else of the inner client (<c>GetService&lt;ModelInfo&gt;()</c>).
/// A cache hit (<see cref="StratumUsageKeys.CacheHit"/>) records $0 and what it saved.</item>
/// <item>A failure whose <see cref="StratumException.UsageSoFar"/> is set: the partial cost; the exception is rethrown unchanged.</item>
/// <item>A failure without usage after the request was sent (cancelled by the caller, timed out, connection lost after sending,
/// a 200 whose body could not be read): <see cref="CostOutcome.Failed"/> and <see cref="CostRecord.IsEstimated"/>, costed at
/// the worst case a <see cref="BudgetChatClient"/> reserves — the budget's own estimate when one is above, so both
/// agree, else the same <see cref="BudgetEstimate"/> computed here with the default attachment size. A failure before
/// sending, an HTTP error status and a connection never established billed nothing and are not recorded. Below a client that is
/// not a StratumAI dialect (nothing reports sending), a cancellation or timeout is recorded as estimated, other failures not.</item>
/// <item>A response or a stream that reported no usage (and no cost) is recorded as estimated the same way.</item>
/// <item>A stream: at its end, the cost of the usage it reported; cut short by an exception, what was billed
/// (<see cref="StratumException.UsageSoFar"/>, else the usage seen, else the estimate) once its request was sent;
/// disposed early by the caller, the usage seen so far (else the estimate), as <see cref="CostOutcome.Abandoned"/>.</item>
/// </list>
/// <para>Tags and caller are the call's (<see cref="StratumChatOptionsExtensions.WithTags"/>,
/// <see cref="StratumChatOptionsExtensions.WithCaller"/>), else the caller is <see cref="StratumCostTrackingOptions.DefaultCaller"/>.
/// The call's <see cref="StratumCallContext"/> is the one attached above, else resolved here once and passed down.</para>
/// <para>Ledger: when <see cref="StratumCostTrackingOptions.Ledger"/> is set, every record is also appended to it (after the tracker got it) and the append is
/// awaited before the call returns, before a stream reports its end, and before an exception is rethrown, so a billed call is in the
/// ledger by the time the caller sees its outcome. The append is not canceled by the call's token: the provider has billed, so the
/// record must be written. If the append fails, the call throws <see cref="CostLedgerException"/> (never retryable) carrying the
/// record, the response of a successful call and the exception of a failed one; the record stays in the tracker. A disposed
/// stream's append failure surfaces from its <c>DisposeAsync</c>.</para>
/// <para>Thread-safe: one instance serves concurrent calls; per-call state lives in the call.</para>
/// </remarks>
public sealed class CostTrackingChatClient : DelegatingChatClient
{
    private readonly CostTracker _tracker;
    private readonly StratumCostTrackingOptions _options;
    private readonly ModelRegistry _models;

    /// <summary>Wraps a chat client.</summary>
    /// <param name="innerClient">The client to record calls of.</param>
    /// <param name="tracker">Where records go.</param>
    /// <param name="options">Settings (a ledger, the default caller), or null for the defaults. The instance is kept; do not change it while calls run.</param>
    /// <exception cref="ArgumentNullException"><paramref name="innerClient"/> or <paramref name="tracker"/> is null.</exception>
    public CostTrackingChatClient(IChatClient innerClient, CostTracker tracker, StratumCostTrackingOptions? options = null)
        : base(innerClient)
    {
        ArgumentNullException.ThrowIfNull(tracker);
        _tracker = tracker;
        _options = options ?? new StratumCostTrackingOptions();
        _models = CallModel.RegistryFor(innerClient, _options.Models);
    }

    /// <summary>The tracker records go to.</summary>
    public CostTracker Tracker => _tracker;

    /// <summary>The settings this client uses.</summary>
    public StratumCostTrackingOptions Options => _options;

    /// <inheritdoc />
    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        (var context, options) = CallContexts.Enter(options, InnerClient, _models);
        var scope = CallScope.Enter();
        var mark = scope.Snapshot();
        ChatResponse response;
        try
        {
            response = await base.GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
        }
        catch (StratumException ex) when (ex.UsageSoFar is not null)
        {
            await RecordAsync(FailureRecord(ex, ex.UsageSoFar, context, options), response: null, callException: ex).ConfigureAwait(false);
            throw;
        }
        catch (Exception ex) when (ex is not CostLedgerException && scope.MayBeBilled(mark, ex))
        {
            // Sent, and then cancelled, timed out or cut off before any usage: billed for all we know, so recorded as estimated.
            var failed = NewRecord(context, options, model: null, (ex as StratumException)?.ModelId ?? options?.ModelId, (ex as StratumException)?.ProviderId) with
            {
                Outcome = CostOutcome.Failed,
                ErrorType = ex.GetType().FullName,
                RequestId = (ex as StratumException)?.RequestId,
            };
            await RecordAsync(Estimated(failed, scope, messages, context, options, model: null), response: null, callException: ex).ConfigureAwait(false);
            throw;
        }

        var model = response.GetModelInfo() ?? ModelOf(context);
        var usage = response.Usage;
        var cost = CallCosts.Of(response, model);
        var cacheHit = response.IsCacheHit();
        var record = usage is null && cost is null && !cacheHit
            ? Estimated(NewRecord(context, options, model, response.ModelId ?? options?.ModelId) with { RequestId = response.GetRequestId() }, scope, messages, context, options, model)
            : Succeeded(context, options, model, response, usage, cost, cacheHit);
        await RecordAsync(record, response, callException: null).ConfigureAwait(false);
        return response;
    }

    /// <inheritdoc />
    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages,
        ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        (var context, options) = CallContexts.Enter(options, InnerClient, _models);
        var scope = CallScope.Enter();
        var mark = scope.Snapshot();
        var stream = new StreamState(context);
        var enumerator = base.GetStreamingResponseAsync(messages, options, cancellationToken).GetAsyncEnumerator(cancellationToken);
        try
        {
            while (true)
            {
                ChatResponseUpdate update;
                try
                {
                    if (!await enumerator.MoveNextAsync().ConfigureAwait(false))
                    {
                        break;
                    }

                    update = enumerator.Current;
                }
                catch (Exception ex)
                {
                    // Recorded here, once; the finally below sees Recorded and does nothing more.
                    stream.Recorded = true;
                    var billed = (ex as StratumException)?.UsageSoFar;
                    if (billed is not null || stream.Updates > 0 || stream.Usage is not null || (ex is not CostLedgerException && scope.MayBeBilled(mark, ex)))
                    {
                        await RecordAsync(StreamRecord(stream, scope, messages, options, CostOutcome.Failed, ex, billed), response: null, callException: ex).ConfigureAwait(false);
                    }

                    throw;
                }

                stream.Observe(update);
                yield return update;
            }

            stream.Recorded = true;
            await RecordAsync(StreamRecord(stream, scope, messages, options, CostOutcome.Succeeded, null, null), response: null, callException: null).ConfigureAwait(false);
        }
        finally
        {
            try
            {
                // Reached without a record only when the caller disposed the stream before its end.
                if (!stream.Recorded)
                {
                    stream.Recorded = true;
                    await RecordAsync(StreamRecord(stream, scope, messages, options, CostOutcome.Abandoned, null, null), response: null, callException: null).ConfigureAwait(false);
                }
            }
            finally
            {
                await enumerator.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private ValueTask RecordAsync(CostRecord record, ChatResponse? response, Exception? callException) =>
        CostRecording.RecordAsync(_tracker, _options.Ledger, record, response, callException);

    private static CostRecord Priced(CostRecord record, CallCost? cost, bool cacheHit)
    {
        if (cacheHit)
        {
            return record with { IsCacheHit = true, Cost = CallCost.Zero, Saved = cost?.Total ?? 0m, IsPriced = true };
        }

        // Usage without a price is recorded as unpriced rather than silently free; no usage at all costs nothing.
        return record with { Cost = cost ?? CallCost.Zero, IsPriced = cost is not null || !record.HasUsage };
    }

    private static IReadOnlyList<string> TagsOf(StratumCallContext? context, ChatOptions? options)
    {
        var tags = context?.Tags ?? options.GetTags();
        return tags.Contains(null!) ? tags.Where(tag => tag is not null).ToArray() : tags;
    }

    private ModelInfo? InnerModel() => InnerClient.GetService(typeof(ModelInfo)) as ModelInfo;

    /// <summary>The model of the call's context, else (a model id the catalog does not know) the inner client's own model.</summary>
    private ModelInfo? ModelOf(StratumCallContext? context) => context?.Model ?? InnerModel();

    private CostRecord NewRecord(StratumCallContext? context, ChatOptions? options, ModelInfo? model, string? modelId, string? providerId = null) => new()
    {
        Timestamp = _tracker.TimeProvider.GetUtcNow(),
        ProviderId = model?.Provider.Id ?? providerId,
        ModelId = model?.Id ?? modelId,
        Tags = TagsOf(context, options),
        Caller = (context is null ? options.GetCaller() : context.Caller) ?? _options.DefaultCaller,
    };

    /// <summary>
    /// The record of a call that succeeded with usage, a cost or from the cache: what <see cref="NewRecord"/>,
    /// <see cref="CostRecord.WithUsage"/> and <see cref="Priced"/> make together, built as one object, since every call
    /// takes this path (each <c>with</c> copies the whole record).
    /// </summary>
    private CostRecord Succeeded(StratumCallContext? context, ChatOptions? options, ModelInfo? model, ChatResponse response, UsageDetails? usage, CallCost? cost, bool cacheHit) => new()
    {
        Timestamp = _tracker.TimeProvider.GetUtcNow(),
        ProviderId = model?.Provider.Id,
        ModelId = model?.Id ?? response.ModelId ?? options?.ModelId,
        Tags = TagsOf(context, options),
        Caller = (context is null ? options.GetCaller() : context.Caller) ?? _options.DefaultCaller,
        RequestId = response.GetRequestId(),
        Outcome = CostOutcome.Succeeded,
        HasUsage = usage is not null,
        InputTokens = usage?.InputTokenCount ?? 0,
        CachedInputTokens = usage?.CachedInputTokenCount ?? 0,
        CacheWriteInputTokens = usage is null ? 0 : CostRecord.CacheWriteTokens(usage),
        OutputTokens = usage?.OutputTokenCount ?? 0,
        ReasoningTokens = usage?.ReasoningTokenCount ?? 0,
        IsCacheHit = cacheHit,
        Cost = cacheHit ? CallCost.Zero : cost ?? CallCost.Zero,
        Saved = cacheHit ? cost?.Total ?? 0m : 0m,
        IsPriced = cacheHit || cost is not null || usage is null,
    };

    private CostRecord FailureRecord(StratumException ex, UsageDetails usage, StratumCallContext? context, ChatOptions? options)
    {
        var model = ModelOf(context);
        var record = NewRecord(context, options, model, ex.ModelId ?? options?.ModelId, ex.ProviderId) with
        {
            Outcome = CostOutcome.Failed,
            ErrorType = ex.GetType().FullName,
            RequestId = ex.RequestId,
        };
        return Priced(record.WithUsage(usage), CallCosts.Price(model, usage), cacheHit: false);
    }

    private CostRecord StreamRecord(StreamState stream, CallScope scope, IEnumerable<ChatMessage> messages, ChatOptions? options, CostOutcome outcome, Exception? error, UsageDetails? billed)
    {
        var context = stream.Context;
        var model = stream.Model ?? ModelOf(context);
        var usage = billed ?? stream.Usage;

        // The cost attached to the usage updates when nothing superseded them; else priced from the catalog.
        var cost = CallCosts.Of(billed is null ? stream.Cost : null, model, usage);
        var record = NewRecord(context, options, model, stream.ModelId ?? (error as StratumException)?.ModelId ?? options?.ModelId, (error as StratumException)?.ProviderId) with
        {
            Outcome = outcome,
            ErrorType = error?.GetType().FullName,
            RequestId = stream.RequestId ?? (error as StratumException)?.RequestId,
        };
        return usage is null && cost is null && !stream.CacheHit
            ? Estimated(record, scope, messages, context, options, model)
            : Priced(record.WithUsage(usage), cost, stream.CacheHit);
    }

    /// <summary>
    /// A record of an attempt that may have been billed but reported no usage, costed at the worst case the budget above
    /// charged for it (<see cref="CallScope.Estimate"/>, when it is for this model), else at the same worst case computed here.
    /// Without a model to price it, the record is unpriced.
    /// </summary>
    private CostRecord Estimated(CostRecord record, CallScope scope, IEnumerable<ChatMessage> messages, StratumCallContext? context, ChatOptions? options, ModelInfo? model)
    {
        model ??= ModelOf(context);
        var estimate = scope.Estimate is { } charged && (model is null || string.Equals(charged.Model.Id, model.Id, StringComparison.Ordinal))
            ? charged
            : model is null ? null : BudgetEstimate.For(model, messages, options, StratumBudgetOptions.DefaultTokensPerAttachment);
        record = record.WithUsage(null) with { IsEstimated = true };
        if (estimate is null)
        {
            return record with { Cost = CallCost.Zero, IsPriced = false };
        }

        return record with
        {
            ProviderId = estimate.Model.Provider.Id,
            ModelId = estimate.Model.Id,
            Cost = estimate.ToCallCost(),
            IsPriced = true,
        };
    }

    /// <summary>What one stream has shown so far, and whether it was recorded; used by one enumeration only.</summary>
    private sealed class StreamState(StratumCallContext? context) : StreamTally
    {
        public StratumCallContext? Context => context;

        public bool Recorded { get; set; }
    }
}

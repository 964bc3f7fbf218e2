using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using Microsoft.Extensions.AI;

namespace StratumAI;

/// <summary>Middleware that records every billed attempt of the calls going through it in a <see cref="CostTracker"/>.</summary>
/// <remarks>
/// <para>What is recorded, exactly once per call:</para>
/// <list type="bullet">
/// <item>A response: its cost from <see cref="ChatResponseStratumExtensions.GetCost"/>, or computed with <see cref="CostCalculator"/>
/// from its usage and the <see cref="ModelInfo"/> of the response or of the inner client (<c>GetService&lt;ModelInfo&gt;()</c>).
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
/// <see cref="StratumChatOptionsExtensions.WithCaller"/>), else the caller is <see cref="DefaultCaller"/>.</para>
/// <para>Ledger: when <see cref="Ledger"/> is set, every record is also appended to it (after the tracker got it) and the append is
/// awaited before the call returns, before a stream reports its end, and before an exception is rethrown, so a billed call is in the
/// ledger by the time the caller sees its outcome. The append is not canceled by the call's token: the provider has billed, so the
/// record must be written. If the append fails, the call throws <see cref="CostLedgerException"/> (never retryable) carrying the
/// record, the response of a successful call and the exception of a failed one; the record stays in the tracker. A disposed
/// stream's append failure surfaces from its <c>DisposeAsync</c>.</para>
/// <para>Thread-safe: one instance serves concurrent calls; per-call state lives in the call. Set the properties before use.</para>
/// </remarks>
public sealed class CostTrackingChatClient : DelegatingChatClient
{
    private readonly CostTracker _tracker;

    /// <summary>Wraps a chat client.</summary>
    /// <param name="innerClient">The client to record calls of.</param>
    /// <param name="tracker">Where records go.</param>
    /// <exception cref="ArgumentNullException"><paramref name="innerClient"/> or <paramref name="tracker"/> is null.</exception>
    public CostTrackingChatClient(IChatClient innerClient, CostTracker tracker)
        : base(innerClient)
    {
        ArgumentNullException.ThrowIfNull(tracker);
        _tracker = tracker;
    }

    /// <summary>Wraps a chat client and appends every record to a ledger too.</summary>
    /// <param name="innerClient">The client to record calls of.</param>
    /// <param name="tracker">Where records go.</param>
    /// <param name="ledger">Where records are appended as well (see <see cref="Ledger"/>).</param>
    /// <exception cref="ArgumentNullException"><paramref name="innerClient"/>, <paramref name="tracker"/> or <paramref name="ledger"/> is null.</exception>
    public CostTrackingChatClient(IChatClient innerClient, CostTracker tracker, ICostLedger ledger)
        : this(innerClient, tracker)
    {
        ArgumentNullException.ThrowIfNull(ledger);
        Ledger = ledger;
    }

    /// <summary>The caller recorded when a call's options name none; null by default.</summary>
    public string? DefaultCaller { get; set; }

    /// <summary>The tracker records go to.</summary>
    public CostTracker Tracker => _tracker;

    /// <summary>
    /// The ledger every record is appended to after the tracker got it, awaited before the call returns; null (the default) for none.
    /// See the remarks of <see cref="CostTrackingChatClient"/> for what happens when an append fails.
    /// </summary>
    public ICostLedger? Ledger { get; set; }

    /// <inheritdoc />
    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var scope = CallScope.Enter();
        var mark = scope.Snapshot();
        ChatResponse response;
        try
        {
            response = await base.GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
        }
        catch (StratumException ex) when (ex.UsageSoFar is not null)
        {
            await RecordAsync(FailureRecord(ex, ex.UsageSoFar, options), response: null, callException: ex).ConfigureAwait(false);
            throw;
        }
        catch (Exception ex) when (ex is not CostLedgerException && scope.MayBeBilled(mark, ex))
        {
            // Sent, and then cancelled, timed out or cut off before any usage: billed for all we know, so recorded as estimated.
            var failed = NewRecord(options, model: null, (ex as StratumException)?.ModelId ?? options?.ModelId, (ex as StratumException)?.ProviderId) with
            {
                Outcome = CostOutcome.Failed,
                ErrorType = ex.GetType().FullName,
                RequestId = (ex as StratumException)?.RequestId,
            };
            await RecordAsync(Estimated(failed, scope, messages, options, model: null), response: null, callException: ex).ConfigureAwait(false);
            throw;
        }

        var model = response.GetModelInfo() ?? InnerModel();
        var usage = response.Usage;
        var cost = response.GetCost() ?? Price(model, usage);
        var record = NewRecord(options, model, response.ModelId ?? options?.ModelId) with
        {
            RequestId = response.GetRequestId(),
            Outcome = CostOutcome.Succeeded,
        };
        record = usage is null && cost is null && !response.IsCacheHit()
            ? Estimated(record, scope, messages, options, model)
            : Priced(record.WithUsage(usage), cost, response.IsCacheHit());
        await RecordAsync(record, response, callException: null).ConfigureAwait(false);
        return response;
    }

    /// <inheritdoc />
    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages,
        ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var scope = CallScope.Enter();
        var mark = scope.Snapshot();
        var stream = new StreamState();
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

    private async ValueTask RecordAsync(CostRecord record, ChatResponse? response, Exception? callException)
    {
        // A Recorded handler that throws must not keep the record out of the ledger: the tracker already has it.
        ExceptionDispatchInfo? handlerError = null;
        try
        {
            _tracker.Record(record);
        }
        catch (Exception ex)
        {
            handlerError = ExceptionDispatchInfo.Capture(ex);
        }

        if (Ledger is { } ledger)
        {
            try
            {
                // Not the call's token: the provider has billed, so a late cancellation must not drop the record.
                await ledger.AppendAsync(record, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                throw new CostLedgerException(record, ex, response, callException);
            }
        }

        handlerError?.Throw();
    }

    private static CallCost? Price(ModelInfo? model, UsageDetails? usage) =>
        model is not null && usage is not null ? CostCalculator.Calculate(model.Pricing, usage) : null;

    private static CostRecord Priced(CostRecord record, CallCost? cost, bool cacheHit)
    {
        if (cacheHit)
        {
            return record with { IsCacheHit = true, Cost = CallCost.Zero, Saved = cost?.Total ?? 0m, IsPriced = true };
        }

        // Usage without a price is recorded as unpriced rather than silently free; no usage at all costs nothing.
        return record with { Cost = cost ?? CallCost.Zero, IsPriced = cost is not null || !record.HasUsage };
    }

    private static string[] ReadTags(ChatOptions? options) => options.GetTags().Where(tag => tag is not null).ToArray();

    private ModelInfo? InnerModel() => InnerClient.GetService(typeof(ModelInfo)) as ModelInfo;

    private CostRecord NewRecord(ChatOptions? options, ModelInfo? model, string? modelId, string? providerId = null)
    {
        var caller = options.GetCaller() ?? DefaultCaller;
        return new CostRecord
        {
            Timestamp = _tracker.TimeProvider.GetUtcNow(),
            ProviderId = model?.Provider.Id ?? providerId,
            ModelId = model?.Id ?? modelId,
            Tags = ReadTags(options),
            Caller = caller,
        };
    }

    private CostRecord FailureRecord(StratumException ex, UsageDetails usage, ChatOptions? options)
    {
        var model = InnerModel();
        var record = NewRecord(options, model, ex.ModelId ?? options?.ModelId, ex.ProviderId) with
        {
            Outcome = CostOutcome.Failed,
            ErrorType = ex.GetType().FullName,
            RequestId = ex.RequestId,
        };
        return Priced(record.WithUsage(usage), Price(model, usage), cacheHit: false);
    }

    private CostRecord StreamRecord(StreamState stream, CallScope scope, IEnumerable<ChatMessage> messages, ChatOptions? options, CostOutcome outcome, Exception? error, UsageDetails? billed)
    {
        var model = stream.Model ?? InnerModel();
        var usage = billed ?? stream.Usage;

        // The cost attached to the usage updates when nothing superseded them; else priced from the catalog.
        var cost = billed is null && stream.Cost is not null ? stream.Cost : Price(model, usage);
        var record = NewRecord(options, model, stream.ModelId ?? (error as StratumException)?.ModelId ?? options?.ModelId, (error as StratumException)?.ProviderId) with
        {
            Outcome = outcome,
            ErrorType = error?.GetType().FullName,
            RequestId = stream.RequestId ?? (error as StratumException)?.RequestId,
        };
        return usage is null && cost is null && !stream.CacheHit
            ? Estimated(record, scope, messages, options, model)
            : Priced(record.WithUsage(usage), cost, stream.CacheHit);
    }

    /// <summary>
    /// A record of an attempt that may have been billed but reported no usage, costed at the worst case the budget above
    /// charged for it (<see cref="CallScope.Estimate"/>, when it is for this model), else at the same worst case computed here.
    /// Without a model to price it, the record is unpriced.
    /// </summary>
    private CostRecord Estimated(CostRecord record, CallScope scope, IEnumerable<ChatMessage> messages, ChatOptions? options, ModelInfo? model)
    {
        model ??= ResolveModel(options);
        var estimate = scope.Estimate is { } charged && (model is null || string.Equals(charged.Model.Id, model.Id, StringComparison.Ordinal))
            ? charged
            : model is null ? null : BudgetEstimate.For(model, messages, options, BudgetChatClient.DefaultTokensPerAttachment);
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

    /// <summary>The catalog model of a call, as the budget finds it: its model id in the catalog below, else the inner client's model.</summary>
    private ModelInfo? ResolveModel(ChatOptions? options) =>
        CallModel.Resolve(InnerClient, CallModel.RegistryFor(InnerClient, configured: null), options?.ModelId) ?? InnerModel();

    /// <summary>What one stream has shown so far, and whether it was recorded; used by one enumeration only.</summary>
    private sealed class StreamState : StreamTally
    {
        public bool Recorded { get; set; }
    }
}

/// <summary>Adds <see cref="CostTrackingChatClient"/> to a <see cref="ChatClientBuilder"/> pipeline.</summary>
public static class CostTrackingChatClientBuilderExtensions
{
    /// <summary>Records the cost of every billed attempt of the pipeline's calls in <paramref name="tracker"/>.</summary>
    /// <param name="builder">The pipeline.</param>
    /// <param name="tracker">Where records go; may be shared by many pipelines.</param>
    /// <param name="configure">Sets options of the middleware, e.g. <see cref="CostTrackingChatClient.DefaultCaller"/>.</param>
    /// <returns><paramref name="builder"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> or <paramref name="tracker"/> is null.</exception>
    /// <remarks>Place it outside retry and fallback middleware to record one entry per call, inside them to record every attempt.</remarks>
    public static ChatClientBuilder UseCostTracking(this ChatClientBuilder builder, CostTracker tracker, Action<CostTrackingChatClient>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(tracker);
        return builder.Use(inner =>
        {
            var client = new CostTrackingChatClient(inner, tracker);
            configure?.Invoke(client);
            return client;
        });
    }

    /// <summary>
    /// Records the cost of every billed attempt of the pipeline's calls in <paramref name="tracker"/> and appends each record to
    /// <paramref name="ledger"/>, awaited before the call returns (see <see cref="CostTrackingChatClient.Ledger"/>).
    /// </summary>
    /// <param name="builder">The pipeline.</param>
    /// <param name="tracker">Where records go; may be shared by many pipelines.</param>
    /// <param name="ledger">Where records are appended as well; may be shared by many pipelines.</param>
    /// <param name="configure">Sets options of the middleware, e.g. <see cref="CostTrackingChatClient.DefaultCaller"/>.</param>
    /// <returns><paramref name="builder"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/>, <paramref name="tracker"/> or <paramref name="ledger"/> is null.</exception>
    /// <remarks>
    /// Place it outside retry and fallback middleware to record one entry per call, inside them to record every attempt.
    /// A failed append throws <see cref="CostLedgerException"/>, which is not retryable, so retries never repeat a billed call because of it.
    /// </remarks>
    public static ChatClientBuilder UseCostTracking(this ChatClientBuilder builder, CostTracker tracker, ICostLedger ledger, Action<CostTrackingChatClient>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(tracker);
        ArgumentNullException.ThrowIfNull(ledger);
        return builder.Use(inner =>
        {
            var client = new CostTrackingChatClient(inner, tracker, ledger);
            configure?.Invoke(client);
            return client;
        });
    }
}

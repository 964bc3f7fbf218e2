using Microsoft.Extensions.AI;

namespace StratumAI;

/// <summary>
/// Middleware that records every billed embedding call going through it in a <see cref="CostTracker"/> (and its ledger), as
/// <see cref="CostTrackingChatClient"/> does for chat: the same records, totals, groupings, ledger and
/// <see cref="CostLedgerException"/>.
/// </summary>
/// <remarks>
/// <para>What is recorded, exactly once per call:</para>
/// <list type="bullet">
/// <item>A result with usage: its exact cost (<see cref="GeneratedEmbeddingsStratumExtensions.GetCost"/>, else the usage at the
/// catalog price of the generator's model). A cache hit (<see cref="StratumUsageKeys.CacheHit"/>) records $0 and what it saved;
/// a call of which only some inputs were cached records what the others billed and, as saved, what the cached ones would have
/// cost (<see cref="StratumUsageKeys.CacheSaved"/>).</item>
/// <item>A result without usage (Gemini's older embedding models report none): <see cref="CostRecord.IsEstimated"/>, costed at
/// the worst case — every input counted on the high side (one token per two UTF-8 bytes) at the input price — or, under a
/// budget, the amount the budget charged; never a silent $0.</item>
/// <item>A failure whose <see cref="StratumException.UsageSoFar"/> is set (inputs sent in several requests, a later one failed):
/// what the earlier requests billed. A failure without usage after a request was sent (cancelled, timed out): estimated as
/// above. A failure before sending, an HTTP error status and a connection never established are not recorded.</item>
/// </list>
/// <para>Tags and caller come from <see cref="StratumEmbeddingOptionsExtensions.WithTags"/> and
/// <see cref="StratumEmbeddingOptionsExtensions.WithCaller"/>, else <see cref="StratumCostTrackingOptions.DefaultCaller"/>.
/// The model is the generator's below (<c>GetService&lt;ModelInfo&gt;()</c>).</para>
/// <para>Thread-safe: one instance serves concurrent calls.</para>
/// </remarks>
public sealed class CostTrackingEmbeddingGenerator : DelegatingEmbeddingGenerator<string, Embedding<float>>
{
    private readonly CostTracker _tracker;
    private readonly StratumCostTrackingOptions _options;

    /// <summary>Wraps an embedding generator.</summary>
    /// <param name="innerGenerator">The generator to record calls of, usually <c>StratumClient.GetEmbeddingGenerator(model)</c>.</param>
    /// <param name="tracker">Where records go.</param>
    /// <param name="options">Settings (a ledger, the default caller), or null for the defaults. The instance is kept.</param>
    /// <exception cref="ArgumentNullException"><paramref name="innerGenerator"/> or <paramref name="tracker"/> is null.</exception>
    public CostTrackingEmbeddingGenerator(IEmbeddingGenerator<string, Embedding<float>> innerGenerator, CostTracker tracker, StratumCostTrackingOptions? options = null)
        : base(innerGenerator)
    {
        ArgumentNullException.ThrowIfNull(tracker);
        _tracker = tracker;
        _options = options ?? new StratumCostTrackingOptions();
    }

    /// <summary>The tracker records go to.</summary>
    public CostTracker Tracker => _tracker;

    /// <inheritdoc />
    /// <exception cref="CostLedgerException">The ledger refused the record of a billed call; the exception carries it.</exception>
    public override async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(
        IEnumerable<string> values,
        EmbeddingGenerationOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(values);
        var inputs = EmbeddingEstimate.List(values);
        var model = EmbeddingEstimate.ModelOf(InnerGenerator);
        var scope = CallScope.Enter();
        var mark = scope.Snapshot();
        GeneratedEmbeddings<Embedding<float>> result;
        try
        {
            result = await base.GenerateAsync(inputs, options, cancellationToken).ConfigureAwait(false);
        }
        catch (StratumException ex) when (ex.UsageSoFar is { } billed)
        {
            var record = NewRecord(model, options, ex.ModelId) with { Outcome = CostOutcome.Failed, ErrorType = ex.GetType().FullName, RequestId = ex.RequestId };
            var cost = CallCosts.Price(model, billed);
            await CostRecording.RecordAsync(_tracker, _options.Ledger, record.WithUsage(billed) with { Cost = cost ?? CallCost.Zero, IsPriced = cost is not null }, null, ex).ConfigureAwait(false);
            throw;
        }
        catch (Exception ex) when (ex is not CostLedgerException && scope.MayBeBilled(mark, ex))
        {
            var record = NewRecord(model, options, (ex as StratumException)?.ModelId) with { Outcome = CostOutcome.Failed, ErrorType = ex.GetType().FullName, RequestId = (ex as StratumException)?.RequestId };
            await CostRecording.RecordAsync(_tracker, _options.Ledger, Estimated(record, scope, model, inputs), null, ex).ConfigureAwait(false);
            throw;
        }

        var served = result.GetModelInfo() ?? model;
        var usage = result.Usage;
        var cacheHit = result.IsCacheHit();
        var callCost = result.GetCost() ?? CallCosts.Price(served, usage);
        var succeeded = NewRecord(served, options, null) with { Outcome = CostOutcome.Succeeded, RequestId = result.GetRequestId() };
        var final = cacheHit
            ? succeeded.WithUsage(usage) with { IsCacheHit = true, Cost = CallCost.Zero, Saved = callCost?.Total ?? 0m }
            : usage is null && callCost is null
                ? Estimated(succeeded, scope, served, inputs)
                : succeeded.WithUsage(usage) with { Cost = callCost ?? CallCost.Zero, IsPriced = callCost is not null, Saved = result.GetCacheSaved() };
        await CostRecording.RecordAsync(_tracker, _options.Ledger, final, null, null).ConfigureAwait(false);
        return result;
    }

    private CostRecord NewRecord(ModelInfo? model, EmbeddingGenerationOptions? options, string? modelId) => new()
    {
        Timestamp = _tracker.TimeProvider.GetUtcNow(),
        ProviderId = model?.Provider.Id,
        ModelId = model?.Id ?? modelId ?? options?.ModelId,
        Tags = options.GetTags(),
        Caller = options.GetCaller() ?? _options.DefaultCaller,
    };

    /// <summary>The worst case the budget above charged (when it is for this model), else computed here; unpriced without a model.</summary>
    private static CostRecord Estimated(CostRecord record, CallScope scope, ModelInfo? model, IReadOnlyList<string> inputs)
    {
        var estimate = scope.Estimate is { } charged && (model is null || string.Equals(charged.Model.Id, model.Id, StringComparison.Ordinal))
            ? charged
            : model is null ? null : EmbeddingEstimate.For(model, inputs);
        record = record.WithUsage(null) with { IsEstimated = true };
        return estimate is null
            ? record with { Cost = CallCost.Zero, IsPriced = false }
            : record with { ProviderId = estimate.Model.Provider.Id, ModelId = estimate.Model.Id, Cost = estimate.ToCallCost(), IsPriced = true };
    }
}

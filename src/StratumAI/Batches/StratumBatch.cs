using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using StratumAI.Batches;
using StratumAI.Dialects;

namespace StratumAI;

/// <summary>
/// A batch submitted to a provider's batch API (OpenAI Batch, Anthropic Message Batches) with
/// <see cref="StratumClient.SubmitBatchAsync(ModelInfo, IEnumerable{BatchRequest}, StratumBatchOptions?, CancellationToken)"/>:
/// wait for it, cancel it, and read its results back as <see cref="ChatResponse"/>s costed at the model's batch prices.
/// </summary>
/// <remarks>
/// <para>Money: the batch's worst case was reserved in <see cref="StratumBatchOptions.Budget"/> before anything was sent.
/// Reading the results records one <see cref="CostRecord"/> per billed result (tagged <see cref="CostTag"/>) in the tracker
/// and the ledger; when the results have been read to their end, the reservation is settled to their sum and what was not
/// spent is released. A batch that ends without any results (failed validation, cancelled or expired before anything ran)
/// releases it as soon as <see cref="WaitAsync"/> or <see cref="RefreshAsync"/> sees that.</para>
/// <para>Each result is charged once per handle, however often the results are read. Thread-safe.</para>
/// </remarks>
public sealed class StratumBatch
{
    /// <summary>The tag every record and reservation of a batch carries, so reports and budgets can tell batch spend apart.</summary>
    public const string CostTag = "stratum.batch";

    private readonly object _gate = new();
    private readonly BatchProtocol _protocol;
    private readonly DialectHost _dialect;
    private readonly IReadOnlyDictionary<string, int>? _inputCounts;
    private readonly StratumBatchOptions _options;
    private readonly ModelRegistry _models;
    private readonly IReadOnlyList<string> _tags;
    private readonly HashSet<string> _charged = new(StringComparer.Ordinal);
    private BudgetReservation? _reservation;
    private BatchState? _state;
    private decimal _spent;
    private bool _settled;

    internal StratumBatch(ModelInfo model, ModelRegistry models, BatchProtocol protocol, DialectHost dialect, StratumBatchOptions options, BatchState? state, BudgetReservation? reservation, IReadOnlyList<string> tags, IReadOnlyDictionary<string, int>? inputCounts = null)
    {
        Model = model;
        _models = models;
        _protocol = protocol;
        _dialect = dialect;
        _options = options;
        _state = state;
        _reservation = reservation;
        _tags = tags;
        _inputCounts = inputCounts;
        Id = state?.Id ?? string.Empty;
    }

    /// <summary>The provider's batch id (<c>batch_…</c>, <c>msgbatch_…</c>): keep it to read the results from another process
    /// (<see cref="StratumClient.GetBatch(ModelInfo, string, StratumBatchOptions?)"/>).</summary>
    public string Id { get; private init; }

    /// <summary>The catalog model every request of the batch was sent to.</summary>
    public ModelInfo Model { get; }

    /// <summary>
    /// The provider's own word for where the batch stands, as last read (OpenAI <c>validating</c>, <c>in_progress</c>,
    /// <c>finalizing</c>, <c>completed</c>, <c>failed</c>, <c>expired</c>, <c>cancelling</c>, <c>cancelled</c>; Anthropic
    /// <c>in_progress</c>, <c>canceling</c>, <c>ended</c>), or null when this handle has not read it yet.
    /// </summary>
    public string? Status => Volatile.Read(ref _state)?.Status;

    /// <summary>True once the provider will process nothing more: the results can be read.</summary>
    public bool IsEnded => Volatile.Read(ref _state)?.IsEnded == true;

    /// <summary>The worst case reserved in the budget for the whole batch, in USD (0 without a budget, or once settled).</summary>
    public decimal Reserved
    {
        get
        {
            lock (_gate)
            {
                return _reservation is { IsCompleted: false } open ? open.Amount : 0m;
            }
        }
    }

    /// <summary>What the results read so far cost at the model's batch prices, in USD.</summary>
    public decimal Spent
    {
        get
        {
            lock (_gate)
            {
                return _spent;
            }
        }
    }

    internal static StratumBatch Resumed(ModelInfo model, ModelRegistry models, BatchProtocol protocol, DialectHost dialect, StratumBatchOptions options, string id, IReadOnlyList<string> tags) =>
        new(model, models, protocol, dialect, options, null, null, tags) { Id = id };

    /// <summary>Reads where the batch stands (one request).</summary>
    /// <param name="cancellationToken">Cancels the request (not the batch).</param>
    /// <returns>A task that completes when <see cref="Status"/> is current.</returns>
    /// <exception cref="StratumException">The provider answered with an error.</exception>
    public async Task RefreshAsync(CancellationToken cancellationToken = default)
    {
        await UpdateAsync(await _protocol.GetAsync(Id, cancellationToken).ConfigureAwait(false)).ConfigureAwait(false);
    }

    /// <summary>
    /// Polls the batch every <see cref="StratumBatchOptions.PollInterval"/> (on <see cref="StratumBatchOptions.TimeProvider"/>)
    /// until it has ended. Cancelling stops waiting only: the batch keeps running at the provider (see <see cref="CancelAsync"/>).
    /// </summary>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>A task that completes when <see cref="IsEnded"/> is true.</returns>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <exception cref="StratumException">A poll was answered with an error.</exception>
    public async Task WaitAsync(CancellationToken cancellationToken = default)
    {
        if (Volatile.Read(ref _state) is null)
        {
            await RefreshAsync(cancellationToken).ConfigureAwait(false);
        }

        while (!IsEnded)
        {
            await Task.Delay(_options.PollInterval, _options.TimeProvider, cancellationToken).ConfigureAwait(false);
            await RefreshAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Asks the provider to cancel the batch. Requests already answered stay billed: wait for the batch to end and read the
    /// results to settle the budget (a batch cancelled before anything ran releases its reservation when it ends).
    /// </summary>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>A task that completes when the provider has accepted the cancellation (<see cref="Status"/> is then <c>cancelling</c> or <c>canceling</c>).</returns>
    /// <exception cref="StratumException">The provider answered with an error.</exception>
    public async Task CancelAsync(CancellationToken cancellationToken = default)
    {
        await UpdateAsync(await _protocol.CancelAsync(Id, cancellationToken).ConfigureAwait(false)).ConfigureAwait(false);
    }

    /// <summary>
    /// Reads the results, in the provider's order (match them on <see cref="BatchResult.CustomId"/>), streaming the results file.
    /// Each answer is read by the model's dialect, costed at its batch prices and recorded; a failed request is a result
    /// with <see cref="BatchResult.Error"/>, not an exception. Reading to the end settles the budget reservation.
    /// </summary>
    /// <param name="cancellationToken">Cancels reading.</param>
    /// <returns>The results.</returns>
    /// <exception cref="InvalidOperationException">The batch has not ended (as last read): call <see cref="WaitAsync"/> first.</exception>
    /// <exception cref="StratumException">The provider answered the download with an error, or a line cannot be read.</exception>
    /// <exception cref="CostLedgerException">A record could not be appended to the ledger (it is in the tracker; append it again later).</exception>
    public async IAsyncEnumerable<BatchResult> GetResultsAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var state = Volatile.Read(ref _state);
        if (state is { IsEnded: false })
        {
            throw new InvalidOperationException($"Batch '{Id}' has not ended (status '{state.Status}'): await WaitAsync before reading its results.");
        }

        await foreach (var line in _protocol.ReadResultsAsync(Id, state, cancellationToken).ConfigureAwait(false))
        {
            yield return await ToResultAsync(line, cancellationToken).ConfigureAwait(false);
        }

        await SettleAsync().ConfigureAwait(false);
    }

    /// <inheritdoc />
    public override string ToString() => $"StratumBatch({Id}, {Model.Id}, {Status ?? "not read"})";

    private async ValueTask UpdateAsync(BatchState state)
    {
        Volatile.Write(ref _state, state);
        if (state.IsEnded && !state.HasResults)
        {
            await SettleAsync().ConfigureAwait(false);
        }
    }

    private async ValueTask<BatchResult> ToResultAsync(BatchLine line, CancellationToken cancellationToken)
    {
        switch (line.Status)
        {
            case BatchResultStatus.Succeeded when _dialect is DialectEmbeddingGenerator embedder:
                int? expected = _inputCounts is not null && _inputCounts.TryGetValue(line.CustomId, out var count) ? count : null;
                var embeddings = await embedder.ReadBatchItemAsync(line.Body!, expected, line.RequestId, cancellationToken).ConfigureAwait(false);
                (embeddings.AdditionalProperties ??= [])[StratumUsageKeys.ModelInfo] = Model;
                var embeddingCost = Price(embeddings.Usage, Model);
                if (embeddingCost is not null)
                {
                    embeddings.AdditionalProperties[StratumUsageKeys.Cost] = embeddingCost;
                }

                await ChargeAsync(line, embeddings.Usage, Model.Id, null, embeddingCost, null).ConfigureAwait(false);
                return new BatchResult(line.CustomId, BatchResultStatus.Succeeded, null, null, embeddingCost) { Embeddings = embeddings };
            case BatchResultStatus.Succeeded:
                var chat = (DialectChatClient)_dialect;
                var response = await chat.ReadBatchItemAsync(line.Body!, Model.Id, line.RequestId, cancellationToken).ConfigureAwait(false);
                var cost = Price(response);
                await ChargeAsync(line, response.Usage, response.GetModelInfo()?.Id ?? Model.Id, response.ResponseId, cost, response).ConfigureAwait(false);
                return new BatchResult(line.CustomId, BatchResultStatus.Succeeded, response, null, cost);
            case BatchResultStatus.Errored:
                var error = _dialect is DialectChatClient client
                    ? client.MapBatchItemError(line.ErrorStatus, line.ErrorBody ?? "{}", Model.Id)
                    : ((DialectEmbeddingGenerator)_dialect).MapBatchItemError(line.ErrorStatus, line.ErrorBody ?? "{}");
                return new BatchResult(line.CustomId, BatchResultStatus.Errored, null, error, null);
            default:
                return new BatchResult(line.CustomId, line.Status, null, null, null);
        }
    }

    // The answer's usage marked as served by the batch API, so it is billed at the batch prices whatever service_tier the
    // item reports (OpenAI's say "default"); the cost and the model go on the response as a single call's do. The model is
    // the one that answered when the catalog knows it under the same provider (a dated id is an alias; an Anthropic batch
    // may mix models), else the batch's.
    private CallCost? Price(ChatResponse response)
    {
        var served = response.ModelId is { } answered && _models.TryGet(answered, out var known) && known.Provider.Id == Model.Provider.Id ? known : Model;
        (response.AdditionalProperties ??= [])[StratumUsageKeys.ModelInfo] = served;
        var cost = Price(response.Usage, served);
        if (cost is not null)
        {
            response.AdditionalProperties[StratumUsageKeys.Cost] = cost;
        }

        return cost;
    }

    private static CallCost? Price(UsageDetails? usage, ModelInfo served)
    {
        if (usage is null)
        {
            return null;
        }

        var counts = usage.AdditionalCounts ??= [];
        counts.Remove(StratumUsageKeys.FlexServiceTier);
        counts.Remove(StratumUsageKeys.PriorityServiceTier);
        counts[StratumUsageKeys.BatchServiceTier] = 1;
        return CostCalculator.Calculate(served.Pricing, usage);
    }

    private async ValueTask ChargeAsync(BatchLine line, UsageDetails? usage, string modelId, string? responseId, CallCost? cost, ChatResponse? response)
    {
        lock (_gate)
        {
            if (!_charged.Add(line.CustomId))
            {
                return;
            }

            _spent += cost?.Total ?? 0m;
        }

        if (_options.CostTracker is null && _options.Ledger is null)
        {
            return;
        }

        var record = new CostRecord
        {
            Timestamp = _options.TimeProvider.GetUtcNow(),
            ProviderId = Model.Provider.Id,
            ModelId = modelId,
            Tags = _tags,
            Caller = _options.Caller,
            Cost = cost ?? CallCost.Zero,
            IsPriced = cost is not null,
            Outcome = CostOutcome.Succeeded,
            RequestId = line.RequestId ?? responseId,
        }.WithUsage(usage);
        _options.CostTracker?.Record(record);
        if (_options.Ledger is { } ledger)
        {
            try
            {
                // Not the caller's token: the provider has billed, a late cancel must not drop the record.
                await ledger.AppendAsync(record, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                throw new CostLedgerException(record, ex, response);
            }
        }
    }

    private async ValueTask SettleAsync()
    {
        BudgetReservation? reservation;
        decimal spent;
        lock (_gate)
        {
            if (_settled)
            {
                return;
            }

            _settled = true;
            reservation = _reservation;
            _reservation = null;
            spent = _spent;
        }

        if (reservation is not null)
        {
            await reservation.SettleAsync(spent).ConfigureAwait(false);
        }
        else if (_options.Budget is { } budget && spent > 0m)
        {
            // A batch resumed by id has no reservation of this process: its spend is charged when its results are read.
            await budget.ChargeAsync(spent, _tags, _options.Caller).ConfigureAwait(false);
        }
    }
}

using System.Buffers;
using StratumAI.Batches;
using StratumAI.Dialects;

namespace StratumAI;

/// <content>The batch APIs: <see cref="SubmitBatchAsync(ModelInfo, IEnumerable{BatchRequest}, StratumBatchOptions?, CancellationToken)"/> and <see cref="GetBatch(ModelInfo, string, StratumBatchOptions?)"/>.</content>
public sealed partial class StratumClient
{
    private static readonly SearchValues<char> CustomIdCharacters = SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-");

    /// <summary>
    /// Submits requests to <paramref name="model"/> through its provider's batch API (OpenAI's Batch API for the <c>openai</c>
    /// and <c>openai-responses</c> dialects, Anthropic's Message Batches for <c>anthropic</c>), at the model's batch prices.
    /// </summary>
    /// <remarks>
    /// Each request's body is built by the model's dialect exactly as a single call's, after the same request checks. With
    /// <see cref="StratumBatchOptions.Budget"/>, the batch's worst case (every request's, at the batch prices) is reserved
    /// before anything is sent, and a refused batch sends nothing. <see cref="StratumClientOptions.Pipeline"/> is not used: a
    /// batch is not a chat call, and its money is accounted by the batch itself (<see cref="StratumBatch"/>).
    /// </remarks>
    /// <param name="model">The catalog model every request goes to.</param>
    /// <param name="requests">The requests, at least one, with unique custom ids.</param>
    /// <param name="options">Polling, budget, tracker, ledger, tags and caller; null for the defaults (no accounting).</param>
    /// <param name="cancellationToken">Cancels the submission.</param>
    /// <returns>The submitted batch.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="model"/> or <paramref name="requests"/> is null, or holds null.</exception>
    /// <exception cref="ArgumentException">No request, a custom id repeated or not of 1–64 letters, digits, <c>_</c> and <c>-</c>, or a negative poll interval.</exception>
    /// <exception cref="NotSupportedException">The model's dialect has no batch API here, or its provider is served by a client of the application's.</exception>
    /// <exception cref="StratumInvalidRequestException">A request is certainly invalid for the model; nothing was sent.</exception>
    /// <exception cref="BudgetExceededException">The batch's worst case does not fit the budget; nothing was sent.</exception>
    /// <exception cref="StratumException">The provider refused the upload or the batch.</exception>
    public async Task<StratumBatch> SubmitBatchAsync(ModelInfo model, IEnumerable<BatchRequest> requests, StratumBatchOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(requests);
        options ??= new StratumBatchOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(options.PollInterval, TimeSpan.Zero, nameof(options));
        var list = requests.ToList();
        if (list.Count == 0)
        {
            throw new ArgumentException("A batch needs at least one request.", nameof(requests));
        }

        var (dialect, protocol) = BatchParts(model);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var items = new List<(string, Uri, byte[])>(list.Count);
        var worstCase = 0m;
        var priced = BatchPriced(model);
        foreach (var request in list)
        {
            ArgumentNullException.ThrowIfNull(request, nameof(requests));
            var id = request.CustomId;
            ValidateCustomId(id, seen, nameof(requests));

            var requestOptions = request.Options?.Clone();
            if (requestOptions is not null)
            {
                requestOptions.ModelId = null;
            }

            RequestValidator.Validate(model, request.Messages, requestOptions);
            worstCase += BudgetEstimate.For(priced, request.Messages, requestOptions, options.TokensPerAttachment, cancellationToken).Cost;
            var (endpoint, body) = dialect.CreateBatchItem(request.Messages, requestOptions);
            items.Add((id, endpoint, body));
        }

        var tags = BatchTags(options);
        var reservation = options.Budget is { } budget ? await budget.ReserveAsync(worstCase, tags, options.Caller, cancellationToken).ConfigureAwait(false) : null;
        try
        {
            var state = await protocol.SubmitAsync(items, options.Metadata, cancellationToken).ConfigureAwait(false);
            return new StratumBatch(model, Models, protocol, dialect, options, state, reservation, tags);
        }
        catch
        {
            // Not submitted (refused, or failed before the provider answered): nothing runs, nothing is billed.
            if (reservation is not null)
            {
                await reservation.ReleaseAsync().ConfigureAwait(false);
            }

            throw;
        }
    }

    /// <summary>Submits requests to the catalog model with this id or alias through its provider's batch API; see <see cref="SubmitBatchAsync(ModelInfo, IEnumerable{BatchRequest}, StratumBatchOptions?, CancellationToken)"/>.</summary>
    /// <param name="modelIdOrAlias">The model id or alias, e.g. <c>gpt-4o-mini</c>.</param>
    /// <param name="requests">The requests, at least one, with unique custom ids.</param>
    /// <param name="options">Polling, budget, tracker, ledger, tags and caller; null for the defaults.</param>
    /// <param name="cancellationToken">Cancels the submission.</param>
    /// <returns>The submitted batch.</returns>
    /// <exception cref="StratumModelNotFoundException">No catalog model has that id or alias.</exception>
    public Task<StratumBatch> SubmitBatchAsync(string modelIdOrAlias, IEnumerable<BatchRequest> requests, StratumBatchOptions? options = null, CancellationToken cancellationToken = default) =>
        SubmitBatchAsync(ResolveModel(modelIdOrAlias), requests, options, cancellationToken);

    /// <summary>
    /// A handle on a batch submitted earlier (by this or another process), from its id: wait for it, cancel it or read its
    /// results. Nothing is sent until one of those is called. It holds no budget reservation: with
    /// <see cref="StratumBatchOptions.Budget"/>, the results' cost is charged to the budget when they have been read.
    /// </summary>
    /// <param name="model">The catalog model the batch's requests went to (it prices the results).</param>
    /// <param name="batchId">The provider's batch id (<see cref="StratumBatch.Id"/>).</param>
    /// <param name="options">Polling and accounting; null for the defaults.</param>
    /// <returns>The handle.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="model"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="batchId"/> is null or empty.</exception>
    /// <exception cref="NotSupportedException">The model's dialect has no batch API here.</exception>
    public StratumBatch GetBatch(ModelInfo model, string batchId, StratumBatchOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrEmpty(batchId);
        options ??= new StratumBatchOptions();
        var (dialect, protocol) = BatchParts(model);
        return StratumBatch.Resumed(model, Models, protocol, dialect, options, batchId, BatchTags(options));
    }

    private static void ValidateCustomId(string id, HashSet<string> seen, string parameterName)
    {
        if (string.IsNullOrEmpty(id) || id.Length > 64 || id.AsSpan().ContainsAnyExcept(CustomIdCharacters))
        {
            throw new ArgumentException($"The custom id '{id}' is not 1 to 64 letters, digits, '_' and '-', which the batch APIs require.", parameterName);
        }

        if (!seen.Add(id))
        {
            throw new ArgumentException($"The custom id '{id}' is used by two requests; each result is matched to its request by it.", parameterName);
        }
    }

    private (DialectChatClient Dialect, BatchProtocol Protocol) BatchParts(ModelInfo model)
    {
        var dialect = GetDirectChatClient(model).GetService(typeof(DialectChatClient)) as DialectChatClient
            ?? throw new NotSupportedException($"Model '{model.Id}' is served by a client of the application's (provider '{model.Provider.Id}'), which StratumAI cannot send batches through.");
        return (dialect, BatchProtocol.For(model, dialect));
    }

    private static IReadOnlyList<string> BatchTags(StratumBatchOptions options) =>
        options.Tags.Contains(StratumBatch.CostTag, StringComparer.Ordinal) ? [.. options.Tags] : [.. options.Tags, StratumBatch.CostTag];

    /// <summary>The model as its batch results are billed: the batch prices in place of the standard ones (the worst case a batch reserves).</summary>
    private static ModelInfo BatchPriced(ModelInfo model)
    {
        var pricing = model.Pricing;
        if (pricing.Batch is not { } batch)
        {
            return model;
        }

        var batchPricing = new ModelPricing(
            batch.InputPerMillion ?? pricing.InputPerMillion,
            batch.OutputPerMillion ?? pricing.OutputPerMillion,
            batch.CachedInputPerMillion ?? pricing.CachedInputPerMillion,
            batch.CacheWritePerMillion ?? pricing.CacheWritePerMillion,
            batch.OutputPerMillion is null ? pricing.ReasoningPerMillion : null,
            pricing.Tiers,
            pricing.CacheWrite1hPerMillion,
            batch.AudioInputPerMillion ?? pricing.AudioInputPerMillion,
            pricing.AudioOutputPerMillion);
        return new ModelInfo(model.Id, model.Name, model.Provider, model.Dialect, model.ContextWindow, model.MaxOutputTokens, batchPricing, model.Capabilities, model.Quality, model.Aliases, model.DeprecatedOn, model.ReplacementId);
    }
}

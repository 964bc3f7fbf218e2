using Microsoft.Extensions.AI;
using StratumAI.Batches;
using StratumAI.Dialects;

namespace StratumAI;

/// <content>Embedding batches: <see cref="SubmitEmbeddingBatchAsync(ModelInfo, IEnumerable{EmbeddingBatchRequest}, StratumBatchOptions?, CancellationToken)"/> and <see cref="GetEmbeddingBatch(ModelInfo, string, StratumBatchOptions?)"/>.</content>
public sealed partial class StratumClient
{
    /// <summary>
    /// Submits embedding requests to <paramref name="model"/> through OpenAI's Batch API (<c>/v1/embeddings</c> lines), at the
    /// model's batch price: half the price of single calls for OpenAI's embedding models. Results come back as
    /// <see cref="BatchResult.Embeddings"/>, each costed and recorded as a chat batch's results are.
    /// </summary>
    /// <remarks>
    /// Each request's body is the one a single call of its inputs would send. With <see cref="StratumBatchOptions.Budget"/>, the
    /// batch's worst case (every input counted on the high side at the batch price) is reserved before anything is sent.
    /// <see cref="StratumClientOptions.EmbeddingPipeline"/> is not used: the batch accounts for its own money.
    /// </remarks>
    /// <param name="model">The catalog embedding model every request goes to.</param>
    /// <param name="requests">The requests, at least one, with unique custom ids.</param>
    /// <param name="options">Polling, budget, tracker, ledger, tags and caller; null for the defaults (no accounting).</param>
    /// <param name="cancellationToken">Cancels the submission.</param>
    /// <returns>The submitted batch.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="model"/> or <paramref name="requests"/> is null, or holds null.</exception>
    /// <exception cref="ArgumentException">The model is not an embedding model; no request; a custom id repeated or not of 1–64
    /// letters, digits, <c>_</c> and <c>-</c>; a request without inputs, with a null input or with more than one request of the API takes.</exception>
    /// <exception cref="NotSupportedException">The model's dialect has no embedding batch API here.</exception>
    /// <exception cref="BudgetExceededException">The batch's worst case does not fit the budget; nothing was sent.</exception>
    /// <exception cref="StratumException">The provider refused the upload or the batch.</exception>
    public async Task<StratumBatch> SubmitEmbeddingBatchAsync(ModelInfo model, IEnumerable<EmbeddingBatchRequest> requests, StratumBatchOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(requests);
        options ??= new StratumBatchOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(options.PollInterval, TimeSpan.Zero, nameof(options));
        var (generator, protocol) = EmbeddingBatchParts(model);
        var list = requests.ToList();
        if (list.Count == 0)
        {
            throw new ArgumentException("A batch needs at least one request.", nameof(requests));
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        var items = new List<(string, Uri, byte[])>(list.Count);
        var worstCase = 0m;
        var priced = BatchPriced(model);
        foreach (var request in list)
        {
            ArgumentNullException.ThrowIfNull(request, nameof(requests));
            ValidateCustomId(request.CustomId, seen, nameof(requests));
            var inputs = request.Inputs ?? throw new ArgumentNullException(nameof(requests), $"Request '{request.CustomId}' has no inputs.");
            if (inputs.Count == 0 || inputs.Count > OpenAIEmbeddingGenerator.MaxInputs || inputs.Any(input => input is null))
            {
                throw new ArgumentException(
                    $"Request '{request.CustomId}' has {inputs.Count} inputs{(inputs.Any(input => input is null) ? ", one of them null" : string.Empty)}: a batch request embeds 1 to {OpenAIEmbeddingGenerator.MaxInputs} texts, one request's worth.",
                    nameof(requests));
            }

            var estimate = EmbeddingEstimate.For(priced, inputs, cancellationToken);
            if (estimate.InputTokens > OpenAIEmbeddingGenerator.MaxTokens)
            {
                throw new ArgumentException($"Request '{request.CustomId}' may hold up to {estimate.InputTokens:N0} tokens, over the {OpenAIEmbeddingGenerator.MaxTokens:N0} one request takes: split it.", nameof(requests));
            }

            worstCase += estimate.Cost;
            counts[request.CustomId] = inputs.Count;
            var requestOptions = request.Options?.Clone();
            if (requestOptions is not null)
            {
                requestOptions.ModelId = null;
            }

            var (endpoint, body) = generator.CreateBatchItem(inputs, requestOptions);
            items.Add((request.CustomId, endpoint, body));
        }

        var tags = BatchTags(options);
        var reservation = options.Budget is { } budget ? await budget.ReserveAsync(worstCase, tags, options.Caller, cancellationToken).ConfigureAwait(false) : null;
        try
        {
            var state = await protocol.SubmitAsync(items, options.Metadata, cancellationToken).ConfigureAwait(false);
            return new StratumBatch(model, Models, protocol, generator, options, state, reservation, tags, counts);
        }
        catch
        {
            if (reservation is not null)
            {
                await reservation.ReleaseAsync().ConfigureAwait(false);
            }

            throw;
        }
    }

    /// <summary>Submits embedding requests to the catalog model with this id or alias; see <see cref="SubmitEmbeddingBatchAsync(ModelInfo, IEnumerable{EmbeddingBatchRequest}, StratumBatchOptions?, CancellationToken)"/>.</summary>
    /// <param name="modelIdOrAlias">The model id or alias, e.g. <c>text-embedding-3-small</c>.</param>
    /// <param name="requests">The requests, at least one, with unique custom ids.</param>
    /// <param name="options">Polling, budget, tracker, ledger, tags and caller; null for the defaults.</param>
    /// <param name="cancellationToken">Cancels the submission.</param>
    /// <returns>The submitted batch.</returns>
    /// <exception cref="StratumModelNotFoundException">No catalog model has that id or alias.</exception>
    public Task<StratumBatch> SubmitEmbeddingBatchAsync(string modelIdOrAlias, IEnumerable<EmbeddingBatchRequest> requests, StratumBatchOptions? options = null, CancellationToken cancellationToken = default) =>
        SubmitEmbeddingBatchAsync(ResolveModel(modelIdOrAlias), requests, options, cancellationToken);

    /// <summary>
    /// A handle on an embedding batch submitted earlier, from its id; see <see cref="GetBatch(ModelInfo, string, StratumBatchOptions?)"/>.
    /// Its results' vectors are not counted against their requests, which this handle never saw.
    /// </summary>
    /// <param name="model">The catalog embedding model the batch's requests went to (it prices the results).</param>
    /// <param name="batchId">The provider's batch id (<see cref="StratumBatch.Id"/>).</param>
    /// <param name="options">Polling and accounting; null for the defaults.</param>
    /// <returns>The handle.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="model"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="batchId"/> is null or empty, or the model is not an embedding model.</exception>
    /// <exception cref="NotSupportedException">The model's dialect has no embedding batch API here.</exception>
    public StratumBatch GetEmbeddingBatch(ModelInfo model, string batchId, StratumBatchOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrEmpty(batchId);
        options ??= new StratumBatchOptions();
        var (generator, protocol) = EmbeddingBatchParts(model);
        return StratumBatch.Resumed(model, Models, protocol, generator, options, batchId, BatchTags(options));
    }

    private (DialectEmbeddingGenerator Generator, BatchProtocol Protocol) EmbeddingBatchParts(ModelInfo model)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!model.Supports(ModelCapabilities.Embeddings))
        {
            throw new ArgumentException($"Model '{model}' is not an embedding model (catalog capability 'embeddings'); submit chat requests with SubmitBatchAsync.", nameof(model));
        }

        var (protocol, generator) = BatchProtocol.ForEmbeddings(model, () => CreateDialectEmbeddingGenerator(model) as DialectEmbeddingGenerator
            ?? throw new NotSupportedException($"Model '{model.Id}' has no StratumAI embeddings client to send batches through."));
        return (generator, protocol);
    }
}

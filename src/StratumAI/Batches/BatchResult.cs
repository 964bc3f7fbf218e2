using Microsoft.Extensions.AI;

namespace StratumAI;

/// <summary>How one request of a batch ended.</summary>
public enum BatchResultStatus
{
    /// <summary>The request was answered: <see cref="BatchResult.Response"/> holds the answer.</summary>
    Succeeded = 0,

    /// <summary>The provider refused or failed the request: <see cref="BatchResult.Error"/> says why.</summary>
    Errored = 1,

    /// <summary>The batch was cancelled before the request ran. Not billed.</summary>
    Canceled = 2,

    /// <summary>The batch's completion window ended before the request ran. Not billed.</summary>
    Expired = 3,
}

/// <summary>
/// The result of one request of a <see cref="StratumBatch"/>: the answer with its usage and its cost at the model's batch
/// prices, or the error of that one request. A failed request is a result like any other, not an exception for the batch.
/// </summary>
/// <remarks>Immutable.</remarks>
public sealed class BatchResult
{
    internal BatchResult(string customId, BatchResultStatus status, ChatResponse? response, StratumException? error, CallCost? cost)
    {
        CustomId = customId;
        Status = status;
        Response = response;
        Error = error;
        Cost = cost;
    }

    /// <summary>The <see cref="BatchRequest.CustomId"/> of the request this result answers.</summary>
    public string CustomId { get; }

    /// <summary>How the request ended.</summary>
    public BatchResultStatus Status { get; }

    /// <summary>
    /// The answer, read by the same dialect code as a single call's, with its usage, <see cref="ChatResponseStratumExtensions.GetCost"/>
    /// and <see cref="ChatResponseStratumExtensions.GetModelInfo"/>; null unless <see cref="Status"/> is <see cref="BatchResultStatus.Succeeded"/>.
    /// </summary>
    public ChatResponse? Response { get; }

    /// <summary>
    /// The request's error, typed as a single call's error status would be (<see cref="StratumInvalidRequestException"/>,
    /// <see cref="StratumRateLimitException"/>…); null unless <see cref="Status"/> is <see cref="BatchResultStatus.Errored"/>.
    /// </summary>
    public StratumException? Error { get; }

    /// <summary>What the request cost at the model's batch prices (<see cref="ModelPricing.Batch"/>), or null when it reported no usage (not billed).</summary>
    public CallCost? Cost { get; }

    /// <summary>
    /// The vectors of an embedding batch's request (<see cref="StratumClient.SubmitEmbeddingBatchAsync(ModelInfo, IEnumerable{EmbeddingBatchRequest}, StratumBatchOptions?, CancellationToken)"/>),
    /// in input order, with their usage, <see cref="GeneratedEmbeddingsStratumExtensions.GetCost"/> at the batch price and the model;
    /// null for a chat batch or unless <see cref="Status"/> is <see cref="BatchResultStatus.Succeeded"/>.
    /// </summary>
    public GeneratedEmbeddings<Embedding<float>>? Embeddings { get; init; }

    /// <summary>The answer's text, or null when the request did not succeed.</summary>
    public string? Text => Response?.Text;
}

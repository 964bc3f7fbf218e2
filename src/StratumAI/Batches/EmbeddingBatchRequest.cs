using Microsoft.Extensions.AI;

namespace StratumAI;

/// <summary>
/// One request of an embedding batch (<see cref="StratumClient.SubmitEmbeddingBatchAsync(ModelInfo, IEnumerable{EmbeddingBatchRequest}, StratumBatchOptions?, CancellationToken)"/>):
/// the texts one embeddings call would send, under an id of your choosing that its result carries back.
/// </summary>
/// <param name="CustomId">1 to 64 letters, digits, <c>_</c> and <c>-</c>; unique within the batch.</param>
/// <param name="Inputs">The texts to embed, at least one and at most one request's worth (2,048 inputs for OpenAI).</param>
/// <param name="Options">Dimensions and provider settings, as for a single call; null for the model's defaults.</param>
public sealed record EmbeddingBatchRequest(string CustomId, IReadOnlyList<string> Inputs, EmbeddingGenerationOptions? Options = null);

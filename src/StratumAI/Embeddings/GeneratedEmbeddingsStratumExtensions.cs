using Microsoft.Extensions.AI;

namespace StratumAI;

/// <summary>
/// Reads what <see cref="StratumClient.GetEmbeddingGenerator(ModelInfo)"/> and the embedding middleware attach to every
/// result, in <see cref="GeneratedEmbeddings{TEmbedding}.AdditionalProperties"/>: its cost, the catalog model that served it,
/// the provider's request id, and whether a cache served it. The same keys as for chat (<see cref="StratumUsageKeys"/>).
/// </summary>
public static class GeneratedEmbeddingsStratumExtensions
{
    /// <summary>
    /// The call's exact cost, computed from the usage the provider reported and the catalog price
    /// (<see cref="StratumUsageKeys.Cost"/>). Null when the provider reported no usage (Gemini's older embedding models): the
    /// cost is then unknown, and <c>UseStratumCostTracking</c> records a flagged estimate (<see cref="CostRecord.IsEstimated"/>).
    /// </summary>
    /// <param name="embeddings">A result of a StratumAI embedding generator.</param>
    /// <returns>The cost, or null.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="embeddings"/> is null.</exception>
    public static CallCost? GetCost(this GeneratedEmbeddings<Embedding<float>> embeddings)
    {
        ArgumentNullException.ThrowIfNull(embeddings);
        return Find(embeddings, StratumUsageKeys.Cost) as CallCost;
    }

    /// <summary>The catalog model that served the call (<see cref="StratumUsageKeys.ModelInfo"/>).</summary>
    /// <param name="embeddings">A result of a StratumAI embedding generator.</param>
    /// <returns>The model, or null when the result did not come through <see cref="StratumClient"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="embeddings"/> is null.</exception>
    public static ModelInfo? GetModelInfo(this GeneratedEmbeddings<Embedding<float>> embeddings)
    {
        ArgumentNullException.ThrowIfNull(embeddings);
        return Find(embeddings, StratumUsageKeys.ModelInfo) as ModelInfo;
    }

    /// <summary>The provider's request id (<see cref="StratumUsageKeys.RequestId"/>); of the first request when the inputs took several.</summary>
    /// <param name="embeddings">A result of a StratumAI embedding generator.</param>
    /// <returns>The request id, or null when the provider sent none.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="embeddings"/> is null.</exception>
    public static string? GetRequestId(this GeneratedEmbeddings<Embedding<float>> embeddings)
    {
        ArgumentNullException.ThrowIfNull(embeddings);
        return Find(embeddings, StratumUsageKeys.RequestId) as string;
    }

    /// <summary>True when <c>UseStratumCache</c> served every vector of the result from its cache (<see cref="StratumUsageKeys.CacheHit"/>).</summary>
    /// <param name="embeddings">A result.</param>
    /// <returns>True for a cache hit.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="embeddings"/> is null.</exception>
    public static bool IsCacheHit(this GeneratedEmbeddings<Embedding<float>> embeddings)
    {
        ArgumentNullException.ThrowIfNull(embeddings);
        return Find(embeddings, StratumUsageKeys.CacheHit) is true;
    }

    /// <summary>
    /// What the inputs the embedding cache served would have cost, on a result of which only some inputs were cached
    /// (<see cref="StratumUsageKeys.CacheSaved"/>); 0 when none were. A full hit's saving is its <see cref="GetCost"/>.
    /// </summary>
    /// <param name="embeddings">A result.</param>
    /// <returns>The amount saved, in USD.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="embeddings"/> is null.</exception>
    public static decimal GetCacheSaved(this GeneratedEmbeddings<Embedding<float>> embeddings)
    {
        ArgumentNullException.ThrowIfNull(embeddings);
        return Find(embeddings, StratumUsageKeys.CacheSaved) is decimal saved ? saved : 0m;
    }

    private static object? Find(GeneratedEmbeddings<Embedding<float>> embeddings, string key) =>
        embeddings.AdditionalProperties?.TryGetValue(key, out var value) == true ? value : null;
}

using Microsoft.Extensions.AI;

namespace StratumAI;

/// <summary>
/// Typed access to the per-call settings StratumAI reads from <see cref="EmbeddingGenerationOptions"/>: the same keys as for
/// chat (<see cref="StratumOptionKeys"/>), so an embedding call is tagged, attributed and budgeted like a chat call.
/// </summary>
public static class StratumEmbeddingOptionsExtensions
{
    /// <summary>Sets the tags recorded with the call's cost and matched by tag budgets (<see cref="StratumOptionKeys.Tags"/>).</summary>
    /// <param name="options">The options to change.</param>
    /// <param name="tags">The tags.</param>
    /// <returns><paramref name="options"/>, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> or <paramref name="tags"/> is null.</exception>
    public static EmbeddingGenerationOptions WithTags(this EmbeddingGenerationOptions options, params string[] tags)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(tags);
        (options.AdditionalProperties ??= [])[StratumOptionKeys.Tags] = tags;
        return options;
    }

    /// <summary>Sets who makes the call (<see cref="StratumOptionKeys.Caller"/>).</summary>
    /// <param name="options">The options to change.</param>
    /// <param name="caller">The caller, e.g. a user or tenant id.</param>
    /// <returns><paramref name="options"/>, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> or <paramref name="caller"/> is null.</exception>
    public static EmbeddingGenerationOptions WithCaller(this EmbeddingGenerationOptions options, string caller)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(caller);
        (options.AdditionalProperties ??= [])[StratumOptionKeys.Caller] = caller;
        return options;
    }

    /// <summary>Lets the embedding cache serve and store this call, or forbids it (<see cref="StratumOptionKeys.CacheEnabled"/>).</summary>
    /// <param name="options">The options to change.</param>
    /// <param name="enabled">True to cache even when <see cref="EmbeddingCacheOptions.CacheEveryCall"/> is off; false to bypass the cache.</param>
    /// <returns><paramref name="options"/>, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
    public static EmbeddingGenerationOptions WithCache(this EmbeddingGenerationOptions options, bool enabled)
    {
        ArgumentNullException.ThrowIfNull(options);
        (options.AdditionalProperties ??= [])[StratumOptionKeys.CacheEnabled] = enabled;
        return options;
    }

    /// <summary>Caches this call's vectors for <paramref name="ttl"/> (<see cref="StratumOptionKeys.CacheTtl"/>).</summary>
    /// <param name="options">The options to change.</param>
    /// <param name="ttl">How long the embedding cache keeps them.</param>
    /// <returns><paramref name="options"/>, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="ttl"/> is not positive.</exception>
    public static EmbeddingGenerationOptions WithCacheTtl(this EmbeddingGenerationOptions options, TimeSpan ttl)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(ttl, TimeSpan.Zero);
        (options.AdditionalProperties ??= [])[StratumOptionKeys.CacheTtl] = ttl;
        return options;
    }

    /// <summary>The tags set with <see cref="WithTags"/>; empty when none.</summary>
    /// <param name="options">The options, or null.</param>
    /// <returns>The tags, never null.</returns>
    public static IReadOnlyList<string> GetTags(this EmbeddingGenerationOptions? options) =>
        options?.AdditionalProperties?.TryGetValue(StratumOptionKeys.Tags, out var value) == true && value is IEnumerable<string> tags
            ? tags.Where(tag => tag is not null).ToArray()
            : [];

    /// <summary>The caller set with <see cref="WithCaller"/>, or null.</summary>
    /// <param name="options">The options, or null.</param>
    /// <returns>The caller, or null when none was set.</returns>
    public static string? GetCaller(this EmbeddingGenerationOptions? options) =>
        options?.AdditionalProperties?.TryGetValue(StratumOptionKeys.Caller, out var value) == true ? value as string : null;
}

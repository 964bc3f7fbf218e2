using Microsoft.Extensions.AI;

namespace StratumAI;

/// <summary>
/// Every <see cref="ChatOptions.AdditionalProperties"/> key StratumAI reads, in one place. Prefer the typed extensions of
/// <see cref="StratumChatOptionsExtensions"/> (<c>options.WithTags(...)</c>, <c>options.WithCacheTtl(...)</c>) to writing
/// these keys by hand. Keys starting with <c>stratum.</c> are never sent to a provider and never part of a cache key.
/// </summary>
public static class StratumOptionKeys
{
    /// <summary>Tags recorded with the call's cost, for grouping and budget scopes: any sequence of strings.</summary>
    public const string Tags = "stratum.tags";

    /// <summary>Who made the call, recorded with its cost and used by caller budget scopes: a string.</summary>
    public const string Caller = "stratum.caller";

    /// <summary>How long the response cache keeps this call's answer: a <see cref="TimeSpan"/>.</summary>
    public const string CacheTtl = "stratum.cache.ttl";

    /// <summary>
    /// Whether the response cache may serve and store this call: <see langword="true"/> caches it even when the cache is off by
    /// default, <see langword="false"/> always bypasses the cache.
    /// </summary>
    public const string CacheEnabled = "stratum.cache";

    /// <summary>
    /// The <see cref="StratumAI.FallbackPolicy"/> this call's fallbacks decide with — an <c>[LlmCall]</c> method's and
    /// <see cref="FallbackChatClient"/>'s alike — instead of the configured one (<see cref="FallbackPolicy.Default"/> for an
    /// <c>[LlmCall]</c> method).
    /// </summary>
    public const string FallbackPolicy = "stratum.fallback.policy";

    /// <summary>The <see cref="StratumCallContext"/> of the call, attached by StratumAI on its way through the pipeline.</summary>
    public const string CallContext = "stratum.call";

    /// <summary>True for a key StratumAI owns (<c>stratum.</c>…): never sent to a provider, never part of a cache key.</summary>
    /// <param name="key">An <see cref="ChatOptions.AdditionalProperties"/> key.</param>
    /// <returns>True when <paramref name="key"/> starts with <c>stratum.</c>.</returns>
    public static bool IsStratumKey(string key) => key is not null && key.StartsWith("stratum.", StringComparison.Ordinal);
}

/// <summary>Typed access to the per-call settings StratumAI reads from <see cref="ChatOptions"/>.</summary>
public static class StratumChatOptionsExtensions
{
    /// <summary>Sets the tags recorded with the call's cost (<see cref="StratumOptionKeys.Tags"/>).</summary>
    /// <param name="options">The options to change.</param>
    /// <param name="tags">The tags.</param>
    /// <returns><paramref name="options"/>, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> or <paramref name="tags"/> is null.</exception>
    public static ChatOptions WithTags(this ChatOptions options, params string[] tags)
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
    public static ChatOptions WithCaller(this ChatOptions options, string caller)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(caller);
        (options.AdditionalProperties ??= [])[StratumOptionKeys.Caller] = caller;
        return options;
    }

    /// <summary>Caches this call's answer for <paramref name="ttl"/> (<see cref="StratumOptionKeys.CacheTtl"/>).</summary>
    /// <param name="options">The options to change.</param>
    /// <param name="ttl">How long to keep the answer; positive.</param>
    /// <returns><paramref name="options"/>, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="ttl"/> is not positive.</exception>
    public static ChatOptions WithCacheTtl(this ChatOptions options, TimeSpan ttl)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(ttl, TimeSpan.Zero);
        (options.AdditionalProperties ??= [])[StratumOptionKeys.CacheTtl] = ttl;
        return options;
    }

    /// <summary>Lets the response cache serve and store this call, or forbids it (<see cref="StratumOptionKeys.CacheEnabled"/>).</summary>
    /// <param name="options">The options to change.</param>
    /// <param name="enabled">True to cache even when the cache is off by default; false to bypass it.</param>
    /// <returns><paramref name="options"/>, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
    public static ChatOptions WithCache(this ChatOptions options, bool enabled)
    {
        ArgumentNullException.ThrowIfNull(options);
        (options.AdditionalProperties ??= [])[StratumOptionKeys.CacheEnabled] = enabled;
        return options;
    }

    /// <summary>
    /// Decides this call's fallbacks with <paramref name="policy"/> (<see cref="StratumOptionKeys.FallbackPolicy"/>), through
    /// an <c>[LlmCall]</c> method or <see cref="FallbackChatClient"/>: e.g. <c>new FallbackPolicy { FallBackOnSchemaMismatch = true }</c>.
    /// </summary>
    /// <param name="options">The options to change.</param>
    /// <param name="policy">The rule.</param>
    /// <returns><paramref name="options"/>, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> or <paramref name="policy"/> is null.</exception>
    public static ChatOptions WithFallbackPolicy(this ChatOptions options, FallbackPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(policy);
        (options.AdditionalProperties ??= [])[StratumOptionKeys.FallbackPolicy] = policy;
        return options;
    }

    /// <summary>The policy set with <see cref="WithFallbackPolicy"/>, or null.</summary>
    /// <param name="options">The options, or null.</param>
    /// <returns>The policy, or null when none was set.</returns>
    public static FallbackPolicy? GetFallbackPolicy(this ChatOptions? options) =>
        options?.AdditionalProperties?.TryGetValue(StratumOptionKeys.FallbackPolicy, out var value) == true ? value as FallbackPolicy : null;

    /// <summary>The tags set with <see cref="WithTags"/> (or under <see cref="StratumOptionKeys.Tags"/>); empty when none.</summary>
    /// <param name="options">The options, or null.</param>
    /// <returns>The tags, never null.</returns>
    public static IReadOnlyList<string> GetTags(this ChatOptions? options) =>
        options?.AdditionalProperties?.TryGetValue(StratumOptionKeys.Tags, out var value) == true && value is IEnumerable<string> tags
            ? tags as IReadOnlyList<string> ?? tags.ToArray()
            : [];

    /// <summary>The caller set with <see cref="WithCaller"/>, or null.</summary>
    /// <param name="options">The options, or null.</param>
    /// <returns>The caller, or null when none was set.</returns>
    public static string? GetCaller(this ChatOptions? options) =>
        options?.AdditionalProperties?.TryGetValue(StratumOptionKeys.Caller, out var value) == true ? value as string : null;

    /// <summary>The cache TTL set with <see cref="WithCacheTtl"/>, or null.</summary>
    /// <param name="options">The options, or null.</param>
    /// <returns>The TTL, or null when none was set.</returns>
    public static TimeSpan? GetCacheTtl(this ChatOptions? options) =>
        options?.AdditionalProperties?.TryGetValue(StratumOptionKeys.CacheTtl, out var value) == true && value is TimeSpan ttl ? ttl : null;

    /// <summary>Whether <see cref="WithCache"/> allowed (true) or forbade (false) caching this call, or null when it was not set.</summary>
    /// <param name="options">The options, or null.</param>
    /// <returns>The choice, or null.</returns>
    public static bool? GetCacheEnabled(this ChatOptions? options) =>
        options?.AdditionalProperties?.TryGetValue(StratumOptionKeys.CacheEnabled, out var value) == true && value is bool enabled ? enabled : null;

    /// <summary>The <see cref="StratumCallContext"/> StratumAI attached to these options, or null.</summary>
    /// <param name="options">The options, or null.</param>
    /// <returns>The context, or null when the call has not been resolved yet.</returns>
    public static StratumCallContext? GetCallContext(this ChatOptions? options) =>
        options?.AdditionalProperties?.TryGetValue(StratumOptionKeys.CallContext, out var value) == true ? value as StratumCallContext : null;
}

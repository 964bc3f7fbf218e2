namespace StratumAI;

/// <summary>
/// Where rate-limit windows and pauses live: <see cref="InProcessRateLimitStore"/> for one process, or a store shared by many
/// processes (StratumAI.Redis's <c>RedisRateLimitStore</c>). <see cref="RateLimitChatClient"/> asks it for a permit before each
/// request and tells it about each 429.
/// </summary>
/// <remarks>Implementations are thread-safe: one instance serves every concurrent call of the process.</remarks>
public abstract class RateLimitStore
{
    /// <summary>
    /// Waits until <paramref name="request"/>'s key is not paused and every one of its buckets has room for one request and
    /// its tokens, then takes them; or gives up when that cannot happen within <paramref name="maxWait"/>.
    /// </summary>
    /// <param name="request">The call's key, buckets and tokens.</param>
    /// <param name="maxWait">The longest the call may wait; <see cref="TimeSpan.Zero"/> means "only if free now".</param>
    /// <param name="cancellationToken">The caller's cancellation.</param>
    /// <returns>True when the permits were taken; false when they could not be within <paramref name="maxWait"/> (nothing is held then, except
    /// what a store documents it cannot give back).</returns>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled while waiting.</exception>
    public abstract ValueTask<bool> AcquireAsync(RateLimitRequest request, TimeSpan maxWait, CancellationToken cancellationToken);

    /// <summary>Pauses <paramref name="key"/> for <paramref name="duration"/>: no call with that key is let through before it ends (a 429's <c>Retry-After</c>).</summary>
    /// <param name="key">A call key (<see cref="RateLimitRequest.Key"/>).</param>
    /// <param name="duration">How long; a pause never shortens one already in force.</param>
    /// <param name="cancellationToken">The caller's cancellation.</param>
    /// <returns>A task that completes when the pause is recorded.</returns>
    public abstract ValueTask PauseAsync(string key, TimeSpan duration, CancellationToken cancellationToken);
}

/// <summary>What one call asks a <see cref="RateLimitStore"/> for: its key (what a 429 pauses) and the limits that apply to it.</summary>
/// <remarks>Keys name the provider, the model and a non-secret identity of the API key (<c>openai/gpt-4o/k-3f2a9c1b</c>,
/// the first hex digits of its SHA-256); never the key itself.</remarks>
public sealed class RateLimitRequest
{
    /// <summary>Creates a request.</summary>
    /// <param name="key">The call's key: provider, model and key identity.</param>
    /// <param name="buckets">The limits the call counts against (the model's and the provider's), possibly none.</param>
    /// <param name="tokens">The tokens the call counts against each token limit.</param>
    /// <exception cref="ArgumentException"><paramref name="key"/> is null or empty.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="buckets"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="tokens"/> is negative.</exception>
    public RateLimitRequest(string key, IReadOnlyList<RateLimitBucket> buckets, long tokens)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        ArgumentNullException.ThrowIfNull(buckets);
        ArgumentOutOfRangeException.ThrowIfNegative(tokens);
        Key = key;
        Buckets = buckets;
        Tokens = tokens;
    }

    /// <summary>The call's key, which a 429 pauses: <c>provider/model/key-identity</c>.</summary>
    public string Key { get; }

    /// <summary>The limits the call counts against.</summary>
    public IReadOnlyList<RateLimitBucket> Buckets { get; }

    /// <summary>The tokens the call counts against each bucket's token limit (clamped to that limit).</summary>
    public long Tokens { get; }

    /// <inheritdoc />
    public override string ToString() => Buckets.Count == 0 ? Key : Key + " [" + string.Join(", ", Buckets) + "]";
}

/// <summary>One limit a call counts against, and the key its window is kept under.</summary>
/// <param name="Key">The window's key: <c>provider/model/key-identity</c> for a model's limit, <c>provider/*/key-identity</c> for a provider's.</param>
/// <param name="Limit">The limit.</param>
public readonly record struct RateLimitBucket(string Key, RateLimit Limit)
{
    /// <inheritdoc />
    public override string ToString() => Key + ": " + Limit;
}

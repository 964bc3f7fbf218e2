using System.Globalization;
using Microsoft.Extensions.Logging;

namespace StratumAI;

/// <summary>Settings of <see cref="RateLimitChatClient"/>: the limits, how long a call may wait for a permit, the catalog and the logger.</summary>
/// <remarks>The client reads the values when it is created; do not change the instance while calls run.</remarks>
public sealed class StratumRateLimitOptions
{
    /// <summary>The default of <see cref="MaxWait"/>: as long as resilience waits for a provider's <c>Retry-After</c> by default.</summary>
    public static readonly TimeSpan DefaultMaxWait = TimeSpan.FromSeconds(30);

    private readonly Dictionary<(string Provider, string? Model), RateLimit> _limits = new();
    private TimeSpan _maxWait = DefaultMaxWait;

    /// <summary>
    /// The longest a call waits for a permit (queued, oldest first) or for the end of a pause before it fails with
    /// <see cref="RateLimitExceededException"/> without being sent. A call whose key is paused until after it fails at once.
    /// </summary>
    /// <value>Default <see cref="DefaultMaxWait"/>; <see cref="TimeSpan.Zero"/> sends only what has a permit now.</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative.</exception>
    public TimeSpan MaxWait
    {
        get => _maxWait;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, TimeSpan.Zero);
            _maxWait = value;
        }
    }

    /// <summary>Whether the limits a provider publishes in the catalog (<c>rate_limits:</c> on a provider or a model) apply when nothing here or in <see cref="ProviderOptions"/> replaces them.</summary>
    /// <value>Default true.</value>
    public bool UseCatalogLimits { get; set; } = true;

    /// <summary>The catalog a call's <see cref="Microsoft.Extensions.AI.ChatOptions.ModelId"/> is resolved in.</summary>
    /// <value>Default null: the catalog of the <see cref="StratumClient"/> below, else <see cref="ModelRegistry.Default"/>.</value>
    public ModelRegistry? Models { get; set; }

    /// <summary>Where refusals (<c>ChatRateLimitRejected</c>, event 1016) and pauses (<c>ChatRateLimitPaused</c>, event 1017) are logged.</summary>
    /// <value>Default null: <c>UseStratumRateLimits</c> takes a logger from the pipeline's <see cref="ILoggerFactory"/>, else nothing is logged.</value>
    public ILogger? Logger { get; set; }

    /// <summary>The limits set here, by provider and model (null model: the provider's limit, shared by all its models).</summary>
    internal IReadOnlyDictionary<(string Provider, string? Model), RateLimit> Limits => _limits;

    /// <summary>Limits every call to <paramref name="providerId"/>, whatever the model (per API key).</summary>
    /// <param name="providerId">The catalog provider id, e.g. <c>openai</c>.</param>
    /// <param name="limit">The limit; replaces <see cref="ProviderOptions.RequestsPerMinute"/> / <see cref="ProviderOptions.TokensPerMinute"/> and the catalog's.</param>
    /// <returns>These options.</returns>
    /// <exception cref="ArgumentException"><paramref name="providerId"/> is null or empty.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="limit"/> is null.</exception>
    public StratumRateLimitOptions Limit(string providerId, RateLimit limit)
    {
        ArgumentException.ThrowIfNullOrEmpty(providerId);
        ArgumentNullException.ThrowIfNull(limit);
        _limits[(providerId, null)] = limit;
        return this;
    }

    /// <summary>Limits the calls to one model of a provider (per API key), on top of the provider's limit.</summary>
    /// <param name="providerId">The catalog provider id, e.g. <c>openai</c>.</param>
    /// <param name="modelId">The catalog model id (not an alias), e.g. <c>gpt-4o</c>.</param>
    /// <param name="limit">The limit; replaces the catalog's for the model.</param>
    /// <returns>These options.</returns>
    /// <exception cref="ArgumentException"><paramref name="providerId"/> or <paramref name="modelId"/> is null or empty.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="limit"/> is null.</exception>
    public StratumRateLimitOptions Limit(string providerId, string modelId, RateLimit limit)
    {
        ArgumentException.ThrowIfNullOrEmpty(providerId);
        ArgumentException.ThrowIfNullOrEmpty(modelId);
        ArgumentNullException.ThrowIfNull(limit);
        _limits[(providerId, modelId)] = limit;
        return this;
    }

    /// <inheritdoc />
    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"StratumRateLimitOptions {{ MaxWait = {MaxWait}, UseCatalogLimits = {UseCatalogLimits}, Limits = {_limits.Count} }}");
}

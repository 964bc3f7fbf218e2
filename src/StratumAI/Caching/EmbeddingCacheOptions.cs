namespace StratumAI;

/// <summary>Settings of a <see cref="ResponseCacheEmbeddingGenerator"/>.</summary>
/// <remarks>Set the properties before the generator serves its first call; they are read on every call and not synchronised.</remarks>
public sealed class EmbeddingCacheOptions
{
    private TimeSpan _defaultTtl = TimeSpan.FromDays(7);
    private string _keyPrefix = "stratum:embed:";

    /// <summary>Whether every call is cached for <see cref="DefaultTtl"/> without asking.</summary>
    /// <value>
    /// True by default, unlike chat's <see cref="ResponseCacheOptions.CacheEveryCall"/>: a model's vector for a text does not
    /// change from one call to the next, so there is nothing to opt in to. <c>WithCache(false)</c> on the call's
    /// <see cref="Microsoft.Extensions.AI.EmbeddingGenerationOptions"/> bypasses the cache for one call; with false here, only calls
    /// that opt in with <c>WithCache(true)</c> or <c>WithCacheTtl</c> are cached.
    /// </value>
    public bool CacheEveryCall { get; set; } = true;

    /// <summary>How long a vector is kept when the call set no TTL of its own (<c>WithCacheTtl</c>).</summary>
    /// <value>Seven days by default.</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is zero or negative.</exception>
    public TimeSpan DefaultTtl
    {
        get => _defaultTtl;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(value, TimeSpan.Zero);
            _defaultTtl = value;
        }
    }

    /// <summary>Prefix of every key written to the cache, so StratumAI's entries can share a cache with others.</summary>
    /// <value><c>stratum:embed:</c> by default.</value>
    /// <exception cref="ArgumentNullException">The value is null.</exception>
    public string KeyPrefix
    {
        get => _keyPrefix;
        set
        {
            ArgumentNullException.ThrowIfNull(value);
            _keyPrefix = value;
        }
    }

    /// <summary>Where hits are logged (<c>EmbeddingCacheHit</c>, event 1033, Debug, with what the cached inputs saved), or null for nowhere.</summary>
    /// <value>Null by default: <c>UseStratumCache</c> uses the pipeline's <see cref="Microsoft.Extensions.Logging.ILoggerFactory"/> when it finds one.</value>
    public Microsoft.Extensions.Logging.ILogger? Logger { get; set; }

    /// <summary>The clock that stamps an entry's expiry and checks it on read.</summary>
    /// <value>Null by default: the <see cref="TimeProvider"/> of the pipeline's services, else <see cref="TimeProvider.System"/>.</value>
    public TimeProvider? TimeProvider { get; set; }
}

namespace StratumAI.Redis;

/// <summary>Settings of <see cref="RedisRateLimitStore"/>: key prefix, how long to wait for Redis, and the in-process fallback's clock.</summary>
/// <remarks>The store reads the values when it is created; do not change the instance afterwards.</remarks>
public sealed class RedisRateLimitOptions
{
    /// <summary>The default <see cref="KeyPrefix"/>.</summary>
    public const string DefaultKeyPrefix = "stratum:ratelimits";

    private TimeSpan _operationTimeout = TimeSpan.FromSeconds(1);

    /// <summary>
    /// The prefix of every key the store writes, as a hash tag (<c>{stratum:ratelimits}:…</c>) so one script's keys share a
    /// cluster slot. Processes that share limits use the same prefix.
    /// </summary>
    /// <value>Default <see cref="DefaultKeyPrefix"/>.</value>
    public string KeyPrefix { get; set; } = DefaultKeyPrefix;

    /// <summary>How long a permit request waits for Redis before the store counts it as unreachable and decides in this process instead.</summary>
    /// <value>Default 1 second.</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is zero or negative.</exception>
    public TimeSpan OperationTimeout
    {
        get => _operationTimeout;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(value, TimeSpan.Zero);
            _operationTimeout = value;
        }
    }

    /// <summary>The clock waits run on, and the in-process store's (used while Redis is unreachable).</summary>
    /// <value>Default <see cref="TimeProvider.System"/>.</value>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;
}

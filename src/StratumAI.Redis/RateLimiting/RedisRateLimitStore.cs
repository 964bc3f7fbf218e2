using System.Globalization;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace StratumAI.Redis;

/// <summary>
/// Rate-limit windows and pauses shared by every process that uses the same Redis and key prefix: one Lua script per call
/// checks the call's key is not paused and every bucket has room (a sliding log per bucket on Redis's clock), and takes the
/// permits atomically; a 429's pause is a key with a TTL that every process reads.
/// </summary>
/// <remarks>
/// <para><b>Guarantee.</b> No interval of one window lets more requests (or tokens) through, across all the processes, than the
/// limit: an entry counts until a whole window after it. A caller that does not fit waits exactly until the first moment it
/// could (Redis says when), then asks again; callers are not queued in order across processes.</para>
/// <para><b>Failures.</b> When Redis cannot be reached or does not answer within <see cref="RedisRateLimitOptions.OperationTimeout"/>,
/// the store degrades to an <see cref="InProcessRateLimitStore"/>: the same limits, enforced per process (so N processes may
/// send up to N times the limit), and logs a warning (event 1042) once per outage. Every call tries Redis first (a fail-fast
/// connection answers at once while it is down), so the store is shared again as soon as Redis answers (event 1043). Pauses
/// are recorded in both. Thread-safe.</para>
/// </remarks>
public sealed class RedisRateLimitStore : RateLimitStore, IDisposable
{
    private readonly IConnectionMultiplexer _connection;
    private readonly RedisRateLimitOptions _options;
    private readonly ILogger? _logger;
    private readonly InProcessRateLimitStore _local;
    private readonly string _prefix;
    private int _degraded;

    /// <summary>Creates a store over a connection.</summary>
    /// <param name="connection">The Redis connection (shared with other StratumAI.Redis features).</param>
    /// <param name="options">Settings, or null for the defaults.</param>
    /// <param name="logger">Where degrading and recovering are logged, or null.</param>
    /// <exception cref="ArgumentNullException"><paramref name="connection"/> is null.</exception>
    public RedisRateLimitStore(IConnectionMultiplexer connection, RedisRateLimitOptions? options = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(connection);
        _connection = connection;
        _options = options ?? new RedisRateLimitOptions();
        _logger = logger;
        _local = new InProcessRateLimitStore(_options.TimeProvider);
        _prefix = "{" + _options.KeyPrefix + "}:";
        Name = RedisStoreName.Describe(connection, _options.KeyPrefix);
    }

    /// <summary>The store's endpoints and key prefix, for messages (never the password).</summary>
    public string Name { get; }

    /// <summary>True while Redis is unreachable and limits are enforced in this process only.</summary>
    public bool IsDegraded => Volatile.Read(ref _degraded) == 1;

    /// <inheritdoc />
    /// <exception cref="ArgumentNullException"><paramref name="request"/> is null.</exception>
    public override async ValueTask<bool> AcquireAsync(RateLimitRequest request, TimeSpan maxWait, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var time = _options.TimeProvider;
        var deadline = time.GetUtcNow() + (maxWait < TimeSpan.Zero ? TimeSpan.Zero : maxWait);
        var (keys, values) = Arguments(request);
        while (true)
        {
            RedisResult result;
            try
            {
                result = await _connection.GetDatabase()
                    .ScriptEvaluateAsync(RedisRateLimitScripts.Acquire, keys, values)
                    .WaitAsync(_options.OperationTimeout, cancellationToken).ConfigureAwait(false);
                Recovered();
            }
            catch (Exception ex) when (IsUnavailable(ex))
            {
                Degrade(ex);
                return await _local.AcquireAsync(request, deadline - time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
            }

            var reply = (RedisResult[])result!;
            if ((long)reply[0] == 1)
            {
                return true;
            }

            var wait = TimeSpan.FromMilliseconds((long)reply[1]);
            if (time.GetUtcNow() + wait > deadline)
            {
                return false;
            }

            await Task.Delay(wait, time, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentException"><paramref name="key"/> is null or empty.</exception>
    public override async ValueTask PauseAsync(string key, TimeSpan duration, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        await _local.PauseAsync(key, duration, cancellationToken).ConfigureAwait(false);
        if (duration <= TimeSpan.Zero)
        {
            return;
        }

        try
        {
            await _connection.GetDatabase()
                .ScriptEvaluateAsync(RedisRateLimitScripts.Pause, [PauseKey(key)], [(long)Math.Ceiling(duration.TotalMilliseconds)])
                .WaitAsync(_options.OperationTimeout, cancellationToken).ConfigureAwait(false);
            Recovered();
        }
        catch (Exception ex) when (IsUnavailable(ex))
        {
            Degrade(ex);
        }
    }

    /// <summary>Stops the in-process fallback's timers.</summary>
    public void Dispose() => _local.Dispose();

    /// <summary>Redis unreachable, too slow, loading or refusing writes. A script error is a bug and propagates.</summary>
    private static bool IsUnavailable(Exception ex) => ex switch
    {
        OperationCanceledException => false,
        RedisServerException server => !server.Message.Contains("user_script", StringComparison.Ordinal),
        RedisException or TimeoutException or ObjectDisposedException => true,
        _ => false,
    };

    private RedisKey PauseKey(string key) => _prefix + "pause:" + key;

    private (RedisKey[] Keys, RedisValue[] Values) Arguments(RateLimitRequest request)
    {
        var buckets = request.Buckets;
        var keys = new RedisKey[1 + (3 * buckets.Count)];
        var values = new RedisValue[3 + (3 * buckets.Count)];
        keys[0] = PauseKey(request.Key);
        values[0] = buckets.Count;
        values[1] = request.Tokens;
        values[2] = Guid.NewGuid().ToString("N");
        for (var i = 0; i < buckets.Count; i++)
        {
            var bucket = buckets[i];
            var limit = bucket.Limit;
            var window = string.Create(CultureInfo.InvariantCulture, $"{limit.Window.Ticks}");
            keys[1 + (3 * i)] = _prefix + "r:" + window + ":" + bucket.Key;
            keys[2 + (3 * i)] = _prefix + "t:" + window + ":" + bucket.Key;
            keys[3 + (3 * i)] = _prefix + "s:" + window + ":" + bucket.Key;
            values[3 + (3 * i)] = (long)Math.Ceiling(limit.Window.TotalMilliseconds);
            values[4 + (3 * i)] = limit.Requests ?? 0;
            values[5 + (3 * i)] = limit.Tokens ?? 0;
        }

        return (keys, values);
    }

    private void Degrade(Exception ex)
    {
        if (Interlocked.Exchange(ref _degraded, 1) == 0 && _logger is not null)
        {
            RedisRateLimitLog.StoreUnavailable(_logger, Name, ex is RedisConnectionException connection ? "connection " + connection.FailureType : ex.GetType().Name);
        }
    }

    private void Recovered()
    {
        if (Volatile.Read(ref _degraded) == 1 && Interlocked.Exchange(ref _degraded, 0) == 1 && _logger is not null)
        {
            RedisRateLimitLog.StoreRecovered(_logger, Name);
        }
    }
}

/// <summary>The log messages of the rate-limit store (events 1042 and 1043, next to the core's 1040 and 1041).</summary>
internal static partial class RedisRateLimitLog
{
    [LoggerMessage(EventId = 1042, EventName = "RateLimitStoreUnavailable", Level = LogLevel.Warning,
        Message = "Rate-limit store {Store} cannot be reached ({Reason}); limits are enforced in this process only until it answers.")]
    public static partial void StoreUnavailable(ILogger logger, string store, string reason);

    [LoggerMessage(EventId = 1043, EventName = "RateLimitStoreRecovered", Level = LogLevel.Information,
        Message = "Rate-limit store {Store} answers again; limits are shared across processes again.")]
    public static partial void StoreRecovered(ILogger logger, string store);
}

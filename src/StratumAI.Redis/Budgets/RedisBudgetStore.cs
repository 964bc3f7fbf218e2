using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;

namespace StratumAI.Redis;

/// <summary>
/// Budget windows shared by every process through one Redis: give it to a <see cref="BudgetManager"/>
/// (<c>new BudgetManager(policies, store)</c>, or <c>services.AddStratumRedisBudgets(...)</c>) and every process using the
/// same key prefix shares spend, reservations and alerts.
/// </summary>
/// <remarks>
/// <para><b>Atomic.</b> A reservation is one server-side script: it checks spent + reserved + worst case ≤ limit in every window
/// the call must fit and reserves in all of them, or in none. No number of processes can reserve past a limit together.
/// Money is exact decimal in Redis too (never a floating-point number).</para>
/// <para><b>Leases.</b> Each reservation holds a lease of <see cref="RedisBudgetOptions.Lease"/>, renewed by this process
/// while the call runs. When a process dies, its reservations are given back once their leases end (the next script that
/// reserves or reads sweeps them). Settle and release happen exactly once per reservation id, however often they are retried.</para>
/// <para><b>Alerts</b> fire once per threshold and window for the whole fleet, in the process whose settlement reached it.</para>
/// <para><b>Failures.</b> When Redis cannot be reached or does not answer within <see cref="RedisBudgetOptions.OperationTimeout"/>,
/// a reservation throws <see cref="BudgetStoreUnavailableException"/> (fail closed, the default) or is admitted with a
/// warning (<see cref="RedisBudgetOptions.FailOpen"/>). Settlements are never dropped: they are kept in memory and retried
/// until Redis answers. Thread-safe; dispose it to stop renewing leases (it tries to record waiting settlements first).</para>
/// </remarks>
public sealed class RedisBudgetStore : IBudgetStore, IAsyncDisposable, IDisposable
{
    private const long MarkerMilliseconds = 24 * 60 * 60 * 1000;
    private static readonly IReadOnlyList<BudgetAlert> NoAlerts = [];

    private readonly IConnectionMultiplexer _connection;
    private readonly RedisBudgetOptions _options;
    private readonly ILogger _logger;
    private readonly string _root;
    private readonly RedisKey _leases;
    private readonly RedisKey _counters;
    private readonly ConcurrentDictionary<BudgetPolicy, string> _policyKeys = new();
    private readonly ConcurrentDictionary<string, byte> _open = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<PendingCompletion> _pending = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _background;
    private int _pendingCount;
    private int _unavailable;
    private int _disposed;

    /// <summary>Creates a store on a Redis connection.</summary>
    /// <param name="connection">The connection; the store does not dispose it. Several stores (and rate limits) may share it.</param>
    /// <param name="options">Settings, or null for the defaults.</param>
    /// <param name="logger">Where outages, fail-open admissions and late settlements are logged; null logs nothing.</param>
    /// <exception cref="ArgumentNullException"><paramref name="connection"/> is null.</exception>
    /// <exception cref="ArgumentException"><see cref="RedisBudgetOptions.KeyPrefix"/> is empty.</exception>
    public RedisBudgetStore(IConnectionMultiplexer connection, RedisBudgetOptions? options = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(connection);
        _connection = connection;
        _options = options ?? new RedisBudgetOptions();
        ArgumentException.ThrowIfNullOrEmpty(_options.KeyPrefix, nameof(options));
        _logger = logger ?? NullLogger.Instance;
        _root = _options.KeyPrefix.Contains('{', StringComparison.Ordinal) ? _options.KeyPrefix : "{" + _options.KeyPrefix + "}";
        _leases = _root + ":leases";
        _counters = _root + ":stats";
        Name = RedisStoreName.Describe(connection, _options.KeyPrefix);
        _background = Task.Run(() => RunBackgroundAsync(_stopping.Token));
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <summary>The settings this store uses.</summary>
    public RedisBudgetOptions Options => _options;

    /// <summary>Settlements and releases waiting for Redis to answer again (kept in this process's memory).</summary>
    public int PendingCompletions => Volatile.Read(ref _pendingCount);

    private IDatabase Database => _connection.GetDatabase(_options.Database);

    /// <inheritdoc />
    public async ValueTask<BudgetStatus?> ReserveAsync(string reservationId, IReadOnlyList<BudgetWindow> windows, decimal amount, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(reservationId);
        ArgumentNullException.ThrowIfNull(windows);
        ArgumentOutOfRangeException.ThrowIfNegative(amount);

        // What this process owes the store goes first: a settlement kept during an outage must count before anything new fits.
        if (!_pending.IsEmpty)
        {
            await FlushPendingAsync().ConfigureAwait(false);
        }

        var keys = new RedisKey[3 + windows.Count];
        keys[0] = _leases;
        keys[1] = _counters;
        keys[2] = ReservationKey(reservationId);
        var values = new RedisValue[6 + (2 * windows.Count)];
        values[0] = _root;
        values[1] = reservationId;
        values[2] = RedisDecimalLua.Format(amount);
        values[3] = (long)_options.Lease.TotalMilliseconds;
        values[4] = MarkerMilliseconds;
        values[5] = windows.Count;
        for (var i = 0; i < windows.Count; i++)
        {
            keys[3 + i] = WindowKey(windows[i]);
            values[6 + (2 * i)] = RedisDecimalLua.Format(windows[i].Policy.Limit);
            values[7 + (2 * i)] = ExpiresAt(windows[i]);
        }

        RedisResult result;
        try
        {
            result = await Run(RedisBudgetScripts.Reserve, keys, values, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsUnavailable(ex))
        {
            Unavailable(ex);
            if (_options.FailOpen)
            {
                // Admitted without a shared check; its settlement is recorded in Redis like any other (or kept until it answers).
                return null;
            }

            // The script may still run later (a reply lost, a command sent after a reconnect): a release of the id, kept until
            // Redis answers, gives back whatever it reserved, and makes a late run of the reservation do nothing.
            Keep(new PendingCompletion(reservationId, [.. windows], amount, Actual: null));

            throw new BudgetStoreUnavailableException(
                $"The budget store {Name} did not answer ({Describe(ex)}), so the call was refused before it was sent: shared budgets fail closed. "
                + "It is admitted again as soon as Redis answers; RedisBudgetOptions.FailOpen admits calls during an outage instead.",
                ex)
            {
                StoreName = Name,
            };
        }

        Available();
        var reply = (RedisResult[])result!;
        switch ((int)reply[0])
        {
            case 1:
                _open.TryAdd(reservationId, 0);
                return null;
            case 2:
                throw new InvalidOperationException($"The budget reservation id '{reservationId}' was already used in {Name}.");
            default:
                var window = windows[(int)reply[1] - 1];
                return new BudgetStatus(window.Policy, window.ScopeKey, window.Start, window.End, RedisDecimalLua.Parse((string?)reply[2]), RedisDecimalLua.Parse((string?)reply[3]));
        }
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<BudgetAlert>> SettleAsync(string reservationId, IReadOnlyList<BudgetWindow> windows, decimal amount, decimal actualCost)
    {
        ArgumentException.ThrowIfNullOrEmpty(reservationId);
        ArgumentNullException.ThrowIfNull(windows);
        ArgumentOutOfRangeException.ThrowIfNegative(actualCost);
        return await CompleteAsync(new PendingCompletion(reservationId, [.. windows], amount, actualCost), queueOnFailure: true).ConfigureAwait(false) ?? NoAlerts;
    }

    /// <inheritdoc />
    public async ValueTask ReleaseAsync(string reservationId, IReadOnlyList<BudgetWindow> windows, decimal amount)
    {
        ArgumentException.ThrowIfNullOrEmpty(reservationId);
        ArgumentNullException.ThrowIfNull(windows);
        await CompleteAsync(new PendingCompletion(reservationId, [.. windows], amount, Actual: null), queueOnFailure: true).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<BudgetAlert>> ChargeAsync(IReadOnlyList<BudgetWindow> windows, decimal cost, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(windows);
        ArgumentOutOfRangeException.ThrowIfNegative(cost);
        var (keys, values) = CompletionArguments("charge", reservationId: string.Empty, [.. windows], cost);
        try
        {
            var result = await Run(RedisBudgetScripts.Complete, keys, values, cancellationToken).ConfigureAwait(false);
            Available();
            return Alerts((RedisResult[])result!, windows);
        }
        catch (Exception ex) when (IsUnavailable(ex))
        {
            Unavailable(ex);
            throw new BudgetStoreUnavailableException($"The budget store {Name} did not answer ({Describe(ex)}); the charge was not recorded.", ex) { StoreName = Name };
        }
    }

    /// <inheritdoc />
    public async ValueTask<BudgetStatus> GetStatusAsync(BudgetWindow window, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(window);
        try
        {
            var result = (RedisResult[])(await Run(RedisBudgetScripts.Status, [_leases, _counters, WindowKey(window)], [_root], cancellationToken).ConfigureAwait(false))!;
            Available();
            return new BudgetStatus(window.Policy, window.ScopeKey, window.Start, window.End, RedisDecimalLua.Parse((string?)result[0]), RedisDecimalLua.Parse((string?)result[1]));
        }
        catch (Exception ex) when (IsUnavailable(ex))
        {
            Unavailable(ex);
            throw new BudgetStoreUnavailableException($"The budget store {Name} did not answer ({Describe(ex)}); the budget's status cannot be read.", ex) { StoreName = Name };
        }
    }

    /// <summary>How reservations under this store's key prefix ended, summed over every process (ended leases are swept first).</summary>
    /// <param name="cancellationToken">Stops waiting for Redis.</param>
    /// <returns>The counters.</returns>
    /// <exception cref="BudgetStoreUnavailableException">Redis cannot be reached.</exception>
    public async Task<RedisBudgetCounters> GetCountersAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            var open = (long)(await Run(RedisBudgetScripts.Renew, [_leases, _counters], [_root, (long)_options.Lease.TotalMilliseconds, MarkerMilliseconds], cancellationToken).ConfigureAwait(false));
            var all = await Database.HashGetAllAsync(_counters).WaitAsync(_options.OperationTimeout, cancellationToken).ConfigureAwait(false);
            long Count(string name) => all.FirstOrDefault(e => e.Name == name).Value is { IsNull: false } value ? (long)value : 0L;
            return new RedisBudgetCounters(Count("reserved"), Count("settled"), Count("released"), Count("expired"), Count("late_settled"), Count("late_released"), Count("refused"), Count("charged"), open);
        }
        catch (Exception ex) when (IsUnavailable(ex))
        {
            throw new BudgetStoreUnavailableException($"The budget store {Name} did not answer ({Describe(ex)}).", ex) { StoreName = Name };
        }
    }

    /// <summary>Stops renewing leases; first tries once to record the settlements still waiting for Redis.</summary>
    /// <returns>A task that completes when the store stopped.</returns>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        try
        {
            await _background.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        await FlushPendingAsync().ConfigureAwait(false);
        _stopping.Dispose();
    }

    /// <summary>Stops renewing leases (see <see cref="DisposeAsync"/>).</summary>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    private async Task<IReadOnlyList<BudgetAlert>?> CompleteAsync(PendingCompletion completion, bool queueOnFailure)
    {
        var (keys, values) = CompletionArguments(completion.Actual is null ? "release" : "settle", completion.Id, completion.Windows, completion.Actual ?? 0m);
        RedisResult[] reply;
        try
        {
            reply = (RedisResult[])(await Run(RedisBudgetScripts.Complete, keys, values, CancellationToken.None).ConfigureAwait(false))!;
        }
        catch (Exception ex) when (IsUnavailable(ex))
        {
            if (!queueOnFailure)
            {
                throw;
            }

            // The call is over and its cost is real: keep the settlement and record it once Redis answers. Its lease is still
            // renewed meanwhile, so its reservation keeps its place.
            Keep(completion);
            Unavailable(ex);
            RedisLog.SettlementDeferred(_logger, Name, Describe(ex), PendingCompletions);
            return null;
        }

        Available();
        _open.TryRemove(completion.Id, out _);
        if ((int)reply[0] == 1 && (int)reply[1] == 0 && completion.Actual is > 0m)
        {
            RedisLog.LeaseEnded(_logger, Name, _options.Lease);
        }

        return Alerts(reply, completion.Windows);
    }

    private (RedisKey[] Keys, RedisValue[] Values) CompletionArguments(string mode, string reservationId, BudgetWindow[] windows, decimal actual)
    {
        var keys = new RedisKey[3 + windows.Length];
        keys[0] = _leases;
        keys[1] = _counters;
        keys[2] = mode == "charge" ? _counters : ReservationKey(reservationId);
        var values = new List<RedisValue>(5 + (windows.Length * 6))
        {
            mode, reservationId, RedisDecimalLua.Format(actual), MarkerMilliseconds, windows.Length,
        };
        for (var i = 0; i < windows.Length; i++)
        {
            var policy = windows[i].Policy;
            keys[3 + i] = WindowKey(windows[i]);
            values.Add(ExpiresAt(windows[i]));
            values.Add(policy.AlertThresholds.Count);
            foreach (var threshold in policy.AlertThresholds)
            {
                values.Add(RedisDecimalLua.Format(threshold * policy.Limit));
            }
        }

        return (keys, [.. values]);
    }

    private static IReadOnlyList<BudgetAlert> Alerts(RedisResult[] reply, IReadOnlyList<BudgetWindow> windows)
    {
        if (reply.Length <= 2)
        {
            return NoAlerts;
        }

        var alerts = new List<BudgetAlert>();
        for (var i = 2; i + 2 < reply.Length; i += 3)
        {
            var window = windows[(int)reply[i] - 1];
            var threshold = window.Policy.AlertThresholds[(int)reply[i + 1] - 1];
            alerts.Add(new BudgetAlert(window.Policy, window.ScopeKey, window.Start, window.End, threshold, RedisDecimalLua.Parse((string?)reply[i + 2])));
        }

        return alerts;
    }

    private async Task FlushPendingAsync()
    {
        var count = _pending.Count;
        for (var i = 0; i < count && _pending.TryDequeue(out var completion); i++)
        {
            try
            {
                await CompleteAsync(completion, queueOnFailure: false).ConfigureAwait(false);
                Interlocked.Decrement(ref _pendingCount);
            }
            catch (Exception ex) when (IsUnavailable(ex))
            {
                // Still unreachable: put it back (order among completions of different ids does not matter) and stop trying.
                _pending.Enqueue(completion);
                Unavailable(ex);
                return;
            }
        }
    }

    /// <summary>Keeps a completion until Redis answers; counted until it was recorded (the queue itself empties while a flush runs).</summary>
    private void Keep(PendingCompletion completion)
    {
        Interlocked.Increment(ref _pendingCount);
        _pending.Enqueue(completion);
    }

    private async Task RunBackgroundAsync(CancellationToken stopping)
    {
        var renewEvery = _options.Lease / 3;
        var tick = renewEvery < TimeSpan.FromSeconds(1) ? renewEvery : TimeSpan.FromSeconds(1);
        var lastRenewal = DateTime.UtcNow;
        using var timer = new PeriodicTimer(tick);
        while (await timer.WaitForNextTickAsync(stopping).ConfigureAwait(false))
        {
            try
            {
                if (!_pending.IsEmpty)
                {
                    await FlushPendingAsync().ConfigureAwait(false);
                }

                if (DateTime.UtcNow - lastRenewal >= renewEvery - (tick / 2))
                {
                    await RenewAsync(stopping).ConfigureAwait(false);
                    lastRenewal = DateTime.UtcNow;
                }
            }
            catch (Exception ex) when (IsUnavailable(ex))
            {
                Unavailable(ex);
            }
        }
    }

    private async Task RenewAsync(CancellationToken cancellationToken)
    {
        // Pending completions are still open in Redis: keep their leases too, so an outage shorter than the lease loses nothing.
        var ids = _open.Keys.Concat(_pending.Select(p => p.Id)).Distinct(StringComparer.Ordinal).ToArray();
        if (ids.Length == 0)
        {
            return;
        }

        foreach (var chunk in ids.Chunk(500))
        {
            var values = new RedisValue[3 + chunk.Length];
            values[0] = _root;
            values[1] = (long)_options.Lease.TotalMilliseconds;
            values[2] = MarkerMilliseconds;
            for (var i = 0; i < chunk.Length; i++)
            {
                values[3 + i] = chunk[i];
            }

            await Run(RedisBudgetScripts.Renew, [_leases, _counters], values, cancellationToken).ConfigureAwait(false);
        }

        Available();
    }

    private Task<RedisResult> Run(string script, RedisKey[] keys, RedisValue[] values, CancellationToken cancellationToken) =>
        Database.ScriptEvaluateAsync(script, keys, values).WaitAsync(_options.OperationTimeout, cancellationToken);

    private void Unavailable(Exception ex)
    {
        if (Interlocked.Exchange(ref _unavailable, 1) == 0)
        {
            if (_options.FailOpen)
            {
                RedisLog.FailOpen(_logger, Name, Describe(ex));
            }
            else
            {
                RedisLog.StoreUnavailable(_logger, Name, Describe(ex));
            }
        }
    }

    private void Available()
    {
        if (Volatile.Read(ref _unavailable) == 1 && Interlocked.Exchange(ref _unavailable, 0) == 1)
        {
            RedisLog.StoreRecovered(_logger, Name);
        }
    }

    /// <summary>Redis unreachable, too slow, loading or refusing writes: the store is unavailable. A script error is a bug and propagates.</summary>
    private static bool IsUnavailable(Exception ex) => ex switch
    {
        OperationCanceledException => false,
        RedisServerException server => !server.Message.Contains("stratum:", StringComparison.Ordinal)
            && !server.Message.Contains("user_script", StringComparison.Ordinal),
        RedisException or TimeoutException or ObjectDisposedException => true,
        _ => false,
    };

    /// <summary>The kind of failure, for messages: never the Redis message itself, which could echo configuration.</summary>
    private string Describe(Exception ex) => ex switch
    {
        RedisTimeoutException or TimeoutException => string.Create(CultureInfo.InvariantCulture, $"no answer within {_options.OperationTimeout.TotalMilliseconds} ms"),
        RedisConnectionException connection => "connection " + connection.FailureType,
        RedisServerException server => "server answered " + server.Message.Split(' ', 2)[0],
        _ => ex.GetType().Name,
    };

    private RedisKey ReservationKey(string id) => _root + ":res:" + id;

    private RedisKey WindowKey(BudgetWindow window)
    {
        var policy = _policyKeys.GetOrAdd(window.Policy, static (p, root) => string.Create(
            CultureInfo.InvariantCulture,
            $"{root}:w:{Escape(p.Name)}:{p.Period.ToString().ToLowerInvariant()}:{p.Scope.Kind.ToString().ToLowerInvariant()}:{Escape(p.Scope.Value ?? string.Empty)}"), _root);
        var start = window.Start.UtcDateTime;
        var span = window.Policy.Period switch
        {
            BudgetPeriod.Day => start.ToString("yyyyMMdd", CultureInfo.InvariantCulture),
            BudgetPeriod.Month => start.ToString("yyyyMM", CultureInfo.InvariantCulture),
            _ => "all",
        };
        return policy + ":" + Escape(window.ScopeKey ?? string.Empty) + ":" + span;
    }

    private long ExpiresAt(BudgetWindow window) =>
        window.End is { } end ? (end + _options.WindowRetention).ToUnixTimeSeconds() : 0L;

    private static string Escape(string value) => Uri.EscapeDataString(value);

    private sealed record PendingCompletion(string Id, BudgetWindow[] Windows, decimal Amount, decimal? Actual);
}

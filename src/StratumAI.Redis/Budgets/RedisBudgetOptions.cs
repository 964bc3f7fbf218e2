using System.Globalization;

namespace StratumAI.Redis;

/// <summary>Settings of <see cref="RedisBudgetStore"/>: key prefix, lease, timeout, failure mode and how long windows are kept.</summary>
/// <remarks>The store reads the values when it is created; do not change the instance afterwards.</remarks>
public sealed class RedisBudgetOptions
{
    /// <summary>The default <see cref="KeyPrefix"/>.</summary>
    public const string DefaultKeyPrefix = "stratum:budgets";

    private TimeSpan _lease = TimeSpan.FromMinutes(2);
    private TimeSpan _operationTimeout = TimeSpan.FromSeconds(2);
    private TimeSpan _windowRetention = TimeSpan.FromDays(7);

    /// <summary>
    /// The prefix of every key the store writes. It becomes a hash tag (<c>{stratum:budgets}:…</c>) so that one script's keys
    /// share a cluster slot. Processes that share budgets use the same prefix; different applications use different ones.
    /// </summary>
    /// <value>Default <see cref="DefaultKeyPrefix"/>.</value>
    public string KeyPrefix { get; set; } = DefaultKeyPrefix;

    /// <summary>
    /// How long a reservation is held without its process renewing it. A live process renews the leases of its open
    /// reservations every third of this; when a process dies, its reservations are given back this long after its last
    /// renewal. A call that settles after its lease ended is still charged its cost.
    /// </summary>
    /// <value>Default 2 minutes; at least 1 second.</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is below 1 second.</exception>
    public TimeSpan Lease
    {
        get => _lease;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, TimeSpan.FromSeconds(1));
            _lease = value;
        }
    }

    /// <summary>
    /// How long a reservation, a status read or a charge waits for Redis before the store counts it as unreachable (and
    /// fails closed, or open).
    /// </summary>
    /// <value>Default 2 seconds.</value>
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

    /// <summary>
    /// When Redis cannot be reached: false (the default) refuses calls with <see cref="BudgetStoreUnavailableException"/> before
    /// they are sent; true admits them without a shared check, logging a warning (event 1021) when the outage starts. Their
    /// costs are still recorded in Redis once it answers again.
    /// </summary>
    /// <value>Default false: budgets fail closed.</value>
    public bool FailOpen { get; set; }

    /// <summary>How long the counters of a day or month window are kept in Redis after the window ended (they expire then).</summary>
    /// <value>Default 7 days. <see cref="BudgetPeriod.Total"/> windows never expire.</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative.</exception>
    public TimeSpan WindowRetention
    {
        get => _windowRetention;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, TimeSpan.Zero);
            _windowRetention = value;
        }
    }

    /// <summary>The Redis database number; -1 for the connection's default.</summary>
    /// <value>Default -1.</value>
    public int Database { get; set; } = -1;

    /// <inheritdoc />
    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"RedisBudgetOptions {{ KeyPrefix = {KeyPrefix}, Lease = {Lease}, OperationTimeout = {OperationTimeout}, FailOpen = {FailOpen}, WindowRetention = {WindowRetention} }}");
}

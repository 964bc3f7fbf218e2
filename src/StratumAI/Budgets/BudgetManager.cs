using Microsoft.Extensions.Logging;

namespace StratumAI;

/// <summary>
/// Holds the spend and the outstanding reservations of every <see cref="BudgetPolicy"/>, per scope and UTC window, and admits
/// or refuses calls: a call reserves its worst-case cost before it is sent, and settles to its actual cost afterwards.
/// </summary>
/// <remarks>
/// <para>
/// A call is admitted only when, for every policy that covers it, spent + reserved + its worst case stays within the limit;
/// the check and the reservation in every policy happen under one lock, so any number of concurrent calls can never
/// reserve past a limit together. Settling replaces the reservation by the actual cost. As long as each call's actual cost
/// is at most its reservation (what <see cref="BudgetChatClient"/>'s worst-case estimate is built for), spend never passes
/// the limit. A call is charged to the window it started in, even when it settles after the window rolled over.
/// </para>
/// <para>
/// Thread-safe. The lock is held only for a few dictionary and decimal operations, never during I/O or callbacks.
/// <see cref="AlertRaised"/> handlers run after the lock is released, on the thread that settled the call; they must be
/// quick and must not throw (an exception propagates to the code that settled, after the spend was recorded).
/// Windows are computed from <see cref="TimeProvider"/>. All money is <see cref="decimal"/>, never rounded.
/// </para>
/// </remarks>
public sealed class BudgetManager
{
    private readonly object _gate = new();
    private readonly BudgetPolicy[] _policies;
    private readonly Dictionary<(int Policy, string Key), Bucket> _buckets = [];

    /// <summary>Creates a manager for a set of policies.</summary>
    /// <param name="policies">The policies; a call must fit all that cover it.</param>
    /// <param name="timeProvider">The clock for windows; <see cref="TimeProvider.System"/> when null.</param>
    /// <exception cref="ArgumentNullException"><paramref name="policies"/> or one of them is null.</exception>
    public BudgetManager(IEnumerable<BudgetPolicy> policies, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(policies);
        _policies = policies.ToArray();
        foreach (var policy in _policies)
        {
            ArgumentNullException.ThrowIfNull(policy, nameof(policies));
        }

        TimeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <summary>Raised once per policy, scope and window for each alert threshold the settled spend reaches.</summary>
    public event EventHandler<BudgetAlertEventArgs>? AlertRaised;

    /// <summary>
    /// Where each alert is logged (event 1014 <c>ChatBudgetThreshold</c>, Warning) before <see cref="AlertRaised"/> handlers run;
    /// null logs nothing.
    /// </summary>
    /// <value>Null by default; <c>UseStratumBudget</c> sets the pipeline's <see cref="ILoggerFactory"/> logger when it is still null.</value>
    public ILogger? Logger { get; set; }

    /// <summary>The policies, in the order given.</summary>
    public IReadOnlyList<BudgetPolicy> Policies => _policies;

    /// <summary>The clock windows are computed from.</summary>
    public TimeProvider TimeProvider { get; }

    /// <summary>
    /// Reserves <paramref name="worstCase"/> in every policy that covers a call with these tags and caller, or refuses the call.
    /// </summary>
    /// <param name="worstCase">The most the call can cost, in USD.</param>
    /// <param name="tags">The call's tags, or null for none.</param>
    /// <param name="caller">The call's caller, or null.</param>
    /// <returns>The reservation; settle it with the actual cost, or release it when nothing was billed.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="worstCase"/> is negative.</exception>
    /// <exception cref="BudgetExceededException">A policy would go over its limit; nothing was reserved anywhere.</exception>
    public BudgetReservation Reserve(decimal worstCase, IEnumerable<string>? tags = null, string? caller = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(worstCase);
        var tagList = TagList(tags);
        var now = TimeProvider.GetUtcNow();
        lock (_gate)
        {
            var charged = new List<Bucket>(_policies.Length);
            for (var i = 0; i < _policies.Length; i++)
            {
                var policy = _policies[i];
                if (!policy.Scope.TryGetKey(tagList, caller, out var key))
                {
                    continue;
                }

                var scopeKey = policy.Scope.Kind == BudgetScopeKind.EachCaller ? key : null;
                if (policy.Period == BudgetPeriod.PerCall)
                {
                    if (worstCase > policy.Limit)
                    {
                        throw BudgetExceededException.Create(policy, scopeKey, now, now, 0m, 0m, worstCase);
                    }

                    continue;
                }

                var bucket = CurrentBucket(i, key, now);

                // A free call spends nothing, so it is never refused.
                if (worstCase > 0m && bucket.Spent + bucket.Reserved + worstCase > policy.Limit)
                {
                    throw BudgetExceededException.Create(policy, scopeKey, bucket.WindowStart, bucket.WindowEnd, bucket.Spent, bucket.Reserved, worstCase);
                }

                charged.Add(bucket);
            }

            foreach (var bucket in charged)
            {
                bucket.Reserved += worstCase;
            }

            return new BudgetReservation(this, charged, worstCase);
        }
    }

    /// <summary>The tags without nulls; the caller's list itself when it has none (the usual case: no copy per call).</summary>
    private static IReadOnlyCollection<string> TagList(IEnumerable<string>? tags)
    {
        if (tags is null)
        {
            return [];
        }

        if (tags is IReadOnlyList<string> list)
        {
            var clean = true;
            for (var i = 0; i < list.Count && clean; i++)
            {
                clean = list[i] is not null;
            }

            if (clean)
            {
                return list;
            }
        }

        return tags.Where(tag => tag is not null).ToArray();
    }

    /// <summary>Where a policy stands in its current window.</summary>
    /// <param name="policy">One of <see cref="Policies"/>.</param>
    /// <param name="caller">For a <see cref="BudgetScopeKind.EachCaller"/> policy, the caller; otherwise ignored.</param>
    /// <returns>A snapshot; zeros when nothing was reserved in the window yet.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="policy"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="policy"/> is not one of this manager's policies, or a caller is
    /// needed and missing.</exception>
    public BudgetStatus GetStatus(BudgetPolicy policy, string? caller = null)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var index = Array.IndexOf(_policies, policy);
        if (index < 0)
        {
            throw new ArgumentException($"The policy '{policy.Name}' is not one of this budget manager's policies.", nameof(policy));
        }

        string? scopeKey = null;
        if (policy.Scope.Kind == BudgetScopeKind.EachCaller)
        {
            ArgumentException.ThrowIfNullOrEmpty(caller);
            scopeKey = caller;
        }

        var key = scopeKey ?? string.Empty;
        var now = TimeProvider.GetUtcNow();
        var (start, end) = policy.WindowAt(now);
        lock (_gate)
        {
            return _buckets.TryGetValue((index, key), out var bucket) && bucket.WindowStart == start
                ? new BudgetStatus(policy, scopeKey, start, end, bucket.Spent, bucket.Reserved)
                : new BudgetStatus(policy, scopeKey, start, end, 0m, 0m);
        }
    }

    /// <summary>
    /// Records spend that was not reserved — a cost paid outside the pipeline, or the spend a persistent ledger already holds
    /// for the current window when the process starts — in every policy that covers it. Nothing is checked: this can take
    /// a window past its limit, and later calls are then refused.
    /// </summary>
    /// <param name="cost">The cost in USD.</param>
    /// <param name="tags">The tags it is charged under, or null for none.</param>
    /// <param name="caller">The caller it is charged to, or null.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="cost"/> is negative.</exception>
    public void Charge(decimal cost, IEnumerable<string>? tags = null, string? caller = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(cost);
        var tagList = TagList(tags);
        var now = TimeProvider.GetUtcNow();
        List<BudgetAlert>? alerts;
        lock (_gate)
        {
            var buckets = new List<Bucket>(_policies.Length);
            for (var i = 0; i < _policies.Length; i++)
            {
                if (_policies[i].Period != BudgetPeriod.PerCall && _policies[i].Scope.TryGetKey(tagList, caller, out var key))
                {
                    buckets.Add(CurrentBucket(i, key, now));
                }
            }

            alerts = Apply(buckets, 0m, cost);
        }

        Raise(alerts);
    }

    internal void Complete(BudgetReservation reservation, IReadOnlyList<Bucket> buckets, decimal actual)
    {
        List<BudgetAlert>? alerts;
        lock (_gate)
        {
            alerts = Apply(buckets, reservation.Amount, actual);
        }

        Raise(alerts);
    }

    // Called under the lock; returns the alerts to raise once it is released.
    private static List<BudgetAlert>? Apply(IReadOnlyList<Bucket> buckets, decimal reserved, decimal actual)
    {
        List<BudgetAlert>? alerts = null;
        foreach (var bucket in buckets)
        {
            bucket.Reserved -= reserved;
            bucket.Spent += actual;
            var thresholds = bucket.Policy.AlertThresholds;
            while (actual > 0m && bucket.NextAlert < thresholds.Count && bucket.Spent >= thresholds[bucket.NextAlert] * bucket.Policy.Limit)
            {
                (alerts ??= []).Add(new BudgetAlert(bucket.Policy, bucket.ScopeKey, bucket.WindowStart, bucket.WindowEnd, thresholds[bucket.NextAlert], bucket.Spent));
                bucket.NextAlert++;
            }
        }

        return alerts;
    }

    private void Raise(List<BudgetAlert>? alerts)
    {
        if (alerts is null)
        {
            return;
        }

        var logger = Logger;
        foreach (var alert in alerts)
        {
            if (logger is not null)
            {
                var scope = alert.ScopeKey is null ? alert.Policy.Name : $"{alert.Policy.Name} (caller '{alert.ScopeKey}')";
                StratumLog.BudgetThresholdReached(logger, scope, alert.Threshold * 100m, alert.Limit, alert.Spent);
            }

            AlertRaised?.Invoke(this, new BudgetAlertEventArgs(alert));
        }
    }

    private Bucket CurrentBucket(int index, string key, DateTimeOffset now)
    {
        var policy = _policies[index];
        var (start, end) = policy.WindowAt(now);
        if (_buckets.TryGetValue((index, key), out var bucket) && bucket.WindowStart == start)
        {
            return bucket;
        }

        // A new window starts empty; reservations still open in the old one settle there.
        bucket = new Bucket(policy, policy.Scope.Kind == BudgetScopeKind.EachCaller ? key : null, start, end);
        _buckets[(index, key)] = bucket;
        return bucket;
    }

    /// <summary>Spend and reservations of one policy, scope key and window; guarded by the manager's lock.</summary>
    internal sealed class Bucket(BudgetPolicy policy, string? scopeKey, DateTimeOffset windowStart, DateTimeOffset? windowEnd)
    {
        public BudgetPolicy Policy { get; } = policy;

        public string? ScopeKey { get; } = scopeKey;

        public DateTimeOffset WindowStart { get; } = windowStart;

        public DateTimeOffset? WindowEnd { get; } = windowEnd;

        public decimal Spent { get; set; }

        public decimal Reserved { get; set; }

        public int NextAlert { get; set; }
    }
}

/// <summary>
/// The worst-case cost a call reserved in its budgets. Settle it with the call's actual cost, or release it when nothing was
/// billed; disposing an open reservation releases it.
/// </summary>
/// <remarks>Thread-safe: the first of <see cref="Settle"/> and <see cref="Release"/> wins; later releases do nothing.</remarks>
public sealed class BudgetReservation : IDisposable
{
    private readonly BudgetManager _manager;
    private readonly IReadOnlyList<BudgetManager.Bucket> _buckets;
    private int _completed;

    internal BudgetReservation(BudgetManager manager, IReadOnlyList<BudgetManager.Bucket> buckets, decimal amount)
    {
        _manager = manager;
        _buckets = buckets;
        Amount = amount;
    }

    /// <summary>The reserved worst case, in USD.</summary>
    public decimal Amount { get; }

    /// <summary>True once settled or released.</summary>
    public bool IsCompleted => Volatile.Read(ref _completed) != 0;

    /// <summary>Replaces the reservation by what the call actually cost.</summary>
    /// <param name="actualCost">The call's cost in USD. It may exceed <see cref="Amount"/> (an estimate that was too low); it is recorded as is.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="actualCost"/> is negative.</exception>
    /// <exception cref="InvalidOperationException">The reservation was already settled or released.</exception>
    public void Settle(decimal actualCost)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(actualCost);
        if (Interlocked.Exchange(ref _completed, 1) != 0)
        {
            throw new InvalidOperationException("The budget reservation was already settled or released.");
        }

        _manager.Complete(this, _buckets, actualCost);
    }

    /// <summary>Gives the reservation back: the call cost nothing. Does nothing when already settled or released.</summary>
    public void Release()
    {
        if (Interlocked.Exchange(ref _completed, 1) == 0)
        {
            _manager.Complete(this, _buckets, 0m);
        }
    }

    /// <summary>Releases the reservation when it is still open.</summary>
    public void Dispose() => Release();
}

using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace StratumAI;

/// <summary>
/// Holds the spend and the outstanding reservations of every <see cref="BudgetPolicy"/>, per scope and UTC window, and admits
/// or refuses calls: a call reserves its worst-case cost before it is sent, and settles to its actual cost afterwards.
/// </summary>
/// <remarks>
/// <para>
/// A call is admitted only when, for every policy that covers it, spent + reserved + its worst case stays within the limit.
/// In each policy's window the check and the reservation are one atomic compare-and-swap, so any number of concurrent calls
/// can never reserve past a limit together. A call covered by several policies reserves in them one after the other and
/// gives back what it reserved when a later one refuses it; while it does, a call racing it at the limit of an earlier
/// policy can be refused although it would have fitted a moment later (never admitted past a limit). Decided for issue 18:
/// one manager-wide lock made every call in the process queue behind it.
/// </para>
/// <para>
/// Settling replaces the reservation by the actual cost. As long as each call's actual cost is at most its reservation (what <see cref="BudgetChatClient"/>'s worst-case estimate is built for), spend never passes
/// the limit. A call is charged to the window it started in, even when it settles after the window rolled over.
/// </para>
/// <para>
/// Thread-safe and lock-free: no call waits for another to finish its bookkeeping.
/// <see cref="AlertRaised"/> handlers run after the spend was recorded, on the thread that settled the call; they must be
/// quick and must not throw (an exception propagates to the code that settled, after the spend was recorded).
/// Windows are computed from <see cref="TimeProvider"/>. All money is <see cref="decimal"/>, never rounded.
/// </para>
/// <para>
/// With an <see cref="IBudgetStore"/> (<c>StratumAI.Redis</c>), the windows live in the store and are shared by every process
/// that uses it: the manager still decides which windows a call must fit, and the store reserves in all of them or none, in
/// one atomic step. Use the asynchronous members then (<see cref="ReserveAsync"/>, <see cref="BudgetReservation.SettleAsync"/>,
/// <see cref="GetStatusAsync"/>, <see cref="ChargeAsync"/>); the synchronous ones wait for the store. Without a store, the
/// asynchronous members complete at once and allocate nothing more than the synchronous ones.
/// </para>
/// </remarks>
public sealed class BudgetManager
{
    private readonly BudgetPolicy[] _policies;
    private readonly ConcurrentDictionary<(int Policy, string Key), Bucket> _buckets = new();
    private readonly IBudgetStore? _store;

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

    /// <summary>Creates a manager whose windows live in a shared store, so every process using the store shares the budgets.</summary>
    /// <param name="policies">The policies; a call must fit all that cover it. Give every process the same policies (a window
    /// is known by its policy's name, scope and period).</param>
    /// <param name="store">Where spend and reservations live, e.g. <c>RedisBudgetStore</c>.</param>
    /// <param name="timeProvider">The clock for windows; <see cref="TimeProvider.System"/> when null.</param>
    /// <exception cref="ArgumentNullException"><paramref name="policies"/>, one of them, or <paramref name="store"/> is null.</exception>
    public BudgetManager(IEnumerable<BudgetPolicy> policies, IBudgetStore store, TimeProvider? timeProvider = null)
        : this(policies, timeProvider)
    {
        ArgumentNullException.ThrowIfNull(store);
        _store = store;
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

    /// <summary>The store the windows live in, shared with other processes; null when they live in this manager's memory.</summary>
    public IBudgetStore? Store => _store;

    /// <summary>
    /// Reserves <paramref name="worstCase"/> in every policy that covers a call with these tags and caller, or refuses the call.
    /// </summary>
    /// <param name="worstCase">The most the call can cost, in USD.</param>
    /// <param name="tags">The call's tags, or null for none.</param>
    /// <param name="caller">The call's caller, or null.</param>
    /// <returns>The reservation; settle it with the actual cost, or release it when nothing was billed.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="worstCase"/> is negative.</exception>
    /// <exception cref="BudgetExceededException">A policy would go over its limit; nothing was reserved anywhere.</exception>
    /// <exception cref="BudgetStoreUnavailableException">The manager's <see cref="Store"/> cannot be reached (it fails closed).</exception>
    /// <remarks>With a <see cref="Store"/>, this waits for it; prefer <see cref="ReserveAsync"/>.</remarks>
    public BudgetReservation Reserve(decimal worstCase, IEnumerable<string>? tags = null, string? caller = null)
    {
        if (_store is not null)
        {
            return ReserveInStoreAsync(worstCase, tags, caller, CancellationToken.None).AsTask().GetAwaiter().GetResult();
        }

        ArgumentOutOfRangeException.ThrowIfNegative(worstCase);
        var tagList = TagList(tags);
        var now = TimeProvider.GetUtcNow();
        Bucket[]? charged = null;
        var count = 0;
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
                    RollBack(charged, count, worstCase);
                    throw BudgetExceededException.Create(policy, scopeKey, now, now, 0m, 0m, worstCase);
                }

                continue;
            }

            var bucket = CurrentBucket(i, key, now);
            if (!bucket.TryReserve(worstCase, out var refusedAt))
            {
                // Give back what this call already reserved in earlier policies, then refuse it.
                RollBack(charged, count, worstCase);
                throw BudgetExceededException.Create(policy, scopeKey, bucket.WindowStart, bucket.WindowEnd, refusedAt.Spent, refusedAt.Reserved, worstCase);
            }

            (charged ??= new Bucket[_policies.Length])[count++] = bucket;
        }

        return new BudgetReservation(this, charged is null ? [] : count == charged.Length ? charged : charged[..count], worstCase);
    }

    /// <summary>
    /// Reserves <paramref name="worstCase"/> in every policy that covers a call with these tags and caller, or refuses the call;
    /// with a <see cref="Store"/>, in one atomic step of the store shared by every process.
    /// </summary>
    /// <param name="worstCase">The most the call can cost, in USD.</param>
    /// <param name="tags">The call's tags, or null for none.</param>
    /// <param name="caller">The call's caller, or null.</param>
    /// <param name="cancellationToken">Stops waiting for the store (nothing stays reserved: the store frees what it may have reserved).</param>
    /// <returns>The reservation; settle it with the actual cost, or release it when nothing was billed. Without a store, completed at once.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="worstCase"/> is negative.</exception>
    /// <exception cref="BudgetExceededException">A policy would go over its limit; nothing was reserved anywhere.</exception>
    /// <exception cref="BudgetStoreUnavailableException">The manager's <see cref="Store"/> cannot be reached (it fails closed).</exception>
    public ValueTask<BudgetReservation> ReserveAsync(decimal worstCase, IEnumerable<string>? tags = null, string? caller = null, CancellationToken cancellationToken = default) =>
        _store is null ? new(Reserve(worstCase, tags, caller)) : ReserveInStoreAsync(worstCase, tags, caller, cancellationToken);

    private async ValueTask<BudgetReservation> ReserveInStoreAsync(decimal worstCase, IEnumerable<string>? tags, string? caller, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(worstCase);
        var now = TimeProvider.GetUtcNow();
        var windows = WindowsOf(TagList(tags), caller, now, worstCase);
        if (windows.Length == 0)
        {
            return new BudgetReservation(this, [], worstCase);
        }

        var id = Guid.NewGuid().ToString("N");
        var refused = await _store!.ReserveAsync(id, windows, worstCase, cancellationToken).ConfigureAwait(false);
        if (refused is not null)
        {
            throw BudgetExceededException.Create(refused.Policy, refused.ScopeKey, refused.WindowStart, refused.WindowEnd, refused.Spent, refused.Reserved, worstCase);
        }

        return new BudgetReservation(this, id, windows, worstCase);
    }

    /// <summary>The store windows covering a call; a per-call limit is checked here (it needs no shared state).</summary>
    private BudgetWindow[] WindowsOf(IReadOnlyCollection<string> tags, string? caller, DateTimeOffset now, decimal? perCallCheck)
    {
        List<BudgetWindow>? windows = null;
        foreach (var policy in _policies)
        {
            if (!policy.Scope.TryGetKey(tags, caller, out var key))
            {
                continue;
            }

            var scopeKey = policy.Scope.Kind == BudgetScopeKind.EachCaller ? key : null;
            if (policy.Period == BudgetPeriod.PerCall)
            {
                if (perCallCheck is { } worstCase && worstCase > policy.Limit)
                {
                    throw BudgetExceededException.Create(policy, scopeKey, now, now, 0m, 0m, worstCase);
                }

                continue;
            }

            var (start, end) = policy.WindowAt(now);
            (windows ??= []).Add(new BudgetWindow(policy, scopeKey, start, end));
        }

        return windows is null ? [] : [.. windows];
    }

    private static void RollBack(Bucket[]? charged, int count, decimal worstCase)
    {
        for (var i = 0; i < count; i++)
        {
            charged![i].Apply(worstCase, 0m);
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
    /// <exception cref="BudgetStoreUnavailableException">The manager's <see cref="Store"/> cannot be reached.</exception>
    /// <remarks>With a <see cref="Store"/>, this waits for it; prefer <see cref="GetStatusAsync"/>.</remarks>
    public BudgetStatus GetStatus(BudgetPolicy policy, string? caller = null)
    {
        if (_store is not null)
        {
            return GetStatusAsync(policy, caller).AsTask().GetAwaiter().GetResult();
        }

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
        if (_buckets.TryGetValue((index, key), out var bucket) && bucket.WindowStart == start)
        {
            var state = bucket.Current;
            return new BudgetStatus(policy, scopeKey, start, end, state.Spent, state.Reserved);
        }

        return new BudgetStatus(policy, scopeKey, start, end, 0m, 0m);
    }

    /// <summary>Where a policy stands in its current window; with a <see cref="Store"/>, for every process that shares it.</summary>
    /// <param name="policy">One of <see cref="Policies"/>.</param>
    /// <param name="caller">For a <see cref="BudgetScopeKind.EachCaller"/> policy, the caller; otherwise ignored.</param>
    /// <param name="cancellationToken">Stops waiting for the store.</param>
    /// <returns>A snapshot; zeros when nothing was reserved in the window yet.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="policy"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="policy"/> is not one of this manager's policies, or a caller is
    /// needed and missing.</exception>
    /// <exception cref="BudgetStoreUnavailableException">The manager's <see cref="Store"/> cannot be reached.</exception>
    public ValueTask<BudgetStatus> GetStatusAsync(BudgetPolicy policy, string? caller = null, CancellationToken cancellationToken = default)
    {
        if (_store is null)
        {
            return new(GetStatus(policy, caller));
        }

        ArgumentNullException.ThrowIfNull(policy);
        if (Array.IndexOf(_policies, policy) < 0)
        {
            throw new ArgumentException($"The policy '{policy.Name}' is not one of this budget manager's policies.", nameof(policy));
        }

        string? scopeKey = null;
        if (policy.Scope.Kind == BudgetScopeKind.EachCaller)
        {
            ArgumentException.ThrowIfNullOrEmpty(caller);
            scopeKey = caller;
        }

        var (start, end) = policy.WindowAt(TimeProvider.GetUtcNow());
        return _store.GetStatusAsync(new BudgetWindow(policy, scopeKey, start, end), cancellationToken);
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
    /// <exception cref="BudgetStoreUnavailableException">The manager's <see cref="Store"/> cannot be reached.</exception>
    /// <remarks>With a <see cref="Store"/>, this waits for it; prefer <see cref="ChargeAsync"/>.</remarks>
    public void Charge(decimal cost, IEnumerable<string>? tags = null, string? caller = null)
    {
        if (_store is not null)
        {
            ChargeAsync(cost, tags, caller).AsTask().GetAwaiter().GetResult();
            return;
        }

        ArgumentOutOfRangeException.ThrowIfNegative(cost);
        var tagList = TagList(tags);
        var now = TimeProvider.GetUtcNow();
        List<BudgetAlert>? alerts = null;
        for (var i = 0; i < _policies.Length; i++)
        {
            if (_policies[i].Period != BudgetPeriod.PerCall && _policies[i].Scope.TryGetKey(tagList, caller, out var key))
            {
                CurrentBucket(i, key, now).Apply(0m, cost, ref alerts);
            }
        }

        Raise(alerts);
    }

    /// <summary>
    /// Records spend that was not reserved in every policy that covers it, without a check; with a <see cref="Store"/>, for every
    /// process that shares it. See <see cref="Charge"/>.
    /// </summary>
    /// <param name="cost">The cost in USD.</param>
    /// <param name="tags">The tags it is charged under, or null for none.</param>
    /// <param name="caller">The caller it is charged to, or null.</param>
    /// <param name="cancellationToken">Stops waiting for the store.</param>
    /// <returns>A task that completes when the spend was recorded.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="cost"/> is negative.</exception>
    /// <exception cref="BudgetStoreUnavailableException">The manager's <see cref="Store"/> cannot be reached.</exception>
    public async ValueTask ChargeAsync(decimal cost, IEnumerable<string>? tags = null, string? caller = null, CancellationToken cancellationToken = default)
    {
        if (_store is null)
        {
            Charge(cost, tags, caller);
            return;
        }

        ArgumentOutOfRangeException.ThrowIfNegative(cost);
        var windows = WindowsOf(TagList(tags), caller, TimeProvider.GetUtcNow(), perCallCheck: null);
        if (windows.Length > 0 && cost > 0m)
        {
            Raise(await _store.ChargeAsync(windows, cost, cancellationToken).ConfigureAwait(false));
        }
    }

    /// <summary>Settles or releases a reservation held in the store; alerts it reached first in the fleet are raised here.</summary>
    internal async ValueTask CompleteInStoreAsync(string id, BudgetWindow[] windows, decimal amount, decimal? actual)
    {
        if (actual is { } cost)
        {
            Raise(await _store!.SettleAsync(id, windows, amount, cost).ConfigureAwait(false));
        }
        else
        {
            await _store!.ReleaseAsync(id, windows, amount).ConfigureAwait(false);
        }
    }

    internal void Complete(BudgetReservation reservation, IReadOnlyList<Bucket> buckets, decimal actual)
    {
        List<BudgetAlert>? alerts = null;
        for (var i = 0; i < buckets.Count; i++)
        {
            buckets[i].Apply(reservation.Amount, actual, ref alerts);
        }

        Raise(alerts);
    }

    private void Raise(IReadOnlyList<BudgetAlert>? alerts)
    {
        if (alerts is null || alerts.Count == 0)
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
        while (true)
        {
            if (_buckets.TryGetValue((index, key), out var bucket))
            {
                if (bucket.WindowStart == start)
                {
                    return bucket;
                }

                // A new window starts empty; reservations still open in the old one settle there. Of two threads that see
                // the window roll over, one replaces the bucket and the other takes the winner's.
                if (bucket.WindowStart > start)
                {
                    // This thread read the clock just before another saw the window roll over: the call is checked and
                    // charged in the newer window, never in a bucket nobody else sees.
                    return bucket;
                }

                var next = new Bucket(policy, policy.Scope.Kind == BudgetScopeKind.EachCaller ? key : null, start, end);
                if (_buckets.TryUpdate((index, key), next, bucket))
                {
                    return next;
                }

                continue;
            }

            var created = new Bucket(policy, policy.Scope.Kind == BudgetScopeKind.EachCaller ? key : null, start, end);
            if (_buckets.TryAdd((index, key), created))
            {
                return created;
            }
        }
    }

    /// <summary>
    /// Spend and reservations of one policy, scope key and window. Lock-free: the three numbers live in one immutable
    /// <see cref="State"/> that every change replaces with a compare-and-swap, so a check and the reservation it admits
    /// are one atomic step and a thread that is descheduled holds nothing up.
    /// </summary>
    internal sealed class Bucket(BudgetPolicy policy, string? scopeKey, DateTimeOffset windowStart, DateTimeOffset? windowEnd)
    {
        private State _state = State.Empty;

        public BudgetPolicy Policy { get; } = policy;

        public string? ScopeKey { get; } = scopeKey;

        public DateTimeOffset WindowStart { get; } = windowStart;

        public DateTimeOffset? WindowEnd { get; } = windowEnd;

        public State Current => Volatile.Read(ref _state);

        /// <summary>Adds <paramref name="amount"/> to the reserved sum if spent + reserved + amount stays within the limit.</summary>
        public bool TryReserve(decimal amount, out State refusedAt)
        {
            var limit = Policy.Limit;
            while (true)
            {
                var current = Volatile.Read(ref _state);

                // A free call spends nothing, so it is never refused.
                if (amount > 0m && current.Spent + current.Reserved + amount > limit)
                {
                    refusedAt = current;
                    return false;
                }

                if (amount == 0m)
                {
                    refusedAt = current;
                    return true;
                }

                var next = new State(current.Spent, current.Reserved + amount, current.NextAlert);
                if (ReferenceEquals(Interlocked.CompareExchange(ref _state, next, current), current))
                {
                    refusedAt = next;
                    return true;
                }
            }
        }

        public void Apply(decimal reserved, decimal actual)
        {
            List<BudgetAlert>? alerts = null;
            Apply(reserved, actual, ref alerts);
        }

        /// <summary>Replaces <paramref name="reserved"/> by <paramref name="actual"/>; adds each alert threshold passed, once.</summary>
        public void Apply(decimal reserved, decimal actual, ref List<BudgetAlert>? alerts)
        {
            if (reserved == 0m && actual == 0m)
            {
                return;
            }

            var thresholds = Policy.AlertThresholds;
            while (true)
            {
                var current = Volatile.Read(ref _state);
                var spent = current.Spent + actual;
                var nextAlert = current.NextAlert;
                while (actual > 0m && nextAlert < thresholds.Count && spent >= thresholds[nextAlert] * Policy.Limit)
                {
                    nextAlert++;
                }

                var next = new State(spent, current.Reserved - reserved, nextAlert);
                if (!ReferenceEquals(Interlocked.CompareExchange(ref _state, next, current), current))
                {
                    continue;
                }

                // Only the thread whose swap moved NextAlert past a threshold reports it: each alert fires once.
                for (var i = current.NextAlert; i < nextAlert; i++)
                {
                    (alerts ??= []).Add(new BudgetAlert(Policy, ScopeKey, WindowStart, WindowEnd, thresholds[i], spent));
                }

                return;
            }
        }

        /// <summary>One consistent reading of a bucket.</summary>
        internal sealed class State(decimal spent, decimal reserved, int nextAlert)
        {
            public static readonly State Empty = new(0m, 0m, 0);

            public decimal Spent { get; } = spent;

            public decimal Reserved { get; } = reserved;

            public int NextAlert { get; } = nextAlert;
        }
    }
}

/// <summary>
/// The worst-case cost a call reserved in its budgets. Settle it with the call's actual cost, or release it when nothing was
/// billed; disposing an open reservation releases it.
/// </summary>
/// <remarks>
/// Thread-safe: the first of <see cref="Settle"/>, <see cref="SettleAsync"/>, <see cref="Release"/> and <see cref="ReleaseAsync"/>
/// wins; later releases do nothing. A reservation held in a shared <see cref="IBudgetStore"/> is completed there exactly once,
/// by its id; use the asynchronous members for it (the synchronous ones wait for the store).
/// </remarks>
public sealed class BudgetReservation : IDisposable, IAsyncDisposable
{
    private readonly BudgetManager _manager;
    private readonly IReadOnlyList<BudgetManager.Bucket> _buckets;
    private readonly string? _storeId;
    private readonly BudgetWindow[]? _windows;
    private int _completed;

    internal BudgetReservation(BudgetManager manager, IReadOnlyList<BudgetManager.Bucket> buckets, decimal amount)
    {
        _manager = manager;
        _buckets = buckets;
        Amount = amount;
    }

    internal BudgetReservation(BudgetManager manager, string storeId, BudgetWindow[] windows, decimal amount)
        : this(manager, [], amount)
    {
        _storeId = storeId;
        _windows = windows;
    }

    /// <summary>The reserved worst case, in USD.</summary>
    public decimal Amount { get; }

    /// <summary>True once settled or released.</summary>
    public bool IsCompleted => Volatile.Read(ref _completed) != 0;

    /// <summary>Replaces the reservation by what the call actually cost.</summary>
    /// <param name="actualCost">The call's cost in USD. It may exceed <see cref="Amount"/> (an estimate that was too low); it is recorded as is.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="actualCost"/> is negative.</exception>
    /// <exception cref="InvalidOperationException">The reservation was already settled or released.</exception>
    /// <remarks>For a reservation held in a shared store, this waits for the store; prefer <see cref="SettleAsync"/>.</remarks>
    public void Settle(decimal actualCost)
    {
        var pending = SettleAsync(actualCost);
        if (!pending.IsCompletedSuccessfully)
        {
            pending.AsTask().GetAwaiter().GetResult();
        }
    }

    /// <summary>Replaces the reservation by what the call actually cost; in a shared store, exactly once.</summary>
    /// <param name="actualCost">The call's cost in USD. It may exceed <see cref="Amount"/> (an estimate that was too low); it is recorded as is.</param>
    /// <returns>A task that completes when the spend was recorded (or, the store being unreachable, queued for it). Not cancellable: the spend is real.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="actualCost"/> is negative.</exception>
    /// <exception cref="InvalidOperationException">The reservation was already settled or released.</exception>
    public ValueTask SettleAsync(decimal actualCost)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(actualCost);
        if (Interlocked.Exchange(ref _completed, 1) != 0)
        {
            throw new InvalidOperationException("The budget reservation was already settled or released.");
        }

        if (_storeId is not null)
        {
            return _manager.CompleteInStoreAsync(_storeId, _windows!, Amount, actualCost);
        }

        _manager.Complete(this, _buckets, actualCost);
        return default;
    }

    /// <summary>Gives the reservation back: the call cost nothing. Does nothing when already settled or released.</summary>
    /// <remarks>For a reservation held in a shared store, this waits for the store; prefer <see cref="ReleaseAsync"/>.</remarks>
    public void Release()
    {
        var pending = ReleaseAsync();
        if (!pending.IsCompletedSuccessfully)
        {
            pending.AsTask().GetAwaiter().GetResult();
        }
    }

    /// <summary>Gives the reservation back: the call cost nothing. Does nothing when already settled or released.</summary>
    /// <returns>A task that completes when the release was recorded (or, the store being unreachable, queued for it).</returns>
    public ValueTask ReleaseAsync()
    {
        if (Interlocked.Exchange(ref _completed, 1) != 0)
        {
            return default;
        }

        if (_storeId is not null)
        {
            return _manager.CompleteInStoreAsync(_storeId, _windows!, Amount, actual: null);
        }

        _manager.Complete(this, _buckets, 0m);
        return default;
    }

    /// <summary>Releases the reservation when it is still open.</summary>
    public void Dispose() => Release();

    /// <summary>Releases the reservation when it is still open.</summary>
    /// <returns>A task that completes when the release was recorded or queued.</returns>
    public ValueTask DisposeAsync() => ReleaseAsync();
}

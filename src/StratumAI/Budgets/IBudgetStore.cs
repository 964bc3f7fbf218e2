namespace StratumAI;

/// <summary>
/// Where a <see cref="BudgetManager"/> keeps the spend and reservations of its windows when they are shared by many processes
/// (<c>StratumAI.Redis</c>'s <c>RedisBudgetStore</c>). Without a store, the manager keeps them in its own memory.
/// </summary>
/// <remarks>
/// <para>The manager decides which windows a call must fit (policies, scopes, UTC windows, <see cref="BudgetPeriod.PerCall"/>
/// limits); the store makes the reservation <b>atomic across processes</b>: in all the windows or in none, each checked for
/// spent + reserved + amount ≤ the window's <see cref="BudgetPolicy.Limit"/> (an amount of zero is never refused). It
/// completes each reservation <b>exactly once</b> by its id, however often a completion is retried, and fires each alert
/// threshold of a window once for all the processes that share it.</para>
/// <para>A store that cannot be reached throws <see cref="BudgetStoreUnavailableException"/> (or admits the call, when it was
/// configured to fail open). Completions must not be lost: a store that cannot record one at once keeps it and retries.
/// Implementations are thread-safe.</para>
/// </remarks>
public interface IBudgetStore
{
    /// <summary>How the store is named in messages and logs, e.g. <c>Redis 10.0.0.5:6379 (keys 'stratum:budgets')</c>; never a password.</summary>
    string Name { get; }

    /// <summary>Reserves <paramref name="amount"/> in every window, or in none.</summary>
    /// <param name="reservationId">A new id, unique to this reservation; completions name it.</param>
    /// <param name="windows">The windows the call must fit, at least one.</param>
    /// <param name="amount">The worst case, in USD; not negative.</param>
    /// <param name="cancellationToken">Stops waiting for the store (the reservation may still have been made; the store frees it).</param>
    /// <returns>Null when reserved; otherwise where the first window that refused stands (nothing was reserved anywhere).</returns>
    /// <exception cref="BudgetStoreUnavailableException">The store cannot be reached and fails closed.</exception>
    ValueTask<BudgetStatus?> ReserveAsync(string reservationId, IReadOnlyList<BudgetWindow> windows, decimal amount, CancellationToken cancellationToken);

    /// <summary>Replaces a reservation by the call's actual cost in its windows, once; later completions of the id do nothing.</summary>
    /// <param name="reservationId">The reservation's id.</param>
    /// <param name="windows">The windows it was reserved in.</param>
    /// <param name="amount">The amount reserved.</param>
    /// <param name="actualCost">What the call cost, in USD; recorded even when the reservation's lease had ended.</param>
    /// <returns>The alert thresholds this settlement reached first in the whole fleet (usually none).</returns>
    ValueTask<IReadOnlyList<BudgetAlert>> SettleAsync(string reservationId, IReadOnlyList<BudgetWindow> windows, decimal amount, decimal actualCost);

    /// <summary>Gives a reservation back (the call cost nothing), once; later completions of the id do nothing.</summary>
    /// <param name="reservationId">The reservation's id.</param>
    /// <param name="windows">The windows it was reserved in.</param>
    /// <param name="amount">The amount reserved.</param>
    /// <returns>A task that completes when the release was recorded or queued.</returns>
    ValueTask ReleaseAsync(string reservationId, IReadOnlyList<BudgetWindow> windows, decimal amount);

    /// <summary>Records spend that was not reserved, without a check (<see cref="BudgetManager.Charge"/>).</summary>
    /// <param name="windows">The windows it is charged to.</param>
    /// <param name="cost">The cost in USD.</param>
    /// <param name="cancellationToken">Stops waiting for the store.</param>
    /// <returns>The alert thresholds this charge reached first in the whole fleet.</returns>
    /// <exception cref="BudgetStoreUnavailableException">The store cannot be reached.</exception>
    ValueTask<IReadOnlyList<BudgetAlert>> ChargeAsync(IReadOnlyList<BudgetWindow> windows, decimal cost, CancellationToken cancellationToken);

    /// <summary>Where a window stands, for every process.</summary>
    /// <param name="window">The window.</param>
    /// <param name="cancellationToken">Stops waiting for the store.</param>
    /// <returns>Its spend and reservations (zeros for a window nothing was reserved in).</returns>
    /// <exception cref="BudgetStoreUnavailableException">The store cannot be reached.</exception>
    ValueTask<BudgetStatus> GetStatusAsync(BudgetWindow window, CancellationToken cancellationToken);
}

/// <summary>One window of one policy a call is charged to: the policy, the caller for <see cref="BudgetScopeKind.EachCaller"/>, and the UTC window.</summary>
/// <param name="Policy">The policy.</param>
/// <param name="ScopeKey">The caller, for a <see cref="BudgetScopeKind.EachCaller"/> policy; otherwise null.</param>
/// <param name="Start">The start of the window (UTC).</param>
/// <param name="End">Its end, or null for <see cref="BudgetPeriod.Total"/>.</param>
public sealed record BudgetWindow(BudgetPolicy Policy, string? ScopeKey, DateTimeOffset Start, DateTimeOffset? End);

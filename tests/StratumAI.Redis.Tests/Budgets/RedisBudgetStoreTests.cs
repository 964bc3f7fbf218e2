using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using StackExchange.Redis;

namespace StratumAI.Redis.Tests.Budgets;

/// <summary>
/// Budgets shared through Redis behave as one budget for several managers (each standing for a process): atomic
/// all-or-none reservations, exact decimals, exactly-once completion, leases, UTC windows and fleet-wide alerts.
/// </summary>
public sealed class RedisBudgetStoreTests
{
    private static readonly DateTimeOffset Noon = new(2026, 12, 8, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task TwoManagersOnOnePrefix_ShareSpendAndReservations_AndRefuseAtTheLimitExactly()
    {
        var prefix = RedisTestServer.NewPrefix("shared");
        var policy = BudgetPolicy.Daily(1m);
        await using var storeA = await NewStoreAsync(prefix);
        await using var storeB = await NewStoreAsync(prefix);
        var a = new BudgetManager([policy], storeA, new FakeTimeProvider(Noon));
        var b = new BudgetManager([policy], storeB, new FakeTimeProvider(Noon));

        var first = await a.ReserveAsync(0.6m);
        var seenByB = await b.GetStatusAsync(policy);
        var refused = await Assert.ThrowsAsync<BudgetExceededException>(() => b.ReserveAsync(0.4000000000000000000000000001m).AsTask());
        var fits = await b.ReserveAsync(0.4m);
        await first.SettleAsync(0.123456789012345678m);
        await fits.ReleaseAsync();
        var after = await b.GetStatusAsync(policy);

        Assert.Equal(0.6m, seenByB.Reserved);
        Assert.Equal(0.6m, refused.Reserved);
        Assert.Equal(0m, refused.Spent);
        Assert.Equal("global per day", refused.PolicyName);
        Assert.Equal(new DateTimeOffset(2026, 12, 8, 0, 0, 0, TimeSpan.Zero), refused.WindowStart);
        Assert.Equal(0.123456789012345678m, after.Spent);
        Assert.Equal(0m, after.Reserved);
        var counters = await storeA.GetCountersAsync();
        Assert.Equal(new RedisBudgetCounters(Reserved: 2, Settled: 1, Released: 1, Expired: 0, LateSettled: 0, LateReleased: 0, Refused: 1, Charged: 0, Open: 0), counters);
    }

    [Fact]
    public async Task ACallCoveredByTwoPolicies_ReservesInBothOrNeither()
    {
        var prefix = RedisTestServer.NewPrefix("all-or-none");
        var global = BudgetPolicy.Daily(10m);
        var tag = new BudgetPolicy(BudgetScope.Tag("reports"), BudgetPeriod.Month, 1m, "reports-monthly");
        var perUser = new BudgetPolicy(BudgetScope.EachCaller, BudgetPeriod.Total, 5m);
        await using var store = await NewStoreAsync(prefix);
        var budgets = new BudgetManager([global, tag, perUser], store, new FakeTimeProvider(Noon));

        var held = await budgets.ReserveAsync(0.75m, ["reports"], "u1");
        var refused = await Assert.ThrowsAsync<BudgetExceededException>(() => budgets.ReserveAsync(0.5m, ["reports"], "u2").AsTask());
        var untagged = await budgets.ReserveAsync(0.5m, null, "u2");

        Assert.Equal("reports-monthly", refused.PolicyName);
        Assert.Equal(1.25m, (await budgets.GetStatusAsync(global)).Reserved);
        Assert.Equal(0.75m, (await budgets.GetStatusAsync(tag)).Reserved);
        Assert.Equal(0.75m, (await budgets.GetStatusAsync(perUser, "u1")).Reserved);
        Assert.Equal(0.5m, (await budgets.GetStatusAsync(perUser, "u2")).Reserved);
        await held.SettleAsync(0.7m);
        await untagged.SettleAsync(0.1m);
        Assert.Equal(0.8m, (await budgets.GetStatusAsync(global)).Spent);
        Assert.Equal(0.7m, (await budgets.GetStatusAsync(tag)).Spent);
        Assert.Equal(0m, (await budgets.GetStatusAsync(global)).Reserved);
    }

    [Fact]
    public async Task PerCallLimit_IsCheckedWithoutTheStore_AndAFreeCallIsNeverRefused()
    {
        var prefix = RedisTestServer.NewPrefix("per-call");
        var daily = BudgetPolicy.Daily(0m);
        await using var store = await NewStoreAsync(prefix);
        var budgets = new BudgetManager([daily, BudgetPolicy.PerCall(0.5m)], store, new FakeTimeProvider(Noon));

        var refused = await Assert.ThrowsAsync<BudgetExceededException>(() => budgets.ReserveAsync(0.6m).AsTask());
        await using var free = await budgets.ReserveAsync(0m);

        Assert.Equal(BudgetPeriod.PerCall, refused.Period);
        Assert.Equal(0, (await store.GetCountersAsync()).Refused);
    }

    [Fact]
    public async Task ACompletionRetried_IsAppliedOnce()
    {
        var prefix = RedisTestServer.NewPrefix("once");
        var policy = BudgetPolicy.Daily(1m);
        await using var store = await NewStoreAsync(prefix);
        var window = Window(policy, Noon);

        Assert.Null(await store.ReserveAsync("r1", [window], 0.5m, default));
        await store.SettleAsync("r1", [window], 0.5m, 0.25m);
        await store.SettleAsync("r1", [window], 0.5m, 0.25m);
        await store.ReleaseAsync("r1", [window], 0.5m);
        await Assert.ThrowsAsync<InvalidOperationException>(() => store.ReserveAsync("r1", [window], 0.5m, default).AsTask());

        var status = await store.GetStatusAsync(window, default);
        Assert.Equal(0.25m, status.Spent);
        Assert.Equal(0m, status.Reserved);
        Assert.Equal(1, (await store.GetCountersAsync()).Settled);
    }

    [Fact]
    public async Task AReservationWhoseProcessStoppedRenewing_IsFreedWhenItsLeaseEnds_AndALateSettlementStillCounts()
    {
        var prefix = RedisTestServer.NewPrefix("lease");
        var policy = BudgetPolicy.Daily(1m);
        var window = Window(policy, Noon);
        var dead = await NewStoreAsync(prefix, o => o.Lease = TimeSpan.FromSeconds(1));
        await using var alive = await NewStoreAsync(prefix, o => o.Lease = TimeSpan.FromSeconds(30));

        Assert.Null(await dead.ReserveAsync("dies", [window], 0.9m, default));
        Assert.Null(await alive.ReserveAsync("lives", [window], 0.1m, default));
        await dead.DisposeAsync();   // stops renewing, as a killed process would; "dies" stays open

        Assert.NotNull(await alive.ReserveAsync("no-room-yet", [window], 0.5m, default));
        var freed = await EventuallyAsync(async () => (await alive.GetStatusAsync(window, default)).Reserved == 0.1m);
        Assert.True(freed, "the dead reservation's lease never ended");
        Assert.Null(await alive.ReserveAsync("fits-now", [window], 0.5m, default));

        // The dead process's call was billed after all (it stalled, it did not die): its cost still counts, once.
        await alive.SettleAsync("dies", [window], 0.9m, 0.3m);
        await alive.SettleAsync("lives", [window], 0.1m, 0.1m);
        await alive.ReleaseAsync("fits-now", [window], 0.5m);
        var status = await alive.GetStatusAsync(window, default);
        Assert.Equal(0.4m, status.Spent);
        Assert.Equal(0m, status.Reserved);
        var counters = await alive.GetCountersAsync();
        Assert.Equal((1, 1, 1, 1, 0), (counters.Expired, counters.LateSettled, counters.Settled, counters.Released, counters.Open));
    }

    [Fact]
    public async Task ALiveProcess_RenewsItsLeases_SoALongCallKeepsItsReservation()
    {
        var prefix = RedisTestServer.NewPrefix("renew");
        var policy = BudgetPolicy.Daily(1m);
        await using var store = await NewStoreAsync(prefix, o => o.Lease = TimeSpan.FromSeconds(3));
        var budgets = new BudgetManager([policy], store, new FakeTimeProvider(Noon));

        // Renewed every second; without renewal the lease would end after 3.
        var reservation = await budgets.ReserveAsync(0.5m);
        for (var i = 0; i < 7; i++)
        {
            await Task.Delay(1000);
            Assert.Equal(0.5m, (await budgets.GetStatusAsync(policy)).Reserved);
        }

        await reservation.SettleAsync(0.5m);
        Assert.Equal(0, (await store.GetCountersAsync()).Expired);
    }

    [Fact]
    public async Task Windows_AreUtcCalendarDays_AndACallSettlesInTheWindowItStartedIn()
    {
        var prefix = RedisTestServer.NewPrefix("utc");
        var policy = BudgetPolicy.Daily(1m);
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 12, 9, 1, 59, 0, TimeSpan.FromHours(2)));  // 23:59 UTC on the 8th
        await using var store = await NewStoreAsync(prefix);
        var budgets = new BudgetManager([policy], store, clock);

        var late = await budgets.ReserveAsync(0.9m);
        clock.Advance(TimeSpan.FromMinutes(2));                 // 00:01 UTC on the 9th
        var nextDay = await budgets.ReserveAsync(0.9m);         // a new window: the 8th's reservation does not count
        await late.SettleAsync(0.8m);
        await nextDay.SettleAsync(0.2m);

        Assert.Equal(0.2m, (await budgets.GetStatusAsync(policy)).Spent);
        Assert.Equal(new DateTimeOffset(2026, 12, 9, 0, 0, 0, TimeSpan.Zero), (await budgets.GetStatusAsync(policy)).WindowStart);
        Assert.Equal(0.8m, (await store.GetStatusAsync(Window(policy, new DateTimeOffset(2026, 12, 8, 12, 0, 0, TimeSpan.Zero)), default)).Spent);
    }

    [Fact]
    public async Task EachAlertThreshold_FiresOnceForTheFleet()
    {
        var prefix = RedisTestServer.NewPrefix("alerts");
        var policy = new BudgetPolicy(BudgetScope.Global, BudgetPeriod.Day, 1m, "team", [0.5m, 0.8m]);
        var managers = new List<BudgetManager>();
        var stores = new List<RedisBudgetStore>();
        var alerts = new System.Collections.Concurrent.ConcurrentBag<(int Manager, BudgetAlert Alert)>();
        for (var i = 0; i < 4; i++)
        {
            var store = await NewStoreAsync(prefix);
            stores.Add(store);
            var manager = new BudgetManager([policy], store, new FakeTimeProvider(Noon));
            var index = i;
            manager.AlertRaised += (_, e) => alerts.Add((index, e.Alert));
            managers.Add(manager);
        }

        await Task.WhenAll(Enumerable.Range(0, 40).Select(async n =>
        {
            var reservation = await managers[n % 4].ReserveAsync(0.025m);
            await reservation.SettleAsync(0.025m);
        }));

        Assert.Equal([0.5m, 0.8m], alerts.Select(a => a.Alert.Threshold).Order());
        Assert.All(alerts, a => Assert.True(a.Alert.Spent >= a.Alert.Threshold * 1m));
        Assert.Equal(1m, (await managers[0].GetStatusAsync(policy)).Spent);
        foreach (var store in stores)
        {
            await store.DisposeAsync();
        }
    }

    [Fact]
    public async Task ChargeAndSyncMembers_GoThroughTheStore()
    {
        var prefix = RedisTestServer.NewPrefix("charge");
        var policy = BudgetPolicy.Monthly(2m);
        await using var store = await NewStoreAsync(prefix);
        var budgets = new BudgetManager([policy], store, new FakeTimeProvider(Noon));

        await budgets.ChargeAsync(1.5m);
        budgets.Charge(0.25m);
        using (var reservation = budgets.Reserve(0.25m))
        {
            reservation.Settle(0.125m);
        }

        Assert.Throws<BudgetExceededException>(() => budgets.Reserve(0.25m));
        Assert.Equal(1.875m, budgets.GetStatus(policy).Spent);
        Assert.Same(store, budgets.Store);
    }

    [Fact]
    public async Task AddStratumRedisBudgets_RegistersAManagerOverTheStore_ForUseStratumBudget()
    {
        var prefix = RedisTestServer.NewPrefix("di");
        var policy = BudgetPolicy.Daily(3m);
        var services = new ServiceCollection();
        services.AddStratumRedisBudgets(RedisTestServer.Configuration, [policy], o => o.KeyPrefix = prefix);
        await using var provider = services.BuildServiceProvider();

        var budgets = provider.GetRequiredService<BudgetManager>();
        var reservation = await budgets.ReserveAsync(1m);
        await reservation.SettleAsync(1m);

        var store = Assert.IsType<RedisBudgetStore>(budgets.Store);
        Assert.Equal(prefix, store.Options.KeyPrefix);
        Assert.Same(store, provider.GetRequiredService<RedisBudgetStore>());
        Assert.Equal(1m, (await budgets.GetStatusAsync(policy)).Spent);
        Assert.NotNull(provider.GetRequiredService<IConnectionMultiplexer>());
    }

    internal static BudgetWindow Window(BudgetPolicy policy, DateTimeOffset at, string? scopeKey = null)
    {
        var (start, end) = policy.WindowAt(at);
        return new BudgetWindow(policy, scopeKey, start, end);
    }

    internal static async Task<RedisBudgetStore> NewStoreAsync(string prefix, Action<RedisBudgetOptions>? configure = null)
    {
        var options = new RedisBudgetOptions { KeyPrefix = prefix };
        configure?.Invoke(options);
        return new RedisBudgetStore(await RedisTestServer.GetAsync(), options);
    }

    internal static async Task<bool> EventuallyAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            if (await condition())
            {
                return true;
            }

            await Task.Delay(100);
        }

        return false;
    }
}

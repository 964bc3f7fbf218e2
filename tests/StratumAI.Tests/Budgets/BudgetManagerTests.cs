using Microsoft.Extensions.Time.Testing;

namespace StratumAI.Tests.Budgets;

public sealed class BudgetManagerTests
{
    private static readonly DateTimeOffset Noon = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Reserve_WithinTheLimit_HoldsTheWorstCaseUntilSettled()
    {
        var policy = BudgetPolicy.Daily(1m);
        var budgets = new BudgetManager([policy], new FakeTimeProvider(Noon));

        var reservation = budgets.Reserve(0.3m);
        Assert.Equal((0m, 0.3m, 0.7m), Numbers(budgets.GetStatus(policy)));

        reservation.Settle(0.12m);
        Assert.Equal((0.12m, 0m, 0.88m), Numbers(budgets.GetStatus(policy)));
        Assert.True(reservation.IsCompleted);
    }

    [Fact]
    public void Reserve_PastTheLimit_ThrowsWithPolicyScopeWindowAndAmounts_AndReservesNothing()
    {
        var daily = new BudgetPolicy(BudgetScope.Global, BudgetPeriod.Day, 1m, name: "team-daily");
        var budgets = new BudgetManager([daily], new FakeTimeProvider(Noon));
        budgets.Reserve(0.5m).Settle(0.5m);
        using var inFlight = budgets.Reserve(0.3m);

        var ex = Assert.Throws<BudgetExceededException>(() => budgets.Reserve(0.25m));

        Assert.Equal("team-daily", ex.PolicyName);
        Assert.Equal(BudgetScope.Global, ex.Scope);
        Assert.Equal(BudgetPeriod.Day, ex.Period);
        Assert.Equal((1m, 0.5m, 0.3m, 0.25m), (ex.Limit, ex.Spent, ex.Reserved, ex.Requested));
        Assert.Equal(new DateTimeOffset(2026, 11, 25, 0, 0, 0, TimeSpan.Zero), ex.WindowStart);
        Assert.Equal(new DateTimeOffset(2026, 11, 26, 0, 0, 0, TimeSpan.Zero), ex.WindowEnd);
        Assert.False(ex.IsRetryable);
        Assert.IsAssignableFrom<StratumException>(ex);
        Assert.Equal(
            "Budget 'team-daily' (global, the day 2026-11-25 UTC) refused the call before sending it: limit $1, spent $0.5, "
            + "reserved by calls in flight $0.3, this call's worst case $0.25.",
            ex.Message);
        Assert.Equal((0.5m, 0.3m), (budgets.GetStatus(daily).Spent, budgets.GetStatus(daily).Reserved));
    }

    [Fact]
    public void Reserve_ExactlyUpToTheLimit_IsAllowed()
    {
        var policy = BudgetPolicy.Daily(1m);
        var budgets = new BudgetManager([policy], new FakeTimeProvider(Noon));

        budgets.Reserve(0.6m);
        budgets.Reserve(0.4m);

        Assert.Equal(0m, budgets.GetStatus(policy).Remaining);
        Assert.Throws<BudgetExceededException>(() => budgets.Reserve(0.0000001m));
    }

    [Fact]
    public void Release_GivesTheReservationBack_AndDisposeAfterSettleChangesNothing()
    {
        var policy = BudgetPolicy.Monthly(1m);
        var budgets = new BudgetManager([policy], new FakeTimeProvider(Noon));

        using (budgets.Reserve(0.9m))
        {
            Assert.Equal(0.9m, budgets.GetStatus(policy).Reserved);
        }

        Assert.Equal((0m, 0m, 1m), Numbers(budgets.GetStatus(policy)));

        var settled = budgets.Reserve(0.9m);
        settled.Settle(0.2m);
        settled.Dispose();
        settled.Release();
        Assert.Equal((0.2m, 0m, 0.8m), Numbers(budgets.GetStatus(policy)));
        Assert.Throws<InvalidOperationException>(() => settled.Settle(0.1m));
    }

    [Fact]
    public void PerCallPolicy_RefusesOnlyACallWhoseWorstCaseIsAboveTheLimit()
    {
        var perCall = BudgetPolicy.PerCall(0.05m);
        var budgets = new BudgetManager([perCall], new FakeTimeProvider(Noon));

        for (var i = 0; i < 10; i++)
        {
            budgets.Reserve(0.05m).Settle(0.05m);
        }

        var ex = Assert.Throws<BudgetExceededException>(() => budgets.Reserve(0.0500001m));
        Assert.Equal(BudgetPeriod.PerCall, ex.Period);
        Assert.Contains("worst-case cost $0.0500001 is above the limit $0.05", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TagAndCallerPolicies_ApplyOnlyToTheirCalls()
    {
        var tag = new BudgetPolicy(BudgetScope.Tag("summaries"), BudgetPeriod.Total, 1m);
        var caller = new BudgetPolicy(BudgetScope.Caller("batch-job"), BudgetPeriod.Total, 2m);
        var budgets = new BudgetManager([tag, caller], new FakeTimeProvider(Noon));

        budgets.Reserve(0.9m, ["summaries", "eu"]).Settle(0.9m);
        budgets.Reserve(5m, ["other"], "someone").Settle(5m);
        Assert.Throws<BudgetExceededException>(() => budgets.Reserve(0.2m, ["summaries"]));
        budgets.Reserve(1.5m, null, "batch-job").Settle(1.5m);
        var ex = Assert.Throws<BudgetExceededException>(() => budgets.Reserve(0.6m, ["summaries"], "batch-job"));

        Assert.Equal(tag.Name, ex.PolicyName);
        Assert.Equal("tag 'summaries' in total", tag.Name);
        Assert.Equal((0.9m, 1.5m), (budgets.GetStatus(tag).Spent, budgets.GetStatus(caller).Spent));
    }

    [Fact]
    public void EachCallerPolicy_GivesEveryCallerItsOwnLimit_AndCallsWithoutACallerAreNotLimited()
    {
        var perUser = new BudgetPolicy(BudgetScope.EachCaller, BudgetPeriod.Day, 1m);
        var budgets = new BudgetManager([perUser], new FakeTimeProvider(Noon));

        budgets.Reserve(1m, null, "alice").Settle(1m);
        budgets.Reserve(1m, null, "bob").Settle(0.25m);
        budgets.Reserve(100m).Settle(100m);
        var ex = Assert.Throws<BudgetExceededException>(() => budgets.Reserve(0.01m, null, "alice"));

        Assert.Equal("alice", ex.ScopeKey);
        Assert.Contains("caller 'alice'", ex.Message, StringComparison.Ordinal);
        Assert.Equal(0.75m, budgets.GetStatus(perUser, "bob").Remaining);
        Assert.Throws<ArgumentNullException>(() => budgets.GetStatus(perUser));
    }

    [Fact]
    public void EveryCoveringPolicyMustFit_AndARefusalReservesInNone()
    {
        var daily = BudgetPolicy.Daily(1m);
        var tagged = new BudgetPolicy(BudgetScope.Tag("search"), BudgetPeriod.Day, 0.5m);
        var budgets = new BudgetManager([daily, tagged], new FakeTimeProvider(Noon));

        budgets.Reserve(0.4m, ["search"]).Settle(0.4m);
        Assert.Throws<BudgetExceededException>(() => budgets.Reserve(0.2m, ["search"]));

        Assert.Equal((0.4m, 0m), (budgets.GetStatus(daily).Spent, budgets.GetStatus(daily).Reserved));
        budgets.Reserve(0.6m).Settle(0.6m);
        Assert.Equal(0m, budgets.GetStatus(daily).Remaining);
    }

    [Fact]
    public void DayWindow_RollsOverAtUtcMidnight()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 25, 23, 59, 59, TimeSpan.Zero));
        var policy = BudgetPolicy.Daily(1m);
        var budgets = new BudgetManager([policy], time);
        budgets.Reserve(1m).Settle(1m);
        Assert.Throws<BudgetExceededException>(() => budgets.Reserve(0.01m));

        time.Advance(TimeSpan.FromSeconds(1));

        var status = budgets.GetStatus(policy);
        Assert.Equal(new DateTimeOffset(2026, 11, 26, 0, 0, 0, TimeSpan.Zero), status.WindowStart);
        Assert.Equal((0m, 0m, 1m), Numbers(status));
        budgets.Reserve(1m).Settle(0.3m);
        Assert.Equal(0.3m, budgets.GetStatus(policy).Spent);
    }

    [Fact]
    public void DayWindow_IsTheUtcDay_WhateverTheOffsetOfTheClock()
    {
        // 01:00 at +02:00 is 23:00 UTC the day before.
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 26, 1, 0, 0, TimeSpan.FromHours(2)));
        var budgets = new BudgetManager([BudgetPolicy.Daily(1m)], time);

        Assert.Equal(new DateTimeOffset(2026, 11, 25, 0, 0, 0, TimeSpan.Zero), budgets.GetStatus(budgets.Policies[0]).WindowStart);
    }

    [Fact]
    public void MonthWindow_RollsOverOnTheFirst_AndTotalNever()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 30, 23, 0, 0, TimeSpan.Zero));
        var month = BudgetPolicy.Monthly(1m);
        var total = new BudgetPolicy(BudgetScope.Global, BudgetPeriod.Total, 3m);
        var budgets = new BudgetManager([month, total], time);
        budgets.Reserve(1m).Settle(1m);

        time.Advance(TimeSpan.FromDays(15));
        Assert.Equal((0m, new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2027, 1, 1, 0, 0, 0, TimeSpan.Zero)), (budgets.GetStatus(month).Spent, budgets.GetStatus(month).WindowStart, budgets.GetStatus(month).WindowEnd!.Value));
        budgets.Reserve(1m).Settle(1m);

        time.Advance(TimeSpan.FromDays(31));
        budgets.Reserve(1m).Settle(1m);
        Assert.Equal((3m, (DateTimeOffset?)null), (budgets.GetStatus(total).Spent, budgets.GetStatus(total).WindowEnd));
        Assert.Throws<BudgetExceededException>(() => budgets.Reserve(0.01m));
    }

    [Fact]
    public void CallSettledAfterMidnight_IsChargedToTheDayItStarted()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 25, 23, 59, 0, TimeSpan.Zero));
        var policy = BudgetPolicy.Daily(1m);
        var budgets = new BudgetManager([policy], time);
        var lateCall = budgets.Reserve(0.8m);

        time.Advance(TimeSpan.FromMinutes(2));
        budgets.Reserve(0.5m).Settle(0.5m);
        lateCall.Settle(0.7m);

        Assert.Equal((0.5m, 0m), (budgets.GetStatus(policy).Spent, budgets.GetStatus(policy).Reserved));
    }

    [Fact]
    public void FreeCalls_AreNeverRefused()
    {
        var budgets = new BudgetManager([BudgetPolicy.Daily(0m), BudgetPolicy.PerCall(0m)], new FakeTimeProvider(Noon));

        budgets.Reserve(0m).Settle(0m);

        Assert.Throws<BudgetExceededException>(() => budgets.Reserve(0.000001m));
    }

    [Fact]
    public void Alerts_FireOncePerThresholdAndWindow_InOrder_WithPolicyWindowAndSpend()
    {
        var time = new FakeTimeProvider(Noon);
        var policy = BudgetPolicy.Daily(10m);
        var budgets = new BudgetManager([policy], time);
        var alerts = new List<BudgetAlert>();
        budgets.AlertRaised += (sender, e) =>
        {
            Assert.Same(budgets, sender);
            alerts.Add(e.Alert);
        };

        budgets.Reserve(4m).Settle(4m);
        Assert.Empty(alerts);
        budgets.Reserve(2m).Settle(2m);
        Assert.Equal([0.5m], alerts.Select(a => a.Threshold));
        budgets.Reserve(1m).Settle(1m);
        budgets.Reserve(1m).Settle(0m);
        Assert.Single(alerts);

        // One settle that crosses 80 % and 100 % raises both, lowest first.
        budgets.Reserve(3m).Settle(3m);
        Assert.Equal([0.5m, 0.8m, 1m], alerts.Select(a => a.Threshold));
        Assert.Equal([6m, 10m, 10m], alerts.Select(a => a.Spent));
        Assert.All(alerts, a => Assert.Same(policy, a.Policy));
        Assert.All(alerts, a => Assert.Equal(new DateTimeOffset(2026, 11, 25, 0, 0, 0, TimeSpan.Zero), a.WindowStart));
        Assert.Equal(10m, alerts[^1].Limit);

        // The next day starts over: each threshold fires again, once.
        time.Advance(TimeSpan.FromDays(1));
        budgets.Reserve(6m).Settle(6m);
        budgets.Reserve(0.5m).Settle(0.5m);
        Assert.Equal([0.5m, 0.8m, 1m, 0.5m], alerts.Select(a => a.Threshold));
        Assert.Equal(new DateTimeOffset(2026, 11, 26, 0, 0, 0, TimeSpan.Zero), alerts[^1].WindowStart);
    }

    [Fact]
    public void Alerts_UseTheConfiguredThresholds_AndNoneForPerCallPolicies()
    {
        var policy = new BudgetPolicy(BudgetScope.Global, BudgetPeriod.Total, 100m, alertThresholds: [0.9m, 0.25m]);
        var perCall = new BudgetPolicy(BudgetScope.Global, BudgetPeriod.PerCall, 100m, alertThresholds: [0.1m]);
        var budgets = new BudgetManager([policy, perCall], new FakeTimeProvider(Noon));
        var alerts = new List<BudgetAlert>();
        budgets.AlertRaised += (_, e) => alerts.Add(e.Alert);

        budgets.Reserve(30m).Settle(30m);
        budgets.Reserve(60m).Settle(60m);

        Assert.Equal([(0.25m, 30m), (0.9m, 90m)], alerts.Select(a => (a.Threshold, a.Spent)));
        Assert.All(alerts, a => Assert.Same(policy, a.Policy));
        Assert.Equal([0.25m, 0.9m], policy.AlertThresholds);
        Assert.Equal([0.5m, 0.8m, 1m], BudgetPolicy.Daily(1m).AlertThresholds);
    }

    [Fact]
    public void Alerts_AreLoggedAsEvent1014_BeforeTheHandlersRun_WithPolicyCallerPercentAndSpend()
    {
        var policy = new BudgetPolicy(BudgetScope.EachCaller, BudgetPeriod.Day, 2m, name: "per-user", alertThresholds: [0.255m, 1m]);
        var budgets = new BudgetManager([policy], new FakeTimeProvider(Noon));
        var logger = new Microsoft.Extensions.Logging.Testing.FakeLogger();
        budgets.Logger = logger;
        var loggedBeforeHandler = new List<int>();
        budgets.AlertRaised += (_, _) => loggedBeforeHandler.Add(logger.Collector.Count);

        budgets.Reserve(0.6m, caller: "alice").Settle(0.6m);
        budgets.Reserve(0.1m, caller: "bob").Settle(0.1m);

        var record = Assert.Single(logger.Collector.GetSnapshot());
        Assert.Equal((1014, "ChatBudgetThreshold", Microsoft.Extensions.Logging.LogLevel.Warning), (record.Id.Id, record.Id.Name, record.Level));
        Assert.Equal("Budget per-user (caller 'alice') reached 25.500 % of its 2 USD limit (0.6 USD spent).", record.Message);
        Assert.Equal([1], loggedBeforeHandler);
    }

    [Fact]
    public void Alerts_WithoutALogger_StillReachTheHandlers()
    {
        var budgets = new BudgetManager([BudgetPolicy.Daily(1m)], new FakeTimeProvider(Noon));
        var alerts = new List<BudgetAlert>();
        budgets.AlertRaised += (_, e) => alerts.Add(e.Alert);

        budgets.Charge(0.5m);

        Assert.Null(budgets.Logger);
        Assert.Equal([0.5m], alerts.Select(a => a.Threshold));
    }

    [Fact]
    public void Charge_RecordsSpendWithoutACheck_InTheCoveringPolicies_AndRaisesAlerts()
    {
        var daily = BudgetPolicy.Daily(1m);
        var tagged = new BudgetPolicy(BudgetScope.Tag("import"), BudgetPeriod.Month, 10m);
        var budgets = new BudgetManager([daily, tagged, BudgetPolicy.PerCall(0.1m)], new FakeTimeProvider(Noon));
        var alerts = new List<BudgetAlert>();
        budgets.AlertRaised += (_, e) => alerts.Add(e.Alert);

        budgets.Charge(1.2m);
        budgets.Charge(0.5m, ["import"]);

        Assert.Equal((1.7m, 0m), (budgets.GetStatus(daily).Spent, budgets.GetStatus(daily).Remaining));
        Assert.Equal(0.5m, budgets.GetStatus(tagged).Spent);
        Assert.Equal([0.5m, 0.8m, 1m], alerts.Select(a => a.Threshold));
        Assert.Throws<BudgetExceededException>(() => budgets.Reserve(0.01m));
    }

    [Fact]
    public void Policy_RejectsANegativeLimitOrThreshold()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => BudgetPolicy.Daily(-1m));
        Assert.Throws<ArgumentOutOfRangeException>(() => new BudgetPolicy(BudgetScope.Global, BudgetPeriod.Day, 1m, alertThresholds: [0m]));
        Assert.Throws<ArgumentOutOfRangeException>(() => new BudgetPolicy(BudgetScope.Global, (BudgetPeriod)42, 1m));
        Assert.Throws<ArgumentException>(() => BudgetScope.Tag(""));
        Assert.Throws<ArgumentOutOfRangeException>(() => new BudgetManager([BudgetPolicy.Daily(1m)]).Reserve(-0.01m));
    }

    [Fact]
    public void ConcurrentReservations_NeverTogetherPassTheLimit()
    {
        var policy = BudgetPolicy.Daily(1m);
        var budgets = new BudgetManager([policy], new FakeTimeProvider(Noon));
        var admitted = 0;

        Parallel.For(0, 10_000, new ParallelOptions { MaxDegreeOfParallelism = 16 }, _ =>
        {
            var refusal = Record.Exception(() => budgets.Reserve(0.003m));
            if (refusal is null)
            {
                Interlocked.Increment(ref admitted);
            }
            else
            {
                Assert.IsType<BudgetExceededException>(refusal);
            }
        });

        // 333 × 0.003 = 0.999; a 334th would make 1.002.
        Assert.Equal(333, admitted);
        Assert.Equal(0.999m, budgets.GetStatus(policy).Reserved);
    }

    [Fact]
    public void ConcurrentRefusalsInALaterPolicy_GiveBackWhatTheyReservedInTheEarlierOnes()
    {
        // The global policy is checked first and never refuses; the tag policy refuses at its limit. Each refused call has
        // already reserved in the global bucket and must give that back (the lock-free manager rolls back).
        var global = BudgetPolicy.Daily(10m);
        var tagged = new BudgetPolicy(BudgetScope.Tag("batch"), BudgetPeriod.Day, 0.5m);
        var budgets = new BudgetManager([global, tagged], new FakeTimeProvider(Noon));
        var admitted = new System.Collections.Concurrent.ConcurrentBag<BudgetReservation>();
        string[] tags = ["batch"];

        Parallel.For(0, 2_000, new ParallelOptions { MaxDegreeOfParallelism = 16 }, _ =>
        {
            try
            {
                admitted.Add(budgets.Reserve(0.003m, tags));
            }
            catch (BudgetExceededException ex)
            {
                Assert.Equal(tagged.Name, ex.PolicyName);
            }
        });

        // 166 × 0.003 = 0.498; a 167th would make 0.501.
        Assert.Equal(166, admitted.Count);
        Assert.Equal(0.498m, budgets.GetStatus(global).Reserved);
        Assert.Equal(0.498m, budgets.GetStatus(tagged).Reserved);
    }

    [Fact]
    public void ConcurrentSettlesAndReleases_InTwoPolicies_LeaveNothingReserved_AndSpendEqualsWhatWasSettled()
    {
        var global = BudgetPolicy.Daily(5m);
        var tagged = new BudgetPolicy(BudgetScope.Tag("a"), BudgetPeriod.Day, 1m);
        var budgets = new BudgetManager([global, tagged], new FakeTimeProvider(Noon));
        decimal[] settledGlobal = new decimal[4_000];
        decimal[] settledTagged = new decimal[4_000];
        string[] tagA = ["a"];

        Parallel.For(0, 4_000, new ParallelOptions { MaxDegreeOfParallelism = 16 }, i =>
        {
            var withTag = i % 2 == 0;
            BudgetReservation reservation;
            try
            {
                reservation = budgets.Reserve(0.004m, withTag ? tagA : null);
            }
            catch (BudgetExceededException)
            {
                return;
            }

            if (i % 3 == 0)
            {
                reservation.Release();
                return;
            }

            var actual = 0.001m + (i % 7) * 0.0001m;
            reservation.Settle(actual);
            settledGlobal[i] = actual;
            settledTagged[i] = withTag ? actual : 0m;
        });

        var globalStatus = budgets.GetStatus(global);
        var taggedStatus = budgets.GetStatus(tagged);
        Assert.Equal(0m, globalStatus.Reserved);
        Assert.Equal(0m, taggedStatus.Reserved);
        Assert.Equal(settledGlobal.Sum(), globalStatus.Spent);
        Assert.Equal(settledTagged.Sum(), taggedStatus.Spent);
        Assert.True(globalStatus.Spent <= 5m && taggedStatus.Spent <= 1m);
    }

    [Fact]
    public void ConcurrentSettles_RaiseEachAlertExactlyOnce()
    {
        var policy = new BudgetPolicy(BudgetScope.Global, BudgetPeriod.Day, 1m, alertThresholds: [0.25m, 0.5m, 0.75m, 1m]);
        var budgets = new BudgetManager([policy], new FakeTimeProvider(Noon));
        var alerts = new System.Collections.Concurrent.ConcurrentQueue<decimal>();
        budgets.AlertRaised += (_, e) => alerts.Enqueue(e.Alert.Threshold);

        Parallel.For(0, 1_000, new ParallelOptions { MaxDegreeOfParallelism = 16 }, _ => budgets.Reserve(0.001m).Settle(0.001m));

        Assert.Equal(1m, budgets.GetStatus(policy).Spent);
        Assert.Equal([0.25m, 0.5m, 0.75m, 1m], alerts.Order());
    }

    private static (decimal Spent, decimal Reserved, decimal Remaining) Numbers(BudgetStatus status) => (status.Spent, status.Reserved, status.Remaining);
}

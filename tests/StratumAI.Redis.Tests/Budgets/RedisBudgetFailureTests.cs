using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;
using StackExchange.Redis;

namespace StratumAI.Redis.Tests.Budgets;

/// <summary>
/// Redis unreachable, stopped or restarted (a private server of the test's own): budgets fail closed with an exception
/// naming the store and never its password, or open with a warning; settlements are kept and recorded once Redis is back.
/// </summary>
public sealed class RedisBudgetFailureTests
{
    private const string Password = "pw-9c1f0d7e-never-shown";
    private static readonly DateTimeOffset Noon = new(2026, 12, 8, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task RedisDown_RefusesBeforeSending_NamingTheStoreButNotThePassword_AndServesAgainAfterARestart()
    {
        using var server = await PrivateRedisServer.StartAsync(appendOnly: true, password: Password);
        await using var connection = await Connect(server);
        var logger = new FakeLogger();
        await using var store = new RedisBudgetStore(connection, new RedisBudgetOptions { KeyPrefix = "t", OperationTimeout = TimeSpan.FromSeconds(1) }, logger);
        var policy = BudgetPolicy.Daily(1m);
        var budgets = new BudgetManager([policy], store, new FakeTimeProvider(Noon));
        var before = await budgets.ReserveAsync(0.25m);
        await before.SettleAsync(0.25m);

        server.Kill();
        var refused = await Assert.ThrowsAsync<BudgetStoreUnavailableException>(() => budgets.ReserveAsync(0.1m).AsTask());

        Assert.Equal(store.Name, refused.StoreName);
        Assert.Contains($"127.0.0.1:{server.Port}", refused.Message, StringComparison.Ordinal);
        Assert.Contains("fail closed", refused.Message, StringComparison.Ordinal);
        Assert.True(refused.IsRetryable);
        Assert.DoesNotContain(Password, refused.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(Password, string.Join("\n", logger.Collector.GetSnapshot().Select(r => r.Message)), StringComparison.Ordinal);
        Assert.Contains(logger.Collector.GetSnapshot(), r => r.Id.Id == 1020 && r.Level == LogLevel.Warning);

        await server.StartAsync();
        var after = await EventuallyReserveAsync(budgets, 0.5m);
        await after.SettleAsync(0.5m);

        // The append-only file kept the day's spend across the restart: no overrun after it.
        Assert.Equal(0.75m, (await budgets.GetStatusAsync(policy)).Spent);
        await Assert.ThrowsAsync<BudgetExceededException>(() => budgets.ReserveAsync(0.3m).AsTask());
        Assert.Contains(logger.Collector.GetSnapshot(), r => r.Id.Id == 1023);
    }

    [Fact]
    public async Task ASettlementDuringAnOutage_IsKept_AndRecordedOnceRedisAnswers()
    {
        using var server = await PrivateRedisServer.StartAsync(appendOnly: true);
        await using var connection = await Connect(server);
        var logger = new FakeLogger();
        await using var store = new RedisBudgetStore(connection, new RedisBudgetOptions { KeyPrefix = "t", OperationTimeout = TimeSpan.FromSeconds(1) }, logger);
        var policy = BudgetPolicy.Daily(1m);
        var budgets = new BudgetManager([policy], store, new FakeTimeProvider(Noon));
        var reservation = await budgets.ReserveAsync(0.5m);

        server.Kill();
        await reservation.SettleAsync(0.375m);   // the call was billed: this must not throw, nor be lost
        Assert.Equal(1, store.PendingCompletions);
        Assert.Contains(logger.Collector.GetSnapshot(), r => r.Id.Id == 1022);

        await server.StartAsync();
        Assert.True(await RedisBudgetStoreTests.EventuallyAsync(() => Task.FromResult(store.PendingCompletions == 0)), "the kept settlement was never recorded");

        var status = await budgets.GetStatusAsync(policy);
        Assert.Equal(0.375m, status.Spent);
        Assert.Equal(0m, status.Reserved);
        Assert.Equal(1, (await store.GetCountersAsync()).Settled);
    }

    [Fact]
    public async Task FailOpen_AdmitsDuringAnOutage_WithAWarning_AndRecordsTheCostWhenRedisIsBack()
    {
        using var server = await PrivateRedisServer.StartAsync(appendOnly: true);
        await using var connection = await Connect(server);
        var logger = new FakeLogger();
        await using var store = new RedisBudgetStore(connection, new RedisBudgetOptions { KeyPrefix = "t", OperationTimeout = TimeSpan.FromSeconds(1), FailOpen = true }, logger);
        var policy = BudgetPolicy.Daily(1m);
        var budgets = new BudgetManager([policy], store, new FakeTimeProvider(Noon));

        server.Kill();
        var admitted = await budgets.ReserveAsync(0.5m);
        await admitted.SettleAsync(0.2m);

        var warning = Assert.Single(logger.Collector.GetSnapshot(), r => r.Id.Id == 1021);
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.Contains("WITHOUT a shared budget check", warning.Message, StringComparison.Ordinal);

        await server.StartAsync();
        Assert.True(await RedisBudgetStoreTests.EventuallyAsync(() => Task.FromResult(store.PendingCompletions == 0)), "the admitted call's cost was never recorded");
        Assert.Equal(0.2m, (await budgets.GetStatusAsync(policy)).Spent);
        Assert.Equal(1, (await store.GetCountersAsync()).LateSettled);
    }

    [Fact]
    public async Task ARestartWithoutPersistence_LosesTheDaysCounters_WhichIsWhyTheDocsAskForAppendOnly()
    {
        using var server = await PrivateRedisServer.StartAsync(appendOnly: false);
        await using var connection = await Connect(server);
        await using var store = new RedisBudgetStore(connection, new RedisBudgetOptions { KeyPrefix = "t", OperationTimeout = TimeSpan.FromSeconds(1) });
        var policy = BudgetPolicy.Daily(1m);
        var budgets = new BudgetManager([policy], store, new FakeTimeProvider(Noon));
        var reservation = await budgets.ReserveAsync(0.9m);
        await reservation.SettleAsync(0.9m);

        server.Kill();
        await server.StartAsync();
        var again = await EventuallyReserveAsync(budgets, 0.9m);

        // Documented (docs/scale.md): without persistence the day starts over; seed it from the ledger or run with appendonly.
        Assert.Equal(0m, (await budgets.GetStatusAsync(policy)).Spent);
        await again.ReleaseAsync();
    }

    private static Task<ConnectionMultiplexer> Connect(PrivateRedisServer server) => server.ConnectAsync(o =>
    {
        o.AbortOnConnectFail = false;
        o.BacklogPolicy = BacklogPolicy.FailFast;
        o.ConnectTimeout = 1_000;
        o.ReconnectRetryPolicy = new LinearRetry(200);
    });

    private static async Task<BudgetReservation> EventuallyReserveAsync(BudgetManager budgets, decimal amount)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            try
            {
                return await budgets.ReserveAsync(amount);
            }
            catch (BudgetStoreUnavailableException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
            }
        }
    }
}

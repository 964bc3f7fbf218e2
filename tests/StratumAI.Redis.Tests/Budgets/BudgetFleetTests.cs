using System.Globalization;
using Npgsql;
using StratumAI.Postgres;
using StratumAI.Scale.Worker;
using StratumAI.Testing;
using StratumAI.TestSupport;

namespace StratumAI.Redis.Tests.Budgets;

/// <summary>
/// The proof with real OS processes (tests/StratumAI.Scale.Worker, each its own process with its own connections): a fleet
/// sharing one daily budget through Redis never overruns it, completes every reservation exactly once, and its recorded spend
/// equals the sum of the PostgreSQL ledger exactly; a process killed with SIGKILL holding reservations loses nothing else and
/// its reservations are freed when their leases end; a Redis restarted mid-run costs clear errors while it is down and
/// nothing else. The provider is a fake server replaying a recorded OpenAI exchange.
/// </summary>
public sealed class BudgetFleetTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(4);

    [Fact]
    public async Task FourProcesses_Of250ConcurrentCalls_AgainstABudgetForAbout100_NeverOverrun_AndRedisEqualsTheLedgerExactly()
    {
        using var timeout = new CancellationTokenSource(Patience);
        var redis = await TestServers.RequireRedisAsync();
        var postgres = await TestServers.RequirePostgresAsync();
        var prefix = RedisTestServer.NewPrefix("fleet");
        var schema = TestServers.UniqueName("fleet");
        await using var server = await FakeProviderServer.StartAsync(timeout.Token);
        var exchange = FixtureLoader.Load(FixtureLoader.GetFixturePath(ScaleModels.Fixture))[0];
        for (var i = 0; i < 1_000; i++)
        {
            server.Enqueue(exchange);
        }

        var limit = 100 * ScaleModels.CostPerCall;
        var workers = Enumerable.Range(0, 4).Select(_ => ScaleWorkerProcess.Start("budget-calls", WorkerArguments.Of(
            ("redis", redis), ("prefix", prefix), ("postgres", postgres), ("schema", schema), ("base-url", V1(server)),
            ("limit", limit), ("calls", 250), ("concurrency", 250)))).ToList();
        try
        {
            var lines = (await Task.WhenAll(workers.Select(w => w.ReadToEndAsync(timeout.Token)))).SelectMany(l => l).ToList();
            var ok = lines.Where(l => l.StartsWith("ok ", StringComparison.Ordinal)).Select(l => decimal.Parse(l[3..], CultureInfo.InvariantCulture)).ToList();
            var refused = lines.Count(l => l == "refused");
            var worstCase = decimal.Parse(lines.First(l => l.StartsWith("ready ", StringComparison.Ordinal))[6..], CultureInfo.InvariantCulture);

            // Every call got an answer from the budget: admitted (and answered by the server) or refused before sending.
            Assert.Equal(1_000, ok.Count + refused);
            Assert.DoesNotContain(lines, l => l.StartsWith("unavailable", StringComparison.Ordinal));
            Assert.All(ok, cost => Assert.Equal(ScaleModels.CostPerCall, cost));
            Assert.Equal(ok.Count, server.ReceivedRequests.Count);
            Assert.InRange(ok.Count, 1, 100);
            Assert.True(refused >= 900, $"{refused} refused");
            Assert.True(worstCase > ScaleModels.CostPerCall);

            // Zero overrun, nothing left reserved, and every reservation completed exactly once.
            await using var connection = await RedisTestServer.ConnectAsync(redis);
            await using var store = new RedisBudgetStore(connection, new RedisBudgetOptions { KeyPrefix = prefix });
            var policy = BudgetPolicy.Daily(limit);
            var status = await new BudgetManager([policy], store).GetStatusAsync(policy);
            var counters = await store.GetCountersAsync();
            Assert.True(status.Spent <= limit, $"spent {status.Spent} > limit {limit}");
            Assert.Equal(0m, status.Reserved);
            Assert.Equal(ok.Count * ScaleModels.CostPerCall, status.Spent);
            Assert.Equal(ok.Count, counters.Reserved);
            Assert.Equal(ok.Count, counters.Settled);
            Assert.Equal((0L, 0L, 0L, 0L, 0L), (counters.Released, counters.Expired, counters.LateSettled, counters.LateReleased, counters.Open));
            Assert.Equal(refused, counters.Refused);

            // The fleet's recorded spend is the PostgreSQL ledger's sum, to the last decimal digit.
            await using var ledger = new PostgresCostLedger(new PostgresCostLedgerOptions { ConnectionString = postgres, Schema = schema });
            var total = await ledger.GetTotalAsync();
            Assert.Equal(status.Spent, total.Cost);
            Assert.Equal(ok.Count, total.Calls);
        }
        finally
        {
            workers.ForEach(w => w.Dispose());
            await DropSchemaAsync(postgres, schema);
        }
    }

    [Fact]
    public async Task AProcessKilledWhileHoldingReservations_LosesNothingElse_AndItsReservationsAreFreedWhenTheirLeasesEnd()
    {
        using var timeout = new CancellationTokenSource(Patience);
        var redis = await TestServers.RequireRedisAsync();
        var postgres = await TestServers.RequirePostgresAsync();
        var prefix = RedisTestServer.NewPrefix("kill");
        var schema = TestServers.UniqueName("kill");
        await using var server = await FakeProviderServer.StartAsync(timeout.Token);
        var exchange = FixtureLoader.Load(FixtureLoader.GetFixturePath(ScaleModels.Fixture))[0];
        var limit = 40 * ScaleModels.CostPerCall;
        await using var connection = await RedisTestServer.ConnectAsync(redis);
        await using var observer = new RedisBudgetStore(connection, new RedisBudgetOptions { KeyPrefix = prefix });
        var policy = BudgetPolicy.Daily(limit);
        var fleet = new BudgetManager([policy], observer);
        IEnumerable<string> Arguments(int calls, int concurrency) => WorkerArguments.Of(
            ("redis", redis), ("prefix", prefix), ("postgres", postgres), ("schema", schema), ("base-url", V1(server)),
            ("limit", limit), ("calls", calls), ("concurrency", concurrency), ("lease-ms", 2_000));

        try
        {
            // A survivor spends first.
            for (var i = 0; i < 10; i++)
            {
                server.Enqueue(exchange);
            }

            using (var before = ScaleWorkerProcess.Start("budget-calls", Arguments(10, 2)))
            {
                await before.ReadToEndAsync(timeout.Token);
            }

            // The victim's five calls reach a server that does not answer: each holds its reservation when the process dies.
            var stalled = FakeResponse.FromExchange(exchange) with { DelayBeforeHeaders = TimeSpan.FromMinutes(10) };
            for (var i = 0; i < 5; i++)
            {
                server.Enqueue(stalled);
            }

            using var victim = ScaleWorkerProcess.Start("budget-calls", Arguments(5, 5));
            var worstCase = decimal.Parse((await victim.WaitForLineAsync(l => l.StartsWith("ready ", StringComparison.Ordinal), timeout.Token))[6..], CultureInfo.InvariantCulture);
            while (server.ReceivedRequests.Count < 15)
            {
                await Task.Delay(20, timeout.Token);
            }

            var held = await fleet.GetStatusAsync(policy);
            victim.Kill();
            Assert.Equal(137, await victim.ExitCodeAsync(timeout.Token));

            Assert.Equal(5 * worstCase, held.Reserved);
            Assert.Equal(10 * ScaleModels.CostPerCall, held.Spent);

            // Its reservations are freed when their leases end; what the survivor spent stays.
            Assert.True(await RedisBudgetStoreTests.EventuallyAsync(async () => (await fleet.GetStatusAsync(policy)).Reserved == 0m), "the killed process's reservations were never freed");
            var freed = await fleet.GetStatusAsync(policy);
            Assert.Equal(10 * ScaleModels.CostPerCall, freed.Spent);
            Assert.Equal(5, (await observer.GetCountersAsync()).Expired);

            // The fleet goes on: the budget the dead reservations held is there again, and the rest of it is spent exactly.
            server.ClearQueue();
            for (var i = 0; i < 40; i++)
            {
                server.Enqueue(exchange);
            }

            using var after = ScaleWorkerProcess.Start("budget-calls", Arguments(40, 4));
            var lines = await after.ReadToEndAsync(timeout.Token);
            var okAfter = lines.Count(l => l.StartsWith("ok ", StringComparison.Ordinal));
            Assert.True(okAfter >= 1, "nothing was admitted after the leases ended");

            var final = await fleet.GetStatusAsync(policy);
            var counters = await observer.GetCountersAsync();
            Assert.True(final.Spent <= limit);
            Assert.Equal(0m, final.Reserved);
            Assert.Equal((10 + okAfter) * ScaleModels.CostPerCall, final.Spent);
            Assert.Equal(counters.Reserved, counters.Settled + counters.Released + counters.Expired);
            await using var ledger = new PostgresCostLedger(new PostgresCostLedgerOptions { ConnectionString = postgres, Schema = schema });
            Assert.Equal(final.Spent, (await ledger.GetTotalAsync()).Cost);
        }
        finally
        {
            await DropSchemaAsync(postgres, schema);
        }
    }

    [Fact]
    public async Task RedisRestartedMidRun_GivesClearErrorsWhileDown_ThenNormalService_AndNoOverrun()
    {
        using var timeout = new CancellationTokenSource(Patience);
        var postgres = await TestServers.RequirePostgresAsync();
        using var redisServer = await PrivateRedisServer.StartAsync(appendOnly: true);
        var prefix = RedisTestServer.NewPrefix("restart");
        var schema = TestServers.UniqueName("restart");
        await using var server = await FakeProviderServer.StartAsync(timeout.Token);
        var exchange = FixtureLoader.Load(FixtureLoader.GetFixturePath(ScaleModels.Fixture))[0];
        for (var i = 0; i < 400; i++)
        {
            server.Enqueue(exchange);
        }

        var limit = 120 * ScaleModels.CostPerCall;
        var workers = Enumerable.Range(0, 3).Select(_ => ScaleWorkerProcess.Start("budget-calls", WorkerArguments.Of(
            ("redis", redisServer.Configuration), ("prefix", prefix), ("postgres", postgres), ("schema", schema), ("base-url", V1(server)),
            ("limit", limit), ("calls", 60), ("concurrency", 4), ("pause-ms", 100), ("timeout-ms", 1_000)))).ToList();
        try
        {
            // Mid-run: as soon as a call went through, Redis dies (each worker needs at least 1.5 s for its 60 paced calls, and
            // calls refused for want of Redis do not count); it comes back once every worker has seen it gone.
            var seen = workers.Select(_ => new System.Collections.Concurrent.ConcurrentQueue<string>()).ToArray();
            var pumps = workers.Select((worker, i) => Task.Run(async () =>
            {
                await foreach (var line in worker.Lines.ReadAllAsync(timeout.Token))
                {
                    seen[i].Enqueue(line);
                }
            })).ToArray();
            async Task Until(Func<bool> condition)
            {
                while (!condition())
                {
                    await Task.Delay(10, timeout.Token);
                }
            }

            await Until(() => seen.Any(q => q.Any(l => l.StartsWith("ok ", StringComparison.Ordinal))));
            redisServer.Kill();
            await Until(() => seen.All(q => q.Any(l => l.StartsWith("unavailable ", StringComparison.Ordinal))));
            await redisServer.StartAsync();
            await Task.WhenAll(pumps);
            foreach (var worker in workers)
            {
                Assert.Equal(0, await worker.ExitCodeAsync(timeout.Token));
            }

            var lines = seen.SelectMany(q => q).ToList();

            var ok = lines.Count(l => l.StartsWith("ok ", StringComparison.Ordinal));
            var refused = lines.Count(l => l == "refused");
            var unavailable = lines.Where(l => l.StartsWith("unavailable ", StringComparison.Ordinal)).ToList();

            // Clear errors while it was down: the store named by its endpoint, failing closed.
            Assert.NotEmpty(unavailable);
            Assert.All(unavailable, l => Assert.Contains($"127.0.0.1:{redisServer.Port}", l, StringComparison.Ordinal));
            Assert.All(unavailable, l => Assert.Contains("fail closed", l, StringComparison.Ordinal));

            // Normal service after: every worker finished its calls, some admitted after the restart, none past the limit.
            Assert.Equal(180, ok + refused);
            Assert.Equal(ok, server.ReceivedRequests.Count);
            await using var connection = await redisServer.ConnectAsync();
            await using var store = new RedisBudgetStore(connection, new RedisBudgetOptions { KeyPrefix = prefix });
            var policy = BudgetPolicy.Daily(limit);
            var status = await new BudgetManager([policy], store).GetStatusAsync(policy);
            var counters = await store.GetCountersAsync();
            Assert.True(status.Spent <= limit, $"spent {status.Spent} > limit {limit}");
            Assert.Equal(0m, status.Reserved);
            Assert.Equal(ok * ScaleModels.CostPerCall, status.Spent);
            Assert.Equal(counters.Reserved, counters.Settled + counters.Released);
            Assert.Equal(ok, counters.Settled + counters.LateSettled);
            Assert.Equal(0, counters.Expired);

            await using var ledger = new PostgresCostLedger(new PostgresCostLedgerOptions { ConnectionString = postgres, Schema = schema });
            Assert.Equal(status.Spent, (await ledger.GetTotalAsync()).Cost);
        }
        finally
        {
            workers.ForEach(w => w.Dispose());
            await DropSchemaAsync(postgres, schema);
        }
    }

    private static Uri V1(FakeProviderServer server) => new(server.BaseUri, "v1");

    private static async Task DropSchemaAsync(string connectionString, string schema)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"DROP SCHEMA IF EXISTS \"{schema}\" CASCADE;", connection);
        await command.ExecuteNonQueryAsync();
    }
}

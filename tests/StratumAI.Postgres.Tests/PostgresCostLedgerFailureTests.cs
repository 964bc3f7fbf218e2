using Microsoft.Extensions.AI;
using Npgsql;
using StratumAI.Testing;
using static StratumAI.Tests.Ledger.LedgerTestRecords;

namespace StratumAI.Postgres.Tests;

/// <summary>
/// A billed call is never lost from the PostgreSQL ledger: while the server is down, restarting or slow, appends retry with
/// backoff; when a record cannot be made durable within the retry time, the caller is told (<see cref="CostLedgerException"/>
/// through cost tracking). Restarts use a private cluster of the test's own; the slow-server test locks a table of its
/// own schema on the shared server.
/// </summary>
public sealed class PostgresCostLedgerFailureTests
{
    private static readonly DateTimeOffset Day1 = new(2026, 11, 24, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task ServerRestartedMidRun_ByACrash_EveryAppendCompletes_AndEveryRecordIsStoredExactlyOnce()
    {
        await using var cluster = await PrivatePostgresCluster.StartNewAsync();
        await using var ledger = new PostgresCostLedger(new PostgresCostLedgerOptions { ConnectionString = cluster.ConnectionString, RetryTimeout = TimeSpan.FromMinutes(2) });
        var records = Enumerable.Range(0, 400).Select(i => Record(Day1.AddSeconds(i), 0.0001234m, tags: ["w" + (i % 8).ToString(System.Globalization.CultureInfo.InvariantCulture)])).ToArray();
        using var halfway = new SemaphoreSlim(0);

        // Eight writers, fifty records each, appended one after another like calls finishing.
        var writers = Enumerable.Range(0, 8).Select(w => Task.Run(async () =>
        {
            for (var i = w; i < records.Length; i += 8)
            {
                await ledger.AppendAsync(records[i]);
                if (i == 160 + w)
                {
                    halfway.Release();
                }
            }
        })).ToArray();

        // Once every writer has stored a fifth of its records, the server crashes; appends fail and retry until it is back.
        for (var w = 0; w < 8; w++)
        {
            Assert.True(await halfway.WaitAsync(TimeSpan.FromMinutes(1)), "the writers did not get going");
        }

        await cluster.StopAsync();
        await WaitUntil(() => ledger.Retries > 0, "no append retried while the server was down");
        Assert.All(writers, w => Assert.False(w.IsFaulted, w.Exception?.ToString()));
        await cluster.StartAsync();
        await Task.WhenAll(writers);

        var stored = await ledger.GetRecordsAsync();
        Assert.Equal(records.Select(r => r.Id), stored.Select(r => r.Id));
        Assert.Equal(400 * 0.0001244m, (await ledger.GetTotalAsync()).Cost);
        Assert.All((await ledger.GetTotalsAsync(CostGrouping.Tag)).Values, t => Assert.Equal(50, t.Calls));
    }

    [Fact]
    public async Task ServerDownAtFirstUse_TheAppendWaitsForIt_AndCreatesTheSchemaWhenItIsBack()
    {
        await using var cluster = await PrivatePostgresCluster.StartNewAsync();
        await cluster.StopAsync();
        await using var ledger = new PostgresCostLedger(new PostgresCostLedgerOptions { ConnectionString = cluster.ConnectionString, RetryTimeout = TimeSpan.FromMinutes(2) });
        var record = Record(Day1, 0.25m);

        var append = ledger.AppendAsync(record).AsTask();
        await WaitUntil(() => ledger.Retries > 1, "the append did not retry while the server was down");
        Assert.False(append.IsCompleted);
        await Assert.ThrowsAnyAsync<NpgsqlException>(() => ledger.GetTotalAsync().AsTask()); // queries do not wait: they say the server is away
        await cluster.StartAsync();
        await append;

        Assert.Equal(record.Id, Assert.Single(await ledger.GetRecordsAsync()).Id);
    }

    [Fact]
    public async Task ServerDownLongerThanTheRetryTime_TheCallThrowsCostLedgerException_WithItsRecordAndResponse_AndAReplayStoresItOnce()
    {
        await using var cluster = await PrivatePostgresCluster.StartNewAsync();
        await using var ledger = new PostgresCostLedger(new PostgresCostLedgerOptions { ConnectionString = cluster.ConnectionString, RetryTimeout = TimeSpan.FromSeconds(1) });
        await ledger.AppendAsync(Record(Day1, 0m)); // the schema exists; then the server goes away
        await cluster.StopAsync();

        await using var server = await FakeProviderServer.StartAsync();
        server.EnqueueFixture(FixtureLoader.GetFixturePath("openai/chat__vercel-ai-openai__openai-text.json"));
        using var stratum = TestClient.For(server, out var nano);
        var tracker = new CostTracker();
        using var client = stratum.GetChatClient(nano).AsBuilder().UseStratumCostTracking(tracker, o => o.Ledger = ledger).Build();

        var error = await Assert.ThrowsAsync<CostLedgerException>(() => client.GetResponseAsync("hi"));

        // Told, not dropped: the record (in the tracker too), the paid-for response, and why.
        Assert.Equal(tracker.History.Single().Id, error.Record!.Id);
        Assert.Equal(0.0001468m, error.Record.Total);
        Assert.NotNull(error.Response);
        var cause = Assert.IsAssignableFrom<NpgsqlException>(error.InnerException);
        Assert.Contains("could not store the record", cause.Message, StringComparison.Ordinal);
        Assert.True(ledger.Retries > 0);

        // Once the server is back, appending the record again stores it, once.
        await cluster.StartAsync();
        await ledger.AppendAsync(error.Record);
        await ledger.AppendAsync(error.Record);
        var total = await ledger.GetTotalAsync();
        Assert.Equal((2L, 0.000001m + 0.0001468m), (total.Calls, total.Cost));
    }

    [Fact]
    public async Task SlowServer_AnAppendThatTimesOutIsRetried_AndStoredOnceWhenTheServerAnswers()
    {
        await using var schema = await TestSchema.CreateAsync("slow");
        var options = schema.Options(retryTimeout: TimeSpan.FromMinutes(2));
        options.ConnectionString += ";Command Timeout=1";
        await using var ledger = new PostgresCostLedger(options);
        await ledger.AppendAsync(Record(Day1, 0m));

        // Another session holds the table: inserts wait, and each attempt times out after a second.
        await using var blocker = NpgsqlDataSource.Create(schema.ConnectionString);
        await using var connection = await blocker.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await using (var lockTable = new NpgsqlCommand($"LOCK TABLE {schema.Quoted}.{PostgresCostLedger.RecordsTable} IN EXCLUSIVE MODE;", connection, transaction))
        {
            await lockTable.ExecuteNonQueryAsync();
        }

        var records = Enumerable.Range(1, 20).Select(i => Record(Day1.AddSeconds(i), 0.5m)).ToArray();
        var appends = records.Select(r => Task.Run(() => ledger.AppendAsync(r).AsTask())).ToArray();
        await WaitUntil(() => ledger.Retries > 0, "no append timed out and retried while the table was locked");
        Assert.DoesNotContain(appends, a => a.IsCompleted);
        await transaction.RollbackAsync();
        await Task.WhenAll(appends);

        var total = await ledger.GetTotalAsync();
        Assert.Equal((21L, 20 * 0.500001m + 0.000001m), (total.Calls, total.Cost));
    }

    private static async Task WaitUntil(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(1);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, what);
            await Task.Delay(20);
        }
    }
}

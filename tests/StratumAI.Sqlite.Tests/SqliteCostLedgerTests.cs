using Microsoft.Data.Sqlite;
using static StratumAI.Tests.Ledger.LedgerTestRecords;

namespace StratumAI.Sqlite.Tests;

public sealed class SqliteCostLedgerTests : IDisposable
{
    private static readonly DateTimeOffset Day1 = new(2026, 11, 24, 10, 0, 0, TimeSpan.Zero);

    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private string DatabasePath => _temp.File("ledger.db");

    [Fact]
    public async Task EveryFieldOfARecord_SurvivesTheDatabaseExactly()
    {
        var record = new CostRecord
        {
            Timestamp = new DateTimeOffset(2026, 11, 25, 1, 30, 15, TimeSpan.FromMinutes(330)).AddTicks(1234567),
            ProviderId = "anthropic",
            ModelId = "claude-sonnet-4-5",
            Tags = ["b", "a", "b"],
            Caller = "alice",
            InputTokens = 12_345_678_901,
            CachedInputTokens = 2,
            CacheWriteInputTokens = 3,
            OutputTokens = 4,
            ReasoningTokens = 5,
            HasUsage = true,
            Cost = new CallCost(0.0000000000000000000000000001m, 1.10m, 79_228_162_514_264.337593543950335m, -0.5m, 0.000051m),
            IsPriced = false,
            Outcome = CostOutcome.Abandoned,
            ErrorType = "System.IO.IOException",
            IsCacheHit = true,
            Saved = 0.0125m,
            RequestId = "req_1",
            IsEstimated = true,
        };
        var bare = new CostRecord { Timestamp = Day1 };
        await using (var writer = new SqliteCostLedger(DatabasePath))
        {
            await writer.AppendAsync(record);
            await writer.AppendAsync(bare);
        }

        await using var reader = new SqliteCostLedger(DatabasePath);
        var stored = await reader.GetRecordsAsync();

        Assert.Equal(2, stored.Count);
        Assert.Equal(Fields(record), Fields(stored[1]));
        Assert.Equal(["b", "a", "b"], stored[1].Tags);
        Assert.Equal(record.Timestamp.Offset, stored[1].Timestamp.Offset);
        Assert.Equal("1.10", stored[1].Cost.CachedInput.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(Fields(bare), Fields(stored[0]));
        Assert.Empty(stored[0].Tags);
        Assert.Null(stored[0].ModelId);
    }

    [Fact]
    public async Task Money_IsStoredAsInvariantText_InAWalDatabaseOfTheCurrentSchemaVersion()
    {
        await using (var ledger = new SqliteCostLedger(DatabasePath))
        {
            await ledger.AppendAsync(Record(Day1, 0.0001468m));
        }

        using var connection = new SqliteConnection($"Data Source={DatabasePath};Pooling=False");
        connection.Open();
        Assert.Equal("wal", Scalar(connection, "PRAGMA journal_mode;"));
        Assert.Equal(2L, Scalar(connection, "PRAGMA user_version;"));
        Assert.Equal((long)SqliteCostLedger.SchemaVersion, Scalar(connection, "PRAGMA user_version;"));
        Assert.Equal("text|0.0001478|0.0001468", Scalar(connection, $"SELECT typeof(cost_total) || '|' || cost_total || '|' || cost_output FROM {SqliteCostLedger.RecordsTable};"));
        Assert.Equal(0L, Scalar(connection, "SELECT COUNT(*) FROM pragma_table_info('stratum_cost_records') WHERE type = 'REAL';"));
    }

    [Fact]
    public async Task AppendingTheSameIdAgain_StoresNothingNew_EvenFromAnotherLedgerInstance()
    {
        var record = Record(Day1, 0.5m, tags: ["x", "y"]);
        await using (var first = new SqliteCostLedger(DatabasePath))
        {
            await first.AppendAsync(record);
            await first.AppendAsync(record);
        }

        await using var second = new SqliteCostLedger(DatabasePath);
        await second.AppendAsync(record with { Caller = "changed", Tags = ["z"] });

        var stored = Assert.Single(await second.GetRecordsAsync());
        Assert.Null(stored.Caller);
        Assert.Equal(["x", "y"], stored.Tags);
        Assert.Equal(1, (await second.GetTotalAsync()).Calls);
        Assert.Equal(["x", "y"], (await second.GetTotalsAsync(CostGrouping.Tag)).Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task ReportQueries_EqualTheInMemoryLedgerOnTheSameRecords()
    {
        var random = new Random(20261125);
        string[] models = ["gpt-4o", "gpt-4.1-nano", "claude-sonnet-4-5"];
        string[] tags = ["search", "beta", "batch"];
        var records = Enumerable.Range(0, 300).Select(i => Record(
            Day1.AddMinutes(random.Next(0, 4 * 24 * 60)).ToOffset(TimeSpan.FromHours(random.Next(-11, 13))),
            random.Next(1, 1_000_000) / 10_000_000m,
            model: random.Next(10) == 0 ? null : models[random.Next(models.Length)],
            provider: random.Next(10) == 0 ? null : "p" + random.Next(3).ToString(System.Globalization.CultureInfo.InvariantCulture),
            tags: tags.Where(_ => random.Next(3) == 0).Concat(random.Next(5) == 0 ? ["search"] : []).ToArray(),
            caller: random.Next(4) == 0 ? null : "c" + random.Next(5).ToString(System.Globalization.CultureInfo.InvariantCulture),
            outcome: (CostOutcome)random.Next(3)) with { IsCacheHit = random.Next(6) == 0, Saved = random.Next(100) / 1000m, IsEstimated = random.Next(4) == 0 }).ToArray();
        var memory = new InMemoryCostLedger();
        await using var sqlite = new SqliteCostLedger(DatabasePath);
        foreach (var record in records)
        {
            await memory.AppendAsync(record);
            await sqlite.AppendAsync(record);
        }

        (DateTimeOffset?, DateTimeOffset?)[] ranges = [(null, null), (Day1.AddDays(1), null), (null, Day1.AddDays(2)), (Day1.AddHours(30), Day1.AddHours(60))];
        foreach (var (since, until) in ranges)
        {
            var expectedTotal = await memory.GetTotalAsync(since, until);
            Assert.True(expectedTotal.Calls > 0);
            Assert.Equal(expectedTotal, await sqlite.GetTotalAsync(since, until));
            Assert.Equal((await memory.GetRecordsAsync(since, until)).Select(r => r.Id), (await sqlite.GetRecordsAsync(since, until)).Select(r => r.Id));
            foreach (var groupBy in Enum.GetValues<CostGrouping>())
            {
                var expected = await memory.GetTotalsAsync(groupBy, since, until);
                var actual = await sqlite.GetTotalsAsync(groupBy, since, until);
                Assert.NotEmpty(expected);
                Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), actual.Keys.Order(StringComparer.Ordinal));
                Assert.All(expected, pair => Assert.Equal(pair.Value, actual[pair.Key]));
            }
        }

        Assert.Equal(records.Sum(r => r.Total), (await sqlite.GetTotalAsync()).Cost);
        Assert.Equal(records.Count(r => r.IsEstimated), (await sqlite.GetTotalAsync()).EstimatedCalls);
    }

    [Fact]
    public async Task ManyConcurrentWriters_InOneProcessAndOnTwoLedgersOfOneFile_StoreEveryRecordOnceExactly()
    {
        await using var a = new SqliteCostLedger(DatabasePath);
        await using var b = new SqliteCostLedger(new SqliteCostLedgerOptions { DatabasePath = DatabasePath, Durability = SqliteLedgerDurability.ProcessCrashSafe });
        var records = Enumerable.Range(0, 400).Select(i => Record(Day1.AddSeconds(i), 0.0001234m, tags: ["t" + (i % 4).ToString(System.Globalization.CultureInfo.InvariantCulture)])).ToArray();

        // 16 writers over two ledgers (two connections to the file, as two processes would be); each record is appended twice.
        await Task.WhenAll(Enumerable.Range(0, 16).Select(w => Task.Run(async () =>
        {
            var ledger = w % 2 == 0 ? a : b;
            for (var i = w % 8; i < records.Length; i += 8)
            {
                await ledger.AppendAsync(records[i]);
            }
        })));

        var total = await a.GetTotalAsync();
        Assert.Equal(400, total.Calls);
        Assert.Equal(400 * 0.0001244m, total.Cost);
        Assert.Equal(records.Select(r => r.Id), (await b.GetRecordsAsync()).Select(r => r.Id));
        Assert.All((await b.GetTotalsAsync(CostGrouping.Tag)).Values, t => Assert.Equal(100, t.Calls));
    }

    [Fact]
    public async Task ConcurrentAppends_ShareTransactions_AndEachCompletesOnlyOnceItsRecordIsStored()
    {
        await using var ledger = new SqliteCostLedger(DatabasePath);
        await ledger.AppendAsync(Record(Day1, 0m)); // creates the schema, so the 200 below arrive together
        var records = Enumerable.Range(1, 200).Select(i => Record(Day1.AddSeconds(i), 0.001m)).ToArray();
        var commitsBefore = ledger.Commits;

        await Task.WhenAll(records.Select(record => Task.Run(async () =>
        {
            await ledger.AppendAsync(record);

            // Completed means committed: a second connection already sees the record.
            await using var reader = new SqliteCostLedger(DatabasePath);
            Assert.Contains(record.Id, (await reader.GetRecordsAsync(since: record.Timestamp, until: record.Timestamp.AddTicks(1))).Select(r => r.Id));
        })));

        // Each record costs 0.000001 input + its output.
        Assert.Equal((201, 0.200201m), ((await ledger.GetTotalAsync()).Calls, (await ledger.GetTotalAsync()).Cost));
        var commits = ledger.Commits - commitsBefore;
        Assert.InRange(commits, 1, 199);
    }

    [Fact]
    public async Task AnAppendCancelledWhileQueuedBehindACommit_StoresNothing_AndTheCommitInProgressCompletes()
    {
        await using var ledger = new SqliteCostLedger(new SqliteCostLedgerOptions { DatabasePath = DatabasePath, BusyTimeout = TimeSpan.FromSeconds(30) });
        await ledger.AppendAsync(Record(Day1, 0m));

        // Another connection holds the write lock, so the first append's commit waits inside its transaction.
        await using var blocker = new SqliteConnection($"Data Source={DatabasePath};Pooling=False");
        await blocker.OpenAsync();
        var hold = blocker.BeginTransaction(deferred: false);
        var first = Record(Day1.AddMinutes(1), 1m);
        // Microsoft.Data.Sqlite waits for the lock synchronously, so the first append runs on a pool thread.
        var firstAppend = Task.Run(() => ledger.AppendAsync(first).AsTask());
        await WaitUntil(() => ledger.WriterBusy && ledger.QueuedAppends == 0);

        using var cancel = new CancellationTokenSource();
        var second = Record(Day1.AddMinutes(2), 2m);
        var secondAppend = ledger.AppendAsync(second, cancel.Token).AsTask();
        await WaitUntil(() => ledger.QueuedAppends == 1);
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => secondAppend);
        Assert.False(firstAppend.IsCompleted);
        hold.Rollback();
        await firstAppend;

        var ids = (await ledger.GetRecordsAsync()).Select(r => r.Id).ToList();
        Assert.Contains(first.Id, ids);
        Assert.DoesNotContain(second.Id, ids);
        Assert.Equal(1, ledger.QueuedAppends);

        // The cancelled record leaves the queue with the next commit, unwritten; the ledger goes on working.
        await ledger.AppendAsync(Record(Day1.AddMinutes(3), 3m));
        Assert.Equal(0, ledger.QueuedAppends);
        Assert.Equal(3, (await ledger.GetTotalAsync()).Calls); // the first record of the test, the committed one and this one
        Assert.DoesNotContain(second.Id, (await ledger.GetRecordsAsync()).Select(r => r.Id));
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the ledger did not reach the expected state within 20 s");
            await Task.Delay(10);
        }
    }

    [Fact]
    public async Task ADatabaseOfSchemaVersionOne_IsMigrated_ItsRecordsReadAsNotEstimated_AndEstimatedOnesAreAddedAndCounted()
    {
        var old = Record(Day1, 0.25m, tags: ["x"]);
        await using (var writer = new SqliteCostLedger(DatabasePath))
        {
            await writer.AppendAsync(old);
        }

        // Version 2 only appended is_estimated to version 1's records table: dropping it gives back a version 1 file.
        using (var connection = new SqliteConnection($"Data Source={DatabasePath};Pooling=False"))
        {
            connection.Open();
            Scalar(connection, $"ALTER TABLE {SqliteCostLedger.RecordsTable} DROP COLUMN is_estimated; PRAGMA user_version = 1;");
            Assert.Equal(0L, Scalar(connection, $"SELECT COUNT(*) FROM pragma_table_info('{SqliteCostLedger.RecordsTable}') WHERE name = 'is_estimated';"));
        }

        var estimated = Record(Day1.AddHours(1), 0.5m, outcome: CostOutcome.Failed) with { HasUsage = false, InputTokens = 0, OutputTokens = 0, IsEstimated = true };
        await using (var ledger = new SqliteCostLedger(DatabasePath))
        {
            var before = Assert.Single(await ledger.GetRecordsAsync());
            Assert.Equal(Fields(old), Fields(before));
            Assert.False(before.IsEstimated);

            await ledger.AppendAsync(estimated);
            var total = await ledger.GetTotalAsync();
            Assert.Equal((2L, 1L, old.Total + estimated.Total), (total.Calls, total.EstimatedCalls, total.Cost));
            Assert.Equal(1L, (await ledger.GetTotalsAsync(CostGrouping.Tag))["x"].Calls);
            Assert.Equal(Fields(estimated), Fields((await ledger.GetRecordsAsync())[1]));
        }

        using var check = new SqliteConnection($"Data Source={DatabasePath};Pooling=False");
        check.Open();
        Assert.Equal(2L, Scalar(check, "PRAGMA user_version;"));
        Assert.Equal("ok", Scalar(check, "PRAGMA integrity_check;"));
    }

    [Fact]
    public async Task ADatabaseOfANewerSchemaVersion_IsRefusedWithAClearMessage()
    {
        using (var connection = new SqliteConnection($"Data Source={DatabasePath};Pooling=False"))
        {
            connection.Open();
            Scalar(connection, "PRAGMA user_version = 7;");
        }

        await using var ledger = new SqliteCostLedger(DatabasePath);

        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => ledger.AppendAsync(Record(Day1, 1m)).AsTask());
        Assert.Contains("schema version 7", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ACanceledAppend_StoresNothing()
    {
        await using var ledger = new SqliteCostLedger(DatabasePath);
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => ledger.AppendAsync(Record(Day1, 1m), cts.Token).AsTask());

        Assert.Equal(CostTotals.Empty, await ledger.GetTotalAsync());
    }

    [Fact]
    public async Task ADisposedLedger_ThrowsObjectDisposed()
    {
        var ledger = new SqliteCostLedger(DatabasePath);
        await ledger.AppendAsync(Record(Day1, 1m));
        await ledger.DisposeAsync();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => ledger.AppendAsync(Record(Day1, 1m)).AsTask());
        await Assert.ThrowsAsync<ObjectDisposedException>(() => ledger.GetTotalAsync().AsTask());
    }

    [Theory]
    [InlineData("Data Source=:memory:")]
    [InlineData("Data Source=ledger;Mode=Memory;Cache=Shared")]
    public void InMemoryDatabases_AreRejected(string connectionString)
    {
        var ex = Assert.Throws<ArgumentException>(() => new SqliteCostLedger(new SqliteCostLedgerOptions { ConnectionString = connectionString }));
        Assert.Contains("InMemoryCostLedger", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Options_WithoutAPathOrWithANegativeBusyTimeout_AreRejected()
    {
        Assert.Throws<ArgumentException>(() => new SqliteCostLedger(new SqliteCostLedgerOptions()));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SqliteCostLedger(new SqliteCostLedgerOptions { DatabasePath = DatabasePath, BusyTimeout = TimeSpan.FromSeconds(-1) }));
    }

    private static object Fields(CostRecord r) =>
        (r.Id, r.Timestamp, r.Timestamp.Offset, r.ProviderId, r.ModelId, string.Join("|", r.Tags), r.Caller, r.InputTokens, r.CachedInputTokens,
         r.CacheWriteInputTokens, r.OutputTokens, r.ReasoningTokens, r.HasUsage, r.Cost, r.IsPriced, r.Outcome, r.ErrorType, r.IsCacheHit, r.Saved, r.RequestId, r.IsEstimated);

    private static object? Scalar(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }
}

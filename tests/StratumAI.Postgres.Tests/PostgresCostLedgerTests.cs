using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using StratumAI.Testing;
using static StratumAI.Tests.Ledger.LedgerTestRecords;

namespace StratumAI.Postgres.Tests;

/// <summary>What only the PostgreSQL ledger promises (the shared contract is in <see cref="PostgresCostLedgerContractTests"/>): its schema, group commit, many processes, a refused record, DI.</summary>
public sealed class PostgresCostLedgerTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Day1 = new(2026, 11, 24, 10, 0, 0, TimeSpan.Zero);

    private TestSchema _schema = null!;

    public async Task InitializeAsync() => _schema = await TestSchema.CreateAsync();

    public async Task DisposeAsync() => await _schema.DisposeAsync();

    [Fact]
    public async Task Money_IsNumeric_NeverFloatingPoint_AndTheSchemaVersionIsRecorded()
    {
        var ledger = _schema.Open();
        await ledger.AppendAsync(Record(Day1, 0.0001468m, tags: ["a", "b"]));

        Assert.Equal(0L, await _schema.ScalarAsync($"SELECT COUNT(*) FROM information_schema.columns WHERE table_schema = '{_schema.Name}' AND data_type IN ('real', 'double precision', 'money');"));
        Assert.Equal(7L, await _schema.ScalarAsync($"SELECT COUNT(*) FROM information_schema.columns WHERE table_schema = '{_schema.Name}' AND table_name = '{PostgresCostLedger.RecordsTable}' AND data_type = 'numeric';"));
        Assert.Equal("0.0001478|0.0001468|{a,b}|2026-11-24", await _schema.ScalarAsync($"SELECT cost_total::text || '|' || cost_output::text || '|' || tags::text || '|' || utc_day::text FROM {_schema.Quoted}.{PostgresCostLedger.RecordsTable};"));
        Assert.Equal(PostgresCostLedger.SchemaVersion, await _schema.ScalarAsync($"SELECT version FROM {_schema.Quoted}.{PostgresCostLedger.VersionTable};"));
    }

    [Fact]
    public async Task ASchemaOfANewerVersion_IsRefusedWithAClearMessage()
    {
        await _schema.Open().AppendAsync(Record(Day1, 1m));
        await _schema.ScalarAsync($"UPDATE {_schema.Quoted}.{PostgresCostLedger.VersionTable} SET version = 7;");

        var ledger = _schema.Open();

        var append = await Assert.ThrowsAsync<InvalidOperationException>(() => ledger.AppendAsync(Record(Day1, 1m)).AsTask());
        Assert.Contains("schema version 7", append.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<InvalidOperationException>(() => ledger.GetTotalAsync().AsTask());
    }

    [Fact]
    public async Task FourLedgersOpeningANewSchemaAtOnce_CreateItOnce_AndAllWrite()
    {
        // As four processes starting together: each races to create the schema; the advisory lock lets one do it.
        var ledgers = Enumerable.Range(0, 4).Select(_ => _schema.Open()).ToArray();
        var records = Enumerable.Range(0, 40).Select(i => Record(Day1.AddSeconds(i), 0.01m)).ToArray();

        await Task.WhenAll(ledgers.Select((ledger, w) => Task.Run(async () =>
        {
            for (var i = w; i < records.Length; i += 4)
            {
                await ledger.AppendAsync(records[i]);
            }
        })));

        Assert.Equal((40L, 40 * 0.010001m), ((await ledgers[0].GetTotalAsync()).Calls, (await ledgers[3].GetTotalAsync()).Cost));
        Assert.Equal(1L, await _schema.ScalarAsync($"SELECT COUNT(*) FROM {_schema.Quoted}.{PostgresCostLedger.VersionTable};"));
    }

    [Fact]
    public async Task ConcurrentAppends_ShareTransactions_AndEachCompletesOnlyOnceItsRecordIsCommitted()
    {
        var ledger = _schema.Open();
        var reader = _schema.Open();
        await ledger.AppendAsync(Record(Day1, 0m)); // creates the schema, so the 300 below arrive together
        var records = Enumerable.Range(1, 300).Select(i => Record(Day1.AddSeconds(i), 0.001m)).ToArray();
        var commitsBefore = ledger.Commits;

        await Task.WhenAll(records.Select(record => Task.Run(async () =>
        {
            await ledger.AppendAsync(record);

            // Completed means committed: another ledger (another connection) already sees it.
            Assert.Contains(record.Id, (await reader.GetRecordsAsync(since: record.Timestamp, until: record.Timestamp.AddTicks(1))).Select(r => r.Id));
        })));

        var total = await ledger.GetTotalAsync();
        Assert.Equal((301L, 0.300301m), (total.Calls, total.Cost));
        Assert.InRange(ledger.Commits - commitsBefore, 1, 299);
        Assert.Equal(0, ledger.Retries);
    }

    [Fact]
    public async Task ARecordTheServerRefuses_FailsOnlyItsOwnAppend_TheOthersInItsGroupAreStored()
    {
        var ledger = _schema.Open();
        await ledger.AppendAsync(Record(Day1, 0m));

        // PostgreSQL text cannot hold NUL: this record is refused, whatever batch it travels in.
        var refused = Record(Day1.AddSeconds(1), 1m, caller: "bad\0caller");
        var good = Enumerable.Range(2, 50).Select(i => Record(Day1.AddSeconds(i), 0.5m)).ToArray();
        var appends = good.Select(r => Task.Run(() => ledger.AppendAsync(r).AsTask())).Append(Task.Run(() => ledger.AppendAsync(refused).AsTask())).ToArray();

        var error = await Assert.ThrowsAnyAsync<Exception>(() => appends[^1]);
        Assert.IsAssignableFrom<NpgsqlException>(error);
        await Task.WhenAll(appends[..^1]);
        var ids = (await ledger.GetRecordsAsync()).Select(r => r.Id).ToHashSet();
        Assert.All(good, r => Assert.Contains(r.Id, ids));
        Assert.DoesNotContain(refused.Id, ids);
        Assert.Equal(51, ids.Count);
    }

    [Fact]
    public async Task AddPostgresCostLedgerAndUseStratumCostTracking_RecordedCallsAreInTheDatabase_AndItsTotalEqualsTheTrackersExactly()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.EnqueueFixture(FixtureLoader.GetFixturePath("openai/chat__vercel-ai-openai__openai-text.json"));
        server.EnqueueFixture(FixtureLoader.GetFixturePath("openai/stream__vercel-ai-openai__openai-text.chunks.txt"));
        using var stratum = TestClient.For(server, out var nano);
        var services = new ServiceCollection().AddPostgresCostLedger(o =>
        {
            o.ConnectionString = _schema.ConnectionString;
            o.Schema = _schema.Name;
        });
        services.AddChatClient(stratum.GetChatClient(nano)).UseStratumCostTracking(client => client.DefaultCaller = "report-test");

        await using (var container = services.BuildServiceProvider())
        {
            var client = container.GetRequiredService<IChatClient>();
            await client.GetResponseAsync("hi");
            await foreach (var update in client.GetStreamingResponseAsync("hi"))
            {
                Assert.NotNull(update);
            }

            Assert.Same(container.GetRequiredService<PostgresCostLedger>(), container.GetRequiredService<ICostLedger>());
            Assert.Equal(container.GetRequiredService<CostTracker>().GetTotal(), await container.GetRequiredService<ICostLedger>().GetTotalAsync());
        }

        // The container disposed its ledger; another reads what the calls committed.
        var ledger = _schema.Open();
        var total = await ledger.GetTotalAsync();

        // gpt-4.1-nano: 16 in + 363 out = 0.0001468 for the response; 16 in + 300 out = 0.0001216 for the stream.
        Assert.Equal((2L, 0.0002684m), (total.Calls, total.Cost));
        Assert.Equal(0.0002684m, (await ledger.GetTotalsAsync(CostGrouping.Caller))["report-test"].Cost);
        Assert.Equal(["gpt-4.1-nano"], (await ledger.GetTotalsAsync(CostGrouping.Model)).Keys);
    }

    [Fact]
    public void Options_WithoutAConnectionString_OrWithABadSchemaOrRetryTimeout_AreRejected()
    {
        Assert.Throws<ArgumentException>(() => new PostgresCostLedger(new PostgresCostLedgerOptions()));
        Assert.Throws<ArgumentException>(() => new PostgresCostLedger(new PostgresCostLedgerOptions { ConnectionString = "Host=x", Schema = "" }));
        Assert.Throws<ArgumentException>(() => new PostgresCostLedger(new PostgresCostLedgerOptions { ConnectionString = "Host=x", Schema = new string('s', 64) }));
        Assert.Throws<ArgumentException>(() => new PostgresCostLedger(new PostgresCostLedgerOptions { ConnectionString = "NotAKey=1" }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new PostgresCostLedger(new PostgresCostLedgerOptions { ConnectionString = "Host=x", RetryTimeout = TimeSpan.FromSeconds(-1) }));
    }

    [Fact]
    public async Task RolesWithoutCreateOnTheDatabase_CreateTablesInASchemaTheyMayCreateIn_AndAppendWithSelectAndInsertOnly()
    {
        // A DBA made the schema and let the application's owner role create in it; CREATE SCHEMA (even IF NOT EXISTS)
        // would need CREATE on the database, which neither role has. The writer role may only read and insert.
        var owner = _schema.Name[..Math.Min(40, _schema.Name.Length)] + "_owner";
        var writer = _schema.Name[..Math.Min(40, _schema.Name.Length)] + "_writer";
        await _schema.ScalarAsync($"""
            CREATE SCHEMA {_schema.Quoted};
            CREATE ROLE "{owner}" LOGIN;
            CREATE ROLE "{writer}" LOGIN;
            GRANT USAGE, CREATE ON SCHEMA {_schema.Quoted} TO "{owner}";
            GRANT USAGE ON SCHEMA {_schema.Quoted} TO "{writer}";
            """);
        try
        {
            await using (var ledger = new PostgresCostLedger(As(owner)))
            {
                await ledger.AppendAsync(Record(Day1, 1m));
            }

            await _schema.ScalarAsync($"""GRANT SELECT, INSERT ON ALL TABLES IN SCHEMA {_schema.Quoted} TO "{writer}";""");
            await using (var ledger = new PostgresCostLedger(As(writer)))
            {
                await ledger.AppendAsync(Record(Day1.AddHours(1), 2m));
                Assert.Equal(2, (await ledger.GetTotalAsync()).Calls);
            }
        }
        finally
        {
            await _schema.ScalarAsync($"""
                DROP OWNED BY "{owner}", "{writer}";
                DROP ROLE "{owner}";
                DROP ROLE "{writer}";
                """);
        }

        PostgresCostLedgerOptions As(string role) => new()
        {
            ConnectionString = new NpgsqlConnectionStringBuilder(_schema.ConnectionString) { Username = role }.ConnectionString,
            Schema = _schema.Name,
            RetryTimeout = TimeSpan.Zero,
        };
    }

    [Fact]
    public async Task ASchemaNameNeedingQuotes_Works()
    {
        await using var quoted = await TestSchema.CreateAsync("Mixed \"Case\"");
        var ledger = quoted.Open();
        await ledger.AppendAsync(Record(Day1, 1m));
        Assert.Equal(1, (await ledger.GetTotalAsync()).Calls);
    }

    [Fact]
    public async Task ADisposedLedger_ThrowsObjectDisposed()
    {
        var ledger = new PostgresCostLedger(_schema.Options());
        await ledger.AppendAsync(Record(Day1, 1m));
        await ledger.DisposeAsync();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => ledger.AppendAsync(Record(Day1, 1m)).AsTask());
        await Assert.ThrowsAsync<ObjectDisposedException>(() => ledger.GetTotalAsync().AsTask());
    }
}

using StratumAI.Redis.Tests;

namespace StratumAI.Postgres.Tests;

/// <summary>Four OS processes share one PostgreSQL ledger: each creates it or finds it created, appends at once, and replays another's records.</summary>
public sealed class PostgresCostLedgerProcessTests
{
    [Fact]
    public async Task FourProcesses_AppendingAtOnceAndReplayingEachOthersRecords_StoreEveryRecordOnce_AndTheSumIsExact()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await using var schema = await TestSchema.CreateAsync("processes");

        // Worker w appends its 250 records and, again, the first 50 of worker w+1, which that worker appends from its own process.
        var workers = Enumerable.Range(0, 4)
            .Select(w => ScaleWorkerProcess.Start("pg-ledger-append", [schema.ConnectionString, schema.Name, w.ToString(System.Globalization.CultureInfo.InvariantCulture), "250", ((w + 1) % 4).ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            .ToArray();
        try
        {
            var lines = await Task.WhenAll(workers.Select(w => w.ReadToEndAsync(timeout.Token)));
            Assert.All(lines, l => Assert.Equal("done 300", l[^1]));
        }
        finally
        {
            Array.ForEach(workers, w => w.Dispose());
        }

        var ledger = schema.Open();
        var total = await ledger.GetTotalAsync();

        // Each worker: 250 x 0.00001 output + 0.0000025 x (1 + … + 250) input = 0.0025 + 0.0784375.
        Assert.Equal((1000L, 4 * 0.0809375m), (total.Calls, total.Cost));
        var byCaller = await ledger.GetTotalsAsync(CostGrouping.Caller);
        Assert.Equal(["worker-0", "worker-1", "worker-2", "worker-3"], byCaller.Keys.Order(StringComparer.Ordinal));
        Assert.All(byCaller.Values, t => Assert.Equal((250L, 0.0809375m), (t.Calls, t.Cost)));
        Assert.Equal(1000, (await ledger.GetRecordsAsync()).Select(r => r.Id).Distinct().Count());
    }
}

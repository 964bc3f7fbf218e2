using StratumAI.Tests.Ledger;

namespace StratumAI.Tests.Cost;

/// <summary>Recording is lock-free (issue 18: records wait in a queue that readers fold); these pin what readers still see.</summary>
public sealed class CostTrackerConcurrencyTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void ConcurrentRecords_FromManyThreads_TotalsGroupsAndHistoryAgreeExactly()
    {
        var tracker = new CostTracker();
        Parallel.For(0, 4_000, new ParallelOptions { MaxDegreeOfParallelism = 16 }, i =>
            tracker.Record(LedgerTestRecords.Record(Now, 0.0001m * (i % 10), model: i % 2 == 0 ? "a" : "b", tags: i % 4 == 0 ? ["x", "x"] : null, caller: i % 5 == 0 ? "c" : null)));

        var history = tracker.History;
        var total = tracker.GetTotal();
        Assert.Equal(4_000, history.Count);
        Assert.Equal(4_000, total.Calls);
        Assert.Equal(history.Sum(r => r.Total), total.Cost);
        Assert.Equal(4_000 * 0.000001m + 400 * 0.0001m * 45, total.Cost);
        Assert.Equal(2_000, tracker.GetTotalsByModel()["a"].Calls);
        Assert.Equal(total.Cost, tracker.GetTotalsByModel().Values.Sum(t => t.Cost));
        Assert.Equal(1_000, tracker.GetTotalsByTag()["x"].Calls);
        Assert.Equal(800, tracker.GetTotalsByCaller()["c"].Calls);
        Assert.Equal(400_000, total.InputTokens);
        Assert.Equal(history.Select(r => r.Id).Distinct().Count(), history.Count);
    }

    [Fact]
    public void History_KeepsTheMostRecentRecordsInOrder_WhileTheTotalsCoverAll()
    {
        var tracker = new CostTracker(historyCapacity: 100);
        var records = Enumerable.Range(0, 250).Select(i => LedgerTestRecords.Record(Now.AddSeconds(i), 0.001m)).ToArray();

        // Several threads at once; then one more from this thread, which is the newest.
        Parallel.ForEach(records[..249], new ParallelOptions { MaxDegreeOfParallelism = 8 }, tracker.Record);
        tracker.Record(records[249]);

        var history = tracker.History;
        Assert.Equal(100, tracker.HistoryCapacity);
        Assert.Equal(100, history.Count);
        Assert.Same(records[249], history[^1]);
        Assert.Equal(250, tracker.GetTotal().Calls);
        Assert.Equal(250 * 0.001001m, tracker.GetTotal().Cost);
    }

    [Fact]
    public void History_InOneThread_IsExactlyTheLastRecordsInTheOrderAdded()
    {
        var tracker = new CostTracker(historyCapacity: 3);
        var records = Enumerable.Range(0, 5).Select(i => LedgerTestRecords.Record(Now.AddSeconds(i), 0.001m)).ToArray();
        foreach (var record in records)
        {
            tracker.Record(record);
        }

        Assert.Equal(records[2..], tracker.History);
        Assert.Equal(CostTracker.DefaultHistoryCapacity, new CostTracker().HistoryCapacity);
        Assert.Empty(RecordOne(new CostTracker(historyCapacity: 0)).History);
        Assert.Throws<ArgumentOutOfRangeException>(() => new CostTracker(historyCapacity: -1));
    }

    [Fact]
    public void ManyMoreRecordsThanTheFoldThreshold_WithReadsRacingTheWriters_AreAllCountedOnce()
    {
        var tracker = new CostTracker(historyCapacity: 50_000);
        var totals = new System.Collections.Concurrent.ConcurrentBag<long>();
        Parallel.For(0, 30_000, new ParallelOptions { MaxDegreeOfParallelism = 16 }, i =>
        {
            tracker.Record(LedgerTestRecords.Record(Now, 0.0001m));
            if (i % 997 == 0)
            {
                totals.Add(tracker.GetTotal().Calls);
            }
        });

        Assert.Equal(30_000, tracker.GetTotal().Calls);
        Assert.Equal(30_000 * 0.000101m, tracker.GetTotal().Cost);
        Assert.Equal(30_000, tracker.History.Count);
        Assert.All(totals, calls => Assert.InRange(calls, 1, 30_000));
    }

    [Fact]
    public async Task InMemoryLedger_ConcurrentAppendsWithDuplicates_StoreEachIdOnce_InAppendOrderPerThread()
    {
        var ledger = new InMemoryCostLedger();
        var records = Enumerable.Range(0, 5_000).Select(i => LedgerTestRecords.Record(Now.AddTicks(i), 0.0001m)).ToArray();

        await Parallel.ForEachAsync(Enumerable.Range(0, 10_000), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, ct) =>
            await ledger.AppendAsync(records[i % 5_000], ct));

        Assert.Equal(5_000, ledger.Count);
        var stored = await ledger.GetRecordsAsync();
        Assert.Equal(records.Select(r => r.Id), stored.Select(r => r.Id));
        Assert.Equal(5_000 * 0.000101m, (await ledger.GetTotalAsync()).Cost);
    }

    private static CostTracker RecordOne(CostTracker tracker)
    {
        tracker.Record(LedgerTestRecords.Record(Now, 0.001m));
        Assert.Equal(1, tracker.GetTotal().Calls);
        return tracker;
    }
}

using StratumAI.Tests.Ledger;

namespace StratumAI.Tests.Cost;

/// <summary>The tracker is sharded per processor (issue 18); these pin what its readers still see.</summary>
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

        // Several threads, so the records land in several shards; then one more from this thread, which is the newest.
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

    private static CostTracker RecordOne(CostTracker tracker)
    {
        tracker.Record(LedgerTestRecords.Record(Now, 0.001m));
        Assert.Equal(1, tracker.GetTotal().Calls);
        return tracker;
    }
}

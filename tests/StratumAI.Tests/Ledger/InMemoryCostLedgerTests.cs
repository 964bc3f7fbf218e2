using static StratumAI.Tests.Ledger.LedgerTestRecords;

namespace StratumAI.Tests.Ledger;

public sealed class InMemoryCostLedgerTests
{
    private static readonly DateTimeOffset Day1 = new(2026, 11, 24, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Append_SameIdTwice_StoresItOnce()
    {
        var ledger = new InMemoryCostLedger();
        var record = Record(Day1, 0.5m);

        await ledger.AppendAsync(record);
        await ledger.AppendAsync(record with { Caller = "someone else" });

        Assert.Equal(1, ledger.Count);
        var stored = Assert.Single(await ledger.GetRecordsAsync());
        Assert.Same(record, stored);
        Assert.Equal(0.500001m, (await ledger.GetTotalAsync()).Cost);
    }

    [Fact]
    public void NewRecords_HaveDistinctIds_AndWithCopiesKeepTheirs()
    {
        var a = Record(Day1, 1m);
        var b = Record(Day1, 1m);

        Assert.NotEqual(Guid.Empty, a.Id);
        Assert.NotEqual(a.Id, b.Id);
        Assert.Equal(a.Id, (a with { Caller = "x" }).Id);
        Assert.Equal(a.Id, a.WithUsage(null).Id);
    }

    [Fact]
    public async Task GetRecords_HalfOpenRange_IncludesSinceExcludesUntilOldestFirst()
    {
        var ledger = new InMemoryCostLedger();
        var late = Record(Day1.AddHours(2), 1m);
        var atSince = Record(Day1, 2m);
        var beforeSince = Record(Day1.AddTicks(-1), 3m);
        var atUntil = Record(Day1.AddHours(3), 4m);
        foreach (var record in new[] { late, atSince, beforeSince, atUntil })
        {
            await ledger.AppendAsync(record);
        }

        var inRange = await ledger.GetRecordsAsync(Day1, Day1.AddHours(3));

        Assert.Equal([atSince.Id, late.Id], inRange.Select(r => r.Id));
        Assert.Equal([beforeSince.Id, atSince.Id, late.Id, atUntil.Id], (await ledger.GetRecordsAsync()).Select(r => r.Id));
        Assert.Equal(3.000002m, (await ledger.GetTotalAsync(Day1, Day1.AddHours(3))).Cost);
        Assert.Equal(CostTotals.Empty, await ledger.GetTotalAsync(Day1.AddDays(5)));
    }

    [Fact]
    public async Task GetRecords_RangeBoundsInAnotherOffset_CompareAsUtcInstants()
    {
        var ledger = new InMemoryCostLedger();
        var record = Record(Day1, 1m);
        await ledger.AppendAsync(record);
        var plusTwo = TimeSpan.FromHours(2);

        Assert.Single(await ledger.GetRecordsAsync(new DateTimeOffset(2026, 11, 24, 12, 0, 0, plusTwo)));
        Assert.Empty(await ledger.GetRecordsAsync(new DateTimeOffset(2026, 11, 24, 12, 0, 0, plusTwo).AddTicks(1)));
    }

    [Fact]
    public async Task TotalsByDay_UseTheUtcDateOfEachRecord()
    {
        var ledger = new InMemoryCostLedger();

        // 23:30 at +02:00 is 21:30 UTC on the same date; 01:30 at +02:00 is 23:30 UTC on the day before.
        await ledger.AppendAsync(Record(new DateTimeOffset(2026, 11, 24, 23, 30, 0, TimeSpan.FromHours(2)), 1m));
        await ledger.AppendAsync(Record(new DateTimeOffset(2026, 11, 25, 1, 30, 0, TimeSpan.FromHours(2)), 2m));
        await ledger.AppendAsync(Record(new DateTimeOffset(2026, 11, 25, 0, 0, 0, TimeSpan.Zero), 4m));

        var byDay = await ledger.GetTotalsAsync(CostGrouping.Day);

        Assert.Equal(["2026-11-24", "2026-11-25"], byDay.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(3.000002m, byDay["2026-11-24"].Cost);
        Assert.Equal(2, byDay["2026-11-24"].Calls);
        Assert.Equal(4.000001m, byDay["2026-11-25"].Cost);
    }

    [Fact]
    public async Task TotalsByModelProviderTagAndCaller_EqualTheTrackersGroups()
    {
        var ledger = new InMemoryCostLedger();
        var tracker = new CostTracker();
        CostRecord[] records =
        [
            Record(Day1, 0.1m, tags: ["search", "beta", "search"], caller: "alice"),
            Record(Day1, 0.2m, model: "claude-sonnet-4-5", provider: "anthropic", tags: ["search"], caller: "bob"),
            Record(Day1, 0.3m, model: null, provider: null, outcome: CostOutcome.Failed),
            Record(Day1, 0.4m, caller: "alice", outcome: CostOutcome.Abandoned) with { IsCacheHit = true, Saved = 0.25m },
        ];
        foreach (var record in records)
        {
            tracker.Record(record);
            await ledger.AppendAsync(record);
        }

        Assert.Equal(tracker.GetTotal(), await ledger.GetTotalAsync());
        AssertSameGroups(tracker.GetTotalsByModel(), await ledger.GetTotalsAsync(CostGrouping.Model));
        AssertSameGroups(tracker.GetTotalsByProvider(), await ledger.GetTotalsAsync(CostGrouping.Provider));
        AssertSameGroups(tracker.GetTotalsByTag(), await ledger.GetTotalsAsync(CostGrouping.Tag));
        AssertSameGroups(tracker.GetTotalsByCaller(), await ledger.GetTotalsAsync(CostGrouping.Caller));

        // Spelled out once, so the comparison above cannot pass on two empty dictionaries.
        var byTag = await ledger.GetTotalsAsync(CostGrouping.Tag);
        Assert.Equal(0.300002m, byTag["search"].Cost);
        Assert.Equal(2, byTag["search"].Calls);
        Assert.Equal(0.300001m, (await ledger.GetTotalsAsync(CostGrouping.Model))[string.Empty].Cost);
        var total = await ledger.GetTotalAsync();
        Assert.Equal(2, total.FailedCalls);
        Assert.Equal(1, total.CacheHits);
        Assert.Equal(0.25m, total.Saved);
    }

    [Fact]
    public async Task ConcurrentAppends_WithRepeatedIds_StoreEachIdExactlyOnce()
    {
        var ledger = new InMemoryCostLedger();
        var records = Enumerable.Range(0, 500).Select(i => Record(Day1.AddSeconds(i), 0.001m)).ToArray();

        // Eight writers each append every record: 4,000 appends, 500 distinct ids.
        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            foreach (var record in records)
            {
                await ledger.AppendAsync(record);
            }
        })));

        Assert.Equal(500, ledger.Count);
        Assert.Equal(500 * 0.001001m, (await ledger.GetTotalAsync()).Cost);
        Assert.Equal(records.Select(r => r.Id), (await ledger.GetRecordsAsync()).Select(r => r.Id));
    }

    [Fact]
    public async Task Append_WithACanceledToken_ThrowsAndStoresNothing()
    {
        var ledger = new InMemoryCostLedger();
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => ledger.AppendAsync(Record(Day1, 1m), cts.Token).AsTask());

        Assert.Equal(0, ledger.Count);
    }

    [Fact]
    public async Task Totals_ByAnUndefinedGrouping_Throw()
    {
        var ledger = new InMemoryCostLedger();

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => ledger.GetTotalsAsync((CostGrouping)42).AsTask());
    }

    private static void AssertSameGroups(IReadOnlyDictionary<string, CostTotals> expected, IReadOnlyDictionary<string, CostTotals> actual)
    {
        Assert.NotEmpty(expected);
        Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), actual.Keys.Order(StringComparer.Ordinal));
        foreach (var (key, totals) in expected)
        {
            Assert.Equal(totals, actual[key]);
        }
    }
}

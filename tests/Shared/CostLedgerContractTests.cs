using System.Globalization;
using static StratumAI.Tests.Ledger.LedgerTestRecords;

namespace StratumAI.TestSupport;

/// <summary>
/// The contract of <see cref="ICostLedger"/> (docs/ledger.md), run against every store: one derived class per store, in that
/// store's test project (InMemoryCostLedgerContractTests, SqliteCostLedgerContractTests, PostgresCostLedgerContractTests).
/// Linked as source, with LedgerTestRecords. A store-specific test (durability, schema, failures) stays in its own project.
/// </summary>
/// <remarks>xUnit creates one instance per test: each test gets a fresh, empty store from <see cref="CreateLedgerAsync"/>.</remarks>
public abstract class CostLedgerContractTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Day1 = new(2026, 11, 24, 10, 0, 0, TimeSpan.Zero);

    private ICostLedger? _ledger;

    /// <summary>The ledger under test: empty when the test starts.</summary>
    protected ICostLedger Ledger => _ledger ?? throw new InvalidOperationException("InitializeAsync has not run.");

    /// <summary>Creates the (empty) store of one test and a ledger on it.</summary>
    protected abstract Task<ICostLedger> CreateLedgerAsync();

    /// <summary>
    /// Another ledger on the same store, as a second process would have (for the in-memory ledger, the same instance).
    /// Disposed by the derived class.
    /// </summary>
    protected abstract Task<ICostLedger> OpenSecondWriterAsync();

    /// <summary>Disposes the ledgers and deletes the store.</summary>
    protected abstract Task DeleteStoreAsync();

    public async Task InitializeAsync() => _ledger = await CreateLedgerAsync();

    public Task DisposeAsync() => DeleteStoreAsync();

    [Fact]
    public async Task Contract_AnEmptyLedger_HasNoRecordsAndEmptyTotals()
    {
        Assert.Empty(await Ledger.GetRecordsAsync());
        Assert.Equal(CostTotals.Empty, await Ledger.GetTotalAsync());
        foreach (var groupBy in Enum.GetValues<CostGrouping>())
        {
            Assert.Empty(await Ledger.GetTotalsAsync(groupBy));
        }
    }

    [Fact]
    public async Task Contract_EveryField_RoundTripsExactly_DecimalsToTheLastFractionalDigitAndScale()
    {
        var record = new CostRecord
        {
            Timestamp = new DateTimeOffset(2026, 11, 25, 1, 30, 15, TimeSpan.FromMinutes(330)).AddTicks(1234567),
            ProviderId = "anthropic",
            ModelId = "claude-sonnet-4-5",
            Tags = ["b", "a", "b", "ünïcødé \"quoted\" [x]"],
            Caller = "alice",
            InputTokens = 12_345_678_901,
            CachedInputTokens = 2,
            CacheWriteInputTokens = 3,
            OutputTokens = 4,
            ReasoningTokens = 5,
            HasUsage = true,
            Cost = new CallCost(0.0000000000000000000000000001m, 1.10m, 79_228_162_514_264.337593543950335m, -0.5m, 0.0000012345678901234567890123m),
            IsPriced = false,
            Outcome = CostOutcome.Abandoned,
            ErrorType = "System.IO.IOException",
            IsCacheHit = true,
            Saved = 0.0125m,
            RequestId = "req_1",
            IsEstimated = true,
        };
        var bare = new CostRecord { Timestamp = Day1 };

        await Ledger.AppendAsync(record);
        await Ledger.AppendAsync(bare);
        var stored = await Ledger.GetRecordsAsync();

        Assert.Equal(2, stored.Count);
        Assert.Equal(Fields(bare), Fields(stored[0]));
        Assert.Empty(stored[0].Tags);
        Assert.Null(stored[0].ModelId);
        Assert.Equal(Fields(record), Fields(stored[1]));
        Assert.Equal(record.Tags, stored[1].Tags);
        Assert.Equal(record.Timestamp.Offset, stored[1].Timestamp.Offset);
        Assert.Equal(record.Timestamp.UtcTicks, stored[1].Timestamp.UtcTicks);

        // Equal decimals can differ in scale; the ledger keeps the scale it was given.
        Assert.Equal("1.10", stored[1].Cost.CachedInput.ToString(CultureInfo.InvariantCulture));
        Assert.Equal("0.0000012345678901234567890123", stored[1].Cost.Reasoning.ToString(CultureInfo.InvariantCulture));
        Assert.Equal(record.Total, stored[1].Total);
        Assert.Equal(record.Total, (await Ledger.GetTotalAsync(since: record.Timestamp)).Cost);
    }

    [Fact]
    public async Task Contract_Totals_AreExactDecimalSums_NotFloatingPoint()
    {
        // 0.1 + 0.2 and 28-digit fractions (the exact sum, 0.3000041234567890123456789015, still fits a decimal): a double
        // sum would be off in the last digits.
        var amounts = new[] { 0.1m, 0.2m, 0.0000001234567890123456789012m, 0.0000000000000000000000000003m };
        var records = amounts.Select((amount, i) => Record(Day1.AddMinutes(i), amount)).ToArray();
        foreach (var record in records)
        {
            await Ledger.AppendAsync(record);
        }

        var expected = records.Sum(r => r.Total);
        Assert.Equal(0.3000041234567890123456789015m, expected);
        Assert.Equal(expected, (await Ledger.GetTotalAsync()).Cost);
        Assert.Equal(expected, (await Ledger.GetTotalsAsync(CostGrouping.Day))["2026-11-24"].Cost);
        Assert.Equal(expected, (await Ledger.GetTotalsAsync(CostGrouping.Model))["gpt-4o"].Cost);
    }

    [Fact]
    public async Task Contract_AppendingAnIdAgain_StoresNothingNew_FromThisOrAnotherWriter()
    {
        var record = Record(Day1, 0.5m, tags: ["x", "y"], caller: "alice");
        await Ledger.AppendAsync(record);
        await Ledger.AppendAsync(record);
        await Ledger.AppendAsync(record with { Caller = "changed", Tags = ["z"], Cost = new CallCost(9m, 0m, 0m, 0m, 0m) });
        var second = await OpenSecondWriterAsync();
        await second.AppendAsync(record with { ModelId = "other" });

        var stored = Assert.Single(await Ledger.GetRecordsAsync());
        Assert.Equal(Fields(record), Fields(stored));
        Assert.Equal(1, (await second.GetTotalAsync()).Calls);
        Assert.Equal(record.Total, (await second.GetTotalAsync()).Cost);
        Assert.Equal(["x", "y"], (await Ledger.GetTotalsAsync(CostGrouping.Tag)).Keys.Order(StringComparer.Ordinal));
        Assert.Equal(["alice"], (await Ledger.GetTotalsAsync(CostGrouping.Caller)).Keys);
    }

    [Fact]
    public async Task Contract_ManyConcurrentWriters_OnTwoLedgersOfOneStore_LoseNothingAndDuplicateNothing()
    {
        var second = await OpenSecondWriterAsync();
        var records = Enumerable.Range(0, 400)
            .Select(i => Record(Day1.AddSeconds(i), 0.0001234m, tags: ["t" + (i % 4).ToString(CultureInfo.InvariantCulture)], caller: "c" + (i % 5).ToString(CultureInfo.InvariantCulture)))
            .ToArray();

        // 16 writers over two ledgers (two processes' worth); each record is appended by two writers, one on each ledger.
        await Task.WhenAll(Enumerable.Range(0, 16).Select(w => Task.Run(async () =>
        {
            var ledger = w % 2 == 0 ? Ledger : second;
            for (var i = w / 2; i < records.Length; i += 8)
            {
                await ledger.AppendAsync(records[i]);
            }
        })));

        var total = await Ledger.GetTotalAsync();
        Assert.Equal(400, total.Calls);
        Assert.Equal(400 * 0.0001244m, total.Cost);
        Assert.Equal(records.Select(r => r.Id), (await second.GetRecordsAsync()).Select(r => r.Id));
        Assert.All((await second.GetTotalsAsync(CostGrouping.Tag)).Values, t => Assert.Equal(100, t.Calls));
        Assert.All((await Ledger.GetTotalsAsync(CostGrouping.Caller)).Values, t => Assert.Equal(80, t.Calls));
    }

    [Fact]
    public async Task Contract_EveryGrouping_FollowsTheTrackersRules()
    {
        var tracker = new CostTracker();
        CostRecord[] records =
        [
            Record(Day1, 0.1m, tags: ["search", "beta", "search"], caller: "alice"),
            Record(Day1, 0.2m, model: "claude-sonnet-4-5", provider: "anthropic", tags: ["search"], caller: "bob"),
            Record(Day1, 0.3m, model: null, provider: null, outcome: CostOutcome.Failed),
            Record(Day1.AddDays(1), 0.4m, caller: "alice", outcome: CostOutcome.Abandoned) with { IsCacheHit = true, Saved = 0.25m },
            Record(Day1.AddDays(1), 0.5m, model: "", provider: "", tags: ["Search"]) with { IsEstimated = true, HasUsage = false, InputTokens = 0, OutputTokens = 0 },
        ];
        foreach (var record in records)
        {
            tracker.Record(record);
            await Ledger.AppendAsync(record);
        }

        Assert.Equal(tracker.GetTotal(), await Ledger.GetTotalAsync());
        AssertSameGroups(tracker.GetTotalsByModel(), await Ledger.GetTotalsAsync(CostGrouping.Model));
        AssertSameGroups(tracker.GetTotalsByProvider(), await Ledger.GetTotalsAsync(CostGrouping.Provider));
        AssertSameGroups(tracker.GetTotalsByTag(), await Ledger.GetTotalsAsync(CostGrouping.Tag));
        AssertSameGroups(tracker.GetTotalsByCaller(), await Ledger.GetTotalsAsync(CostGrouping.Caller));

        // Spelled out, so the comparisons above cannot pass on a shared mistake.
        var byTag = await Ledger.GetTotalsAsync(CostGrouping.Tag);
        Assert.Equal(["Search", "beta", "search"], byTag.Keys.Order(StringComparer.Ordinal));
        Assert.Equal((2L, 0.300002m), (byTag["search"].Calls, byTag["search"].Cost));
        var byModel = await Ledger.GetTotalsAsync(CostGrouping.Model);
        Assert.Equal(["", "claude-sonnet-4-5", "gpt-4o"], byModel.Keys.Order(StringComparer.Ordinal));
        Assert.Equal((2L, 0.800002m, 1L), (byModel[""].Calls, byModel[""].Cost, byModel[""].EstimatedCalls));
        var byProvider = await Ledger.GetTotalsAsync(CostGrouping.Provider);
        Assert.Equal(["", "anthropic", "openai"], byProvider.Keys.Order(StringComparer.Ordinal));
        var byCaller = await Ledger.GetTotalsAsync(CostGrouping.Caller);
        Assert.Equal(["alice", "bob"], byCaller.Keys.Order(StringComparer.Ordinal));
        Assert.Equal((2L, 1L, 1L, 0.25m), (byCaller["alice"].Calls, byCaller["alice"].FailedCalls, byCaller["alice"].CacheHits, byCaller["alice"].Saved));
        var byDay = await Ledger.GetTotalsAsync(CostGrouping.Day);
        Assert.Equal(["2026-11-24", "2026-11-25"], byDay.Keys.Order(StringComparer.Ordinal));
        Assert.Equal((3L, 0.600003m, 300L, 30L), (byDay["2026-11-24"].Calls, byDay["2026-11-24"].Cost, byDay["2026-11-24"].InputTokens, byDay["2026-11-24"].OutputTokens));
        var total = await Ledger.GetTotalAsync();
        Assert.Equal((5L, 2L, 1L, 0.25m, 1L), (total.Calls, total.FailedCalls, total.CacheHits, total.Saved, total.EstimatedCalls));
        Assert.Equal(1.500005m, total.Cost);
    }

    [Fact]
    public async Task Contract_RandomRecords_ReportLikeTheGroupingRules_OverEveryWindow()
    {
        var random = new Random(20261208);
        string[] models = ["gpt-4o", "gpt-4.1-nano", "claude-sonnet-4-5"];
        string[] tags = ["search", "beta", "batch"];
        var records = Enumerable.Range(0, 200).Select(i => Record(
            Day1.AddMinutes(random.Next(0, 4 * 24 * 60)).AddTicks(random.Next(0, 10_000_000)).ToOffset(TimeSpan.FromHours(random.Next(-11, 13))),
            random.Next(1, 1_000_000) / 10_000_000m,
            model: random.Next(10) == 0 ? null : models[random.Next(models.Length)],
            provider: random.Next(10) == 0 ? null : "p" + random.Next(3).ToString(CultureInfo.InvariantCulture),
            tags: tags.Where(_ => random.Next(3) == 0).Concat(random.Next(5) == 0 ? ["search"] : []).ToArray(),
            caller: random.Next(4) == 0 ? null : "c" + random.Next(5).ToString(CultureInfo.InvariantCulture),
            outcome: (CostOutcome)random.Next(3)) with { IsCacheHit = random.Next(6) == 0, Saved = random.Next(100) / 1000m, IsEstimated = random.Next(4) == 0 }).ToArray();
        foreach (var record in records)
        {
            await Ledger.AppendAsync(record);
        }

        (DateTimeOffset?, DateTimeOffset?)[] windows =
        [
            (null, null), (Day1.AddDays(1), null), (null, Day1.AddDays(2)), (Day1.AddHours(30), Day1.AddHours(60)),
            (new DateTimeOffset(2026, 11, 26, 0, 0, 0, TimeSpan.FromHours(-5)), new DateTimeOffset(2026, 11, 27, 9, 0, 0, TimeSpan.FromHours(9))),
        ];
        foreach (var (since, until) in windows)
        {
            var inWindow = records.Where(r => CostGroupingKeys.InRange(r.Timestamp, since, until)).ToArray();
            Assert.NotEmpty(inWindow);
            var expectedTotal = inWindow.Aggregate(CostTotals.Empty, (totals, r) => totals.Add(r));
            Assert.Equal(expectedTotal, await Ledger.GetTotalAsync(since, until));
            Assert.Equal(inWindow.OrderBy(r => r.Timestamp.UtcTicks).Select(r => r.Id), (await Ledger.GetRecordsAsync(since, until)).Select(r => r.Id));
            foreach (var groupBy in Enum.GetValues<CostGrouping>())
            {
                AssertSameGroups(CostGroupingKeys.Group(inWindow, groupBy), await Ledger.GetTotalsAsync(groupBy, since, until));
            }
        }
    }

    [Fact]
    public async Task Contract_Windows_AreHalfOpen_AndComparedAsUtcInstants()
    {
        var late = Record(Day1.AddHours(2), 1m);
        var atSince = Record(Day1, 2m);
        var beforeSince = Record(Day1.AddTicks(-1), 3m);
        var atUntil = Record(Day1.AddHours(3), 4m);
        foreach (var record in new[] { late, atSince, beforeSince, atUntil })
        {
            await Ledger.AppendAsync(record);
        }

        Assert.Equal([atSince.Id, late.Id], (await Ledger.GetRecordsAsync(Day1, Day1.AddHours(3))).Select(r => r.Id));
        Assert.Equal([beforeSince.Id, atSince.Id, late.Id, atUntil.Id], (await Ledger.GetRecordsAsync()).Select(r => r.Id));
        Assert.Equal(3.000002m, (await Ledger.GetTotalAsync(Day1, Day1.AddHours(3))).Cost);
        Assert.Equal(CostTotals.Empty, await Ledger.GetTotalAsync(Day1.AddDays(5)));

        // The same instant written at +02:00: a bound one tick later excludes atSince.
        var plusTwo = new DateTimeOffset(2026, 11, 24, 12, 0, 0, TimeSpan.FromHours(2));
        Assert.Equal([atSince.Id, late.Id, atUntil.Id], (await Ledger.GetRecordsAsync(plusTwo)).Select(r => r.Id));
        Assert.Equal([late.Id, atUntil.Id], (await Ledger.GetRecordsAsync(plusTwo.AddTicks(1))).Select(r => r.Id));
        Assert.Equal([beforeSince.Id], (await Ledger.GetRecordsAsync(until: plusTwo)).Select(r => r.Id));
    }

    [Fact]
    public async Task Contract_Days_AreTheUtcDateOfEachRecord_WhateverItsOffset()
    {
        // 23:30 at +02:00 is 21:30 UTC the same date; 01:30 at +02:00 is 23:30 UTC the day before; 20:00 at -05:00 is 01:00 UTC the next day.
        await Ledger.AppendAsync(Record(new DateTimeOffset(2026, 11, 24, 23, 30, 0, TimeSpan.FromHours(2)), 1m));
        await Ledger.AppendAsync(Record(new DateTimeOffset(2026, 11, 25, 1, 30, 0, TimeSpan.FromHours(2)), 2m));
        await Ledger.AppendAsync(Record(new DateTimeOffset(2026, 11, 25, 0, 0, 0, TimeSpan.Zero), 4m));
        await Ledger.AppendAsync(Record(new DateTimeOffset(2026, 11, 25, 20, 0, 0, TimeSpan.FromHours(-5)), 8m));

        var byDay = await Ledger.GetTotalsAsync(CostGrouping.Day);

        Assert.Equal(["2026-11-24", "2026-11-25", "2026-11-26"], byDay.Keys.Order(StringComparer.Ordinal));
        Assert.Equal((2L, 3.000002m), (byDay["2026-11-24"].Calls, byDay["2026-11-24"].Cost));
        Assert.Equal(4.000001m, byDay["2026-11-25"].Cost);
        Assert.Equal(8.000001m, byDay["2026-11-26"].Cost);

        // A UTC day's window holds exactly that day's group.
        var day = new DateTimeOffset(2026, 11, 25, 0, 0, 0, TimeSpan.Zero);
        Assert.Equal(byDay["2026-11-25"], await Ledger.GetTotalAsync(day, day.AddDays(1)));
    }

    [Fact]
    public async Task Contract_ACanceledAppend_ThrowsAndStoresNothing()
    {
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Ledger.AppendAsync(Record(Day1, 1m), cts.Token).AsTask());

        Assert.Equal(CostTotals.Empty, await Ledger.GetTotalAsync());
    }

    [Fact]
    public async Task Contract_AnUndefinedGrouping_Throws()
    {
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Ledger.GetTotalsAsync((CostGrouping)42).AsTask());
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

    private static object Fields(CostRecord r) =>
        (r.Id, r.Timestamp, r.Timestamp.Offset, r.ProviderId, r.ModelId, string.Join("|", r.Tags), r.Caller, r.InputTokens, r.CachedInputTokens,
         r.CacheWriteInputTokens, r.OutputTokens, r.ReasoningTokens, r.HasUsage, r.Cost, r.IsPriced, r.Outcome, r.ErrorType, r.IsCacheHit, r.Saved, r.RequestId, r.IsEstimated);
}

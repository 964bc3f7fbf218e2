using BenchmarkDotNet.Attributes;
using StratumAI.Sqlite;

namespace StratumAI.Benchmarks;

/// <summary>
/// 100 appends to a <see cref="SqliteCostLedger"/> file with the default durability (<c>synchronous=FULL</c>: a disk flush per
/// commit), one after another and all at once, as 100 concurrent model calls would record their cost. Reported per record.
/// Setup checks that each variant stores exactly its 100 records.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 2, iterationCount: 10, id: "Bench")]
[MedianColumn]
public class SqliteLedgerBenchmarks
{
    private const int Records = 100;
    private string _directory = null!;
    private SqliteCostLedger _ledger = null!;
    private long _next;

    [GlobalSetup]
    public async Task Setup()
    {
        _directory = Directory.CreateTempSubdirectory("stratum-ledger-bench-").FullName;
        _ledger = new SqliteCostLedger(Path.Combine(_directory, "costs.db"));
        await _ledger.AppendAsync(NextRecord());
        await OneAfterAnother();
        await AllAtOnce();
        Check.Equal(1 + (2 * Records), (await _ledger.GetTotalAsync()).Calls, "records stored by setup's two runs");
    }

    [GlobalCleanup]
    public async Task Cleanup()
    {
        await _ledger.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    /// <summary>Each append awaited before the next: one commit (one flush) per record.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = Records)]
    public async Task OneAfterAnother()
    {
        for (var i = 0; i < Records; i++)
        {
            await _ledger.AppendAsync(NextRecord());
        }
    }

    /// <summary>All 100 appends started at once, each on the thread pool; the call returns when every one completed.</summary>
    [Benchmark(OperationsPerInvoke = Records)]
    public Task AllAtOnce()
    {
        var appends = new Task[Records];
        for (var i = 0; i < Records; i++)
        {
            var record = NextRecord();
            appends[i] = Task.Run(() => _ledger.AppendAsync(record).AsTask());
        }

        return Task.WhenAll(appends);
    }

    private CostRecord NextRecord() => new()
    {
        Timestamp = new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero).AddTicks(Interlocked.Increment(ref _next)),
        ModelId = "gpt-4o",
        ProviderId = "openai",
        Tags = ["bench"],
        InputTokens = 1_000,
        OutputTokens = 200,
        HasUsage = true,
        Cost = new CallCost(0.0025m, 0m, 0m, 0.002m, 0m),
    };
}

using BenchmarkDotNet.Attributes;
using StackExchange.Redis;
using StratumAI.Redis;

namespace StratumAI.Benchmarks;

/// <summary>
/// What a budget adds to one call: one reservation and its settlement, in memory (sync and async members) and shared
/// through Redis on loopback (<c>STRATUM_TEST_REDIS</c>, default 127.0.0.1:6391; start it with <c>bash .ci/services start</c>).
/// The limit is never reached, so every operation reserves and settles.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 10, id: "Bench")]
public class SharedBudgetBenchmarks
{
    private BudgetManager _memory = null!;
    private BudgetManager _shared = null!;
    private ConnectionMultiplexer _redis = null!;
    private RedisBudgetStore _store = null!;

    [GlobalSetup]
    public async Task Setup()
    {
        BudgetPolicy[] policies = [BudgetPolicy.Daily(1_000_000_000m), new BudgetPolicy(BudgetScope.EachCaller, BudgetPeriod.Month, 1_000_000_000m)];
        _memory = new BudgetManager(policies);
        _redis = await ConnectionMultiplexer.ConnectAsync(Environment.GetEnvironmentVariable("STRATUM_TEST_REDIS") is { Length: > 0 } c ? c : "127.0.0.1:6391");
        _store = new RedisBudgetStore(_redis, new RedisBudgetOptions { KeyPrefix = "bench:" + Guid.NewGuid().ToString("N") });
        _shared = new BudgetManager(policies, _store);
    }

    [GlobalCleanup]
    public async Task Cleanup()
    {
        await _store.DisposeAsync();
        await _redis.DisposeAsync();
    }

    [Benchmark(Baseline = true)]
    public void InMemory()
    {
        var reservation = _memory.Reserve(0.0125m, null, "user-1");
        reservation.Settle(0.0003125m);
    }

    [Benchmark]
    public async Task InMemoryAsync()
    {
        var reservation = await _memory.ReserveAsync(0.0125m, null, "user-1");
        await reservation.SettleAsync(0.0003125m);
    }

    [Benchmark]
    public async Task Redis()
    {
        var reservation = await _shared.ReserveAsync(0.0125m, null, "user-1");
        await reservation.SettleAsync(0.0003125m);
    }
}

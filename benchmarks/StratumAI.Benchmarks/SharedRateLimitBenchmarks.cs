using BenchmarkDotNet.Attributes;
using StackExchange.Redis;
using StratumAI.Redis;

namespace StratumAI.Benchmarks;

/// <summary>
/// What a rate limit adds to one call: one permit (a request and 1,000 tokens from a model limit and a provider limit), in
/// this process and shared through Redis on loopback (<c>STRATUM_TEST_REDIS</c>, default 127.0.0.1:6391). The limits are
/// never reached, so every call is let through at once.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 10, id: "Bench")]
public class SharedRateLimitBenchmarks
{
    private static readonly RateLimit Huge = new(int.MaxValue, long.MaxValue, TimeSpan.FromMinutes(1));
    private readonly RateLimitRequest _request = new(
        "openai/gpt-4o/k-3f2a9c1b",
        [new RateLimitBucket("openai/gpt-4o/k-3f2a9c1b", Huge), new RateLimitBucket("openai/*/k-3f2a9c1b", Huge)],
        1_000);

    private InProcessRateLimitStore _local = null!;
    private ConnectionMultiplexer _redis = null!;
    private RedisRateLimitStore _shared = null!;

    [GlobalSetup]
    public async Task Setup()
    {
        _local = new InProcessRateLimitStore();
        _redis = await ConnectionMultiplexer.ConnectAsync(Environment.GetEnvironmentVariable("STRATUM_TEST_REDIS") is { Length: > 0 } c ? c : "127.0.0.1:6391");
        _shared = new RedisRateLimitStore(_redis, new RedisRateLimitOptions { KeyPrefix = "bench:" + Guid.NewGuid().ToString("N") });
    }

    [GlobalCleanup]
    public async Task Cleanup()
    {
        _shared.Dispose();
        _local.Dispose();
        await _redis.DisposeAsync();
    }

    [Benchmark(Baseline = true)]
    public ValueTask<bool> InProcess() => _local.AcquireAsync(_request, TimeSpan.Zero, default);

    [Benchmark]
    public ValueTask<bool> Redis() => _shared.AcquireAsync(_request, TimeSpan.Zero, default);
}

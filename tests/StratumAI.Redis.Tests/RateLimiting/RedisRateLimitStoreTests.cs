using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace StratumAI.Redis.Tests.RateLimiting;

/// <summary>The Redis rate-limit store against a real Redis: the shared window, tokens, pauses, and degrading to in-process limits while Redis is away.</summary>
public sealed class RedisRateLimitStoreTests
{
    private static RateLimitRequest Request(RateLimit limit, long tokens = 0, string key = "openai/gpt-4o/k-1") =>
        new(key, [new RateLimitBucket(key, limit)], tokens);

    [Fact]
    public async Task TwoStores_OnOnePrefix_ShareOneWindow_AndADifferentKeyHasItsOwn()
    {
        var redis = await RedisTestServer.GetAsync();
        var prefix = RedisTestServer.NewPrefix("rl-share");
        using var first = new RedisRateLimitStore(redis, new RedisRateLimitOptions { KeyPrefix = prefix });
        using var second = new RedisRateLimitStore(redis, new RedisRateLimitOptions { KeyPrefix = prefix });
        var limit = RateLimit.PerMinute(3);

        Assert.True(await first.AcquireAsync(Request(limit), TimeSpan.Zero, default));
        Assert.True(await second.AcquireAsync(Request(limit), TimeSpan.Zero, default));
        Assert.True(await first.AcquireAsync(Request(limit), TimeSpan.Zero, default));
        Assert.False(await second.AcquireAsync(Request(limit), TimeSpan.Zero, default));
        Assert.True(await second.AcquireAsync(Request(limit, key: "openai/gpt-4o/k-2"), TimeSpan.Zero, default));
        Assert.False(first.IsDegraded);
    }

    [Fact]
    public async Task Tokens_AreSharedToo_AndACallOverTheWholeLimitIsClampedToIt()
    {
        var redis = await RedisTestServer.GetAsync();
        using var store = new RedisRateLimitStore(redis, new RedisRateLimitOptions { KeyPrefix = RedisTestServer.NewPrefix("rl-tokens") });
        var limit = new RateLimit(null, 1_000, TimeSpan.FromMinutes(1));

        Assert.True(await store.AcquireAsync(Request(limit, tokens: 700), TimeSpan.Zero, default));
        Assert.False(await store.AcquireAsync(Request(limit, tokens: 301), TimeSpan.Zero, default));
        Assert.True(await store.AcquireAsync(Request(limit, tokens: 300), TimeSpan.Zero, default));
        Assert.False(await store.AcquireAsync(Request(limit, tokens: 5_000), TimeSpan.Zero, default));
    }

    [Fact]
    public async Task APause_StopsTheKeyInEveryStore_UntilItsTtlEnds()
    {
        var redis = await RedisTestServer.GetAsync();
        var prefix = RedisTestServer.NewPrefix("rl-pause");
        using var paused = new RedisRateLimitStore(redis, new RedisRateLimitOptions { KeyPrefix = prefix });
        using var other = new RedisRateLimitStore(redis, new RedisRateLimitOptions { KeyPrefix = prefix });
        var none = new RateLimitRequest("openai/gpt-4o/k-1", [], 0);

        await paused.PauseAsync("openai/gpt-4o/k-1", TimeSpan.FromMinutes(5), default);
        await paused.PauseAsync("openai/gpt-4o/k-1", TimeSpan.FromSeconds(1), default);

        Assert.False(await other.AcquireAsync(none, TimeSpan.FromSeconds(30), default));
        var ttl = await redis.GetDatabase().KeyTimeToLiveAsync("{" + prefix + "}:pause:openai/gpt-4o/k-1");
        Assert.InRange(ttl!.Value, TimeSpan.FromMinutes(4), TimeSpan.FromMinutes(5));
        Assert.True(await other.AcquireAsync(new RateLimitRequest("openai/gpt-4o-mini/k-1", [], 0), TimeSpan.Zero, default));
    }

    [Fact]
    public async Task RedisDown_DegradesToInProcessLimitsWithAWarning_AndSharesAgainWhenItIsBack()
    {
        using var server = await PrivateRedisServer.StartAsync(appendOnly: false);
        await using var redis = await server.ConnectAsync(o => o.BacklogPolicy = BacklogPolicy.FailFast);
        var logger = new FakeLogger();
        var logs = logger.Collector;
        using var store = new RedisRateLimitStore(redis, new RedisRateLimitOptions { KeyPrefix = "rl-degrade", OperationTimeout = TimeSpan.FromSeconds(1) }, logger);
        var limit = RateLimit.PerMinute(2);
        Assert.True(await store.AcquireAsync(Request(limit), TimeSpan.Zero, default));

        server.Stop();
        Assert.True(await store.AcquireAsync(Request(limit), TimeSpan.Zero, default));    // the process's own window: 1 of 2
        Assert.True(await store.AcquireAsync(Request(limit), TimeSpan.Zero, default));    // 2 of 2
        Assert.False(await store.AcquireAsync(Request(limit), TimeSpan.Zero, default));   // the limit still holds in the process
        Assert.True(store.IsDegraded);
        var warning = Assert.Single(logs.GetSnapshot(), r => r.Id.Id == 1042);
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.Contains("in this process only", warning.Message, StringComparison.Ordinal);

        await server.StartAsync();
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!redis.IsConnected)
        {
            await Task.Delay(50, guard.Token);
        }

        // Redis came back empty (no persistence): its window is fresh, and the store uses it again.
        Assert.True(await store.AcquireAsync(Request(limit), TimeSpan.Zero, default));
        Assert.True(await store.AcquireAsync(Request(limit), TimeSpan.Zero, default));
        Assert.False(await store.AcquireAsync(Request(limit), TimeSpan.Zero, default));
        Assert.False(store.IsDegraded);
        Assert.Single(logs.GetSnapshot(), r => r.Id.Id == 1043);
        Assert.Single(logs.GetSnapshot(), r => r.Id.Id == 1042);
    }

    [Fact]
    public async Task AddStratumRedisRateLimits_MakesUseStratumRateLimitsShareThroughRedis()
    {
        var services = new ServiceCollection();
        services.AddStratumRedisRateLimits(RedisTestServer.Configuration, o => o.KeyPrefix = RedisTestServer.NewPrefix("rl-di"));
        await using var provider = services.BuildServiceProvider();

        var store = provider.GetService(typeof(RateLimitStore));

        Assert.IsType<RedisRateLimitStore>(store);
        Assert.DoesNotContain("password", ((RedisRateLimitStore)store!).Name, StringComparison.OrdinalIgnoreCase);
    }
}

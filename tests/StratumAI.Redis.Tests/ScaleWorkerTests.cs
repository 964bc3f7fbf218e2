namespace StratumAI.Redis.Tests;

/// <summary>The worker the multi-process tests launch is built with the tests, runs as its own OS process and reaches Redis.</summary>
public sealed class ScaleWorkerTests
{
    [Fact]
    public async Task TwoWorkerProcesses_IncrementOneKey_EveryIncrementCounts()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var redis = await RedisTestServer.GetAsync();
        var key = RedisTestServer.NewPrefix("worker") + ":count";

        using var first = ScaleWorkerProcess.Start("redis-incr", [RedisTestServer.Configuration, key, "50"]);
        using var second = ScaleWorkerProcess.Start("redis-incr", [RedisTestServer.Configuration, key, "50"]);
        var lines = await Task.WhenAll(first.ReadToEndAsync(timeout.Token), second.ReadToEndAsync(timeout.Token));

        Assert.All(lines, l => Assert.Equal("done", l[^1]));
        Assert.NotEqual(first.Id, second.Id);
        Assert.Equal(100, (long)await redis.GetDatabase().StringGetAsync(key));
        await redis.GetDatabase().KeyDeleteAsync(key);
    }

    [Fact]
    public async Task UnknownCommand_ExitsWithUsage()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var worker = ScaleWorkerProcess.Start("no-such-command", []);

        Assert.Equal(2, await worker.ExitCodeAsync(timeout.Token));
    }
}

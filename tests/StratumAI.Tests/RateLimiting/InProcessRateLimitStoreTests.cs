using Microsoft.Extensions.Time.Testing;

namespace StratumAI.Tests.RateLimiting;

/// <summary>The in-process windows on a fake clock: how many go through, when a queued caller gets its permit, pauses.</summary>
public class InProcessRateLimitStoreTests
{
    private static readonly DateTimeOffset Start = new(2026, 12, 8, 0, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(10);

    private static RateLimitRequest Request(RateLimit limit, long tokens = 0, string key = "openai/gpt-4o/k-1") =>
        new(key, [new RateLimitBucket(key, limit)], tokens);

    [Fact]
    public async Task Acquire_UpToTheLimit_IsImmediate_ThenAQueuedCallerWaitsAWholeWindow()
    {
        var time = new FakeTimeProvider(Start);
        using var store = new InProcessRateLimitStore(time);
        var limit = new RateLimit(3, null, TimeSpan.FromSeconds(10));

        for (var i = 0; i < 3; i++)
        {
            Assert.True(await store.AcquireAsync(Request(limit), TimeSpan.Zero, default));
        }

        var fourth = store.AcquireAsync(Request(limit), TimeSpan.FromMinutes(1), default).AsTask();
        time.Advance(TimeSpan.FromSeconds(10));
        await Task.Yield();
        Assert.False(fourth.IsCompleted);

        // Permits come back one segment after the window: never earlier than a whole window after they were taken.
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.True(await fourth.WaitAsync(Guard));
    }

    [Fact]
    public async Task Acquire_WithoutWaiting_NoWindowEverLetsMoreThanTheLimitThrough()
    {
        var time = new FakeTimeProvider(Start);
        using var store = new InProcessRateLimitStore(time);
        var window = TimeSpan.FromSeconds(10);
        var limit = new RateLimit(5, null, window);
        var random = new Random(12);
        var granted = new List<DateTimeOffset>();

        for (var i = 0; i < 2_000; i++)
        {
            time.Advance(TimeSpan.FromMilliseconds(random.Next(0, 400)));
            if (await store.AcquireAsync(Request(limit), TimeSpan.Zero, default))
            {
                granted.Add(time.GetUtcNow());
            }
        }

        Assert.True(granted.Count > 150, $"only {granted.Count} granted");
        for (var i = 0; i < granted.Count; i++)
        {
            var inWindow = granted.Skip(i).TakeWhile(t => t - granted[i] < window).Count();
            Assert.True(inWindow <= 5, $"{inWindow} permits within {window} from {granted[i]:O}");
        }
    }

    [Fact]
    public async Task Acquire_Tokens_AreCountedAgainstTheTokenLimit_AndABigCallIsClampedToIt()
    {
        var time = new FakeTimeProvider(Start);
        using var store = new InProcessRateLimitStore(time);
        var limit = new RateLimit(null, 1_000, TimeSpan.FromSeconds(10));

        Assert.True(await store.AcquireAsync(Request(limit, tokens: 600), TimeSpan.Zero, default));
        Assert.True(await store.AcquireAsync(Request(limit, tokens: 400), TimeSpan.Zero, default));
        Assert.False(await store.AcquireAsync(Request(limit, tokens: 1), TimeSpan.Zero, default));

        time.Advance(TimeSpan.FromSeconds(11));
        Assert.True(await store.AcquireAsync(Request(limit, tokens: 50_000), TimeSpan.Zero, default));
        Assert.False(await store.AcquireAsync(Request(limit, tokens: 1), TimeSpan.Zero, default));
    }

    [Fact]
    public async Task Acquire_PastTheDeadline_ReturnsFalse()
    {
        var time = new FakeTimeProvider(Start);
        using var store = new InProcessRateLimitStore(time);
        var limit = new RateLimit(1, null, TimeSpan.FromMinutes(1));
        Assert.True(await store.AcquireAsync(Request(limit), TimeSpan.Zero, default));

        var second = store.AcquireAsync(Request(limit), TimeSpan.FromSeconds(5), default).AsTask();
        time.Advance(TimeSpan.FromSeconds(5));

        Assert.False(await second.WaitAsync(Guard));
    }

    [Fact]
    public async Task Acquire_Cancelled_ThrowsOperationCanceled()
    {
        var time = new FakeTimeProvider(Start);
        using var store = new InProcessRateLimitStore(time);
        var limit = new RateLimit(1, null, TimeSpan.FromMinutes(1));
        Assert.True(await store.AcquireAsync(Request(limit), TimeSpan.Zero, default));
        using var cancel = new CancellationTokenSource();

        var second = store.AcquireAsync(Request(limit), TimeSpan.FromMinutes(5), cancel.Token).AsTask();
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => second.WaitAsync(Guard));
    }

    [Fact]
    public async Task Pause_HoldsEveryCallerOfTheKeyUntilItEnds_AndOnlyThatKey()
    {
        var time = new FakeTimeProvider(Start);
        using var store = new InProcessRateLimitStore(time);
        var unlimited = new RateLimitRequest("openai/gpt-4o/k-1", [], 0);
        var other = new RateLimitRequest("openai/gpt-4o-mini/k-1", [], 0);

        await store.PauseAsync("openai/gpt-4o/k-1", TimeSpan.FromSeconds(7), default);
        await store.PauseAsync("openai/gpt-4o/k-1", TimeSpan.FromSeconds(2), default);

        Assert.Equal(Start.AddSeconds(7), store.PausedUntil("openai/gpt-4o/k-1"));
        Assert.True(await store.AcquireAsync(other, TimeSpan.Zero, default));
        Assert.False(await store.AcquireAsync(unlimited, TimeSpan.FromSeconds(6), default));
        var waiting = store.AcquireAsync(unlimited, TimeSpan.FromSeconds(30), default).AsTask();
        time.Advance(TimeSpan.FromSeconds(6));
        await Task.Yield();
        Assert.False(waiting.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.True(await waiting.WaitAsync(Guard));
        Assert.Null(store.PausedUntil("openai/gpt-4o/k-1"));
    }

    [Fact]
    public async Task ChangedLimit_ForAKey_StartsAFreshWindowWithTheNewLimit()
    {
        var time = new FakeTimeProvider(Start);
        using var store = new InProcessRateLimitStore(time);

        Assert.True(await store.AcquireAsync(Request(new RateLimit(1, null, TimeSpan.FromMinutes(1))), TimeSpan.Zero, default));
        Assert.False(await store.AcquireAsync(Request(new RateLimit(1, null, TimeSpan.FromMinutes(1))), TimeSpan.Zero, default));
        Assert.True(await store.AcquireAsync(Request(new RateLimit(2, null, TimeSpan.FromMinutes(1))), TimeSpan.Zero, default));
    }

    [Fact]
    public void RateLimit_RefusesNonPositiveValues()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new RateLimit(0, null, TimeSpan.FromMinutes(1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RateLimit(null, -1, TimeSpan.FromMinutes(1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RateLimit(1, null, TimeSpan.Zero));
        Assert.Equal("500 requests / 30000 tokens per 60 s", RateLimit.PerMinute(500, 30_000).ToString());
    }
}

using System.Collections.Concurrent;
using System.Net;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging.Testing;
using Polly.CircuitBreaker;
using Polly.Timeout;
using static StratumAI.Tests.TestCatalog;

namespace StratumAI.Tests.Resilience;

public sealed class ResilienceChatClientTests
{
    private static readonly ModelRegistry Registry = CreateRegistry();

    private static readonly ChatOptions Gpt4o = new() { ModelId = "gpt-4o" };

    private static ModelRegistry CreateRegistry()
    {
        var registry = new ModelRegistry();
        registry.Register([Model("gpt-4o", Provider("openai"), Gpt4oPricing), Model("claude-sonnet-4", Provider("anthropic", dialect: "anthropic"), ClaudeSonnetPricing)]);
        return registry;
    }

    private static (ResilienceChatClient Client, ObservedTime Time, ConcurrentQueue<StratumRetryEvent> Retries) Create(
        ScriptedChatClient inner,
        Action<StratumResilienceOptions>? configure = null)
    {
        var time = new ObservedTime();
        var retries = new ConcurrentQueue<StratumRetryEvent>();
        var options = new StratumResilienceOptions { TimeProvider = time, Models = Registry, OnRetry = retries.Enqueue };
        configure?.Invoke(options);
        return (new ResilienceChatClient(inner, options), time, retries);
    }

    [Fact]
    public async Task Retry_429WithRetryAfter_WaitsExactlyThatLong()
    {
        var inner = new ScriptedChatClient().ThenThrow(Scripted.RateLimited(TimeSpan.FromSeconds(7))).ThenAnswer("second");
        var (client, time, retries) = Create(inner);

        var call = client.GetResponseAsync("hi", Gpt4o);

        // The default attempt (60 s) and total (100 s) timeouts are timers too; the other one is the retry's wait.
        var wait = await time.NextTimerAsync(d => d != StratumResilienceOptions.DefaultAttemptTimeout && d != StratumResilienceOptions.DefaultTotalTimeout);
        Assert.Equal(TimeSpan.FromSeconds(7), wait);
        Assert.Equal(1, inner.Calls);
        time.Advance(TimeSpan.FromSeconds(7));
        var response = await call;

        Assert.Equal("second", response.Text);
        Assert.Equal(2, inner.Calls);
        var retry = Assert.Single(retries);
        Assert.Equal(TimeSpan.FromSeconds(7), retry.Delay);
        Assert.True(retry.DelayRequestedByProvider);
        Assert.Equal(0, retry.AttemptNumber);
        Assert.Equal("gpt-4o", retry.ModelId);
        Assert.Equal("openai", retry.ProviderId);
        Assert.IsType<StratumRateLimitException>(retry.Error);
    }

    [Fact]
    public async Task Retry_RetryAfterLongerThanTheCap_SurfacesTheRateLimitWithoutWaiting()
    {
        var limited = Scripted.RateLimited(TimeSpan.FromSeconds(45));
        var inner = new ScriptedChatClient().ThenThrow(limited).ThenAnswer();
        var (client, _, retries) = Create(inner);

        var thrown = await Assert.ThrowsAsync<StratumRateLimitException>(() => client.GetResponseAsync("hi", Gpt4o));

        Assert.Same(limited, thrown);
        Assert.Equal(1, inner.Calls);
        Assert.Empty(retries);
    }

    [Fact]
    public async Task Retry_RetryAfterBeyondTheTotalTimeout_SurfacesTheRateLimitAtOnce()
    {
        var inner = new ScriptedChatClient().ThenThrow(Scripted.RateLimited(TimeSpan.FromSeconds(20))).ThenAnswer();
        var (client, _, retries) = Create(inner, o => o.TotalTimeout = TimeSpan.FromSeconds(15));

        await Assert.ThrowsAsync<StratumRateLimitException>(() => client.GetResponseAsync("hi", Gpt4o));

        Assert.Equal(1, inner.Calls);
        Assert.Empty(retries);
    }

    [Fact]
    public async Task Retry_NoRetryAfterButAnExhaustedTokenLimit_WaitsForThatLimitsReset()
    {
        var limited = new StratumRateLimitException("tokens")
        {
            RemainingRequests = 499,
            RemainingTokens = 0,
            RequestsResetAfter = TimeSpan.FromMilliseconds(120),
            TokensResetAfter = TimeSpan.FromSeconds(12.5),
        };
        var inner = new ScriptedChatClient().ThenThrow(limited).ThenAnswer();
        var (client, time, retries) = Create(inner, o => (o.AttemptTimeout, o.TotalTimeout) = (null, null));

        var call = client.GetResponseAsync("hi", Gpt4o);
        Assert.Equal(TimeSpan.FromSeconds(12.5), await time.NextTimerAsync(_ => true));
        time.Advance(TimeSpan.FromSeconds(12.5));
        await call;

        Assert.Equal(TimeSpan.FromSeconds(12.5), Assert.Single(retries).Delay);
        Assert.Equal(2, inner.Calls);
    }

    [Fact]
    public async Task Retry_503WithRetryAfter_WaitsExactlyThatLong()
    {
        var unavailable = new StratumProviderUnavailableException("down") { StatusCode = HttpStatusCode.ServiceUnavailable, RetryAfter = TimeSpan.FromMilliseconds(1500) };
        var inner = new ScriptedChatClient().ThenThrow(unavailable).ThenAnswer();
        var (client, time, retries) = Create(inner, o => (o.AttemptTimeout, o.TotalTimeout) = (null, null));

        var call = client.GetResponseAsync("hi", Gpt4o);
        Assert.Equal(TimeSpan.FromMilliseconds(1500), await time.NextTimerAsync(_ => true));
        time.Advance(TimeSpan.FromMilliseconds(1500));
        await call;

        Assert.True(Assert.Single(retries).DelayRequestedByProvider);
    }

    [Fact]
    public async Task Retry_ServerErrorsWithoutRetryAfter_BackOffExponentiallyWithJitterUpToMaxRetryAttempts()
    {
        var last = Scripted.ServerError();
        var inner = new ScriptedChatClient().ThenThrow(Scripted.ServerError()).ThenThrow(Scripted.ServerError()).ThenThrow(Scripted.ServerError()).ThenThrow(last);
        var (client, time, retries) = Create(inner, o =>
        {
            (o.AttemptTimeout, o.TotalTimeout) = (null, null);
            o.Randomizer = () => 0.5;
        });

        var call = client.GetResponseAsync("hi", Gpt4o);
        var waits = new List<TimeSpan>();
        for (var i = 0; i < 3; i++)
        {
            var wait = await time.NextTimerAsync(_ => true);
            waits.Add(wait);
            time.Advance(wait);
        }

        var thrown = await Assert.ThrowsAsync<StratumServerErrorException>(() => call);

        Assert.Same(last, thrown);
        Assert.Equal(4, inner.Calls);
        // The fake clock keeps whole milliseconds of a timer's due time.
        Assert.Equal(waits, retries.Select(r => TimeSpan.FromMilliseconds(Math.Floor(r.Delay.TotalMilliseconds))));
        Assert.All(retries, r => Assert.False(r.DelayRequestedByProvider));
        Assert.All(waits, w => Assert.InRange(w, TimeSpan.FromMilliseconds(1), StratumResilienceOptions.DefaultMaxDelay));

        // Exponential: the third wait is well beyond the first (with jitter pinned at 0.5: about 1.8 s, 2.2 s, 4.1 s).
        Assert.True(waits[2] > waits[0] * 2, string.Join(", ", waits));
    }

    [Fact]
    public async Task Retry_BackoffNeverExceedsMaxDelay()
    {
        var inner = new ScriptedChatClient().ThenThrow(Scripted.ServerError()).ThenThrow(Scripted.ServerError()).ThenAnswer();
        var (client, time, retries) = Create(inner, o =>
        {
            (o.AttemptTimeout, o.TotalTimeout) = (null, null);
            o.BaseDelay = TimeSpan.FromSeconds(10);
            o.MaxDelay = TimeSpan.FromSeconds(12);
            o.Randomizer = () => 0.99;
        });

        var call = client.GetResponseAsync("hi", Gpt4o);
        for (var i = 0; i < 2; i++)
        {
            time.Advance(await time.NextTimerAsync(_ => true));
        }

        await call;
        Assert.Equal(TimeSpan.FromSeconds(12), retries.Max(r => r.Delay));
    }

    public static TheoryData<string> NonRetryableFailures() => ["400", "401", "403", "404", "context", "filtered", "quota", "argument"];

    private static Exception NonRetryable(string kind) => kind switch
    {
        "400" => new StratumInvalidRequestException("bad") { StatusCode = HttpStatusCode.BadRequest },
        "401" => new StratumAuthenticationException("key") { StatusCode = HttpStatusCode.Unauthorized },
        "403" => new StratumPermissionException("denied") { StatusCode = HttpStatusCode.Forbidden },
        "404" => new StratumModelNotFoundException("unknown") { StatusCode = HttpStatusCode.NotFound },
        "context" => new StratumContextWindowExceededException("too long") { StatusCode = HttpStatusCode.BadRequest },
        "filtered" => new StratumContentFilteredException("refused") { StatusCode = HttpStatusCode.BadRequest },
        "quota" => new StratumRateLimitException("quota") { StatusCode = HttpStatusCode.TooManyRequests, ErrorCode = "insufficient_quota" },
        _ => new ArgumentException("a bug in the caller"),
    };

    [Theory]
    [MemberData(nameof(NonRetryableFailures))]
    public async Task Retry_FailureRetryingCannotFix_SurfacesAfterOneAttempt(string kind)
    {
        var failure = NonRetryable(kind);
        var inner = new ScriptedChatClient().ThenThrow(failure).ThenAnswer();
        var (client, _, retries) = Create(inner);

        var thrown = await Assert.ThrowsAnyAsync<Exception>(() => client.GetResponseAsync("hi", Gpt4o));

        Assert.Same(failure, thrown);
        Assert.Equal(1, inner.Calls);
        Assert.Empty(retries);
    }

    public static TheoryData<string> TransientFailures() => ["408", "500", "502", "503", "529", "network", "io"];

    private static Exception Transient(string kind) => kind switch
    {
        "408" => new StratumProviderUnavailableException("timeout") { StatusCode = HttpStatusCode.RequestTimeout },
        "500" => Scripted.ServerError(),
        "502" => new StratumProviderUnavailableException("bad gateway") { StatusCode = HttpStatusCode.BadGateway },
        "503" => new StratumProviderUnavailableException("unavailable") { StatusCode = HttpStatusCode.ServiceUnavailable },
        "529" => Scripted.Unavailable(),
        "network" => new HttpRequestException("reset"),
        _ => new IOException("connection reset by peer"),
    };

    [Theory]
    [MemberData(nameof(TransientFailures))]
    public async Task Retry_TransientFailure_IsRetried(string kind)
    {
        var inner = new ScriptedChatClient().ThenThrow(Transient(kind)).ThenAnswer("again");
        var (client, _, retries) = Create(inner, o => o.BaseDelay = TimeSpan.Zero);

        var response = await client.GetResponseAsync("hi", Gpt4o);

        Assert.Equal("again", response.Text);
        Assert.Equal(2, inner.Calls);
        Assert.Single(retries);
    }

    [Fact]
    public async Task Retry_TimeoutFromBelow_IsNotRetriedByDefault()
    {
        var timeout = new StratumTimeoutException("slow");
        var inner = new ScriptedChatClient().ThenThrow(timeout).ThenAnswer("again");
        var (client, _, retries) = Create(inner, o => o.BaseDelay = TimeSpan.Zero);

        var thrown = await Assert.ThrowsAsync<StratumTimeoutException>(() => client.GetResponseAsync("hi", Gpt4o));

        Assert.Same(timeout, thrown);
        Assert.Equal(1, inner.Calls);
        Assert.Empty(retries);
    }

    [Fact]
    public async Task Retry_TimeoutFromBelow_IsRetriedWithRetryTimeouts()
    {
        var inner = new ScriptedChatClient().ThenThrow(new StratumTimeoutException("slow")).ThenAnswer("again");
        var (client, _, retries) = Create(inner, o => (o.BaseDelay, o.RetryTimeouts) = (TimeSpan.Zero, true));

        var response = await client.GetResponseAsync("hi", Gpt4o);

        Assert.Equal("again", response.Text);
        Assert.Equal(2, inner.Calls);
        Assert.Single(retries);
    }

    [Fact]
    public async Task AttemptTimeout_HungAttempt_SurfacesAfterOneAttemptByDefault()
    {
        var inner = new ScriptedChatClient().Then(HangAsync).ThenAnswer("fast");
        var (client, time, retries) = Create(inner, o => (o.AttemptTimeout, o.TotalTimeout, o.BaseDelay) = (TimeSpan.FromSeconds(5), null, TimeSpan.Zero));

        var call = client.GetResponseAsync("hi", Gpt4o);
        await time.TimerOfAsync(TimeSpan.FromSeconds(5));
        time.Advance(TimeSpan.FromSeconds(5));

        var thrown = await Assert.ThrowsAsync<StratumTimeoutException>(() => call);
        Assert.Equal(TimeSpan.FromSeconds(5), thrown.Timeout);
        Assert.IsType<TimeoutRejectedException>(thrown.InnerException);
        Assert.True(FallbackPolicy.Default.ShouldFallBack(thrown));
        Assert.Equal(1, inner.Calls);
        Assert.Empty(retries);
    }

    [Fact]
    public async Task AttemptTimeout_WithRetryTimeouts_HungAttemptIsCancelledAndRetried()
    {
        var inner = new ScriptedChatClient().Then(HangAsync).ThenAnswer("fast");
        var (client, time, retries) = Create(inner, o => (o.AttemptTimeout, o.TotalTimeout, o.BaseDelay, o.RetryTimeouts) = (TimeSpan.FromSeconds(5), null, TimeSpan.Zero, true));

        var call = client.GetResponseAsync("hi", Gpt4o);
        await time.TimerOfAsync(TimeSpan.FromSeconds(5));
        time.Advance(TimeSpan.FromSeconds(5));

        Assert.Equal("fast", (await call).Text);
        Assert.IsType<TimeoutRejectedException>(Assert.Single(retries).Error);
    }

    [Fact]
    public async Task AttemptTimeout_WithRetryTimeouts_EveryAttemptHangs_ThrowsStratumTimeoutExceptionForTheModel()
    {
        var inner = new ScriptedChatClient().Then(HangAsync).Then(HangAsync);
        var (client, time, _) = Create(inner, o => (o.AttemptTimeout, o.TotalTimeout, o.BaseDelay, o.MaxRetryAttempts, o.RetryTimeouts) = (TimeSpan.FromSeconds(5), null, TimeSpan.Zero, 1, true));

        var call = client.GetResponseAsync("hi", Gpt4o);
        for (var i = 0; i < 2; i++)
        {
            await time.TimerOfAsync(TimeSpan.FromSeconds(5));
            time.Advance(TimeSpan.FromSeconds(5));
        }

        var thrown = await Assert.ThrowsAsync<StratumTimeoutException>(() => call);
        Assert.Equal(TimeSpan.FromSeconds(5), thrown.Timeout);
        Assert.Equal("gpt-4o", thrown.ModelId);
        Assert.Equal("openai", thrown.ProviderId);
        Assert.Contains("AttemptTimeout", thrown.Message, StringComparison.Ordinal);
        Assert.IsType<TimeoutRejectedException>(thrown.InnerException);
        Assert.Equal(2, inner.Calls);
    }

    [Fact]
    public async Task TotalTimeout_ElapsesDuringTheRetries_ThrowsStratumTimeoutException()
    {
        var secondStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var inner = new ScriptedChatClient().ThenThrow(Scripted.ServerError()).Then(async (o, ct) =>
        {
            secondStarted.SetResult();
            return await HangAsync(o, ct);
        });
        var (client, time, _) = Create(inner, o => (o.AttemptTimeout, o.TotalTimeout, o.BaseDelay) = (null, TimeSpan.FromSeconds(10), TimeSpan.Zero));

        var call = client.GetResponseAsync("hi", Gpt4o);
        await secondStarted.Task;
        time.Advance(TimeSpan.FromSeconds(10));

        var thrown = await Assert.ThrowsAsync<StratumTimeoutException>(() => call);
        Assert.Equal(TimeSpan.FromSeconds(10), thrown.Timeout);
        Assert.Contains("TotalTimeout", thrown.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CallerCancellation_IsNotRetriedAndSurfacesAsCancellation()
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var inner = new ScriptedChatClient().Then(async (o, ct) =>
        {
            started.SetResult();
            return await HangAsync(o, ct);
        }).ThenAnswer();
        var (client, _, retries) = Create(inner);
        using var cts = new CancellationTokenSource();

        var call = client.GetResponseAsync("hi", Gpt4o, cts.Token);
        await started.Task;
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
        Assert.Equal(1, inner.Calls);
        Assert.Empty(retries);
    }

    [Fact]
    public async Task CircuitBreaker_OpensForTheFailingProviderOnly_AndClosesAfterASuccessfulTrial()
    {
        var inner = new ScriptedChatClient()
            .ThenThrow(Scripted.Unavailable())
            .ThenThrow(Scripted.Unavailable())
            .ThenAnswer("claude")
            .ThenAnswer("trial");
        var (client, time, _) = Create(inner, o =>
        {
            o.MaxRetryAttempts = 0;
            o.CircuitBreakerMinimumThroughput = 2;
            o.CircuitBreakerBreakDuration = TimeSpan.FromSeconds(30);
        });

        await Assert.ThrowsAsync<StratumProviderUnavailableException>(() => client.GetResponseAsync("hi", Gpt4o));
        await Assert.ThrowsAsync<StratumProviderUnavailableException>(() => client.GetResponseAsync("hi", Gpt4o));
        var open = await Assert.ThrowsAsync<StratumCircuitOpenException>(() => client.GetResponseAsync("hi", Gpt4o));
        var other = await client.GetResponseAsync("hi", new ChatOptions { ModelId = "claude-sonnet-4" });

        Assert.Equal(3, inner.Calls);
        Assert.Equal("claude", other.Text);
        Assert.Equal("openai", open.ProviderId);
        Assert.IsType<BrokenCircuitException>(open.InnerException);
        Assert.Equal(CircuitState.Open, client.GetCircuitState("openai"));
        Assert.Equal(CircuitState.Closed, client.GetCircuitState("anthropic"));

        time.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal("trial", (await client.GetResponseAsync("hi", Gpt4o)).Text);
        Assert.Equal(CircuitState.Closed, client.GetCircuitState("openai"));
    }

    [Fact]
    public async Task CircuitBreaker_RateLimitsAndBadRequestsDoNotOpenIt()
    {
        var inner = new ScriptedChatClient();
        for (var i = 0; i < 4; i++)
        {
            inner.ThenThrow(i % 2 == 0 ? Scripted.RateLimited() : new StratumInvalidRequestException("bad"));
        }

        inner.ThenAnswer("still closed");
        var (client, _, _) = Create(inner, o => (o.MaxRetryAttempts, o.CircuitBreakerMinimumThroughput) = (0, 2));

        for (var i = 0; i < 4; i++)
        {
            await Assert.ThrowsAnyAsync<StratumException>(() => client.GetResponseAsync("hi", Gpt4o));
        }

        Assert.Equal("still closed", (await client.GetResponseAsync("hi", Gpt4o)).Text);
        Assert.Equal(CircuitState.Closed, client.GetCircuitState("openai"));
    }

    [Fact]
    public async Task Streaming_FailureBeforeTheFirstUpdate_IsRetried()
    {
        var inner = new ScriptedChatClient()
            .ThenStream((_, ct) => Scripted.FailingStream(Scripted.Unavailable()))
            .ThenStream((_, ct) => Scripted.Stream(["a", "b"], cancellationToken: ct));
        var (client, _, retries) = Create(inner, o => o.BaseDelay = TimeSpan.Zero);

        var texts = await Scripted.ReadAllAsync(client.GetStreamingResponseAsync("hi", Gpt4o));

        Assert.Equal(["a", "b"], texts);
        Assert.Equal(2, inner.Calls);
        Assert.Single(retries);
    }

    [Fact]
    public async Task Streaming_FailureAfterTheFirstUpdate_SurfacesWithoutRetry()
    {
        var cut = Scripted.Unavailable();
        var inner = new ScriptedChatClient()
            .ThenStream((_, ct) => Scripted.Stream(["a"], cut, ct))
            .ThenStream((_, ct) => Scripted.Stream(["never"], cancellationToken: ct));
        var (client, _, retries) = Create(inner, o => o.BaseDelay = TimeSpan.Zero);
        var texts = new List<string>();

        var thrown = await Assert.ThrowsAsync<StratumProviderUnavailableException>(() => Scripted.ReadAllAsync(client.GetStreamingResponseAsync("hi", Gpt4o), texts));

        Assert.Same(cut, thrown);
        Assert.Equal(["a"], texts);
        Assert.Equal(1, inner.Calls);
        Assert.Empty(retries);
    }

    [Fact]
    public async Task Streaming_AttemptTimeoutBoundsOnlyTheWaitForTheFirstUpdate()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var inner = new ScriptedChatClient()
            .ThenStream((_, ct) => Scripted.HangingStream(ct))
            .ThenStream((_, ct) => SlowSecondHalf(release.Task, ct));
        var (client, time, _) = Create(inner, o => (o.AttemptTimeout, o.TotalTimeout, o.BaseDelay, o.RetryTimeouts) = (TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(20), TimeSpan.Zero, true));

        await using var stream = client.GetStreamingResponseAsync("hi", Gpt4o).GetAsyncEnumerator();
        var first = stream.MoveNextAsync().AsTask();
        await time.TimerOfAsync(TimeSpan.FromSeconds(5));
        time.Advance(TimeSpan.FromSeconds(5));
        Assert.True(await first);
        Assert.Equal("first", stream.Current.Text);

        // Well past both timeouts: the stream belongs to the caller now and must not be cancelled.
        time.Advance(TimeSpan.FromMinutes(5));
        release.SetResult();
        Assert.True(await stream.MoveNextAsync());
        Assert.Equal("second", stream.Current.Text);
        Assert.False(await stream.MoveNextAsync());
    }

    [Fact]
    public void Options_OutOfRange_AreRejectedWhenTheClientIsCreated()
    {
        using var inner = new ScriptedChatClient();
        Assert.Throws<ArgumentOutOfRangeException>(() => new ResilienceChatClient(inner, new StratumResilienceOptions { MaxRetryAttempts = -1 }));
        Assert.Throws<ArgumentException>(() => new ResilienceChatClient(inner, new StratumResilienceOptions { CircuitBreakerFailureRatio = 2 }));
        Assert.Throws<ArgumentException>(() => new ResilienceChatClient(inner, new StratumResilienceOptions { AttemptTimeout = TimeSpan.FromMilliseconds(1) }));
    }

    [Fact]
    public void Defaults_AreThreeRetriesTwoSecondsThirtySecondCapAndHundredSecondTotal()
    {
        var options = new StratumResilienceOptions();
        Assert.Equal(3, options.MaxRetryAttempts);
        Assert.Equal(TimeSpan.FromSeconds(2), options.BaseDelay);
        Assert.Equal(TimeSpan.FromSeconds(30), options.MaxRetryAfter);
        Assert.Equal(TimeSpan.FromSeconds(100), options.TotalTimeout);
        Assert.True(options.EnableCircuitBreaker);
    }

    [Fact]
    public async Task Logging_RetryAndOpenedCircuit_AreLoggedWithTheirEventIds()
    {
        var logger = new FakeLogger();
        var inner = new ScriptedChatClient().ThenThrow(Scripted.Unavailable()).ThenThrow(Scripted.Unavailable());
        var (client, _, _) = Create(inner, o =>
        {
            (o.MaxRetryAttempts, o.BaseDelay, o.CircuitBreakerMinimumThroughput) = (1, TimeSpan.Zero, 2);
            o.Logger = logger;
        });

        await Assert.ThrowsAsync<StratumProviderUnavailableException>(() => client.GetResponseAsync("hi", Gpt4o));

        var records = logger.Collector.GetSnapshot();
        var retry = Assert.Single(records, r => r.Id.Id == 1010);
        Assert.Contains("gpt-4o", retry.Message, StringComparison.Ordinal);
        Assert.Contains(nameof(StratumProviderUnavailableException), retry.Message, StringComparison.Ordinal);
        var opened = Assert.Single(records, r => r.Id.Id == 1015);
        Assert.Contains("openai", opened.Message, StringComparison.Ordinal);
    }

    private static async Task<ChatResponse> HangAsync(ChatOptions? options, CancellationToken cancellationToken)
    {
        await Task.Delay(Timeout.Infinite, cancellationToken);
        throw new InvalidOperationException("unreachable: the delay only ends by cancellation");
    }

    private static async IAsyncEnumerable<ChatResponseUpdate> SlowSecondHalf(Task release, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        yield return new ChatResponseUpdate(ChatRole.Assistant, "first");
        await release.WaitAsync(cancellationToken);
        cancellationToken.ThrowIfCancellationRequested();
        yield return new ChatResponseUpdate(ChatRole.Assistant, "second");
    }
}

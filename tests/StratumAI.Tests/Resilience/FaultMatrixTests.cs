using System.Collections.Concurrent;
using System.Text;
using Microsoft.Extensions.AI;
using StratumAI.Testing;
using static StratumAI.Tests.TestCatalog;

namespace StratumAI.Tests.Resilience;

/// <summary>
/// Each fault through the real stack — fallbacks → resilience → cost tracking → <c>stratum.AsChatClient()</c> → HTTP —
/// against the fake provider server replaying recorded traffic: the documented retry, fallback or exception, each billed
/// attempt recorded exactly once and none lost.
/// </summary>
public sealed class FaultMatrixTests
{
    private const string OpenAIText = "openai/chat__vercel-ai-openai__openai-text.json";
    private const string OpenAIStream = "openai/stream__vercel-ai-openai__openai-text.chunks.txt";
    private const string AnthropicText = "anthropic/chat__vercel-ai-anthropic__anthropic-text.json";
    private const string AnthropicStream = "anthropic/stream__vercel-ai-anthropic__anthropic-text.chunks.txt";
    private const string OpenRouter429 = "openrouter/error__pydantic-ai__test_openrouter_errors_raised.yaml";
    private const string OpenAI400 = "openai/error__vercel-ai-openai__reasoning-model-legacy-parameter-error.json";
    private const string OpenAI404 = "openai/error__pydantic-ai__test_model_name_suggestion_openai-chat_.yaml";
    private const string OpenRouter401 = "openrouter/error__crewai__test_agent_with_knowledge_with_no_crewai_knowledge.yaml";

    // gpt-4.1-nano at $0.10 / $0.40 per 1M: the recorded response (16 in, 363 out) and stream (16 in, 300 out).
    private const decimal OpenAITextCost = 0.0001468m;
    private const decimal OpenAIStreamCost = 0.0001216m;

    // claude-sonnet-4-5 at $3 / $15 per 1M: the recorded response, 12 in and 29 out.
    private const decimal AnthropicTextCost = 0.000471m;

    private const string Chat = "/chat/completions";
    private const string Messages = "/messages";

    [Fact]
    public async Task Fault429WithRetryAfter_WaitsExactlyThatLongThenSucceeds_BilledOnce()
    {
        await using var h = await Harness.StartAsync();
        h.Server.Enqueue(FakeResponse.FromExchange(Recorded(OpenRouter429)).WithHeader("retry-after", "7"));
        h.Server.EnqueueFixture(Fixture(OpenAIText));

        var call = h.Client.GetResponseAsync("hi", h.Nano);
        var wait = await h.NextRetryWaitAsync();
        Assert.Equal(TimeSpan.FromSeconds(7), wait);
        Assert.Single(h.Server.ReceivedRequests);
        h.Time.Advance(wait);
        var response = await call;

        var retry = Assert.Single(h.Retries);
        Assert.Equal(TimeSpan.FromSeconds(7), retry.Delay);
        Assert.True(retry.DelayRequestedByProvider);
        var limited = Assert.IsType<StratumRateLimitException>(retry.Error);
        Assert.Equal(TimeSpan.FromSeconds(7), limited.RetryAfter);
        Assert.Equal(2, h.Server.ReceivedRequests.Count);
        Assert.False(string.IsNullOrEmpty(response.Text));
        h.AssertBilled((CostOutcome.Succeeded, "gpt-4.1-nano", OpenAITextCost));
    }

    [Fact]
    public async Task Fault429WithRetryAfterMs_WaitsExactlyThoseMilliseconds()
    {
        await using var h = await Harness.StartAsync();
        h.Server.Enqueue(FakeResponse.FromExchange(Recorded(OpenRouter429)).WithHeader("retry-after-ms", "2750"));
        h.Server.EnqueueFixture(Fixture(OpenAIText));

        var call = h.Client.GetResponseAsync("hi", h.Nano);
        var wait = await h.NextRetryWaitAsync();
        h.Time.Advance(wait);
        await call;

        Assert.Equal(TimeSpan.FromMilliseconds(2750), wait);
        Assert.Equal(TimeSpan.FromMilliseconds(2750), Assert.Single(h.Retries).Delay);
        h.AssertBilled((CostOutcome.Succeeded, "gpt-4.1-nano", OpenAITextCost));
    }

    [Fact]
    public async Task Fault429_ConcurrentCallersAllWaitTheFullRetryAfter_NoRetryStorm()
    {
        const int callers = 20;
        await using var h = await Harness.StartAsync();
        var limited = FakeResponse.FromExchange(Recorded(OpenRouter429)).WithHeader("retry-after", "5");
        var success = FakeResponse.FromExchange(Recorded(OpenAIText));
        for (var i = 0; i < callers; i++)
        {
            h.Server.Enqueue(limited);
        }

        for (var i = 0; i < callers; i++)
        {
            h.Server.Enqueue(success);
        }

        var calls = Enumerable.Range(0, callers).Select(_ => h.Client.GetResponseAsync("hi", h.Nano)).ToArray();
        for (var i = 0; i < callers; i++)
        {
            Assert.Equal(TimeSpan.FromSeconds(5), await h.NextRetryWaitAsync());
        }

        // Every caller is waiting on the fake clock: none retried early.
        Assert.Equal(callers, h.Server.ReceivedRequests.Count);
        h.Time.Advance(TimeSpan.FromSeconds(5));
        await Task.WhenAll(calls);

        Assert.Equal(callers, h.Retries.Count);
        Assert.All(h.Retries, r => Assert.Equal((TimeSpan.FromSeconds(5), true), (r.Delay, r.DelayRequestedByProvider)));
        Assert.Equal(2 * callers, h.Server.ReceivedRequests.Count);
        Assert.Equal(callers, h.Tracker.History.Count);
        Assert.Equal(callers * OpenAITextCost, h.Tracker.GetTotal().Cost);
    }

    [Theory]
    [InlineData(500, """{"error":{"message":"The server had an error while processing your request. Sorry about that!","type":"server_error","param":null,"code":null}}""", "application/json")]
    [InlineData(503, "", null)]
    [InlineData(502, "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>cloudflare</center>\r\n</body>\r\n</html>\r\n", "text/html")]
    public async Task FaultServerSide_IsRetriedAfterBackoffThenSucceeds_BilledOnce(int status, string body, string? contentType)
    {
        // No recording has a 5xx; these are the bodies OpenAI, an empty-bodied 503 and a proxy in front of it send.
        await using var h = await Harness.StartAsync();
        h.Server.Enqueue(new FakeResponse { StatusCode = status, Body = Encoding.UTF8.GetBytes(body), ContentType = contentType });
        h.Server.EnqueueFixture(Fixture(OpenAIText));

        var call = h.Client.GetResponseAsync("hi", h.Nano);
        var wait = await h.NextRetryWaitAsync();
        h.Time.Advance(wait);
        await call;

        var retry = Assert.Single(h.Retries);
        Assert.False(retry.DelayRequestedByProvider);
        Assert.Equal(status, (int?)((StratumException)retry.Error).StatusCode);
        Assert.True(((StratumException)retry.Error).IsRetryable);
        h.AssertBilled((CostOutcome.Succeeded, "gpt-4.1-nano", OpenAITextCost));
    }

    [Fact]
    public async Task Fault529AnthropicOverloaded_IsRetriedThenSucceeds_BilledOnce()
    {
        // Anthropic's documented overloaded_error body (no recording has one).
        await using var h = await Harness.StartAsync();
        h.Server.Enqueue(FakeResponse.Json("""{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}""", 529), Messages);
        h.Server.EnqueueFixture(Fixture(AnthropicText), Messages);

        var call = h.Client.GetResponseAsync("hi", h.Claude);
        h.Time.Advance(await h.NextRetryWaitAsync());
        await call;

        Assert.IsType<StratumProviderUnavailableException>(Assert.Single(h.Retries).Error);
        h.AssertBilled((CostOutcome.Succeeded, "claude-sonnet-4-5", AnthropicTextCost));
    }

    [Fact]
    public async Task FaultHungProvider_FallsBackAfterOneAttemptTimeout_WithoutRetryingIt()
    {
        await using var h = await Harness.StartAsync(fallbackToClaude: true);
        h.Server.Enqueue(FakeResponse.FromExchange(Recorded(OpenAIText)) with { DelayBeforeHeaders = TimeSpan.FromMinutes(10) }, Chat);
        h.Server.EnqueueFixture(Fixture(AnthropicText), Messages);
        var start = h.Time.GetUtcNow();

        var call = h.Client.GetResponseAsync("hi", h.Nano);
        await h.Time.TimerOfAsync(Harness.AttemptTimeout);
        await h.WaitForRequestsAsync(1);
        h.Time.Advance(Harness.AttemptTimeout);

        // The fallback needs no more time: a retry of the hung provider would wait for a backoff the clock never reaches.
        var response = await call.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(Harness.AttemptTimeout, h.Time.GetUtcNow() - start);
        Assert.Equal("claude-sonnet-4-5", response.GetModelInfo()?.Id);
        Assert.Empty(h.Retries);
        Assert.Single(h.Server.ReceivedRequests, r => r.Path.EndsWith(Chat, StringComparison.Ordinal));
        Assert.Single(h.Server.ReceivedRequests, r => r.Path.EndsWith(Messages, StringComparison.Ordinal));
        Assert.Contains(h.Tracker.History, r => r.Outcome == CostOutcome.Succeeded && r.ModelId == "claude-sonnet-4-5" && r.Total == AnthropicTextCost);
    }

    [Fact]
    public async Task FaultHungProviderBeforeTheFirstStreamUpdate_FallsBackAfterOneAttemptTimeout()
    {
        await using var h = await Harness.StartAsync(fallbackToClaude: true);
        h.Server.Enqueue(FakeResponse.FromExchange(Recorded(OpenAIStream)) with { DelayBeforeHeaders = TimeSpan.FromMinutes(10) }, Chat);
        h.Server.EnqueueFixture(Fixture(AnthropicStream), Messages);
        var start = h.Time.GetUtcNow();

        var reading = Scripted.ReadAllAsync(h.Client.GetStreamingResponseAsync("hi", h.Nano));
        await h.Time.TimerOfAsync(Harness.AttemptTimeout);
        await h.WaitForRequestsAsync(1);
        h.Time.Advance(Harness.AttemptTimeout);
        var texts = await reading.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.NotEmpty(texts);
        Assert.Equal(Harness.AttemptTimeout, h.Time.GetUtcNow() - start);
        Assert.Empty(h.Retries);
        Assert.Single(h.Server.ReceivedRequests, r => r.Path.EndsWith(Chat, StringComparison.Ordinal));
    }

    [Fact]
    public async Task FaultHungProviderWithoutFallback_SurfacesAsATimeoutAfterOneAttempt()
    {
        await using var h = await Harness.StartAsync();
        h.Server.Enqueue(FakeResponse.FromExchange(Recorded(OpenAIText)) with { DelayBeforeHeaders = TimeSpan.FromMinutes(10) });

        var call = h.Client.GetResponseAsync("hi", h.Nano);
        await h.Time.TimerOfAsync(Harness.AttemptTimeout);
        await h.WaitForRequestsAsync(1);
        h.Time.Advance(Harness.AttemptTimeout);

        var thrown = await Assert.ThrowsAsync<StratumTimeoutException>(() => call.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(Harness.AttemptTimeout, thrown.Timeout);
        Assert.Contains("RetryTimeouts", thrown.Message, StringComparison.Ordinal);
        Assert.Single(h.Server.ReceivedRequests);
        Assert.Empty(h.Retries);
    }

    [Fact]
    public async Task FaultAttemptTimeout_WithRetryTimeouts_TheHungRequestIsAbandonedAndRetried_AndRecordedAsEstimated()
    {
        await using var h = await Harness.StartAsync(retryTimeouts: true);
        h.Server.Enqueue(FakeResponse.FromExchange(Recorded(OpenAIText)) with { DelayBeforeHeaders = TimeSpan.FromMinutes(10) });
        h.Server.EnqueueFixture(Fixture(OpenAIText));

        var call = h.Client.GetResponseAsync("hi", h.Nano);
        await h.Time.TimerOfAsync(Harness.AttemptTimeout);
        await h.WaitForRequestsAsync(1);
        h.Time.Advance(Harness.AttemptTimeout);
        h.Time.Advance(await h.NextRetryWaitAsync());
        await call;

        Assert.IsType<Polly.Timeout.TimeoutRejectedException>(Assert.Single(h.Retries).Error);
        Assert.Equal(2, h.Server.ReceivedRequests.Count);

        // The abandoned request reached the provider, which may bill it: it is recorded at its worst case, flagged as estimated.
        var hung = h.AssertBilled((CostOutcome.Failed, "gpt-4.1-nano", null), (CostOutcome.Succeeded, "gpt-4.1-nano", OpenAITextCost))[0];
        Harness.AssertEstimated(hung);
    }

    [Fact]
    public async Task FaultConnectionResetBeforeTheStream_IsRetriedAndTheStreamArrivesWhole_TheResetAttemptRecordedAsEstimated()
    {
        await using var h = await Harness.StartAsync();
        h.Server.Enqueue(FakeResponse.Disconnect());
        h.Server.EnqueueFixture(Fixture(OpenAIStream));

        var reading = Scripted.ReadAllAsync(h.Client.GetStreamingResponseAsync("hi", h.Nano));
        h.Time.Advance(await h.NextRetryWaitAsync());
        var texts = await reading;
        Assert.NotEmpty(texts);
        Assert.IsType<StratumProviderUnavailableException>(Assert.Single(h.Retries).Error);

        // The connection closed after the request was written: its outcome at the provider is unknown.
        Harness.AssertEstimated(h.AssertBilled((CostOutcome.Failed, "gpt-4.1-nano", null), (CostOutcome.Succeeded, "gpt-4.1-nano", OpenAIStreamCost))[0]);
    }

    [Fact]
    public async Task FaultConnectionResetMidStream_SurfacesWithoutRetryOrFallback_RecordedOnceAsFailed()
    {
        await using var h = await Harness.StartAsync(fallbackToClaude: true);
        h.Server.Enqueue(FakeResponse.FromExchange(Recorded(OpenAIStream)) with { AbortAfterBodyBytes = 2_000 });
        var texts = new List<string>();

        await Assert.ThrowsAsync<StratumProviderUnavailableException>(() => Scripted.ReadAllAsync(h.Client.GetStreamingResponseAsync("hi", h.Nano), texts));

        Assert.NotEmpty(texts);
        Assert.Single(h.Server.ReceivedRequests);
        Assert.Empty(h.Retries);
        var record = h.AssertBilled((CostOutcome.Failed, "gpt-4.1-nano", null)).Single();
        Assert.Equal(typeof(StratumProviderUnavailableException).FullName, record.ErrorType);
    }

    [Fact]
    public async Task FaultTruncatedStream_EndsCleanlyBeforeItsEnd_SurfacesWithoutRetry_RecordedOnceAsFailed()
    {
        await using var h = await Harness.StartAsync(fallbackToClaude: true);
        var recorded = FakeResponse.FromExchange(Recorded(OpenAIStream));

        // The recorded stream cut after its fifth event: a well-formed HTTP body with no finish_reason and no [DONE].
        var body = recorded.BodyText;
        var cut = 0;
        for (var i = 0; i < 5; i++)
        {
            cut = body.IndexOf("\n\n", cut, StringComparison.Ordinal) + 2;
        }

        h.Server.Enqueue(recorded with { Body = Encoding.UTF8.GetBytes(body[..cut]) });
        var texts = new List<string>();

        var thrown = await Assert.ThrowsAsync<StratumProviderUnavailableException>(() => Scripted.ReadAllAsync(h.Client.GetStreamingResponseAsync("hi", h.Nano), texts));

        Assert.Contains("ended before the answer was complete", thrown.Message, StringComparison.Ordinal);
        Assert.NotEmpty(texts);
        Assert.Single(h.Server.ReceivedRequests);
        Assert.Empty(h.Retries);
        h.AssertBilled((CostOutcome.Failed, "gpt-4.1-nano", null));
    }

    [Fact]
    public async Task FaultMalformedJson_IsNotRetriedButFallsBackToTheNextModel_TheUnreadableAnswerRecordedAsEstimated()
    {
        await using var h = await Harness.StartAsync(fallbackToClaude: true);
        var recorded = FakeResponse.FromExchange(Recorded(OpenAIText));
        h.Server.Enqueue(recorded with { Body = recorded.Body[..(recorded.Body.Length / 2)] }, Chat);
        h.Server.EnqueueFixture(Fixture(AnthropicText), Messages);

        var response = await h.Client.GetResponseAsync("hi", h.Nano);

        Assert.Contains("Hello!", response.Text, StringComparison.Ordinal);
        Assert.Empty(h.Retries);
        Assert.Equal(2, h.Server.ReceivedRequests.Count);

        // A 200 is billed by the provider even when its body cannot be read: the usage is unknown, so the worst case is recorded.
        Harness.AssertEstimated(h.AssertBilled((CostOutcome.Failed, "gpt-4.1-nano", null), (CostOutcome.Succeeded, "claude-sonnet-4-5", AnthropicTextCost))[0]);
    }

    [Fact]
    public async Task FaultEmptyBodyWithStatus200_IsNotRetriedButFallsBack_TheEmptyAnswerRecordedAsEstimated()
    {
        await using var h = await Harness.StartAsync(fallbackToClaude: true);
        h.Server.Enqueue(FakeResponse.Json(string.Empty), Chat);
        h.Server.EnqueueFixture(Fixture(AnthropicText), Messages);

        await h.Client.GetResponseAsync("hi", h.Nano);

        Assert.Empty(h.Retries);
        Harness.AssertEstimated(h.AssertBilled((CostOutcome.Failed, "gpt-4.1-nano", null), (CostOutcome.Succeeded, "claude-sonnet-4-5", AnthropicTextCost))[0]);
    }

    [Fact]
    public async Task FaultEmptyBodyWithoutFallback_SurfacesAsInvalidResponse_RecordedAsEstimated()
    {
        await using var h = await Harness.StartAsync();
        h.Server.Enqueue(FakeResponse.Json(string.Empty));

        await Assert.ThrowsAsync<StratumInvalidResponseException>(() => h.Client.GetResponseAsync("hi", h.Nano));

        Assert.Single(h.Server.ReceivedRequests);
        Harness.AssertEstimated(h.AssertBilled((CostOutcome.Failed, "gpt-4.1-nano", null)).Single());
    }

    [Fact]
    public async Task FaultRetriesExhausted_FallsBackToTheNextProvider_BilledOnce()
    {
        await using var h = await Harness.StartAsync(fallbackToClaude: true, maxRetries: 2);
        for (var i = 0; i < 3; i++)
        {
            h.Server.Enqueue(FakeResponse.Status(503), Chat);
        }

        h.Server.EnqueueFixture(Fixture(AnthropicText), Messages);

        var call = h.Client.GetResponseAsync("hi", h.Nano);
        for (var i = 0; i < 2; i++)
        {
            h.Time.Advance(await h.NextRetryWaitAsync());
        }

        await call;

        Assert.Equal(2, h.Retries.Count);
        Assert.Equal(4, h.Server.ReceivedRequests.Count);
        h.AssertBilled((CostOutcome.Succeeded, "claude-sonnet-4-5", AnthropicTextCost));
    }

    [Fact]
    public async Task FaultEveryModelDown_AllFallbacksFailedExceptionListsBothWithDurations_NothingBilled()
    {
        await using var h = await Harness.StartAsync(fallbackToClaude: true, maxRetries: 1);
        h.Server.Enqueue(FakeResponse.Status(503), Chat);
        h.Server.Enqueue(FakeResponse.Status(503), Chat);
        h.Server.Enqueue(FakeResponse.Json("""{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}""", 529), Messages);
        h.Server.Enqueue(FakeResponse.Json("""{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}""", 529), Messages);

        var call = h.Client.GetResponseAsync("hi", h.Nano);
        var first = await h.NextRetryWaitAsync();
        h.Time.Advance(first);
        var second = await h.NextRetryWaitAsync();
        h.Time.Advance(second);

        var thrown = await Assert.ThrowsAsync<AllFallbacksFailedException>(() => call);
        Assert.Equal(["gpt-4.1-nano", "claude-sonnet-4-5"], thrown.Attempts.Select(a => a.ModelId));
        Assert.Equal(["openai", "anthropic"], thrown.Attempts.Select(a => a.ProviderId));
        Assert.All(thrown.Attempts, a => Assert.IsType<StratumProviderUnavailableException>(a.Error));

        // Each model's duration is its wait on the fake clock (the HTTP round trips take no fake time).
        Assert.Equal(first, thrown.Attempts[0].Duration);
        Assert.Equal(second, thrown.Attempts[1].Duration);
        h.AssertBilled();
    }

    public static TheoryData<string, Type> ClientErrors() => new()
    {
        { OpenAI400, typeof(StratumInvalidRequestException) },
        { OpenRouter401, typeof(StratumAuthenticationException) },
        { OpenAI404, typeof(StratumModelNotFoundException) },
    };

    [Theory]
    [MemberData(nameof(ClientErrors))]
    public async Task FaultRecordedClientError_IsNeitherRetriedNorFallenBack_NothingBilled(string fixture, Type expected)
    {
        await using var h = await Harness.StartAsync(fallbackToClaude: true);
        h.Server.Enqueue(FakeResponse.FromExchange(Recorded(fixture)));

        var thrown = await Assert.ThrowsAnyAsync<StratumException>(() => h.Client.GetResponseAsync("hi", h.Nano));

        Assert.IsType(expected, thrown);
        Assert.Single(h.Server.ReceivedRequests);
        Assert.Empty(h.Retries);
        h.AssertBilled();
    }

    private static RecordedExchange Recorded(string fixture) => FixtureLoader.Load(Fixture(fixture))[0];

    /// <summary>The stack under test, on a fake clock, against one fake server serving both providers.</summary>
    private sealed class Harness : IAsyncDisposable
    {
        public static readonly TimeSpan AttemptTimeout = TimeSpan.FromSeconds(30);
        public static readonly TimeSpan TotalTimeout = TimeSpan.FromSeconds(100);

        private Harness(FakeProviderServer server, StratumClient stratum, IChatClient client, ObservedTime time, CostTracker tracker, ConcurrentQueue<StratumRetryEvent> retries)
        {
            Server = server;
            Stratum = stratum;
            Client = client;
            Time = time;
            Tracker = tracker;
            Retries = retries;
        }

        public FakeProviderServer Server { get; }

        public StratumClient Stratum { get; }

        public IChatClient Client { get; }

        public ObservedTime Time { get; }

        public CostTracker Tracker { get; }

        public ConcurrentQueue<StratumRetryEvent> Retries { get; }

        public ChatOptions Nano => new() { ModelId = "gpt-4.1-nano" };

        public ChatOptions Claude => new() { ModelId = "claude-sonnet-4-5" };

        public static async Task<Harness> StartAsync(bool fallbackToClaude = false, int maxRetries = 3, bool retryTimeouts = false)
        {
            var server = await FakeProviderServer.StartAsync();
            var stratum = ClientFor(server, "openai", configure: options =>
            {
                var anthropic = options.Provider("anthropic");
                anthropic.ApiKey = CanaryKey;
                anthropic.BaseUrl = server.V1();
            });
            stratum.Models.Register(
            [
                Model("gpt-4.1-nano", Provider("openai", server.V1()), Gpt41NanoPricing),
                Model("claude-sonnet-4-5", Provider("anthropic", server.V1(), dialect: "anthropic"), ClaudeSonnetPricing, dialect: "anthropic"),
            ]);
            var time = new ObservedTime();
            var tracker = new CostTracker(time);
            var retries = new ConcurrentQueue<StratumRetryEvent>();
            var client = new ChatClientBuilder(stratum.AsChatClient())
                .UseStratumFallbacks(o =>
                {
                    o.TimeProvider = time;
                    if (fallbackToClaude)
                    {
                        o.Add("claude-sonnet-4-5");
                    }
                })
                .UseStratumResilience(o =>
                {
                    o.TimeProvider = time;
                    o.MaxRetryAttempts = maxRetries;
                    o.AttemptTimeout = AttemptTimeout;
                    o.TotalTimeout = TotalTimeout;
                    o.RetryTimeouts = retryTimeouts;
                    o.Randomizer = () => 0.5;
                    o.OnRetry = retries.Enqueue;
                })
                .UseStratumCostTracking(tracker)
                .Build();
            return new Harness(server, stratum, client, time, tracker, retries);
        }

        /// <summary>Waits until the resilience layer asks the clock for a retry wait (not a timeout) and returns its length.</summary>
        public Task<TimeSpan> NextRetryWaitAsync() => Time.NextTimerAsync(d => d != AttemptTimeout && d != TotalTimeout);

        public async Task WaitForRequestsAsync(int count)
        {
            using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            while (Server.ReceivedRequests.Count < count)
            {
                await Task.Delay(10, guard.Token);
            }
        }

        /// <summary>Asserts the tracker holds exactly these records (outcome, model, cost; a null cost is not checked), in order.</summary>
        public IReadOnlyList<CostRecord> AssertBilled(params (CostOutcome Outcome, string Model, decimal? Cost)[] expected)
        {
            var history = Tracker.History;
            Assert.Equal(expected.Length, history.Count);
            for (var i = 0; i < expected.Length; i++)
            {
                Assert.Equal(expected[i].Outcome, history[i].Outcome);
                Assert.Equal(expected[i].Model, history[i].ModelId);
                if (expected[i].Cost is { } cost)
                {
                    Assert.Equal(cost, history[i].Total);
                }
            }

            Assert.Equal(history.Sum(r => r.Total), Tracker.GetTotal().Cost);
            return history;
        }

        /// <summary>A sent attempt of unknown outcome: costed at the worst case a budget would reserve for it, flagged as estimated.</summary>
        public static void AssertEstimated(CostRecord record)
        {
            Assert.True(record.IsEstimated);
            Assert.False(record.HasUsage);
            Assert.True(record.IsPriced);
            Assert.True(record.Total > 0m);
        }

        public async ValueTask DisposeAsync()
        {
            Client.Dispose();
            Stratum.Dispose();
            await Server.DisposeAsync();
        }
    }
}

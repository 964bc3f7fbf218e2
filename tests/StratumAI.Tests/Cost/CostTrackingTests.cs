using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using StratumAI.Testing;
using static StratumAI.Tests.TestCatalog;

namespace StratumAI.Tests.Cost;

public sealed class CostTrackingTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);

    private static ModelInfo Nano(FakeProviderServer server) => Model("gpt-4.1-nano", Provider("openai", server.V1()), Gpt41NanoPricing);

    private static ModelInfo InMemoryModel() => Model("gpt-4o", Provider("openai"), Gpt4oPricing);

    [Fact]
    public async Task RecordedOpenAIResponsesAndStream_TotalIsTheExactHandComputedSum()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.EnqueueFixture(Fixture("openai/chat__vercel-ai-openai__openai-text.json"));
        server.EnqueueFixture(Fixture("openai/chat__vercel-ai-openai__openai-text.json"));
        server.EnqueueFixture(Fixture("openai/stream__vercel-ai-openai__openai-text.chunks.txt"));
        using var stratum = ClientFor(server, "openai");
        var tracker = new CostTracker(new FixedTime(Now));
        using var client = stratum.GetChatClient(Nano(server)).AsBuilder().UseStratumCostTracking(tracker).Build();

        await client.GetResponseAsync("hi");
        await client.GetResponseAsync("hi");
        await foreach (var update in client.GetStreamingResponseAsync("hi"))
        {
            Assert.NotNull(update);
        }

        // gpt-4.1-nano: $0.10 in, $0.40 out per 1M. Responses: 16 in + 363 out = 0.0000016 + 0.0001452 = 0.0001468 each.
        // Stream: 16 in + 300 out = 0.0000016 + 0.00012 = 0.0001216.
        var history = tracker.History;
        Assert.Equal(3, history.Count);
        Assert.Equal(0.0001468m, history[0].Total);
        Assert.Equal(0.0001468m, history[1].Total);
        Assert.Equal(0.0001216m, history[2].Total);
        Assert.Equal(0.0004152m, tracker.GetTotal().Cost);
        Assert.Equal(48, tracker.GetTotal().InputTokens);
        Assert.Equal(1026, tracker.GetTotal().OutputTokens);
        Assert.All(history, r => Assert.Equal(CostOutcome.Succeeded, r.Outcome));
        Assert.All(history, r => Assert.Equal(Now, r.Timestamp));
        Assert.All(history, r => Assert.Equal("openai", r.ProviderId));
        Assert.All(history, r => Assert.Equal("gpt-4.1-nano", r.ModelId));
        Assert.Equal(0.0004152m, tracker.GetTotalsByModel()["gpt-4.1-nano"].Cost);
        Assert.Equal(3, tracker.GetTotalsByProvider()["openai"].Calls);
    }

    [Fact]
    public async Task TruncatedStream_IsRecordedOnceAsEstimatedAndTheErrorSurfaces()
    {
        await using var server = await FakeProviderServer.StartAsync();
        var exchange = FixtureLoader.Load(Fixture("openai/stream__vercel-ai-openai__openai-text.chunks.txt"))[0];
        server.Enqueue(FakeResponse.FromExchange(exchange) with { AbortAfterBodyBytes = 2_000 });
        using var stratum = ClientFor(server, "openai");
        var tracker = new CostTracker(new FixedTime(Now));
        using var client = stratum.GetChatClient(Nano(server)).AsBuilder().UseStratumCostTracking(tracker).Build();
        var updates = 0;

        var ex = await Assert.ThrowsAsync<StratumProviderUnavailableException>(async () =>
        {
            await foreach (var update in client.GetStreamingResponseAsync("hi"))
            {
                updates++;
            }
        });

        // The usage chunk comes last in an OpenAI stream, so none was seen before the cut: the provider billed an unknown
        // amount, recorded as the worst case a budget would reserve (no MaxOutputTokens: the model's 16,384), flagged as estimated.
        Assert.True(updates > 0);
        Assert.Null(ex.UsageSoFar);
        var record = Assert.Single(tracker.History);
        Assert.Equal(CostOutcome.Failed, record.Outcome);
        Assert.Equal(typeof(StratumProviderUnavailableException).FullName, record.ErrorType);
        Assert.False(record.HasUsage);
        Assert.True(record.IsEstimated);
        Assert.Equal(WorstCase(client, "hi"), record.Total);
        Assert.Equal("gpt-4.1-nano", record.ModelId);
        Assert.Equal(1, tracker.GetTotal().FailedCalls);
    }

    [Fact]
    public async Task RecordedAnthropicStreamCutAfterItsFirstEvent_IsRecordedOnceWithTheBilledUsage()
    {
        await using var server = await FakeProviderServer.StartAsync();
        var exchange = FixtureLoader.Load(Fixture("anthropic/stream__vercel-ai-anthropic__anthropic-text.chunks.txt"))[0];
        var firstEventEnd = exchange.Response.BodyText.IndexOf("\n\n", StringComparison.Ordinal) + 2;
        server.Enqueue(FakeResponse.FromExchange(exchange) with { AbortAfterBodyBytes = firstEventEnd + 40 });
        using var stratum = ClientFor(server, "anthropic");
        var model = Model("claude-sonnet-4-5", Provider("anthropic", server.V1(), dialect: "anthropic"), ClaudeSonnetPricing);
        var tracker = new CostTracker(new FixedTime(Now));
        using var client = stratum.GetChatClient(model).AsBuilder().UseStratumCostTracking(tracker).Build();

        var ex = await Assert.ThrowsAsync<StratumProviderUnavailableException>(async () =>
        {
            await foreach (var update in client.GetStreamingResponseAsync("hi"))
            {
                Assert.NotNull(update);
            }
        });

        // message_start billed 12 input tokens and 1 output token: 12 × $3/1M + 1 × $15/1M.
        Assert.Equal(12, ex.UsageSoFar!.InputTokenCount);
        var record = Assert.Single(tracker.History);
        Assert.Equal(CostOutcome.Failed, record.Outcome);
        Assert.Equal(12, record.InputTokens);
        Assert.Equal(1, record.OutputTokens);
        Assert.Equal(0.000051m, record.Total);
        Assert.Equal("anthropic", record.ProviderId);
        Assert.Equal(0.000051m, tracker.GetTotal().Cost);
    }

    [Fact]
    public async Task StreamCutShortAfterUsage_RecordsTheUsageSoFarOnce()
    {
        var usage = new UsageDetails { InputTokenCount = 1_000, OutputTokenCount = 200 };
        var error = new StratumProviderUnavailableException("cut") { UsageSoFar = usage, RequestId = "req_cut" };
        var tracker = new CostTracker(new FixedTime(Now));
        using var client = new InMemoryChatClient(InMemoryModel(), usage) { StreamError = error }.AsBuilder().UseStratumCostTracking(tracker).Build();

        var thrown = await Assert.ThrowsAsync<StratumProviderUnavailableException>(async () =>
        {
            await foreach (var update in client.GetStreamingResponseAsync("hi"))
            {
                Assert.NotNull(update);
            }
        });

        Assert.Same(error, thrown);
        var record = Assert.Single(tracker.History);
        Assert.Equal(CostOutcome.Failed, record.Outcome);
        Assert.Equal("req_cut", record.RequestId);
        Assert.Equal(1_000, record.InputTokens);

        // gpt-4o: 1,000 × $2.50/1M + 200 × $10/1M = 0.0025 + 0.002.
        Assert.Equal(0.0045m, record.Total);
    }

    [Fact]
    public async Task StreamDisposedEarlyByTheCaller_IsRecordedOnceAsAbandonedWithTheUsageSeen()
    {
        var usage = new UsageDetails { InputTokenCount = 1_000, OutputTokenCount = 100 };
        var tracker = new CostTracker(new FixedTime(Now));
        using var client = new InMemoryChatClient(InMemoryModel(), usage) { UsageAfterUpdate = 1, StreamUpdates = 5 }.AsBuilder().UseStratumCostTracking(tracker).Build();
        var seen = 0;

        await foreach (var update in client.GetStreamingResponseAsync("hi"))
        {
            if (++seen == 2)
            {
                break;
            }
        }

        var record = Assert.Single(tracker.History);
        Assert.Equal(CostOutcome.Abandoned, record.Outcome);
        Assert.True(record.HasUsage);
        Assert.Equal(0.0035m, record.Total);
        Assert.Equal(1, tracker.GetTotal().FailedCalls);
    }

    [Fact]
    public async Task StreamDisposedBeforeAnyUsage_IsRecordedOnceAsEstimatedAtTheWorstCase()
    {
        var tracker = new CostTracker(new FixedTime(Now));
        using var client = new InMemoryChatClient(InMemoryModel(), new UsageDetails { InputTokenCount = 10, OutputTokenCount = 10 }) { StreamUpdates = 5 }
            .AsBuilder().UseStratumCostTracking(tracker).Build();

        await foreach (var update in client.GetStreamingResponseAsync("hi"))
        {
            break;
        }

        var record = Assert.Single(tracker.History);
        Assert.Equal(CostOutcome.Abandoned, record.Outcome);
        Assert.False(record.HasUsage);
        Assert.True(record.IsEstimated);
        Assert.Equal(WorstCase(client, "hi"), record.Total);
        Assert.Equal(1, tracker.GetTotal().EstimatedCalls);
    }

    [Fact]
    public async Task OneThousandConcurrentCalls_TotalEqualsHistorySumAndNTimesUnitCost()
    {
        const int N = 1_000;
        var usage = new UsageDetails { InputTokenCount = 1_234, CachedInputTokenCount = 234, OutputTokenCount = 567 };

        // gpt-4o: 1,000 uncached × 2.5 + 234 cached × 1.25 + 567 × 10, per 1M = 0.0025 + 0.0002925 + 0.00567.
        const decimal unit = 0.0084625m;
        Assert.Equal(unit, CostCalculator.Calculate(Gpt4oPricing, usage).Total);
        var tracker = new CostTracker(new FixedTime(Now));
        var events = 0;
        tracker.Recorded += (_, _) => Interlocked.Increment(ref events);
        using var client = new InMemoryChatClient(InMemoryModel(), usage).AsBuilder().UseStratumCostTracking(tracker).Build();

        await Task.WhenAll(Enumerable.Range(0, N).Select(i => Task.Run(() => i % 2 == 0
            ? client.GetResponseAsync("hi", WithTags(["even"], "c" + (i % 10).ToString(System.Globalization.CultureInfo.InvariantCulture)))
            : Stream(client, WithTags(["odd"], "c" + (i % 10).ToString(System.Globalization.CultureInfo.InvariantCulture))))));

        var history = tracker.History;
        Assert.Equal(N, history.Count);
        Assert.Equal(N, Volatile.Read(ref events));
        Assert.Equal(history.Sum(r => r.Total), tracker.GetTotal().Cost);
        Assert.Equal(N * unit, tracker.GetTotal().Cost);
        Assert.Equal(N / 2 * unit, tracker.GetTotalsByTag()["even"].Cost);
        Assert.Equal(N / 2 * unit, tracker.GetTotalsByTag()["odd"].Cost);
        Assert.Equal(10, tracker.GetTotalsByCaller().Count);
        Assert.All(tracker.GetTotalsByCaller().Values, t => Assert.Equal(N / 10 * unit, t.Cost));
    }

    [Fact]
    public async Task TagsAndCaller_FromChatOptions_GroupTheTotals()
    {
        var usage = new UsageDetails { InputTokenCount = 1_000, OutputTokenCount = 1_000 };
        var tracker = new CostTracker(new FixedTime(Now));
        using var client = new InMemoryChatClient(InMemoryModel(), usage).AsBuilder().UseStratumCostTracking(tracker, c => c.DefaultCaller = "service").Build();

        await client.GetResponseAsync("a", WithTags(["search", "beta"], "alice"));
        await client.GetResponseAsync("b", WithTags(["search"], "bob"));
        await client.GetResponseAsync("c", WithTags(["beta"], null));
        await client.GetResponseAsync("d");

        // Each call: 1,000 × 2.5/1M + 1,000 × 10/1M = 0.0125.
        Assert.Equal(0.05m, tracker.GetTotal().Cost);
        var byTag = tracker.GetTotalsByTag();
        Assert.Equal(0.025m, byTag["search"].Cost);
        Assert.Equal(0.025m, byTag["beta"].Cost);
        Assert.Equal(2, byTag.Count);
        var byCaller = tracker.GetTotalsByCaller();
        Assert.Equal(0.0125m, byCaller["alice"].Cost);
        Assert.Equal(0.0125m, byCaller["bob"].Cost);
        Assert.Equal(0.025m, byCaller["service"].Cost);
        Assert.Equal(["search", "beta"], tracker.History[0].Tags);
        Assert.Empty(tracker.History[3].Tags);
    }

    [Fact]
    public async Task FailedAttemptWithUsageSoFar_IsRecordedAndTheExceptionRethrownUnchanged()
    {
        var usage = new UsageDetails { InputTokenCount = 2_000, OutputTokenCount = 0 };
        var error = new StratumServerErrorException("boom") { UsageSoFar = usage, ProviderId = "openai", ModelId = "gpt-4o", RequestId = "req_1" };
        var tracker = new CostTracker(new FixedTime(Now));
        using var client = new InMemoryChatClient(InMemoryModel(), usage) { ResponseError = error }.AsBuilder().UseStratumCostTracking(tracker).Build();

        var thrown = await Assert.ThrowsAsync<StratumServerErrorException>(() => client.GetResponseAsync("hi", WithTags(["t"], "alice")));

        Assert.Same(error, thrown);
        var record = Assert.Single(tracker.History);
        Assert.Equal(CostOutcome.Failed, record.Outcome);
        Assert.False(record.Succeeded);
        Assert.Equal(typeof(StratumServerErrorException).FullName, record.ErrorType);
        Assert.Equal("req_1", record.RequestId);
        Assert.Equal(0.005m, record.Total);
        Assert.Equal("alice", record.Caller);
    }

    [Fact]
    public async Task FailedAttemptWithoutUsage_IsNotRecorded()
    {
        var tracker = new CostTracker(new FixedTime(Now));
        var error = new StratumAuthenticationException("bad key");
        using var client = new InMemoryChatClient(InMemoryModel(), new UsageDetails()) { ResponseError = error }.AsBuilder().UseStratumCostTracking(tracker).Build();

        Assert.Same(error, await Assert.ThrowsAsync<StratumAuthenticationException>(() => client.GetResponseAsync("hi")));

        Assert.Empty(tracker.History);
        Assert.Equal(CostTotals.Empty, tracker.GetTotal());
    }

    [Fact]
    public async Task CacheHit_RecordsZeroAndWhatItSaved()
    {
        var usage = new UsageDetails { InputTokenCount = 1_000, OutputTokenCount = 1_000 };
        var tracker = new CostTracker(new FixedTime(Now));
        using var client = new InMemoryChatClient(InMemoryModel(), usage) { CacheHit = true }.AsBuilder().UseStratumCostTracking(tracker).Build();

        await client.GetResponseAsync("hi");

        var record = Assert.Single(tracker.History);
        Assert.True(record.IsCacheHit);
        Assert.Equal(0m, record.Total);
        Assert.Equal(0.0125m, record.Saved);
        Assert.Equal(0.0125m, tracker.GetTotal().Saved);
    }

    /// <summary>The worst case a budget reserves for the prompt: what cost tracking records for a billed attempt without usage.</summary>
    private static decimal WorstCase(IChatClient client, string prompt)
    {
        using var budget = new BudgetChatClient(client, new BudgetManager([]));
        return budget.Estimate([new ChatMessage(ChatRole.User, prompt)]).Cost;
    }

    private static ChatOptions WithTags(string[] tags, string? caller)
    {
        var options = new ChatOptions { AdditionalProperties = new() { [StratumOptionKeys.Tags] = tags } };
        if (caller is not null)
        {
            options.AdditionalProperties[StratumOptionKeys.Caller] = caller;
        }

        return options;
    }

    private static async Task Stream(IChatClient client, ChatOptions options)
    {
        await foreach (var update in client.GetStreamingResponseAsync("hi", options))
        {
            Assert.NotNull(update);
        }
    }

    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    /// <summary>A chat client without sockets: fixed usage, no cost attached (the middleware prices it from GetService&lt;ModelInfo&gt;).</summary>
    private sealed class InMemoryChatClient(ModelInfo model, UsageDetails usage) : IChatClient
    {
        public Exception? ResponseError { get; init; }

        public Exception? StreamError { get; init; }

        public int StreamUpdates { get; init; } = 2;

        /// <summary>The index of the update that carries the usage; the last one by default.</summary>
        public int? UsageAfterUpdate { get; init; }

        public bool CacheHit { get; init; }

        public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        {
            await Task.Yield();
            if (ResponseError is not null)
            {
                throw ResponseError;
            }

            var response = new ChatResponse(new ChatMessage(ChatRole.Assistant, "ok")) { Usage = usage, ModelId = model.Id };
            if (CacheHit)
            {
                response.AdditionalProperties = new() { [StratumUsageKeys.CacheHit] = true };
            }

            return response;
        }

        public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            var usageAt = UsageAfterUpdate ?? StreamUpdates - 1;
            for (var i = 0; i < StreamUpdates; i++)
            {
                await Task.Yield();
                var update = new ChatResponseUpdate(ChatRole.Assistant, "x") { ModelId = model.Id };
                if (i == usageAt)
                {
                    update.Contents.Add(new UsageContent(usage));
                }

                yield return update;
            }

            if (StreamError is not null)
            {
                throw StreamError;
            }
        }

        public object? GetService(Type serviceType, object? serviceKey = null) =>
            serviceKey is null && serviceType == typeof(ModelInfo) ? model : serviceKey is null && serviceType.IsInstanceOfType(this) ? this : null;

        public void Dispose()
        {
        }
    }
}

using Microsoft.Extensions.AI;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using StratumAI.Testing;
using static StratumAI.Tests.Caching.CacheTestKit;
using static StratumAI.Tests.TestCatalog;

namespace StratumAI.Tests.Caching;

public sealed class ResponseCacheChatClientTests
{
    private const string OpenAIText = "openai/chat__vercel-ai-openai__openai-text.json";
    private const string OpenAIStream = "openai/stream__vercel-ai-openai__openai-text.chunks.txt";
    private const string AnthropicText = "anthropic/chat__vercel-ai-anthropic__anthropic-text.json";
    private const string AnthropicStream = "anthropic/stream__vercel-ai-anthropic__anthropic-text.chunks.txt";

    private static ModelInfo Nano(FakeProviderServer server) => Model("gpt-4.1-nano", Provider("openai", server.V1()), Gpt41NanoPricing);

    private static ModelInfo Sonnet(FakeProviderServer server) =>
        Model("claude-sonnet-4-5", Provider("anthropic", server.V1(), dialect: "anthropic"), ClaudeSonnetPricing);

    /// <summary>stratum.AsChatClient() under the cache, with the model registered in the client's catalog.</summary>
    private static (StratumClient Stratum, IChatClient Chat) Pipeline(FakeProviderServer server, string provider, ModelInfo model, Store store, Action<ChatClientBuilder>? outer = null, FakeTimeProvider? time = null)
    {
        var stratum = ClientFor(server, provider, configure: o => o.Models.Register([model]));
        var builder = stratum.AsChatClient().AsBuilder();
        outer?.Invoke(builder);
        var chat = store == Store.Hybrid
            ? builder.UseStratumCache(NewHybridCache(), o => o.TimeProvider = time).Build()
            : builder.UseStratumCache(NewDistributedCache(), o => o.TimeProvider = time).Build();
        return (stratum, chat);
    }

    [Theory]
    [InlineData(Store.Hybrid)]
    [InlineData(Store.Distributed)]
    public async Task RepeatedRecordedOpenAICall_IsServedFromTheCacheWithTheSameTextUsageAndFinishReason(Store store)
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.EnqueueFixture(Fixture(OpenAIText));
        var (stratum, chat) = Pipeline(server, "openai", Nano(server), store);
        using var _ = stratum;
        using var __ = chat;

        var first = await chat.GetResponseAsync("Invent a holiday", Cached("gpt-4.1-nano"));
        var second = await chat.GetResponseAsync("Invent a holiday", Cached("gpt-4.1-nano"));

        Assert.Single(server.ReceivedRequests);
        Assert.False(first.IsCacheHit());
        Assert.True(second.IsCacheHit());
        Assert.StartsWith("**Holiday Name:** Galaxy Day", second.Text, StringComparison.Ordinal);
        Assert.Equal(first.Text, second.Text);
        Assert.Equal(ChatFinishReason.Stop, second.FinishReason);
        Assert.Equal(first.Usage!.InputTokenCount, second.Usage!.InputTokenCount);
        Assert.Equal(first.Usage.OutputTokenCount, second.Usage.OutputTokenCount);
        Assert.Equal(first.ResponseId, second.ResponseId);
        Assert.Equal(first.GetCost(), second.GetCost());
        Assert.Equal("gpt-4.1-nano", second.GetModelInfo()?.Id);
        Assert.NotSame(first, second);
    }

    [Fact]
    public async Task RecordedAnthropicCall_IsCachedThroughTheSamePipeline()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.EnqueueFixture(Fixture(AnthropicText));
        var (stratum, chat) = Pipeline(server, "anthropic", Sonnet(server), Store.Hybrid);
        using var _ = stratum;
        using var __ = chat;

        var first = await chat.GetResponseAsync("Invent a holiday", Cached("claude-sonnet-4-5"));
        var second = await chat.GetResponseAsync("Invent a holiday", Cached("claude-sonnet-4-5"));

        Assert.Single(server.ReceivedRequests);
        Assert.True(second.IsCacheHit());
        Assert.False(string.IsNullOrEmpty(second.Text));
        Assert.Equal(first.Text, second.Text);
        Assert.Equal(first.Usage!.TotalTokenCount, second.Usage!.TotalTokenCount);
    }

    [Fact]
    public async Task SameMessagesToAnotherModel_IsAMiss()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.EnqueueFixture(Fixture(OpenAIText));
        server.EnqueueFixture(Fixture(OpenAIText));
        var other = Model("gpt-4o", Provider("openai", server.V1()), Gpt4oPricing);
        using var stratum = ClientFor(server, "openai", configure: o => o.Models.Register([Nano(server), other]));
        using var chat = stratum.AsChatClient().AsBuilder().UseStratumCache(NewHybridCache()).Build();

        await chat.GetResponseAsync("Invent a holiday", Cached("gpt-4.1-nano"));
        var second = await chat.GetResponseAsync("Invent a holiday", Cached("gpt-4o"));

        Assert.Equal(2, server.ReceivedRequests.Count);
        Assert.False(second.IsCacheHit());
    }

    [Theory]
    [InlineData(200)]
    [InlineData(6_000)]
    public async Task ShortAndLongConversations_HitOnAnExactRepeat_AndMissWhenOneCharacterDiffers(int length)
    {
        // Short requests are matched in process by their canonical text, long ones by its SHA-256 (the store key).
        await using var server = await FakeProviderServer.StartAsync();
        server.EnqueueFixture(Fixture(OpenAIText));
        server.EnqueueFixture(Fixture(OpenAIText));
        var (stratum, chat) = Pipeline(server, "openai", Nano(server), Store.Distributed);
        using var _ = stratum;
        using var __ = chat;
        var prompt = new string('a', length);
        var variant = prompt[..^1] + "b";

        await chat.GetResponseAsync(prompt, Cached("gpt-4.1-nano"));
        var repeat = await chat.GetResponseAsync(prompt, Cached("gpt-4.1-nano"));
        var changed = await chat.GetResponseAsync(variant, Cached("gpt-4.1-nano"));

        Assert.True(repeat.IsCacheHit());
        Assert.False(changed.IsCacheHit());
        Assert.Equal(2, server.ReceivedRequests.Count);
    }

    [Fact]
    public async Task Hit_IsLoggedWithWhatItSaved()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.EnqueueFixture(Fixture(OpenAIText));
        using var stratum = ClientFor(server, "openai", configure: o => o.Models.Register([Nano(server)]));
        var logger = new Microsoft.Extensions.Logging.Testing.FakeLogger();
        using var chat = stratum.AsChatClient().AsBuilder().UseStratumCache(NewHybridCache(), o => o.Logger = logger).Build();

        var first = await chat.GetResponseAsync("Invent a holiday", Cached("gpt-4.1-nano"));
        Assert.Empty(logger.Collector.GetSnapshot());
        await chat.GetResponseAsync("Invent a holiday", Cached("gpt-4.1-nano"));

        var record = Assert.Single(logger.Collector.GetSnapshot());
        Assert.Equal(1012, record.Id.Id);
        Assert.Contains(first.GetCost()!.Total.ToString(System.Globalization.CultureInfo.InvariantCulture), record.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ChangedTemperature_IsAMiss_AndChangedCallerIsAHit()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.EnqueueFixture(Fixture(OpenAIText));
        server.EnqueueFixture(Fixture(OpenAIText));
        var (stratum, chat) = Pipeline(server, "openai", Nano(server), Store.Distributed);
        using var _ = stratum;
        using var __ = chat;

        var cold = Cached("gpt-4.1-nano");
        cold.Temperature = 0f;
        var warm = Cached("gpt-4.1-nano");
        warm.Temperature = 0.7f;
        var otherCaller = Cached("gpt-4.1-nano");
        otherCaller.Temperature = 0f;
        otherCaller.AdditionalProperties![StratumOptionKeys.Caller] = "someone-else";

        await chat.GetResponseAsync("Invent a holiday", cold);
        var changed = await chat.GetResponseAsync("Invent a holiday", warm);
        var sameAnswer = await chat.GetResponseAsync("Invent a holiday", otherCaller);

        Assert.Equal(2, server.ReceivedRequests.Count);
        Assert.False(changed.IsCacheHit());
        Assert.True(sameAnswer.IsCacheHit());
    }

    [Theory]
    [InlineData(Store.Hybrid)]
    [InlineData(Store.Distributed)]
    public async Task EntryOlderThanItsTtl_IsAMiss(Store store)
    {
        var time = new FakeTimeProvider(Start);
        var inner = new ScriptedChatClient();
        using var cache = NewCacheClient(inner, store, new ResponseCacheOptions { TimeProvider = time });
        var options = Cached("m", TimeSpan.FromMinutes(5));

        await cache.GetResponseAsync("hi", options);
        time.Advance(TimeSpan.FromMinutes(5) - TimeSpan.FromTicks(1));
        var beforeExpiry = await cache.GetResponseAsync("hi", options);
        time.Advance(TimeSpan.FromTicks(1));
        var atExpiry = await cache.GetResponseAsync("hi", options);
        var refreshed = await cache.GetResponseAsync("hi", options);

        Assert.True(beforeExpiry.IsCacheHit());
        Assert.False(atExpiry.IsCacheHit());
        Assert.True(refreshed.IsCacheHit());
        Assert.Equal(2, inner.Calls);
    }

    [Theory]
    [InlineData(OpenAIStream, "openai")]
    [InlineData(AnthropicStream, "anthropic")]
    public async Task RecordedStream_IsReplayedAsTheSameUpdates(string fixture, string provider)
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.EnqueueFixture(Fixture(fixture));
        var model = provider == "openai" ? Nano(server) : Sonnet(server);
        var (stratum, chat) = Pipeline(server, provider, model, Store.Hybrid);
        using var _ = stratum;
        using var __ = chat;

        var live = await ReadAll(chat.GetStreamingResponseAsync("Invent a holiday", Cached(model.Id)));
        var replayed = await ReadAll(chat.GetStreamingResponseAsync("Invent a holiday", Cached(model.Id)));

        Assert.Single(server.ReceivedRequests);
        Assert.Equal(live.Count, replayed.Count);
        Assert.Equal(live.Select(u => u.Text), replayed.Select(u => u.Text));
        Assert.All(replayed, u => Assert.True(u.AdditionalProperties?[StratumUsageKeys.CacheHit] is true));
        var liveResponse = live.ToChatResponse();
        var replayedResponse = replayed.ToChatResponse();
        Assert.False(string.IsNullOrEmpty(replayedResponse.Text));
        Assert.Equal(liveResponse.Text, replayedResponse.Text);
        Assert.Equal(ChatFinishReason.Stop, replayedResponse.FinishReason);
        Assert.Equal(liveResponse.Usage!.InputTokenCount, replayedResponse.Usage!.InputTokenCount);
        Assert.Equal(liveResponse.Usage.OutputTokenCount, replayedResponse.Usage.OutputTokenCount);
        Assert.True(replayedResponse.IsCacheHit());
    }

    [Fact]
    public async Task NonStreamingEntry_DoesNotAnswerAStream()
    {
        var inner = new ScriptedChatClient();
        using var cache = NewCacheClient(inner, Store.Hybrid);

        await cache.GetResponseAsync("hi", Cached("m"));
        await ReadAll(cache.GetStreamingResponseAsync("hi", Cached("m")));

        Assert.Equal(1, inner.Calls);
        Assert.Equal(1, inner.Streams);
    }

    [Fact]
    public async Task TruncatedRecordedStream_IsNotCached()
    {
        await using var server = await FakeProviderServer.StartAsync();
        var exchange = FixtureLoader.Load(Fixture(OpenAIStream))[0];
        server.Enqueue(FakeResponse.FromExchange(exchange) with { AbortAfterBodyBytes = 2_000 });
        server.EnqueueFixture(Fixture(OpenAIStream));
        var (stratum, chat) = Pipeline(server, "openai", Nano(server), Store.Hybrid);
        using var _ = stratum;
        using var __ = chat;

        await Assert.ThrowsAsync<StratumProviderUnavailableException>(() => ReadAll(chat.GetStreamingResponseAsync("Invent a holiday", Cached("gpt-4.1-nano"))));
        var retry = await ReadAll(chat.GetStreamingResponseAsync("Invent a holiday", Cached("gpt-4.1-nano")));

        Assert.Equal(2, server.ReceivedRequests.Count);
        Assert.DoesNotContain(retry, u => u.AdditionalProperties?.ContainsKey(StratumUsageKeys.CacheHit) == true);
    }

    [Fact]
    public async Task StreamDisposedBeforeItsEnd_IsNotCached()
    {
        var inner = new ScriptedChatClient((_, _) => new ChatResponse([new ChatMessage(ChatRole.Assistant, [new TextContent("a"), new TextContent("b")])]) { FinishReason = ChatFinishReason.Stop });
        using var cache = NewCacheClient(inner, Store.Distributed);

        await foreach (var update in cache.GetStreamingResponseAsync("hi", Cached("m")))
        {
            Assert.NotNull(update);
            break;
        }

        var second = await ReadAll(cache.GetStreamingResponseAsync("hi", Cached("m")));
        var third = await ReadAll(cache.GetStreamingResponseAsync("hi", Cached("m")));

        Assert.Equal(2, inner.Streams);
        Assert.False(second.ToChatResponse().IsCacheHit());
        Assert.True(third.ToChatResponse().IsCacheHit());
    }

    [Fact]
    public async Task StreamThatFailsAfterItsUpdates_IsNotCached()
    {
        var inner = new ScriptedChatClient { StreamError = new StratumProviderUnavailableException("cut") };
        using var cache = NewCacheClient(inner, Store.Hybrid);

        await Assert.ThrowsAsync<StratumProviderUnavailableException>(() => ReadAll(cache.GetStreamingResponseAsync("hi", Cached("m"))));
        await Assert.ThrowsAsync<StratumProviderUnavailableException>(() => ReadAll(cache.GetStreamingResponseAsync("hi", Cached("m"))));

        Assert.Equal(2, inner.Streams);
    }

    [Fact]
    public async Task FailedRecordedCall_IsNotCached_AndTheNextCallReachesTheProvider()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.Enqueue(FakeResponse.Status(500));
        server.EnqueueFixture(Fixture(OpenAIText));
        var (stratum, chat) = Pipeline(server, "openai", Nano(server), Store.Hybrid);
        using var _ = stratum;
        using var __ = chat;

        await Assert.ThrowsAsync<StratumServerErrorException>(() => chat.GetResponseAsync("Invent a holiday", Cached("gpt-4.1-nano")));
        var second = await chat.GetResponseAsync("Invent a holiday", Cached("gpt-4.1-nano"));

        Assert.Equal(2, server.ReceivedRequests.Count);
        Assert.False(second.IsCacheHit());
    }

    public static TheoryData<string> UncacheableAnswers => new() { "length", "content_filter", "empty", "error", "none" };

    [Theory]
    [MemberData(nameof(UncacheableAnswers))]
    public async Task IncompleteOrEmptyAnswer_IsReturnedButNotCached(string kind)
    {
        var inner = new ScriptedChatClient((_, _) => kind switch
        {
            "length" => new ChatResponse(new ChatMessage(ChatRole.Assistant, "cut sho")) { FinishReason = ChatFinishReason.Length },
            "content_filter" => new ChatResponse(new ChatMessage(ChatRole.Assistant, "I can")) { FinishReason = ChatFinishReason.ContentFilter },
            "empty" => new ChatResponse(new ChatMessage(ChatRole.Assistant, string.Empty)) { FinishReason = ChatFinishReason.Stop },
            "error" => new ChatResponse(new ChatMessage(ChatRole.Assistant, [new ErrorContent("overloaded")])) { FinishReason = ChatFinishReason.Stop },
            _ => new ChatResponse(new ChatMessage(ChatRole.Assistant, "no finish reason")),
        });
        using var cache = NewCacheClient(inner, Store.Hybrid);

        var first = await cache.GetResponseAsync("hi", Cached("m"));
        var second = await cache.GetResponseAsync("hi", Cached("m"));

        Assert.Equal(2, inner.Calls);
        Assert.False(first.IsCacheHit());
        Assert.False(second.IsCacheHit());
    }

    [Fact]
    public async Task ToolCallAnswer_IsCachedWithItsArguments()
    {
        var inner = new ScriptedChatClient((_, _) => new ChatResponse(new ChatMessage(ChatRole.Assistant, [new FunctionCallContent("call_1", "weather", new Dictionary<string, object?> { ["city"] = "Paris" })]))
        {
            FinishReason = ChatFinishReason.ToolCalls,
        });
        using var cache = NewCacheClient(inner, Store.Distributed);

        await cache.GetResponseAsync("weather in Paris?", Cached("m"));
        var hit = await cache.GetResponseAsync("weather in Paris?", Cached("m"));

        Assert.Equal(1, inner.Calls);
        Assert.True(hit.IsCacheHit());
        var call = Assert.IsType<FunctionCallContent>(Assert.Single(hit.Messages).Contents.Single());
        Assert.Equal("weather", call.Name);
        Assert.Equal("call_1", call.CallId);
        Assert.Equal("Paris", call.Arguments!["city"]?.ToString());
        Assert.Equal(ChatFinishReason.ToolCalls, hit.FinishReason);
    }

    [Fact]
    public async Task CostTrackerOutsideTheCache_RecordsTheRecordedCostThenZeroAndWhatTheHitSaved()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.EnqueueFixture(Fixture(OpenAIText));
        server.EnqueueFixture(Fixture(OpenAIStream));
        var tracker = new CostTracker(new FakeTimeProvider(Start));
        var (stratum, chat) = Pipeline(server, "openai", Nano(server), Store.Hybrid, outer: b => b.UseStratumCostTracking(tracker));
        using var _ = stratum;
        using var __ = chat;

        await chat.GetResponseAsync("Invent a holiday", Cached("gpt-4.1-nano"));
        await chat.GetResponseAsync("Invent a holiday", Cached("gpt-4.1-nano"));
        await ReadAll(chat.GetStreamingResponseAsync("Invent a holiday", Cached("gpt-4.1-nano")));
        await ReadAll(chat.GetStreamingResponseAsync("Invent a holiday", Cached("gpt-4.1-nano")));

        // gpt-4.1-nano at $0.10 in / $0.40 out per 1M. Response: 16 in + 363 out = $0.0001468; stream: 16 + 300 = $0.0001216.
        var history = tracker.History;
        Assert.Equal(4, history.Count);
        Assert.Equal(2, server.ReceivedRequests.Count);
        Assert.Equal([false, true, false, true], history.Select(r => r.IsCacheHit));
        Assert.Equal([0.0001468m, 0m, 0.0001216m, 0m], history.Select(r => r.Total));
        Assert.Equal([0m, 0.0001468m, 0m, 0.0001216m], history.Select(r => r.Saved));
        Assert.All(history, r => Assert.Equal("openai", r.ProviderId));
        Assert.All(history, r => Assert.Equal("gpt-4.1-nano", r.ModelId));
        var total = tracker.GetTotal();
        Assert.Equal(0.0002684m, total.Cost);
        Assert.Equal(0.0002684m, total.Saved);
        Assert.Equal(2, total.CacheHits);
    }

    [Fact]
    public async Task CostTrackerInsideTheCache_NeverSeesAHit()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.EnqueueFixture(Fixture(OpenAIText));
        var tracker = new CostTracker(new FakeTimeProvider(Start));
        using var stratum = ClientFor(server, "openai", configure: o => o.Models.Register([Nano(server)]));
        using var chat = stratum.AsChatClient().AsBuilder().UseStratumCache(NewHybridCache()).UseStratumCostTracking(tracker).Build();

        await chat.GetResponseAsync("Invent a holiday", Cached("gpt-4.1-nano"));
        var hit = await chat.GetResponseAsync("Invent a holiday", Cached("gpt-4.1-nano"));

        Assert.True(hit.IsCacheHit());
        var record = Assert.Single(tracker.History);
        Assert.Equal(0.0001468m, record.Total);
    }

    [Fact]
    public async Task CallWithoutOptIn_IsNotCached()
    {
        var inner = new ScriptedChatClient();
        using var cache = NewCacheClient(inner, Store.Hybrid);

        await cache.GetResponseAsync("hi", new ChatOptions { ModelId = "m" });
        var second = await cache.GetResponseAsync("hi", new ChatOptions { ModelId = "m" });

        Assert.Equal(2, inner.Calls);
        Assert.False(second.IsCacheHit());
    }

    [Fact]
    public async Task CacheEveryCall_CachesWithoutOptIn_AndTheBypassFlagSkipsReadAndWrite()
    {
        var inner = new ScriptedChatClient();
        using var cache = NewCacheClient(inner, Store.Hybrid, new ResponseCacheOptions { CacheEveryCall = true });
        var bypass = new ChatOptions { ModelId = "m", AdditionalProperties = new() { [StratumOptionKeys.CacheEnabled] = false } };

        var bypassed = await cache.GetResponseAsync("hi", bypass);
        var stored = await cache.GetResponseAsync("hi", new ChatOptions { ModelId = "m" });
        var hit = await cache.GetResponseAsync("hi", new ChatOptions { ModelId = "m" });
        var bypassedAgain = await cache.GetResponseAsync("hi", bypass);

        Assert.Equal(3, inner.Calls);
        Assert.False(bypassed.IsCacheHit());
        Assert.False(stored.IsCacheHit());
        Assert.True(hit.IsCacheHit());
        Assert.False(bypassedAgain.IsCacheHit());
    }

    [Fact]
    public async Task EnabledFlagTrue_CachesForTheDefaultTtl()
    {
        var time = new FakeTimeProvider(Start);
        var inner = new ScriptedChatClient();
        using var cache = NewCacheClient(inner, Store.Distributed, new ResponseCacheOptions { TimeProvider = time, DefaultTtl = TimeSpan.FromSeconds(30) });
        var options = new ChatOptions { ModelId = "m", AdditionalProperties = new() { [StratumOptionKeys.CacheEnabled] = true } };

        await cache.GetResponseAsync("hi", options);
        time.Advance(TimeSpan.FromSeconds(29));
        var hit = await cache.GetResponseAsync("hi", options);
        time.Advance(TimeSpan.FromSeconds(1));
        var expired = await cache.GetResponseAsync("hi", options);

        Assert.True(hit.IsCacheHit());
        Assert.False(expired.IsCacheHit());
        Assert.Equal(2, inner.Calls);
    }

    [Fact]
    public async Task TtlOfTheWrongType_ThrowsAClearError()
    {
        using var cache = NewCacheClient(new ScriptedChatClient(), Store.Hybrid);
        var options = new ChatOptions { ModelId = "m", AdditionalProperties = new() { [StratumOptionKeys.CacheTtl] = 60 } };

        var ex = await Assert.ThrowsAsync<ArgumentException>(() => cache.GetResponseAsync("hi", options));

        Assert.Contains("stratum.cache.ttl", ex.Message, StringComparison.Ordinal);
        Assert.Contains("TimeSpan", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CallWithServerSideConversation_IsNotCached()
    {
        var inner = new ScriptedChatClient();
        using var cache = NewCacheClient(inner, Store.Hybrid);
        var options = Cached("m");
        options.ConversationId = "conv_1";

        await cache.GetResponseAsync("hi", options);
        await cache.GetResponseAsync("hi", options);

        Assert.Equal(2, inner.Calls);
    }

    [Fact]
    public async Task CallWhoseModelCannotBeNamed_IsNotCached()
    {
        var inner = new ScriptedChatClient();
        using var cache = NewCacheClient(inner, Store.Hybrid);

        await cache.GetResponseAsync("hi", Cached(model: null));
        await cache.GetResponseAsync("hi", Cached(model: null));

        Assert.Equal(2, inner.Calls);
    }

    [Fact]
    public async Task InnerClientWithAFixedModel_IsCachedUnderThatModel()
    {
        var inner = new ScriptedChatClient { Model = Model("gpt-4o", Provider("openai"), Gpt4oPricing) };
        using var cache = NewCacheClient(inner, Store.Hybrid);

        await cache.GetResponseAsync("hi", Cached(model: null));
        var hit = await cache.GetResponseAsync("hi", Cached(model: null));

        Assert.Equal(1, inner.Calls);
        Assert.Same(inner.Model, hit.GetModelInfo());

        // 10 in + 5 out at $2.50 / $10 per 1M, priced from the fixed model since the inner client attached no cost.
        Assert.Equal(0.000075m, hit.GetCost()!.Total);
    }

    [Theory]
    [InlineData(Store.Hybrid)]
    [InlineData(Store.Distributed)]
    public async Task ConcurrentIdenticalCalls_ShareOneProviderCall(Store store)
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var inner = new ScriptedChatClient { Gate = gate.Task };
        using var cache = NewCacheClient(inner, store);

        var calls = Enumerable.Range(0, 20).Select(_ => cache.GetResponseAsync("same question", Cached("m"))).ToArray();
        while (inner.Calls == 0)
        {
            await Task.Yield();
        }

        gate.SetResult();
        var responses = await Task.WhenAll(calls);

        Assert.Equal(1, inner.Calls);
        Assert.Single(responses, r => !r.IsCacheHit());
        Assert.Equal(19, responses.Count(r => r.IsCacheHit()));
        Assert.All(responses, r => Assert.Equal("echo: same question", r.Text));
        Assert.Equal(20, responses.Distinct().Count());
    }

    [Fact]
    public async Task WaiterOnAFailedCall_MakesItsOwnCall()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var calls = 0;
        var inner = new ScriptedChatClient((messages, _) => Interlocked.Increment(ref calls) == 1
            ? throw new StratumProviderUnavailableException("down")
            : new ChatResponse(new ChatMessage(ChatRole.Assistant, "up again")) { FinishReason = ChatFinishReason.Stop })
        {
            Gate = gate.Task,
        };
        using var cache = NewCacheClient(inner, Store.Hybrid);

        var first = cache.GetResponseAsync("q", Cached("m"));
        while (inner.Calls == 0)
        {
            await Task.Yield();
        }

        var second = cache.GetResponseAsync("q", Cached("m"));
        gate.SetResult();

        await Assert.ThrowsAsync<StratumProviderUnavailableException>(() => first);
        var answer = await second;
        Assert.Equal("up again", answer.Text);
        Assert.False(answer.IsCacheHit());
        Assert.Equal(2, inner.Calls);
    }

    [Fact]
    public async Task UseStratumCache_TakesTheHybridCacheFromTheServices()
    {
        var services = new ServiceCollection();
        services.AddHybridCache();
        using var provider = services.BuildServiceProvider();
        var inner = new ScriptedChatClient();
        using var chat = inner.AsBuilder().UseStratumCache(o => o.CacheEveryCall = true).Build(provider);

        await chat.GetResponseAsync("hi", new ChatOptions { ModelId = "m" });
        var hit = await chat.GetResponseAsync("hi", new ChatOptions { ModelId = "m" });

        Assert.True(hit.IsCacheHit());
        Assert.Equal(1, inner.Calls);
        Assert.NotNull(chat.GetService<ResponseCacheChatClient>());
    }

    [Fact]
    public void UseStratumCache_WithoutACacheInTheServices_SaysWhatToRegister()
    {
        using var provider = new ServiceCollection().BuildServiceProvider();

        var ex = Assert.Throws<InvalidOperationException>(() => new ScriptedChatClient().AsBuilder().UseStratumCache().Build(provider));

        Assert.Contains("AddHybridCache", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EntriesWrittenByOneClient_AreHitsForAnotherOnTheSameStore()
    {
        var store = NewDistributedCache();
        var writer = new ScriptedChatClient();
        var reader = new ScriptedChatClient();
        using var first = new ResponseCacheChatClient(writer, store);
        using var second = new ResponseCacheChatClient(reader, store);

        await first.GetResponseAsync([new ChatMessage(ChatRole.System, "Be brief."), new ChatMessage(ChatRole.User, "hi")], Cached("m"));
        var hit = await second.GetResponseAsync([new ChatMessage(ChatRole.System, "Be brief."), new ChatMessage(ChatRole.User, "hi")], Cached("m"));

        Assert.True(hit.IsCacheHit());
        Assert.Equal(0, reader.Calls);
        Assert.Equal("echo: hi", hit.Text);
    }

    [Fact]
    public async Task ChangingAHitsContents_DoesNotChangeTheNextHit()
    {
        var inner = new ScriptedChatClient();
        using var cache = NewCacheClient(inner, Store.Hybrid);
        await cache.GetResponseAsync("hi", Cached("m"));

        var first = await cache.GetResponseAsync("hi", Cached("m"));
        ((TextContent)first.Messages[0].Contents[0]).Text = "changed by a caller";
        first.Messages[0].Contents.Add(new TextContent(" and more"));
        first.Usage!.OutputTokenCount = 999;
        first.AdditionalProperties!.Clear();
        var second = await cache.GetResponseAsync("hi", Cached("m"));

        Assert.True(second.IsCacheHit());
        Assert.Equal("echo: hi", second.Text);
        Assert.Equal(5, second.Usage!.OutputTokenCount);
    }

    [Fact]
    public async Task LocalCopy_IsServedForLocalDurationThenTheStoreIsReadAgain()
    {
        var time = new FakeTimeProvider(Start);
        var store = NewDistributedCache();
        var inner = new ScriptedChatClient();
        using var cache = new ResponseCacheChatClient(inner, store, new ResponseCacheOptions { TimeProvider = time, LocalDuration = TimeSpan.FromMinutes(1) });
        await cache.GetResponseAsync("hi", Cached("m", TimeSpan.FromHours(1)));
        var key = "stratum:chat:" + ResponseCacheKey.Compute("m", [new ChatMessage(ChatRole.User, "hi")], Cached("m"), streaming: false);
        Assert.NotNull(await store.GetAsync(key));

        // Removed from the store behind the client's back: this process still has its decoded copy for a minute.
        await store.RemoveAsync(key);
        var local = await cache.GetResponseAsync("hi", Cached("m", TimeSpan.FromHours(1)));
        time.Advance(TimeSpan.FromMinutes(1));
        var afterLocalDuration = await cache.GetResponseAsync("hi", Cached("m", TimeSpan.FromHours(1)));

        Assert.True(local.IsCacheHit());
        Assert.False(afterLocalDuration.IsCacheHit());
        Assert.Equal(2, inner.Calls);
    }

    [Fact]
    public async Task LocalCopies_StayWithinLocalEntryLimit_AndDroppedOnesAreReadFromTheStore()
    {
        var store = new CountingDistributedCache(NewDistributedCache());
        var inner = new ScriptedChatClient();
        using var cache = new ResponseCacheChatClient(inner, store, new ResponseCacheOptions { LocalEntryLimit = 10 });
        var prompts = Enumerable.Range(0, 30).Select(i => $"question {i}").ToList();
        foreach (var prompt in prompts)
        {
            await cache.GetResponseAsync(prompt, Cached("m"));
        }

        var readsBefore = store.Reads;
        var hits = new List<ChatResponse>();
        foreach (var prompt in prompts)
        {
            hits.Add(await cache.GetResponseAsync(prompt, Cached("m")));
        }

        // Every answer is still a hit (the store keeps them all), but at most 10 came from local copies.
        Assert.All(hits, hit => Assert.True(hit.IsCacheHit()));
        Assert.Equal(prompts.Select(p => "echo: " + p), hits.Select(h => h.Text));
        Assert.Equal(30, inner.Calls);
        Assert.InRange(store.Reads - readsBefore, 20, 30);
    }

    [Fact]
    public async Task StaleLocalCopies_AreDroppedFirst_WhenTheTableIsFull()
    {
        var time = new FakeTimeProvider(Start);
        var store = new CountingDistributedCache(NewDistributedCache());
        var inner = new ScriptedChatClient();
        using var cache = new ResponseCacheChatClient(inner, store, new ResponseCacheOptions { LocalEntryLimit = 2, TimeProvider = time, LocalDuration = TimeSpan.FromMinutes(1) });
        await cache.GetResponseAsync("old", Cached("m", TimeSpan.FromHours(1)));
        time.Advance(TimeSpan.FromMinutes(2));
        await cache.GetResponseAsync("a", Cached("m", TimeSpan.FromHours(1)));
        await cache.GetResponseAsync("b", Cached("m", TimeSpan.FromHours(1)));

        var readsBefore = store.Reads;
        var a = await cache.GetResponseAsync("a", Cached("m", TimeSpan.FromHours(1)));
        var b = await cache.GetResponseAsync("b", Cached("m", TimeSpan.FromHours(1)));

        // "old" was stale, so adding "b" dropped it rather than "a": both fresh copies answer without the store.
        Assert.True(a.IsCacheHit() && b.IsCacheHit());
        Assert.Equal(0, store.Reads - readsBefore);
    }

    [Fact]
    public async Task WithoutLocalCopies_HitsAreDecodedFromTheStore()
    {
        var inner = new ScriptedChatClient();
        using var cache = NewCacheClient(inner, Store.Distributed, new ResponseCacheOptions { LocalEntryLimit = 0 });

        await cache.GetResponseAsync("hi", Cached("m"));
        var hit = await cache.GetResponseAsync("hi", Cached("m"));
        var live = await ReadAll(cache.GetStreamingResponseAsync("hi", Cached("m")));
        var replayed = await ReadAll(cache.GetStreamingResponseAsync("hi", Cached("m")));

        Assert.True(hit.IsCacheHit());
        Assert.Equal("echo: hi", hit.Text);
        Assert.Equal(1, inner.Calls);
        Assert.Equal(1, inner.Streams);
        Assert.Equal(live.ToChatResponse().Text, replayed.ToChatResponse().Text);
        Assert.True(replayed.ToChatResponse().IsCacheHit());
    }

    [Fact]
    public async Task CacheInTheStratumClientPipeline_ServesRepeatedClientCalls()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.EnqueueFixture(Fixture(OpenAIText));
        var cacheStore = NewHybridCache();
        var model = Nano(server);
        using var stratum = ClientFor(server, "openai", configure: o =>
        {
            o.Models.Register([model]);
            o.Pipeline = b => b.UseStratumCache(cacheStore);
        });

        var first = await stratum.GetResponseAsync(model, "Invent a holiday", Cached());
        var second = await stratum.GetResponseAsync(model, "Invent a holiday", Cached());

        Assert.Single(server.ReceivedRequests);
        Assert.False(first.IsCacheHit());
        Assert.True(second.IsCacheHit());
        Assert.Equal(first.Text, second.Text);
    }

    [Fact]
    public async Task TtlSetTheWayGeneratedLlmCallBodiesSetIt_CachesTheCall()
    {
        var inner = new ScriptedChatClient();
        using var cache = NewCacheClient(inner, Store.Hybrid);

        // What [LlmCall(CacheSeconds = 600)] emits: the TTL under StratumOptionKeys.CacheTtl.
        ChatOptions Generated() => new() { ModelId = "m", AdditionalProperties = new() { [StratumOptionKeys.CacheTtl] = TimeSpan.FromSeconds(600) } };
        await cache.GetResponseAsync("Summarize: x", Generated());
        var hit = await cache.GetResponseAsync("Summarize: x", Generated());

        Assert.True(hit.IsCacheHit());
        Assert.Equal(1, inner.Calls);
    }
}

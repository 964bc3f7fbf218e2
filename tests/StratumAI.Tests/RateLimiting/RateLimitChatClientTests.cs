using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Time.Testing;
using StratumAI.Testing;
using StratumAI.Tests.Resilience;
using static StratumAI.Tests.Caching.CacheTestKit;
using static StratumAI.Tests.TestCatalog;

namespace StratumAI.Tests.RateLimiting;

/// <summary>The rate-limit middleware: waiting in line, the deadline, cancellation, a 429's pause, where limits come from, the key, the cache.</summary>
public class RateLimitChatClientTests
{
    private const string OpenAIText = "openai/chat__vercel-ai-openai__openai-text.json";
    private static readonly DateTimeOffset Start = new(2026, 12, 8, 0, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(10);
    private static readonly ChatOptions Gpt4o = new() { ModelId = "gpt-4o" };

    private static ModelRegistry Registry(ModelInfo? model = null)
    {
        var registry = new ModelRegistry();
        registry.Register([model ?? Model("gpt-4o", Provider("openai"), Gpt4oPricing)]);
        return registry;
    }

    private static (RateLimitChatClient Client, FakeTimeProvider Time, InProcessRateLimitStore Store) Create(
        Resilience.ScriptedChatClient inner,
        Action<StratumRateLimitOptions>? configure = null)
    {
        var time = new FakeTimeProvider(Start);
        var store = new InProcessRateLimitStore(time);
        var options = new StratumRateLimitOptions { Models = Registry() };
        configure?.Invoke(options);
        return (new RateLimitChatClient(inner, store, options), time, store);
    }

    [Fact]
    public async Task CallOverTheLimit_WaitsInLine_AndIsSentWhenTheWindowSlides()
    {
        var inner = new Resilience.ScriptedChatClient().ThenAnswer("first").ThenAnswer("second");
        var (client, time, store) = Create(inner, o => o.Limit("openai", new RateLimit(1, null, TimeSpan.FromSeconds(10))));
        using var _ = store;

        await client.GetResponseAsync("hi", Gpt4o);
        var second = client.GetResponseAsync("hi", Gpt4o);
        await Task.Yield();
        Assert.Equal(1, inner.Calls);

        time.Advance(TimeSpan.FromSeconds(11));

        Assert.Equal("second", (await second.WaitAsync(Guard)).Text);
        Assert.Equal(2, inner.Calls);
    }

    [Fact]
    public async Task NoPermitBeforeTheDeadline_IsARateLimitExceededException_AndNothingIsSent()
    {
        var inner = new Resilience.ScriptedChatClient().ThenAnswer().ThenAnswer();
        var (client, time, store) = Create(inner, o =>
        {
            o.Limit("openai", RateLimit.PerMinute(1));
            o.MaxWait = TimeSpan.FromSeconds(5);
        });
        using var _ = store;
        await client.GetResponseAsync("hi", Gpt4o);

        var second = client.GetResponseAsync("hi", Gpt4o);
        time.Advance(TimeSpan.FromSeconds(5));

        var thrown = await Assert.ThrowsAsync<RateLimitExceededException>(() => second.WaitAsync(Guard));
        Assert.Equal(1, inner.Calls);
        Assert.Equal("openai/gpt-4o/none", thrown.Key);
        Assert.Equal("gpt-4o", thrown.ModelId);
        Assert.Equal("openai", thrown.ProviderId);
        Assert.Equal(TimeSpan.FromSeconds(5), thrown.MaxWait);
        Assert.False(thrown.IsRetryable);
        Assert.Null(thrown.StatusCode);
        Assert.Contains("StratumRateLimitOptions.MaxWait", thrown.Message, StringComparison.Ordinal);
        Assert.IsAssignableFrom<StratumRateLimitException>(thrown);
    }

    [Fact]
    public async Task CallerCancelling_WhileInLine_IsAnOperationCanceledException_AndNothingIsSent()
    {
        var inner = new Resilience.ScriptedChatClient().ThenAnswer().ThenAnswer();
        var (client, _, store) = Create(inner, o => o.Limit("openai", RateLimit.PerMinute(1)));
        using var __ = store;
        await client.GetResponseAsync("hi", Gpt4o);
        using var cancel = new CancellationTokenSource();

        var second = client.GetResponseAsync("hi", Gpt4o, cancel.Token);
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => second.WaitAsync(Guard));
        Assert.Equal(1, inner.Calls);
    }

    [Fact]
    public async Task A429WithRetryAfter_PausesTheKeyForEveryCaller()
    {
        var inner = new Resilience.ScriptedChatClient().ThenThrow(Scripted.RateLimited(TimeSpan.FromSeconds(7))).ThenAnswer("after the pause");
        var (client, time, store) = Create(inner);
        using var _ = store;

        await Assert.ThrowsAsync<StratumRateLimitException>(() => client.GetResponseAsync("hi", Gpt4o));
        Assert.Equal(Start.AddSeconds(7), store.PausedUntil("openai/gpt-4o/none"));

        var other = client.GetResponseAsync("another caller", Gpt4o);
        time.Advance(TimeSpan.FromSeconds(6));
        await Task.Yield();
        Assert.Equal(1, inner.Calls);
        time.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal("after the pause", (await other.WaitAsync(Guard)).Text);
    }

    [Fact]
    public async Task APauseLongerThanTheDeadline_FailsAtOnce_WithoutWaiting()
    {
        var inner = new Resilience.ScriptedChatClient().ThenThrow(Scripted.RateLimited(TimeSpan.FromSeconds(45))).ThenAnswer();
        var (client, _, store) = Create(inner, o => o.MaxWait = TimeSpan.FromSeconds(30));
        using var __ = store;
        await Assert.ThrowsAsync<StratumRateLimitException>(() => client.GetResponseAsync("hi", Gpt4o));

        var thrown = await Assert.ThrowsAsync<RateLimitExceededException>(() => client.GetResponseAsync("hi", Gpt4o).WaitAsync(Guard));

        Assert.Equal(1, inner.Calls);
        Assert.Contains("paused after a 429", thrown.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnExhaustedQuota_PausesNothing()
    {
        var quota = new StratumRateLimitException("quota") { ErrorCode = "insufficient_quota", RetryAfter = TimeSpan.FromSeconds(30) };
        var inner = new Resilience.ScriptedChatClient().ThenThrow(quota).ThenAnswer();
        var (client, _, store) = Create(inner);
        using var __ = store;

        await Assert.ThrowsAsync<StratumRateLimitException>(() => client.GetResponseAsync("hi", Gpt4o));

        Assert.Null(store.PausedUntil("openai/gpt-4o/none"));
    }

    [Fact]
    public async Task A429InAStream_PausesTheKey_AndAStreamWaitsForItsPermitBeforeStarting()
    {
        var inner = new Resilience.ScriptedChatClient()
            .ThenStream((_, _) => Scripted.FailingStream(Scripted.RateLimited(TimeSpan.FromSeconds(3))))
            .ThenStream((_, ct) => Scripted.Stream(["a", "b"], cancellationToken: ct));
        var (client, time, store) = Create(inner);
        using var _ = store;

        await Assert.ThrowsAsync<StratumRateLimitException>(() => Scripted.ReadAllAsync(client.GetStreamingResponseAsync("hi", Gpt4o)));
        var second = Scripted.ReadAllAsync(client.GetStreamingResponseAsync("hi", Gpt4o));
        await Task.Yield();
        Assert.Equal(1, inner.Calls);
        time.Advance(TimeSpan.FromSeconds(3));

        Assert.Equal(["a", "b"], await second.WaitAsync(Guard));
    }

    [Fact]
    public async Task Tokens_ArePromptEstimatePlusMaxOutput_AgainstTheTokenLimit()
    {
        var inner = new Resilience.ScriptedChatClient().ThenAnswer().ThenAnswer();
        var (client, _, store) = Create(inner, o =>
        {
            o.Limit("openai", new RateLimit(null, 1_000, TimeSpan.FromMinutes(1)));
            o.MaxWait = TimeSpan.Zero;
        });
        using var _ = store;
        var options = new ChatOptions { ModelId = "gpt-4o", MaxOutputTokens = 600 };

        var described = client.Describe([new ChatMessage(ChatRole.User, "hi")], options)!;
        Assert.InRange(described.Tokens, 601, 700);

        await client.GetResponseAsync("hi", options);
        await Assert.ThrowsAsync<RateLimitExceededException>(() => client.GetResponseAsync("hi", options));
        Assert.Equal(1, inner.Calls);
    }

    [Fact]
    public void Limits_ComeFromOptions_ThenProviderOptions_ThenTheCatalog()
    {
        var provider = new ProviderInfo("openai", "OpenAI", "openai", "https://api.openai.com/v1", null) { RequestsPerMinute = 3_000, TokensPerMinute = 1_000_000 };
        var model = new ModelInfo("gpt-4o", "Gpt4o", provider, null, 128_000, 16_384, Gpt4oPricing, ModelCapabilities.None) { RequestsPerMinute = 500 };
        var registry = Registry(model);
        var messages = new[] { new ChatMessage(ChatRole.User, "hi") };

        var catalogOnly = new RateLimitChatClient(new Resilience.ScriptedChatClient(), InProcessRateLimitStore.Shared, new StratumRateLimitOptions { Models = registry });
        Assert.Equal(
            ["openai/gpt-4o/none: 500 requests / - tokens per 60 s", "openai/*/none: 3000 requests / 1000000 tokens per 60 s"],
            catalogOnly.Describe(messages, Gpt4o)!.Buckets.Select(b => b.ToString()));

        var configured = new RateLimitChatClient(new Resilience.ScriptedChatClient(), InProcessRateLimitStore.Shared, new StratumRateLimitOptions { Models = registry }
            .Limit("openai", "gpt-4o", RateLimit.PerMinute(50))
            .Limit("openai", RateLimit.PerMinute(100, 2_000)));
        Assert.Equal(
            ["openai/gpt-4o/none: 50 requests / - tokens per 60 s", "openai/*/none: 100 requests / 2000 tokens per 60 s"],
            configured.Describe(messages, Gpt4o)!.Buckets.Select(b => b.ToString()));

        var noCatalog = new RateLimitChatClient(new Resilience.ScriptedChatClient(), InProcessRateLimitStore.Shared, new StratumRateLimitOptions { Models = registry, UseCatalogLimits = false });
        Assert.Empty(noCatalog.Describe(messages, Gpt4o)!.Buckets);
    }

    [Fact]
    public async Task ProviderOptionsLimit_AndTheKeyIdentity_ComeFromTheStratumClientBelow_AndTheKeyNeverShows()
    {
        await using var server = await FakeProviderServer.StartAsync();
        var nano = Model("gpt-4.1-nano", Provider("openai", server.V1()), Gpt41NanoPricing);
        using var stratum = ClientFor(server, "openai", configure: o =>
        {
            o.Models.Register([nano]);
            o.Provider("openai").RequestsPerMinute = 1;
        });
        using var store = new InProcessRateLimitStore(new FakeTimeProvider(Start));
        using var chat = stratum.AsChatClient().AsBuilder().UseStratumRateLimits(store, o => o.MaxWait = TimeSpan.Zero).Build();
        server.EnqueueFixture(Fixture(OpenAIText));
        var identity = "k-" + Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(CanaryKey)).AsSpan(0, 4)).ToLowerInvariant();

        await chat.GetResponseAsync("Invent a holiday", new ChatOptions { ModelId = "gpt-4.1-nano" });
        var thrown = await Assert.ThrowsAsync<RateLimitExceededException>(() => chat.GetResponseAsync("Invent a holiday", new ChatOptions { ModelId = "gpt-4.1-nano" }));

        Assert.Single(server.ReceivedRequests);
        Assert.Equal("openai/gpt-4.1-nano/" + identity, thrown.Key);
        Assert.Contains("openai/*/" + identity + ": 1 requests", thrown.Limits, StringComparison.Ordinal);
        Assert.DoesNotContain(CanaryKey, thrown.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ACacheHit_TakesNoPermit()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.EnqueueFixture(Fixture(OpenAIText));
        var nano = Model("gpt-4.1-nano", Provider("openai", server.V1()), Gpt41NanoPricing);
        using var stratum = ClientFor(server, "openai", configure: o => o.Models.Register([nano]));
        using var store = new InProcessRateLimitStore(new FakeTimeProvider(Start));
        using var chat = stratum.AsChatClient().AsBuilder()
            .UseStratumCache(NewHybridCache())
            .UseStratumRateLimits(store, o =>
            {
                o.Limit("openai", RateLimit.PerMinute(1));
                o.MaxWait = TimeSpan.Zero;
            })
            .Build();

        await chat.GetResponseAsync("Invent a holiday", Cached("gpt-4.1-nano"));
        var hit = await chat.GetResponseAsync("Invent a holiday", Cached("gpt-4.1-nano"));
        await Assert.ThrowsAsync<RateLimitExceededException>(() => chat.GetResponseAsync("Another question", Cached("gpt-4.1-nano")));

        Assert.True(hit.IsCacheHit());
        Assert.Single(server.ReceivedRequests);
    }

    [Fact]
    public async Task UnderResilience_ARetryAfterA429_WaitsThePauseAndTakesAPermitOfItsOwn()
    {
        var inner = new Resilience.ScriptedChatClient().ThenThrow(Scripted.RateLimited(TimeSpan.FromSeconds(2))).ThenAnswer("retried");
        var time = new ObservedTime();
        using var store = new InProcessRateLimitStore(time);
        using var client = new ChatClientBuilder(inner)
            .UseStratumResilience(o =>
            {
                o.TimeProvider = time;
                o.Models = Registry();
            })
            .UseStratumRateLimits(store, o =>
            {
                o.Models = Registry();
                o.Limit("openai", new RateLimit(2, null, TimeSpan.FromMinutes(1)));
                o.MaxWait = TimeSpan.Zero;
            })
            .Build();

        var call = client.GetResponseAsync("hi", Gpt4o);
        await time.TimerOfAsync(TimeSpan.FromSeconds(2));
        time.Advance(TimeSpan.FromSeconds(2));

        Assert.Equal("retried", (await call.WaitAsync(Guard)).Text);
        Assert.Equal(2, inner.Calls);

        // Both attempts took a permit: a third call has none left in this window.
        await Assert.ThrowsAsync<RateLimitExceededException>(() => client.GetResponseAsync("hi", Gpt4o));
    }
}

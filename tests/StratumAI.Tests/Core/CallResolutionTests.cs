using Microsoft.Extensions.AI;
using StratumAI.Testing;
using StratumAI.Tests.Caching;
using static StratumAI.Tests.TestCatalog;

namespace StratumAI.Tests.Core;

/// <summary>
/// A call resolves its catalog model once — into its <see cref="StratumCallContext"/> — however many StratumAI middleware it
/// passes, and once more per fallback attempt at most: every middleware and the dispatcher read the context instead of
/// looking the model up again by string. Counted on the client's registry (<see cref="ModelRegistry.Lookups"/>).
/// </summary>
public sealed class CallResolutionTests
{
    private const string Answer = "openai/chat__pydantic-ai__test_openai_instructions.yaml";
    private const string Stream = "openai/stream__crewai__test_openai_streaming_returns_usage_metrics.yaml";

    /// <summary>Every StratumAI middleware, in the documented order (cache outermost, cost tracking innermost).</summary>
    private static void AllMiddleware(ChatClientBuilder builder, CostTracker tracker) => builder
        .UseStratumCache(CacheTestKit.NewHybridCache())
        .UseStratumTelemetry()
        .UseStratumResilience(o => o.MaxRetryAttempts = 0)
        .UseStratumBudget(new BudgetManager([BudgetPolicy.Daily(100m)]))
        .UseStratumCostTracking(tracker);

    [Fact]
    public async Task ACallToAModelInfo_ThroughEveryMiddleware_LooksNothingUp()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.EnqueueFixture(Fixture(Answer));
        var tracker = new CostTracker();
        using var client = ClientFor(server, "openai", configure: o => o.Pipeline = b => AllMiddleware(b, tracker));
        var model = Register(client, "gpt-4o");
        var before = client.Models.Lookups;

        var response = await client.GetResponseAsync(model, "What is the capital of France?");

        Assert.Equal("The capital of France is Paris.", response.Text);
        Assert.Equal(0, client.Models.Lookups - before);
        Assert.Equal("gpt-4o", Assert.Single(tracker.History).ModelId);
    }

    [Fact]
    public async Task ACallByModelId_ThroughEveryMiddleware_LooksTheModelUpOnce()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.EnqueueFixture(Fixture(Answer));
        var tracker = new CostTracker();
        using var client = ClientFor(server, "openai", configure: o => o.Pipeline = b => AllMiddleware(b, tracker));
        Register(client, "gpt-4o");
        var before = client.Models.Lookups;

        await client.GetResponseAsync("gpt-4o", "What is the capital of France?");

        Assert.Equal(1, client.Models.Lookups - before);
        Assert.Single(tracker.History);
    }

    [Fact]
    public async Task AnOwnPipelineOverAsChatClient_LooksTheModelUpOnce()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.EnqueueFixture(Fixture(Answer));
        var tracker = new CostTracker();
        using var client = ClientFor(server, "openai");
        Register(client, "gpt-4o");
        var builder = client.AsChatClient().AsBuilder();
        AllMiddleware(builder, tracker);
        using var chat = builder.Build();
        var before = client.Models.Lookups;

        await chat.GetResponseAsync("What is the capital of France?", new ChatOptions { ModelId = "gpt-4o" });

        Assert.Equal(1, client.Models.Lookups - before);
        Assert.Single(tracker.History);
    }

    [Fact]
    public async Task AStreamThroughAnOwnPipeline_LooksTheModelUpOnce()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.EnqueueFixture(Fixture(Stream));
        var tracker = new CostTracker();
        using var client = ClientFor(server, "openai");
        Register(client, "gpt-4o");
        var builder = client.AsChatClient().AsBuilder();
        AllMiddleware(builder, tracker);
        using var chat = builder.Build();
        var before = client.Models.Lookups;

        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in chat.GetStreamingResponseAsync("hi", new ChatOptions { ModelId = "gpt-4o" }))
        {
            updates.Add(update);
        }

        Assert.NotEmpty(updates.ToChatResponse().Text);
        Assert.Equal(1, client.Models.Lookups - before);
        Assert.Single(tracker.History);
    }

    [Fact]
    public async Task AFallback_LooksUpAtMostOnceMorePerAttempt()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.Enqueue(FakeResponse.Status(503));
        server.EnqueueFixture(Fixture(Answer));
        var tracker = new CostTracker();
        using var client = ClientFor(server, "openai", configure: o => o.Pipeline = b =>
        {
            b.UseStratumFallbacks("gpt-4.1-nano");
            AllMiddleware(b, tracker);
        });
        var primary = Register(client, "gpt-4o");
        Register(client, "gpt-4.1-nano", Gpt41NanoPricing);
        var before = client.Models.Lookups;

        var response = await client.GetResponseAsync(primary, "What is the capital of France?");

        Assert.Equal("The capital of France is Paris.", response.Text);
        Assert.Equal(2, server.ReceivedRequests.Count);
        Assert.InRange(client.Models.Lookups - before, 0, 1);
        Assert.Equal("gpt-4.1-nano", Assert.Single(tracker.History, r => r.Outcome == CostOutcome.Succeeded).ModelId);
    }

    [Fact]
    public async Task TheContext_CarriesTagsCallerTtlAndTheAttempt()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.Enqueue(FakeResponse.Status(503));
        server.EnqueueFixture(Fixture(Answer));
        var seen = new List<StratumCallContext>();
        using var client = ClientFor(server, "openai", configure: o => o.Pipeline = b => b
            .UseStratumFallbacks("gpt-4.1-nano")
            .Use((messages, options, next, ct) =>
            {
                seen.Add(options.GetCallContext()!);
                return next(messages, options, ct);
            }));
        var primary = Register(client, "gpt-4o");
        var fallback = Register(client, "gpt-4.1-nano", Gpt41NanoPricing);
        var options = new ChatOptions().WithTags("summaries").WithCaller("tenant-7").WithCacheTtl(TimeSpan.FromMinutes(5));

        await client.GetResponseAsync(primary, "What is the capital of France?", options);

        Assert.Equal(2, seen.Count);
        Assert.Same(primary, seen[0].Model);
        Assert.Same(fallback, seen[1].Model);
        Assert.Equal([1, 2], seen.Select(c => c.Attempt));
        Assert.Equal(seen[0].CallId, seen[1].CallId);
        Assert.All(seen, c =>
        {
            Assert.Equal(["summaries"], c.Tags);
            Assert.Equal("tenant-7", c.Caller);
            Assert.Equal(TimeSpan.FromMinutes(5), c.CacheTtl);
        });
    }

    private static ModelInfo Register(StratumClient client, string id, ModelPricing? pricing = null)
    {
        var model = Model(id, Provider("openai"), pricing ?? Gpt4oPricing);
        client.Models.Register([model]);
        return model;
    }
}

using Microsoft.Extensions.AI;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using StratumAI.Testing;
using static StratumAI.Tests.TestCatalog;

namespace StratumAI.Tests.Core;

/// <summary>
/// A call through every StratumAI middleware resolves its catalog model once: the first middleware that sees it without a
/// <see cref="StratumCallContext"/> looks the model up and passes the context down, and every other layer reuses it.
/// </summary>
public sealed class CallContextPipelineTests
{
    private const string OpenAIText = "openai/chat__vercel-ai-openai__openai-text.json";
    private const string OpenAIStream = "openai/stream__vercel-ai-openai__openai-text.chunks.txt";

    // gpt-4.1-nano ($0.10 in, $0.40 out per 1M): the recorded response is 16 in + 363 out.
    private const decimal RecordedNanoCost = 0.0001468m;

    [Fact]
    public async Task EveryMiddleware_OverAsChatClient_ResolvesTheModelOncePerCall_AndReadsTagsAndCallerFromTheContext()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.EnqueueFixture(Fixture(OpenAIText));
        using var stratum = ClientFor(server, "openai");
        stratum.Models.Register([Nano()]);
        var tracker = new CostTracker();
        var budgets = new BudgetManager([BudgetPolicy.Daily(1m), new BudgetPolicy(BudgetScope.Caller("user-7"), BudgetPeriod.Day, 1m)]);
        var seen = new ContextProbe();
        using var client = AllMiddleware(stratum.AsChatClient(), budgets, tracker, seen);
        var options = new ChatOptions { ModelId = "nano-alias" }.WithTags("reports").WithCaller("user-7");

        var before = stratum.Models.Lookups;
        var response = await client.GetResponseAsync("Invent a new holiday and describe its traditions.", options);

        Assert.Equal(1, stratum.Models.Lookups - before);
        Assert.Equal(RecordedNanoCost, response.GetCost()!.Total);
        var context = Assert.Single(seen.Contexts);
        Assert.Equal("gpt-4.1-nano", context.Model.Id);
        Assert.Equal(["reports"], context.Tags);
        Assert.Equal("user-7", context.Caller);
        var record = Assert.Single(tracker.History);
        Assert.Equal(["reports"], record.Tags);
        Assert.Equal(("user-7", RecordedNanoCost), (record.Caller, record.Total));
        Assert.Equal(RecordedNanoCost, budgets.GetStatus(budgets.Policies[1], "user-7").Spent);

        // The attempt's cost was added to the call's running cost exactly once, by the model client.
        Assert.Equal(RecordedNanoCost, context.CostSoFar);
    }

    [Fact]
    public async Task EveryMiddleware_Streaming_ResolvesTheModelOncePerCall()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.EnqueueFixture(Fixture(OpenAIStream));
        using var stratum = ClientFor(server, "openai");
        stratum.Models.Register([Nano()]);
        var tracker = new CostTracker();
        var seen = new ContextProbe();
        using var client = AllMiddleware(stratum.AsChatClient(), new BudgetManager([BudgetPolicy.Daily(1m)]), tracker, seen);

        var before = stratum.Models.Lookups;
        await foreach (var update in client.GetStreamingResponseAsync("Invent a new holiday and describe its traditions.", new ChatOptions { ModelId = "gpt-4.1-nano" }))
        {
            Assert.NotNull(update);
        }

        Assert.Equal(1, stratum.Models.Lookups - before);
        var context = Assert.Single(seen.Contexts);
        Assert.Equal(Assert.Single(tracker.History).Total, context.CostSoFar);
        Assert.True(context.CostSoFar > 0m);
    }

    [Fact]
    public async Task EveryMiddleware_InTheClientsPipeline_CallToACatalogModel_LooksNothingUp()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.EnqueueFixture(Fixture(OpenAIText));
        var tracker = new CostTracker();
        var seen = new ContextProbe();
        var budgets = new BudgetManager([BudgetPolicy.Daily(1m)]);
        IDistributedCache cache = new MemoryDistributedCache(Options.Create(new MemoryDistributedCacheOptions()));
        using var stratum = ClientFor(server, "openai", configure: options => options.Pipeline = builder => builder
            .UseStratumCache(cache)
            .UseStratumTelemetry()
            .UseStratumBudget(budgets)
            .UseStratumCostTracking(tracker)
            .Use(inner => new ContextProbeClient(inner, seen)));
        var nano = Nano();
        stratum.Models.Register([nano]);

        var before = stratum.Models.Lookups;
        await stratum.GetChatClient(nano).GetResponseAsync("Invent a new holiday and describe its traditions.", new ChatOptions().WithCacheTtl(TimeSpan.FromMinutes(5)));
        var hit = await stratum.GetChatClient(nano).GetResponseAsync("Invent a new holiday and describe its traditions.", new ChatOptions().WithCacheTtl(TimeSpan.FromMinutes(5)));

        Assert.Equal(0, stratum.Models.Lookups - before);
        Assert.True(hit.IsCacheHit());
        Assert.Same(nano, Assert.Single(seen.Contexts).Model);
        Assert.Single(server.ReceivedRequests);
    }

    [Fact]
    public async Task CacheHit_OverAsChatClient_LooksNothingUp()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.EnqueueFixture(Fixture(OpenAIText));
        using var stratum = ClientFor(server, "openai");
        stratum.Models.Register([Nano()]);
        IDistributedCache cache = new MemoryDistributedCache(Options.Create(new MemoryDistributedCacheOptions()));
        using var client = stratum.AsChatClient().AsBuilder().UseStratumCache(cache).UseStratumTelemetry().Build();
        ChatOptions Cached() => new ChatOptions { ModelId = "gpt-4.1-nano" }.WithCacheTtl(TimeSpan.FromMinutes(5));

        var first = stratum.Models.Lookups;
        await client.GetResponseAsync("Invent a new holiday and describe its traditions.", Cached());
        var second = stratum.Models.Lookups;
        var hit = await client.GetResponseAsync("Invent a new holiday and describe its traditions.", Cached());

        Assert.True(hit.IsCacheHit());
        Assert.Equal(1, second - first);
        Assert.Equal(second, stratum.Models.Lookups);
    }

    private static ModelInfo Nano() => Model("gpt-4.1-nano", Provider("openai"), Gpt41NanoPricing, aliases: ["nano-alias"]);

    private static IChatClient AllMiddleware(IChatClient inner, BudgetManager budgets, CostTracker tracker, ContextProbe seen) =>
        inner.AsBuilder()
            .UseStratumCache(new MemoryDistributedCache(Options.Create(new MemoryDistributedCacheOptions())))
            .UseStratumTelemetry()
            .UseStratumBudget(budgets)
            .UseStratumCostTracking(tracker)
            .Use(next => new ContextProbeClient(next, seen))
            .Build();

    /// <summary>The contexts the bottom of a pipeline saw.</summary>
    private sealed class ContextProbe
    {
        public List<StratumCallContext> Contexts { get; } = [];
    }

    /// <summary>Records the call context that reaches the dispatcher.</summary>
    private sealed class ContextProbeClient(IChatClient inner, ContextProbe probe) : DelegatingChatClient(inner)
    {
        public override Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        {
            Record(options);
            return base.GetResponseAsync(messages, options, cancellationToken);
        }

        public override IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        {
            Record(options);
            return base.GetStreamingResponseAsync(messages, options, cancellationToken);
        }

        private void Record(ChatOptions? options)
        {
            lock (probe.Contexts)
            {
                probe.Contexts.Add(options.GetCallContext() ?? throw new InvalidOperationException("No call context reached the bottom of the pipeline."));
            }
        }
    }
}

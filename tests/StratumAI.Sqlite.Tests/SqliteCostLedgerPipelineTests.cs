using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using StratumAI.Testing;

namespace StratumAI.Sqlite.Tests;

public sealed class SqliteCostLedgerPipelineTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task AddSqliteCostLedgerAndUseStratumCostTracking_RecordedCallsAreInTheFile_AndItsTotalEqualsTheTrackersExactly()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.EnqueueFixture(FixtureLoader.GetFixturePath("openai/chat__vercel-ai-openai__openai-text.json"));
        server.EnqueueFixture(FixtureLoader.GetFixturePath("openai/stream__vercel-ai-openai__openai-text.chunks.txt"));
        var options = new StratumClientOptions { Models = new ModelRegistry() };
        var provider = options.Provider("openai");
        provider.ApiKey = "sk-test-not-a-real-key";
        provider.BaseUrl = new Uri(server.BaseUri, "v1");
        using var stratum = new StratumClient(options);
        var nano = new ModelInfo("gpt-4.1-nano", "Gpt41Nano", new ProviderInfo("openai", "OpenAI", "openai", provider.BaseUrl.ToString(), null), null, 1_047_576, 32_768, new ModelPricing(0.1m, 0.4m, CachedInputPerMillion: 0.025m), ModelCapabilities.None);
        var database = _temp.File("costs.db");
        var services = new ServiceCollection().AddSqliteCostLedger(database);
        services.AddChatClient(stratum.GetChatClient(nano)).UseStratumCostTracking(client => client.DefaultCaller = "report-test");

        await using (var container = services.BuildServiceProvider())
        {
            var client = container.GetRequiredService<IChatClient>();
            await client.GetResponseAsync("hi");
            await foreach (var update in client.GetStreamingResponseAsync("hi"))
            {
                Assert.NotNull(update);
            }

            Assert.Same(container.GetRequiredService<SqliteCostLedger>(), container.GetRequiredService<ICostLedger>());
            Assert.Equal(2, container.GetRequiredService<CostTracker>().History.Count);
        }

        // The container disposed the ledger; a new one reads what the calls committed.
        await using var ledger = new SqliteCostLedger(database);
        var total = await ledger.GetTotalAsync();

        // gpt-4.1-nano: 16 in + 363 out = 0.0001468 for the response; 16 in + 300 out = 0.0001216 for the stream.
        Assert.Equal(2, total.Calls);
        Assert.Equal(0.0002684m, total.Cost);
        Assert.Equal(0.0002684m, (await ledger.GetTotalsAsync(CostGrouping.Caller))["report-test"].Cost);
        Assert.Equal(["gpt-4.1-nano"], (await ledger.GetTotalsAsync(CostGrouping.Model)).Keys);
    }

    [Fact]
    public async Task StreamCutBeforeItsUsage_IsChargedItsWorstCase_AndRecordedAsEstimatedInTheTrackerAndTheFile()
    {
        await using var server = await FakeProviderServer.StartAsync();
        var exchange = FixtureLoader.Load(FixtureLoader.GetFixturePath("openai/stream__vercel-ai-openai__openai-text.chunks.txt"))[0];
        var body = exchange.Response.BodyText;
        var thirdEventEnd = 0;
        for (var i = 0; i < 3; i++)
        {
            thirdEventEnd = body.IndexOf("\n\n", thirdEventEnd, StringComparison.Ordinal) + 2;
        }

        // The usage chunk is the last event of an OpenAI stream: cut after three events, none of it arrives.
        server.Enqueue(FakeResponse.FromExchange(exchange) with { AbortAfterBodyBytes = System.Text.Encoding.UTF8.GetByteCount(body[..thirdEventEnd]) });
        var options = new StratumClientOptions { Models = new ModelRegistry() };
        var provider = options.Provider("openai");
        provider.ApiKey = "sk-test-not-a-real-key";
        provider.BaseUrl = new Uri(server.BaseUri, "v1");
        using var stratum = new StratumClient(options);
        var nano = new ModelInfo("gpt-4.1-nano", "Gpt41Nano", new ProviderInfo("openai", "OpenAI", "openai", provider.BaseUrl.ToString(), null), null, 1_047_576, 32_768, new ModelPricing(0.1m, 0.4m, CachedInputPerMillion: 0.025m), ModelCapabilities.None);
        var policy = BudgetPolicy.Daily(1m);
        var budgets = new BudgetManager([policy]);
        var tracker = new CostTracker();
        var database = _temp.File("cut.db");
        var request = new ChatOptions { MaxOutputTokens = 200 };
        decimal worstCase;
        await using (var ledger = new SqliteCostLedger(database))
        {
            using var client = stratum.GetChatClient(nano).AsBuilder().UseStratumBudget(budgets).UseStratumCostTracking(tracker, o => o.Ledger = ledger).Build();
            worstCase = client.GetService<BudgetChatClient>()!.Estimate([new ChatMessage(ChatRole.User, "hi")], request).Cost;
            var seen = 0;
            await Assert.ThrowsAnyAsync<StratumException>(async () =>
            {
                await foreach (var update in client.GetStreamingResponseAsync("hi", request))
                {
                    seen++;
                }
            });
            Assert.InRange(seen, 1, 3);
        }

        Assert.Equal((worstCase, 0m), (budgets.GetStatus(policy).Spent, budgets.GetStatus(policy).Reserved));
        var tracked = Assert.Single(tracker.History);
        Assert.True(tracked.IsEstimated);
        Assert.False(tracked.HasUsage);
        Assert.Equal(CostOutcome.Failed, tracked.Outcome);
        Assert.Equal(worstCase, tracked.Total);

        await using var reopened = new SqliteCostLedger(database);
        var stored = Assert.Single(await reopened.GetRecordsAsync());
        Assert.Equal(tracked.Id, stored.Id);
        Assert.True(stored.IsEstimated);
        Assert.Equal(worstCase, stored.Total);
        var total = await reopened.GetTotalAsync();
        Assert.Equal((worstCase, 1L, 1L), (total.Cost, total.Calls, total.EstimatedCalls));
    }

    [Fact]
    public void UseStratumCostTracking_WithoutARegisteredLedger_RecordsInTheRegisteredTrackerAlone()
    {
        var tracker = new CostTracker();
        using var container = new ServiceCollection().AddSingleton(tracker).BuildServiceProvider();
        using var inner = new ChatClientBuilder(new ThrowingClient()).Build();

        using var client = inner.AsBuilder().UseStratumCostTracking().Build(container);

        var tracking = Assert.IsType<CostTrackingChatClient>(client.GetService(typeof(CostTrackingChatClient)));
        Assert.Same(tracker, tracking.Tracker);
        Assert.Null(tracking.Options.Ledger);
    }

    [Fact]
    public void AddSqliteCostLedger_ReplacesAnInMemoryLedger_AndKeepsAnExistingTracker()
    {
        var tracker = new CostTracker();
        var services = new ServiceCollection().AddSingleton(tracker).AddInMemoryCostLedger().AddSqliteCostLedger(_temp.File("replace.db"));
        using var container = services.BuildServiceProvider();

        Assert.IsType<SqliteCostLedger>(container.GetRequiredService<ICostLedger>());
        Assert.Same(tracker, container.GetRequiredService<CostTracker>());
    }

    private sealed class ThrowingClient : IChatClient
    {
        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
            throw new InvalidOperationException("not called");

        public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
            throw new InvalidOperationException("not called");

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
            // Nothing to release.
        }
    }
}

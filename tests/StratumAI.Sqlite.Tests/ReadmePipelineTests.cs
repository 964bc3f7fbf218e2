using Microsoft.Extensions.DependencyInjection;
using StratumAI.Testing;

namespace StratumAI.Sqlite.Tests;

/// <summary>The production pipeline exactly as README.md shows it, so the README cannot drift from the code.</summary>
public sealed class ReadmePipelineTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task ReadmePipeline_OpenAIDown_ClaudeAnswers_TheCallIsInTheSqliteLedgerAndTheBudget_AndTheRepeatIsCached()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.Enqueue(FakeResponse.Status(503), "/chat/completions");
        server.EnqueueFixture(FixtureLoader.GetFixturePath("anthropic/chat__vercel-ai-anthropic__anthropic-text.json"), "/messages");
        var registry = new ModelRegistry();
        var openai = new ProviderInfo("openai", "OpenAI", "openai", null, null);
        var anthropic = new ProviderInfo("anthropic", "Anthropic", "anthropic", null, null);
        registry.Register(
        [
            new ModelInfo("gpt-4o", "Gpt4o", openai, null, 128_000, 16_384, new ModelPricing(2.5m, 10m, CachedInputPerMillion: 1.25m), ModelCapabilities.None),
            new ModelInfo("claude-sonnet-4-5", "ClaudeSonnet45", anthropic, null, 200_000, 64_000, new ModelPricing(3m, 15m, CachedInputPerMillion: 0.3m, CacheWritePerMillion: 3.75m), ModelCapabilities.None),
        ]);
        var database = _temp.File("costs.db");
        var budgets = new BudgetManager([BudgetPolicy.Daily(50m), BudgetPolicy.PerCall(2m)]);

        var services = new ServiceCollection();
        // From here to the end of AddStratumAI: README.md's "In production" snippet, plus the fake server's addresses and no retries (the
        // 503 would otherwise be retried on the real clock before the fallback).
        services.AddHybridCache();
        services.AddSqliteCostLedger(database);
        services.AddSingleton(budgets);
        services.AddStratumAI(options =>
        {
            options.Models = registry;
            options.Provider("openai").ApiKey = "sk-test-not-a-real-key";
            options.Provider("openai").BaseUrl = new Uri(server.BaseUri, "v1");
            options.Provider("anthropic").ApiKey = "sk-ant-test-not-a-real-key";
            options.Provider("anthropic").BaseUrl = new Uri(server.BaseUri, "v1");
            options.Pipeline = pipeline => pipeline
                .UseStratumCache()
                .UseStratumTelemetry()
                .UseStratumFallbacks("claude-sonnet-4-5")
                .UseStratumResilience(o => o.MaxRetryAttempts = 0)
                .UseStratumBudget()
                .UseStratumCostTracking();
        });

        decimal cost;
        await using (var container = services.BuildServiceProvider())
        {
            var stratum = container.GetRequiredService<StratumClient>();
            var cached = new Microsoft.Extensions.AI.ChatOptions { AdditionalProperties = new() { [StratumOptionKeys.CacheTtl] = TimeSpan.FromMinutes(5) } };

            var first = await stratum.GetResponseAsync("gpt-4o", "Invent a new holiday and describe its traditions.", cached);
            var second = await stratum.GetResponseAsync("gpt-4o", "Invent a new holiday and describe its traditions.", cached);

            Assert.Equal("claude-sonnet-4-5", first.GetModelInfo()!.Id);
            cost = first.GetCost()!.Total;
            Assert.True(cost > 0m);
            Assert.True(second.IsCacheHit());
            Assert.Equal(first.Text, second.Text);
            Assert.Equal(2, server.ReceivedRequests.Count);
            Assert.Equal(cost, budgets.GetStatus(budgets.Policies[0]).Spent);
            Assert.Equal(cost, container.GetRequiredService<CostTracker>().GetTotal().Cost);
        }

        await using var ledger = new SqliteCostLedger(database);
        var total = await ledger.GetTotalAsync();
        Assert.Equal((1L, cost), (total.Calls, total.Cost));
    }
}

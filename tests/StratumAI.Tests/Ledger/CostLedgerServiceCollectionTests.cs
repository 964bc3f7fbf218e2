using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using StratumAI.Testing;
using static StratumAI.Tests.TestCatalog;

namespace StratumAI.Tests.Ledger;

public sealed class CostLedgerServiceCollectionTests
{
    [Fact]
    public async Task AddInMemoryCostLedgerAndUseStratumCostTracking_RecordsEveryCallInTheRegisteredTrackerAndLedger_StampedByTheRegisteredClock()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.EnqueueFixture(Fixture("openai/chat__vercel-ai-openai__openai-text.json"));
        using var stratum = ClientFor(server, "openai");
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 25, 23, 59, 0, TimeSpan.Zero));
        var services = new ServiceCollection().AddSingleton<TimeProvider>(clock).AddInMemoryCostLedger();
        services.AddChatClient(stratum.GetChatClient(Model("gpt-4.1-nano", Provider("openai", server.V1()), Gpt41NanoPricing))).UseStratumCostTracking(c => c.DefaultCaller = "svc");
        await using var container = services.BuildServiceProvider();

        await container.GetRequiredService<IChatClient>().GetResponseAsync("hi");

        var ledger = container.GetRequiredService<InMemoryCostLedger>();
        Assert.Same(ledger, container.GetRequiredService<ICostLedger>());
        var record = Assert.Single(await ledger.GetRecordsAsync());
        Assert.Equal(Assert.Single(container.GetRequiredService<CostTracker>().History).Id, record.Id);
        Assert.Equal(clock.GetUtcNow(), record.Timestamp);
        Assert.Equal(0.0001468m, (await ledger.GetTotalsAsync(CostGrouping.Day))["2026-11-25"].Cost);
        Assert.Equal(0.0001468m, (await ledger.GetTotalsAsync(CostGrouping.Caller))["svc"].Cost);
    }

    [Fact]
    public void UseStratumCostTracking_WithoutARegisteredTracker_FailsWhenThePipelineIsBuiltAndSaysWhatIsMissing()
    {
        using var container = new ServiceCollection().BuildServiceProvider();
        var options = new StratumClientOptions { Models = new ModelRegistry() };
        options.Provider("openai").ApiKey = CanaryKey;
        using var stratum = new StratumClient(options);
        var inner = stratum.GetChatClient(Model("gpt-4o", Provider("openai", new Uri("http://127.0.0.1:9/v1")), Gpt4oPricing));

        var ex = Assert.Throws<InvalidOperationException>(() => inner.AsBuilder().UseStratumCostTracking().Build(container));

        Assert.Contains("CostTracker", ex.Message, StringComparison.Ordinal);
    }
}

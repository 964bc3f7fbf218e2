using System.Diagnostics;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using StratumAI.Testing;
using static StratumAI.Tests.TestCatalog;

namespace StratumAI.Tests.Integration;

/// <summary>
/// Every middleware in the documented order, configured once in <see cref="StratumClientOptions.Pipeline"/>, over the real
/// HTTP stack and recorded traffic: the pieces must compose, not only work alone.
/// </summary>
public sealed class FullPipelineTests
{
    // Its own source, so spans of tests running in parallel are not counted.
    private const string SourceName = "StratumAI.Tests.FullPipeline";

    private const string OpenAIText = "openai/chat__vercel-ai-openai__openai-text.json";

    // gpt-4.1-nano ($0.10 in, $0.40 out per 1M): the recorded response is 16 in + 363 out.
    private const decimal RecordedNanoCost = 0.0001468m;

    [Fact]
    public async Task PrimaryDown_FallsBackThroughEveryLayer_BilledOnceEverywhere_AndTheRepeatIsACacheHit()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.Enqueue(FakeResponse.Status(503));
        server.EnqueueFixture(Fixture(OpenAIText));

        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero));
        var policy = BudgetPolicy.Daily(1m);
        var budgets = new BudgetManager([policy], time);
        var tracker = new CostTracker(time);
        var ledger = new InMemoryCostLedger();
        IDistributedCache cache = new MemoryDistributedCache(Options.Create(new MemoryDistributedCacheOptions()));

        var spans = new List<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == SourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                lock (spans)
                {
                    spans.Add(activity);
                }
            },
        };
        ActivitySource.AddActivityListener(listener);

        using var client = ClientFor(server, "openai", configure: options => options.Pipeline = builder => builder
            .UseStratumCache(cache, o => o.CacheEveryCall = true)
            .UseStratumTelemetry(o => o.SourceName = SourceName)
            .UseStratumFallbacks("gpt-4.1-nano")
            .UseStratumResilience(o =>
            {
                o.MaxRetryAttempts = 0;
                o.TimeProvider = time;
            })
            .UseStratumBudget(budgets)
            .UseStratumCostTracking(tracker, o => o.Ledger = ledger));
        var primary = Model("gpt-4o", Provider("openai"), Gpt4oPricing);
        var nano = Model("gpt-4.1-nano", Provider("openai"), Gpt41NanoPricing);
        client.Models.Register([primary, nano]);
        var options = new ChatOptions { MaxOutputTokens = 1_000 };

        var first = await client.GetResponseAsync(primary, "Invent a new holiday and describe its traditions.", options);

        Assert.Equal(2, server.ReceivedRequests.Count);
        Assert.Contains("\"model\":\"gpt-4o\"", server.ReceivedRequests[0].Body, StringComparison.Ordinal);
        Assert.Contains("\"model\":\"gpt-4.1-nano\"", server.ReceivedRequests[1].Body, StringComparison.Ordinal);
        Assert.Same(nano, first.GetModelInfo());
        Assert.Equal(RecordedNanoCost, first.GetCost()!.Total);

        // The 503 billed nothing; the fallback's answer is billed exactly once in the tracker, the ledger and the budget.
        var record = Assert.Single(tracker.History);
        Assert.Equal(("gpt-4.1-nano", RecordedNanoCost), (record.ModelId, record.Total));
        Assert.Equal(RecordedNanoCost, (await ledger.GetTotalAsync()).Cost);
        Assert.Equal((RecordedNanoCost, 0m), (budgets.GetStatus(policy).Spent, budgets.GetStatus(policy).Reserved));

        // One span for the call, carrying the usage of the answer that was billed.
        var span = Assert.Single(spans);
        Assert.Equal("chat gpt-4o", span.DisplayName);
        Assert.Equal(first.Usage!.InputTokenCount, Convert.ToInt64(span.GetTagItem("gen_ai.usage.input_tokens"), System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(first.Usage!.OutputTokenCount, Convert.ToInt64(span.GetTagItem("gen_ai.usage.output_tokens"), System.Globalization.CultureInfo.InvariantCulture));

        var second = await client.GetResponseAsync(primary, "Invent a new holiday and describe its traditions.", options);

        Assert.True(second.IsCacheHit());
        Assert.Equal(first.Text, second.Text);
        Assert.Equal(2, server.ReceivedRequests.Count);
        Assert.Single(tracker.History);
        Assert.Equal(RecordedNanoCost, budgets.GetStatus(policy).Spent);
    }
}

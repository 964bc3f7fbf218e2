using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Time.Testing;
using StratumAI.Testing;
using static StratumAI.Tests.Embeddings.EmbeddingFixtureTests;
using static StratumAI.Tests.TestCatalog;

namespace StratumAI.Tests.Embeddings;

/// <summary>
/// Budgets, cost tracking and the ledger apply to embedding calls as to chat, on recorded traffic: the exact cost of reported
/// usage, a flagged high-side estimate when the provider reports none (never a silent $0), the budget's spend, the tracker's
/// total and the ledger's sum equal to the last digit, and a refused call sends nothing.
/// </summary>
public sealed class EmbeddingMoneyTests
{
    internal const string AzureFixture = "azure-openai/embed-error__openllmetry__test_azure_openai_embeddings.yaml";

    private static readonly DateTimeOffset Noon = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);

    private sealed record Money(BudgetManager Budgets, BudgetPolicy Policy, CostTracker Tracker, InMemoryCostLedger Ledger);

    private static (StratumClient Client, Money Money) Client(FakeProviderServer server, string provider, decimal dailyLimit = 1m)
    {
        var time = new FakeTimeProvider(Noon);
        var policy = BudgetPolicy.Daily(dailyLimit);
        var money = new Money(new BudgetManager([policy], time), policy, new CostTracker(time), new InMemoryCostLedger());
        var client = ClientFor(server, provider, configure: o => o.EmbeddingPipeline = b => b
            .UseStratumBudget(money.Budgets)
            .UseStratumCostTracking(money.Tracker, t => t.Ledger = money.Ledger));
        return (client, money);
    }

    [Fact]
    public async Task ReportedUsage_IsRecordedAtItsExactCost_InTrackerLedgerAndBudget()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.Enqueue(Assert.Single(FixtureLoader.Load(Fixture("openai/embed__openai-dotnet__GenerateMultipleEmbeddings(UsingStrings).json"))));
        var (client, money) = Client(server, "openai");
        using var _ = client;
        var options = new EmbeddingGenerationOptions { Dimensions = 456 }.WithTags("search").WithCaller("indexer");

        var result = await client.GetEmbeddingGenerator(EmbeddingModel("openai", "openai", "text-embedding-3-small", 0.02m))
            .GenerateAsync(["Hello, world!", "This is a test.", "Goodbye!"], options);

        Assert.Equal(3, result.Count);
        var record = Assert.Single(money.Tracker.History);
        Assert.Equal("openai", record.ProviderId);
        Assert.Equal("text-embedding-3-small", record.ModelId);
        Assert.Equal(["search"], record.Tags);
        Assert.Equal("indexer", record.Caller);
        Assert.True(record.HasUsage);
        Assert.False(record.IsEstimated);
        Assert.Equal(12, record.InputTokens);
        Assert.Equal(0, record.OutputTokens);
        Assert.Equal(0.00000024m, record.Total);
        Assert.Equal(0.00000024m, record.Cost.Input);
        Assert.Equal(CostOutcome.Succeeded, record.Outcome);
        Assert.Equal(record.Id, Assert.Single(await money.Ledger.GetRecordsAsync()).Id);
        Assert.Equal(0.00000024m, money.Budgets.GetStatus(money.Policy).Spent);
        Assert.Equal(0m, money.Budgets.GetStatus(money.Policy).Reserved);
    }

    [Fact]
    public async Task NoReportedUsage_IsRecordedAsAFlaggedEstimate_TheAmountTheBudgetCharged()
    {
        // gemini-embedding-2-preview's batchEmbedContents reports no usage: "Hello, world!" is 13 UTF-8 bytes, counted as 7
        // tokens on the high side, at $0.20/1M.
        await using var server = await FakeProviderServer.StartAsync();
        var exchange = Assert.Single(FixtureLoader.Load(Fixture("gemini/embed__pydantic-ai__TestGoogle.test_query_with_dimensions.yaml")));
        server.Enqueue(exchange);
        var (client, money) = Client(server, "gemini");
        using var _ = client;
        var options = new EmbeddingGenerationOptions { Dimensions = 768, AdditionalProperties = new() { ["taskType"] = "RETRIEVAL_QUERY" } };

        var result = await client.GetEmbeddingGenerator(EmbeddingModel("gemini", "gemini", "gemini-embedding-2-preview", 0.2m)).GenerateAsync(["Hello, world!"], options);

        Assert.Null(result.Usage);
        Assert.Null(result.GetCost());
        var record = Assert.Single(money.Tracker.History);
        Assert.True(record.IsEstimated);
        Assert.False(record.HasUsage);
        Assert.True(record.IsPriced);
        Assert.Equal(0, record.InputTokens);
        Assert.Equal(0.0000014m, record.Total);
        Assert.Equal(0.0000014m, money.Budgets.GetStatus(money.Policy).Spent);
        var totals = await money.Ledger.GetTotalAsync();
        Assert.Equal(0.0000014m, totals.Cost);
        Assert.Equal(1, totals.EstimatedCalls);
        AssertJsonEqual(JsonNode.Parse(exchange.Request!.Body!), JsonNode.Parse(Assert.Single(server.ReceivedRequests).Body));
    }

    [Fact]
    public async Task ABudgetThatCannotFitTheWorstCase_RefusesTheCallBeforeSending()
    {
        await using var server = await FakeProviderServer.StartAsync();
        var (client, money) = Client(server, "openai", dailyLimit: 0.000001m);
        using var _ = client;

        // 200 bytes count as 100 tokens: $0.000013 at text-embedding-3-large's $0.13/1M, over the $0.000001 limit.
        var ex = await Assert.ThrowsAsync<BudgetExceededException>(() =>
            client.GetEmbeddingGenerator(EmbeddingModel("openai", "openai", "text-embedding-3-large", 0.13m)).GenerateAsync([new string('a', 200)]));

        Assert.Equal(0.000013m, ex.Requested);
        Assert.Empty(server.ReceivedRequests);
        Assert.Empty(money.Tracker.History);
        Assert.Equal(0m, money.Budgets.GetStatus(money.Policy).Spent);
    }

    [Fact]
    public async Task AnErrorStatus_IsNotBilled_AndReleasesTheReservation()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.Enqueue(Assert.Single(FixtureLoader.Load(Fixture("openai/embed-error__pydantic-ai__TestOpenAI.test_embed_error.yaml"))));
        var (client, money) = Client(server, "openai");
        using var _ = client;

        await Assert.ThrowsAsync<StratumModelNotFoundException>(() =>
            client.GetEmbeddingGenerator(EmbeddingModel("openai", "openai", "nonexistent", 0.02m)).GenerateAsync(["Hello, world!"]));

        Assert.Empty(money.Tracker.History);
        Assert.Equal(0m, money.Budgets.GetStatus(money.Policy).Spent);
        Assert.Equal(0m, money.Budgets.GetStatus(money.Policy).Reserved);
    }

    [Fact]
    public async Task AzureOpenAI_EmbedsThroughTheDeploymentsUrlWithTheApiKeyHeader_AndMapsItsErrors()
    {
        var exchanges = FixtureLoader.Load(Fixture(AzureFixture));
        await using var server = await FakeProviderServer.StartAsync();
        server.Enqueue(exchanges[0]);
        server.Enqueue(exchanges[2]);
        var options = new StratumClientOptions { Models = new ModelRegistry() };
        options.Provider("azure").ApiKey = CanaryKey;
        options.Provider("azure").BaseUrl = new Uri(server.BaseUri, "openai?api-version=2023-07-01-preview");
        using var client = new StratumClient(options);
        var model = EmbeddingModel("azure", "azure-openai", "test-deployment", 0.02m);
        var generator = client.GetEmbeddingGenerator(model);

        var result = await generator.GenerateAsync(["Tell me a joke about opentelemetry"]);
        var denied = await Assert.ThrowsAsync<StratumAuthenticationException>(() => generator.GenerateAsync(["Tell me a joke about opentelemetry"]));

        var recorded = RecordedVectors(JsonNode.Parse(exchanges[0].Response.BodyText)!);
        Assert.Equal(recorded[0], result[0].Vector.ToArray());
        Assert.Equal((long?)JsonNode.Parse(exchanges[0].Response.BodyText)!["usage"]!["prompt_tokens"], result.Usage!.InputTokenCount);
        Assert.Equal(401, (int)denied.StatusCode!);
        Assert.StartsWith("Access denied due to invalid subscription key", denied.ProviderMessage);
        foreach (var sent in server.ReceivedRequests)
        {
            Assert.Equal("/openai/deployments/test-deployment/embeddings", sent.Path);
            Assert.Contains("api-version=2023-07-01-preview", sent.PathAndQuery, StringComparison.Ordinal);
            Assert.Equal(CanaryKey, sent.GetHeader("api-key"));
            Assert.Null(sent.GetHeader("Authorization"));
            Assert.Equal("base64", (string?)JsonNode.Parse(sent.Body)!["encoding_format"]);
        }

        Assert.DoesNotContain(CanaryKey, denied.ToString(), StringComparison.Ordinal);
    }
}

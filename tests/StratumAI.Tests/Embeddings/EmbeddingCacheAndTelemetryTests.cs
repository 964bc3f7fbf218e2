using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using StratumAI.Testing;
using StratumAI.Tests.Caching;
using StratumAI.Tests.Telemetry;
using static StratumAI.Tests.Embeddings.EmbeddingFixtureTests;
using static StratumAI.Tests.TestCatalog;

namespace StratumAI.Tests.Embeddings;

/// <summary>
/// The cache and telemetry apply to embedding calls as to chat, on recorded traffic: a repeated input is served from the cache,
/// the ledger records the hit at $0 with what it saved (to the last digit, also when only some inputs were cached), and the
/// span and metrics carry the call's tokens and exact cost.
/// </summary>
public sealed class EmbeddingCacheAndTelemetryTests
{
    // Three inputs, dimensions 456, 12 tokens: $0.00000024 at $0.02/1M.
    private const string ThreeInputs = "openai/embed__openai-dotnet__GenerateMultipleEmbeddings(UsingStrings).json";

    // ["hello", "world"], 2 tokens: $0.00000004.
    private const string TwoInputs = "openai/embed__pydantic-ai__TestOpenAI.test_documents.yaml";

    private static readonly string[] Recorded = ["Hello, world!", "This is a test.", "Goodbye!"];

    private static readonly DateTimeOffset Noon = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);

    private sealed class Harness : IAsyncDisposable
    {
        private Harness(FakeProviderServer server, StratumClient client, IDistributedCache cache)
        {
            Server = server;
            Client = client;
            Cache = cache;
        }

        public FakeProviderServer Server { get; }

        public StratumClient Client { get; }

        public IDistributedCache Cache { get; }

        public FakeTimeProvider Time { get; } = new(Noon);

        public CostTracker Tracker { get; private set; } = null!;

        public InMemoryCostLedger Ledger { get; } = new();

        public BudgetManager Budgets { get; private set; } = null!;

        public BudgetPolicy Policy { get; } = BudgetPolicy.Daily(1m);

        public IEmbeddingGenerator<string, Embedding<float>> Generator => Client.GetEmbeddingGenerator(Model);

        public static ModelInfo Model { get; } = EmbeddingModel("openai", "openai", "text-embedding-3-small", 0.02m);

        public static async Task<Harness> StartAsync(Action<EmbeddingCacheOptions>? configure = null, TelemetryCapture? telemetry = null)
        {
            var server = await FakeProviderServer.StartAsync();
            var cache = CacheTestKit.NewDistributedCache();
            Harness? harness = null;
            var client = ClientFor(server, "openai", configure: o => o.EmbeddingPipeline = b =>
            {
                b.UseStratumBudget(harness!.Budgets)
                    .UseStratumCostTracking(harness.Tracker, t => t.Ledger = harness.Ledger)
                    .UseStratumCache(cache, c =>
                    {
                        c.TimeProvider = harness.Time;
                        c.Logger = telemetry?.LoggerFactory.CreateLogger<ResponseCacheEmbeddingGenerator>();
                        configure?.Invoke(c);
                    });
                if (telemetry is not null)
                {
                    b.UseStratumTelemetry(t =>
                    {
                        t.SourceName = telemetry.SourceName;
                        t.LoggerFactory = telemetry.LoggerFactory;
                    });
                }
            });
            harness = new Harness(server, client, cache);
            harness.Tracker = new CostTracker(harness.Time);
            harness.Budgets = new BudgetManager([harness.Policy], harness.Time);
            return harness;
        }

        public void Enqueue(string fixture) => Server.Enqueue(Assert.Single(FixtureLoader.Load(Fixture(fixture))));

        public async ValueTask DisposeAsync()
        {
            Client.Dispose();
            await Server.DisposeAsync();
        }
    }

    private static EmbeddingGenerationOptions Dims456() => new() { Dimensions = 456 };

    [Fact]
    public async Task ARepeatedCall_IsServedFromTheCache_RecordedAtZeroWithWhatItSaved()
    {
        await using var h = await Harness.StartAsync();
        h.Enqueue(ThreeInputs);

        var first = await h.Generator.GenerateAsync(Recorded, Dims456());
        var second = await h.Generator.GenerateAsync(Recorded, Dims456());

        Assert.Single(h.Server.ReceivedRequests);
        Assert.False(first.IsCacheHit());
        Assert.True(second.IsCacheHit());
        Assert.Equal(first.Select(e => e.Vector.ToArray()), second.Select(e => e.Vector.ToArray()));
        Assert.Equal(12, second.Usage!.InputTokenCount);
        Assert.Equal(0.00000024m, second.GetCost()!.Total);
        Assert.Same(Harness.Model, second.GetModelInfo());

        Assert.Collection(
            h.Tracker.History,
            billed => Assert.Equal((0.00000024m, 0m, false), (billed.Total, billed.Saved, billed.IsCacheHit)),
            hit => Assert.Equal((0m, 0.00000024m, true), (hit.Total, hit.Saved, hit.IsCacheHit)));
        var totals = await h.Ledger.GetTotalAsync();
        Assert.Equal((0.00000024m, 0.00000024m, 2L, 1L), (totals.Cost, totals.Saved, totals.Calls, totals.CacheHits));
        Assert.Equal(0.00000024m, h.Budgets.GetStatus(h.Policy).Spent);
    }

    [Fact]
    public async Task SomeInputsCached_OnlyTheOthersAreSent_AndTheSavingIsTheirApportionedShare()
    {
        await using var h = await Harness.StartAsync();
        h.Enqueue(ThreeInputs);
        h.Enqueue(TwoInputs);
        var cached = await h.Generator.GenerateAsync(Recorded, Dims456());

        var mixed = await h.Generator.GenerateAsync(["Hello, world!", "hello", "world"], Dims456());

        Assert.Equal(2, h.Server.ReceivedRequests.Count);
        AssertJsonEqual(JsonNode.Parse("""["hello","world"]"""), JsonNode.Parse(h.Server.ReceivedRequests[1].Body)!["input"]);
        var recordedPair = RecordedVectors(JsonNode.Parse(FixtureLoader.Load(Fixture(TwoInputs)).Single().Response.BodyText)!);
        Assert.Equal([cached[0].Vector.ToArray(), recordedPair[0], recordedPair[1]], mixed.Select(e => e.Vector.ToArray()));
        Assert.False(mixed.IsCacheHit());
        Assert.Equal(2, mixed.Usage!.InputTokenCount);

        // 12 tokens apportioned by high-side size 7:8:4 → 4, 5, 3 (largest remainders); "Hello, world!" saved 4/12 of $0.00000024.
        Assert.Equal(0.00000008m, mixed.GetCacheSaved());
        var record = h.Tracker.History[^1];
        Assert.Equal((0.00000004m, 0.00000008m, false), (record.Total, record.Saved, record.IsCacheHit));
        Assert.Equal(0.00000028m, h.Budgets.GetStatus(h.Policy).Spent);
    }

    [Fact]
    public async Task TheSharesOfOneRequest_AddUpToExactlyWhatItBilled()
    {
        await using var h = await Harness.StartAsync();
        h.Enqueue(ThreeInputs);
        await h.Generator.GenerateAsync(Recorded, Dims456());

        decimal saved = 0m;
        long tokens = 0;
        foreach (var input in Recorded)
        {
            var hit = await h.Generator.GenerateAsync([input], Dims456());
            Assert.True(hit.IsCacheHit());
            saved += hit.GetCost()!.Total;
            tokens += hit.Usage!.InputTokenCount!.Value;
        }

        Assert.Equal((0.00000024m, 12L), (saved, tokens));
        Assert.Single(h.Server.ReceivedRequests);
    }

    [Fact]
    public async Task AnInputRepeatedWithinACall_IsSentOnce_AndNotCountedAsASaving()
    {
        await using var h = await Harness.StartAsync();
        h.Enqueue(TwoInputs);

        var result = await h.Generator.GenerateAsync(["hello", "world", "hello"]);

        AssertJsonEqual(JsonNode.Parse("""["hello","world"]"""), JsonNode.Parse(Assert.Single(h.Server.ReceivedRequests).Body)!["input"]);
        Assert.Equal(3, result.Count);
        Assert.Equal(result[0].Vector.ToArray(), result[2].Vector.ToArray());
        Assert.Equal(0m, result.GetCacheSaved());
        Assert.Equal(0.00000004m, Assert.Single(h.Tracker.History).Total);
    }

    [Fact]
    public async Task OtherDimensions_WithCacheFalse_AndAnExpiredEntry_AllReachTheProvider()
    {
        await using var h = await Harness.StartAsync(c => c.DefaultTtl = TimeSpan.FromHours(1));
        for (var i = 0; i < 4; i++)
        {
            h.Enqueue(ThreeInputs);
        }

        await h.Generator.GenerateAsync(Recorded, Dims456());
        await h.Generator.GenerateAsync(Recorded, new EmbeddingGenerationOptions { Dimensions = 512 });
        await h.Generator.GenerateAsync(Recorded, Dims456().WithCache(false));
        Assert.True((await h.Generator.GenerateAsync(Recorded, Dims456())).IsCacheHit());
        h.Time.Advance(TimeSpan.FromHours(2));
        Assert.False((await h.Generator.GenerateAsync(Recorded, Dims456())).IsCacheHit());

        Assert.Equal(4, h.Server.ReceivedRequests.Count);
    }

    [Fact]
    public async Task CacheEveryCallOff_CachesOnlyCallsThatOptIn_ForTheirOwnTtl()
    {
        await using var h = await Harness.StartAsync(c => c.CacheEveryCall = false);
        for (var i = 0; i < 4; i++)
        {
            h.Enqueue(ThreeInputs);
        }

        await h.Generator.GenerateAsync(Recorded, Dims456());
        await h.Generator.GenerateAsync(Recorded, Dims456());
        await h.Generator.GenerateAsync(Recorded, Dims456().WithCacheTtl(TimeSpan.FromMinutes(5)));
        Assert.True((await h.Generator.GenerateAsync(Recorded, Dims456().WithCache(true))).IsCacheHit());
        h.Time.Advance(TimeSpan.FromMinutes(6));
        Assert.False((await h.Generator.GenerateAsync(Recorded, Dims456().WithCache(true))).IsCacheHit());

        Assert.Equal(4, h.Server.ReceivedRequests.Count);
    }

    [Fact]
    public async Task ProviderSettingsThatCannotBeKeyed_BypassTheCache()
    {
        await using var h = await Harness.StartAsync();
        h.Enqueue(ThreeInputs);
        h.Enqueue(ThreeInputs);
        var options = Dims456();
        options.AdditionalProperties = new() { ["user"] = new object() };

        await h.Generator.GenerateAsync(Recorded, options);
        await h.Generator.GenerateAsync(Recorded, options);

        Assert.Equal(2, h.Server.ReceivedRequests.Count);
    }

    [Fact]
    public async Task FromServices_UsesTheRegisteredHybridCache_SharedByTwoGenerators()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.Enqueue(Assert.Single(FixtureLoader.Load(Fixture(ThreeInputs))));
        var services = new ServiceCollection().AddHybridCache().Services.BuildServiceProvider();
        using var client = ClientFor(server, "openai");
        IEmbeddingGenerator<string, Embedding<float>> Build() =>
            client.GetEmbeddingGenerator(Harness.Model).AsBuilder().UseStratumCache().Build(services);

        await Build().GenerateAsync(Recorded, Dims456());
        var hit = await Build().GenerateAsync(Recorded, Dims456());

        Assert.True(hit.IsCacheHit());
        Assert.Single(server.ReceivedRequests);
        Assert.Throws<InvalidOperationException>(() =>
            client.GetEmbeddingGenerator(Harness.Model).AsBuilder().UseStratumCache().Build(new ServiceCollection().BuildServiceProvider()));
    }

    [Fact]
    public async Task Telemetry_RecordsAnEmbeddingsSpan_WithTokensAndExactCost_AndAHitAtZero()
    {
        using var telemetry = new TelemetryCapture();
        await using var h = await Harness.StartAsync(telemetry: telemetry);
        h.Enqueue(ThreeInputs);

        await h.Generator.GenerateAsync(Recorded, Dims456());
        await h.Generator.GenerateAsync(Recorded, Dims456());

        // Telemetry sits inside the cache: only the call that reached the provider is a span.
        var span = telemetry.Span;
        Assert.Equal("embeddings text-embedding-3-small", span.DisplayName);
        Assert.Equal("embeddings", TelemetryCapture.Tag(span, "gen_ai.operation.name"));
        Assert.Equal("openai", TelemetryCapture.Tag(span, "gen_ai.provider.name"));
        Assert.Equal("text-embedding-3-small", TelemetryCapture.Tag(span, "gen_ai.request.model"));
        Assert.Equal(456, TelemetryCapture.Tag(span, "gen_ai.embeddings.dimension.count"));
        Assert.Equal(3, TelemetryCapture.Tag(span, "stratum.embeddings.input_count"));
        Assert.Equal(12L, TelemetryCapture.Tag(span, "gen_ai.usage.input_tokens"));
        Assert.Equal((double)0.00000024m, TelemetryCapture.Tag(span, StratumTelemetryNames.CostAttribute));
        Assert.Equal("127.0.0.1", TelemetryCapture.Tag(span, "server.address"));

        var tokens = Assert.Single(telemetry.Points("gen_ai.client.token.usage"));
        Assert.Equal("embeddings", TelemetryCapture.Tag(tokens, "gen_ai.operation.name"));
        Assert.Equal("input", TelemetryCapture.Tag(tokens, "gen_ai.token.type"));
        Assert.Equal(12, tokens.GetHistogramSum());
        Assert.Equal((double)0.00000024m, Assert.Single(telemetry.Points(StratumTelemetryNames.CostMetric)).GetSumDouble(), 15);
        Assert.Contains(telemetry.Logs.GetSnapshot(), l => l.Id.Name == "EmbeddingRequestCompleted" && l.Message.Contains("3 inputs, 12 input tokens", StringComparison.Ordinal));
        Assert.Contains(telemetry.Logs.GetSnapshot(), l => l.Id.Name == "EmbeddingCacheHit" && l.Message.Contains("3 of 3 inputs", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Telemetry_OutsideTheCache_ShowsTheHitAtZero_AndAFailureWithItsErrorType()
    {
        using var telemetry = new TelemetryCapture();
        await using var server = await FakeProviderServer.StartAsync();
        server.Enqueue(Assert.Single(FixtureLoader.Load(Fixture(ThreeInputs))));
        server.Enqueue(Assert.Single(FixtureLoader.Load(Fixture("openai/embed-error__pydantic-ai__TestOpenAI.test_embed_error.yaml"))));
        using var client = ClientFor(server, "openai");
        var generator = client.GetEmbeddingGenerator(Harness.Model).AsBuilder()
            .UseStratumTelemetry(t =>
            {
                t.SourceName = telemetry.SourceName;
                t.LoggerFactory = telemetry.LoggerFactory;
            })
            .UseStratumCache(CacheTestKit.NewDistributedCache())
            .Build();

        await generator.GenerateAsync(Recorded, Dims456());
        await generator.GenerateAsync(Recorded, Dims456());
        await Assert.ThrowsAsync<StratumModelNotFoundException>(() => generator.GenerateAsync(["something else"], Dims456()));

        Assert.Equal(3, telemetry.Spans.Count);
        Assert.Null(TelemetryCapture.Tag(telemetry.Spans[0], StratumTelemetryNames.CacheHitAttribute));
        Assert.Equal(true, TelemetryCapture.Tag(telemetry.Spans[1], StratumTelemetryNames.CacheHitAttribute));
        Assert.Equal(0d, TelemetryCapture.Tag(telemetry.Spans[1], StratumTelemetryNames.CostAttribute));
        Assert.Equal(System.Diagnostics.ActivityStatusCode.Error, telemetry.Spans[2].Status);
        Assert.Equal(typeof(StratumModelNotFoundException).FullName, TelemetryCapture.Tag(telemetry.Spans[2], "error.type"));
        Assert.Contains(telemetry.Logs.GetSnapshot(), l => l.Id.Name == "EmbeddingRequestFailed");
        Assert.Equal(2, server.ReceivedRequests.Count);
    }
}

using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using OllamaSharp;
using StratumAI.Testing;
using static StratumAI.Tests.TestCatalog;

namespace StratumAI.Tests.Dialects.External;

/// <summary>
/// A catalog provider whose dialect is <c>external</c>, served by a real third-party Microsoft.Extensions.AI adapter
/// (OllamaSharp's <see cref="OllamaApiClient"/>) pointed at the fake server replaying recorded Ollama traffic: the catalog's
/// model, prices, cost tracking and the pipeline apply as to any other provider.
/// </summary>
public sealed class ExternalProviderTests
{
    private const string JsonAnswer = "ollama/json__langchaingo__TestWithFormat.httprr";
    private const string Stream = "ollama/stream__ollama-docs__docs_api-chat-stream.ndjson";

    // A made-up hosted price, so that a cost of zero cannot pass by accident: $2 in and $6 out per million tokens.
    private static readonly ModelPricing HostedPricing = new(2m, 6m);

    private static readonly ProviderInfo InHouse = new("in-house", "In-house gateway", "external", null, null);

    private static ModelInfo Llama(string id = "llama3.1") =>
        new(id, "InHouseLlama", InHouse, null, 131_072, null, HostedPricing, ModelCapabilities.None);

    [Fact]
    public async Task ThirdPartyAdapter_AnswersWithTheRecordedText_AndTheCallIsPricedFromTheCatalog()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.EnqueueFixture(Fixture(JsonAnswer));
        using var ollama = new OllamaApiClient(server.BaseUri);
        var tracker = new CostTracker();
        var ledger = new InMemoryCostLedger();
        using var stratum = Client(ollama, pipeline => pipeline.UseStratumCostTracking(tracker, o => o.Ledger = ledger));
        var model = Llama("gemma3:1b");

        var response = await stratum.GetResponseAsync(model, "How many feet are in a nautical mile? Respond with JSON containing the answer.");

        Assert.Equal("{\"answer\": \"600\"}", response.Text);
        Assert.Equal(25, response.Usage?.InputTokenCount);
        Assert.Equal(9, response.Usage?.OutputTokenCount);
        var expected = ((25m * 2m) + (9m * 6m)) / 1_000_000m;
        Assert.Equal(expected, response.GetCost()?.Total);
        var record = Assert.Single(await ledger.GetRecordsAsync());
        Assert.Equal(("in-house", "gemma3:1b", expected), (record.ProviderId, record.ModelId, record.Total));
        Assert.Equal(expected, tracker.GetTotal().Cost);

        // The adapter sent the catalog model's id, on Ollama's own endpoint: StratumAI added nothing of its own.
        var request = Assert.Single(server.ReceivedRequests);
        Assert.EndsWith("/api/chat", request.Path, StringComparison.Ordinal);
        Assert.Contains("\"model\":\"gemma3:1b\"", request.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ThirdPartyAdapter_Streams_AndTheUsageUpdateCarriesTheCatalogCost()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.EnqueueFixture(Fixture(Stream));
        using var ollama = new OllamaApiClient(server.BaseUri);
        using var stratum = Client(ollama);
        var model = Llama("llama3.2");

        var text = new System.Text.StringBuilder();
        CallCost? cost = null;
        await foreach (var update in stratum.GetStreamingResponseAsync(model, [new ChatMessage(ChatRole.User, "Why is the sky blue?")]))
        {
            text.Append(update.Text);
            if (update.AdditionalProperties?.TryGetValue(StratumUsageKeys.Cost, out var attached) == true)
            {
                cost = (CallCost?)attached;
            }
        }

        Assert.Equal("The", text.ToString());
        Assert.Equal(((26m * 2m) + (282m * 6m)) / 1_000_000m, cost?.Total);
    }

    [Fact]
    public async Task ExternalProvider_ServedByAKeyedChatClientService_WhenAddStratumAIBuildsTheClient()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.EnqueueFixture(Fixture(JsonAnswer));
        var registry = new ModelRegistry();
        var model = Llama("gemma3:1b");
        registry.Register([model]);
        var services = new ServiceCollection();
        services.AddKeyedChatClient("in-house", _ => new OllamaApiClient(server.BaseUri));
        services.AddStratumAI(o => o.Models = registry);
        await using var container = services.BuildServiceProvider();

        var response = await container.GetRequiredService<StratumClient>().GetResponseAsync(model, "How many feet are in a nautical mile? Respond with JSON containing the answer.");

        Assert.Equal("{\"answer\": \"600\"}", response.Text);
        Assert.Equal(((25m * 2m) + (9m * 6m)) / 1_000_000m, response.GetCost()?.Total);
    }

    [Fact]
    public async Task ExternalProvider_WithoutABoundClient_FailsClearly_AndSendsNothing()
    {
        await using var server = await FakeProviderServer.StartAsync();
        using var stratum = new StratumClient(new StratumClientOptions { Models = new ModelRegistry() });

        var thrown = Assert.Throws<InvalidOperationException>(() => stratum.GetChatClient(Llama()));

        Assert.Contains("'in-house'", thrown.Message, StringComparison.Ordinal);
        Assert.Contains("UseChatClient", thrown.Message, StringComparison.Ordinal);
        Assert.Empty(server.ReceivedRequests);
    }

    [Fact]
    public async Task BoundClient_IsNotDisposedWithTheStratumClient_AndShowsInToStringWithoutItsSettings()
    {
        var inner = new CountingClient();
        var options = new StratumClientOptions { Models = new ModelRegistry() };
        options.Provider("in-house").UseChatClient(inner);
        using (var stratum = new StratumClient(options))
        {
            var response = await stratum.GetResponseAsync(Llama(), "hi");
            Assert.Equal("llama3.1", inner.LastModelId);
            Assert.Equal("ok", response.Text);
        }

        Assert.False(inner.Disposed);
        Assert.Contains("ChatClient = CountingClient", options.Providers["in-house"].ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task BoundClient_OnACatalogProviderWithADialect_ServesItInsteadOfTheDialect()
    {
        // A provider StratumAI speaks to itself (here gpt-4o on OpenAI) sent through an application's own client: no request
        // leaves for the provider's URL, and the catalog still prices the call.
        var inner = new CountingClient();
        var options = new StratumClientOptions { Models = new ModelRegistry() };
        options.Provider("openai").UseChatClient(inner);
        using var stratum = new StratumClient(options);
        var gpt4o = Model("gpt-4o", Provider("openai"), Gpt4oPricing);

        var response = await stratum.GetResponseAsync(gpt4o, "hi", new ChatOptions { MaxOutputTokens = 10 });

        Assert.Equal("gpt-4o", inner.LastModelId);
        Assert.Equal(CostCalculator.Calculate(Gpt4oPricing, CountingClient.Usage).Total, response.GetCost()?.Total);
    }

    private static StratumClient Client(IChatClient external, Action<ChatClientBuilder>? pipeline = null)
    {
        var options = new StratumClientOptions { Models = new ModelRegistry(), Pipeline = pipeline };
        options.Provider("in-house").UseChatClient(external);
        return new StratumClient(options);
    }

    /// <summary>An application's own client: answers "ok" with fixed usage and remembers the model it was asked for.</summary>
    private sealed class CountingClient : IChatClient
    {
        public static readonly UsageDetails Usage = new() { InputTokenCount = 10, OutputTokenCount = 5, TotalTokenCount = 15 };

        public string? LastModelId { get; private set; }

        public bool Disposed { get; private set; }

        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        {
            LastModelId = options?.ModelId;
            return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, "ok")) { Usage = Usage });
        }

        public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException("Not streamed in these tests.");

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose() => Disposed = true;
    }
}

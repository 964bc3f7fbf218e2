using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using StratumAI.Testing;
using static StratumAI.Tests.TestCatalog;

namespace StratumAI.Tests.Routing;

public sealed class RoutingChatClientTests
{
    private static string Body(string model) =>
        $$$"""{"id":"chatcmpl-1","object":"chat.completion","created":1700000000,"model":"{{{model}}}","choices":[{"index":0,"message":{"role":"assistant","content":"routed"},"finish_reason":"stop"}],"usage":{"prompt_tokens":10,"completion_tokens":2,"total_tokens":12}}""";

    private static ModelInfo Served(string id, decimal price, double quality, ProviderInfo provider) =>
        RoutingTestCatalog.Make(id, provider, price, price * 4, quality, RoutingTestCatalog.Full);

    private static string? SentModel(FakeProviderServer server, int index = 0) =>
        JsonNode.Parse(server.ReceivedRequests[index].Body!)?["model"]?.GetValue<string>();

    [Fact]
    public async Task UseRouter_SendsToTheChosenModel_AndPutsTheDecisionOnTheResponse()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.Enqueue(FakeResponse.Json(Body("cheap")));
        var provider = Provider("openai");
        var cheap = Served("cheap", 0.1m, 0.80, provider);
        var dear = Served("dear", 5m, 0.82, provider);
        using var client = ClientFor(server, "openai", configure: o => o.Models.Register([cheap, dear]));
        using var chat = client.AsChatClient().AsBuilder().UseStratumRouter(client, o => o.QualityEstimator = new RoutingTestCatalog.CatalogQuality()).Build();

        var response = await chat.GetResponseAsync("What is the capital of France?");

        Assert.Equal("routed", response.Text);
        Assert.Equal("cheap", SentModel(server));
        var decision = response.GetRouteDecision();
        Assert.NotNull(decision);
        Assert.Same(cheap, decision.Model);
        Assert.Same(cheap, response.GetModelInfo());
        Assert.NotNull(response.GetCost());
        var router = chat.GetService<ModelRouter>();
        Assert.NotNull(router);
        Assert.NotNull(router.Latency.GetAverage(cheap));
    }

    [Fact]
    public async Task RequestNamingAModel_BypassesTheRouter()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.Enqueue(FakeResponse.Json(Body("dear")));
        var provider = Provider("openai");
        var cheap = Served("cheap", 0.1m, 0.80, provider);
        var dear = Served("dear", 5m, 0.82, provider);
        using var client = ClientFor(server, "openai", configure: o => o.Models.Register([cheap, dear]));
        using var chat = client.AsChatClient().AsBuilder().UseStratumRouter(client, o => o.QualityEstimator = new RoutingTestCatalog.CatalogQuality()).Build();

        var response = await chat.GetResponseAsync("hi", new ChatOptions { ModelId = "dear" });

        Assert.Equal("dear", SentModel(server));
        Assert.Null(response.GetRouteDecision());
    }

    [Fact]
    public async Task RoutedStratumCall_SkipsProvidersWithoutAKey()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.Enqueue(FakeResponse.Json(Body("keyed")));
        // "free" would win on cost, but its provider's key variable is unset and no key is configured.
        var unkeyed = Provider("nokey", apiKeyEnv: "STRATUM_ROUTER_TEST_UNSET_" + Guid.NewGuid().ToString("N"));
        var free = Served("free", 0m, 0.9, unkeyed);
        var keyed = Served("keyed", 1m, 0.9, Provider("openai"));
        using var client = ClientFor(server, "openai", configure: o => o.Models.Register([free, keyed]));

        var response = await client.GetRoutedResponseAsync(
            [new ChatMessage(ChatRole.User, "hi")],
            new RouterOptions { QualityEstimator = new RoutingTestCatalog.CatalogQuality() });

        Assert.Equal("keyed", SentModel(server));
        var decision = response.GetRouteDecision();
        Assert.NotNull(decision);
        Assert.Equal(1, decision.Rejections["provider not configured (no API key)"]);
    }

    [Fact]
    public async Task SharedRouter_RoutesEveryCallOfAStratumClient()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.Enqueue(FakeResponse.Json(Body("best")));
        var provider = Provider("openai");
        var best = Served("best", 5m, 0.95, provider);
        var cheap = Served("cheap", 0.1m, 0.60, provider);
        using var client = ClientFor(server, "openai", configure: o => o.Models.Register([best, cheap]));
        var router = client.CreateRouter(o => { o.Strategy = RoutingStrategy.Quality; o.QualityEstimator = new RoutingTestCatalog.CatalogQuality(); });

        var response = await client.GetRoutedResponseAsync(router, [new ChatMessage(ChatRole.User, "hi")]);

        Assert.Equal("best", SentModel(server));
        Assert.Equal(RoutingStrategy.Quality, response.GetRouteDecision()!.Strategy);
    }

    [Fact]
    public async Task Streaming_CarriesTheDecisionOnTheFirstUpdate()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.Enqueue(FakeResponse.Text(
            "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"cheap\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"hel\"},\"finish_reason\":null}]}\n\n" +
            "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"cheap\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"lo\"},\"finish_reason\":\"stop\"}]}\n\n" +
            "data: [DONE]\n\n",
            "text/event-stream"));
        var provider = Provider("openai");
        var cheap = Served("cheap", 0.1m, 0.80, provider);
        using var client = ClientFor(server, "openai", configure: o => o.Models.Register([cheap]));
        using var chat = client.AsChatClient().AsBuilder().UseStratumRouter(client, o => o.QualityEstimator = new RoutingTestCatalog.CatalogQuality()).Build();

        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in chat.GetStreamingResponseAsync("hi"))
        {
            updates.Add(update);
        }

        Assert.Equal("hello", string.Concat(updates.Select(u => u.Text)));
        Assert.Same(cheap, updates[0].GetRouteDecision()?.Model);
    }

    [Fact]
    public async Task NoEligibleModel_FailsBeforeAnyRequest()
    {
        await using var server = await FakeProviderServer.StartAsync();
        var provider = Provider("openai");
        using var client = ClientFor(server, "openai", configure: o => o.Models.Register([Served("cheap", 0.1m, 0.8, provider)]));
        using var chat = client.AsChatClient().AsBuilder().UseStratumRouter(client, o => o.DeniedProviders.Add("openai")).Build();

        await Assert.ThrowsAsync<StratumNoRouteException>(() => chat.GetResponseAsync("hi"));
        Assert.Empty(server.ReceivedRequests);
    }

    [Fact]
    public async Task CancelledCall_StopsDuringTheAnalysis_BeforeTheRouteIsChosen()
    {
        await using var server = await FakeProviderServer.StartAsync();
        var provider = Provider("openai");
        using var client = ClientFor(server, "openai", configure: o => o.Models.Register([Served("cheap", 0.1m, 0.8, provider)]));

        // No model is eligible, so an uncancelled call would fail with StratumNoRouteException; the count comes first.
        using var chat = client.AsChatClient().AsBuilder().UseStratumRouter(client, o => o.DeniedProviders.Add("openai")).Build();
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        var prompt = new string('z', 10_000);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => chat.GetResponseAsync(prompt, cancellationToken: cancelled.Token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var update in chat.GetStreamingResponseAsync(prompt, cancellationToken: cancelled.Token))
            {
                Assert.Fail("A cancelled stream yields nothing.");
            }
        });
        Assert.Throws<OperationCanceledException>(() => chat.GetService<ModelRouter>()!.Route([new ChatMessage(ChatRole.User, prompt)], cancellationToken: cancelled.Token));
        Assert.Empty(server.ReceivedRequests);
    }

    [Fact]
    public async Task AsChatClient_WithoutModelId_ExplainsWhatToDo()
    {
        await using var server = await FakeProviderServer.StartAsync();
        using var client = ClientFor(server, "openai");

        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => client.AsChatClient().GetResponseAsync("hi"));

        Assert.Contains("ModelId", ex.Message, StringComparison.Ordinal);
    }
}

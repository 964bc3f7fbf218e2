using Microsoft.Extensions.AI;
using StratumAI.Testing;
using static StratumAI.Tests.TestCatalog;

namespace StratumAI.Tests;

public sealed class StratumClientPipelineTests
{
    private const string Instructions = "openai/chat__pydantic-ai__test_openai_instructions.yaml";

    [Fact]
    public async Task GetResponseAsync_GoesThroughThePipelineWithTheModelIdSet()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.EnqueueFixture(Fixture(Instructions));
        var seen = new List<string?>();
        using var client = ClientFor(server, "openai", configure: o => o.Pipeline = b => b.Use(Spy(seen)));
        var model = Register(client, "gpt-4o");

        var response = await client.GetResponseAsync(model, "What is the capital of France?");

        Assert.Equal("The capital of France is Paris.", response.Text);
        Assert.Equal(["gpt-4o"], seen);
        Assert.Same(model, response.GetModelInfo());
        Assert.NotNull(response.GetCost());
    }

    [Fact]
    public async Task CallersOptions_AreNotChangedByThePipeline()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.EnqueueFixture(Fixture(Instructions));
        using var client = ClientFor(server, "openai", configure: o => o.Pipeline = b => b.Use(Spy([])));
        var model = Register(client, "gpt-4o");
        var options = new ChatOptions { Temperature = 0.5f };

        await client.GetResponseAsync(model, "What is the capital of France?", options);

        Assert.Null(options.ModelId);
    }

    [Fact]
    public async Task MiddlewareThatChangesTheModelId_SendsTheCallToThatModel()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.EnqueueFixture(Fixture(Instructions));
        using var client = ClientFor(server, "openai", configure: o => o.Pipeline = b => b.Use(
            (messages, options, next, ct) =>
            {
                options!.ModelId = "gpt-4.1-nano";
                return next(messages, options, ct);
            }));
        var primary = Register(client, "gpt-4o");
        var other = Register(client, "gpt-4.1-nano", Gpt41NanoPricing);

        var response = await client.GetResponseAsync(primary, "What is the capital of France?");

        Assert.Contains("\"model\":\"gpt-4.1-nano\"", server.ReceivedRequests.Single().Body, StringComparison.Ordinal);
        Assert.Same(other, response.GetModelInfo());
    }

    [Fact]
    public async Task GetChatClient_AndStreaming_GoThroughThePipeline()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.EnqueueFixture(Fixture(Instructions));
        server.EnqueueFixture(Fixture("openai/stream__crewai__test_openai_streaming_returns_usage_metrics.yaml"));
        var seen = new List<string?>();
        using var client = ClientFor(server, "openai", configure: o => o.Pipeline = b => b.Use(Spy(seen)));
        var model = Register(client, "gpt-4o");

        var chat = client.GetChatClient(model);
        await chat.GetResponseAsync("What is the capital of France?");
        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in client.GetStreamingResponseAsync(model, [new ChatMessage(ChatRole.User, "hi")]))
        {
            updates.Add(update);
        }

        Assert.Equal(["gpt-4o", "gpt-4o"], seen);
        Assert.NotEmpty(updates.ToChatResponse().Text);
        Assert.Same(model, chat.GetService<ModelInfo>());
    }

    [Fact]
    public async Task CostTrackingInThePipeline_RecordsLlmCallRunnerCalls()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.EnqueueFixture(Fixture(Instructions));
        var tracker = new CostTracker();
        using var client = ClientFor(server, "openai", configure: o => o.Pipeline = b => b.UseStratumCostTracking(tracker));
        var model = Register(client, "gpt-4o");

        var text = await LlmCallRunner.GetTextAsync(LlmCallRunner.GetChatClient(client), [model], [new ChatMessage(ChatRole.User, "What is the capital of France?")], null, CancellationToken.None);

        Assert.Equal("The capital of France is Paris.", text);
        var record = Assert.Single(tracker.History);
        Assert.Equal("gpt-4o", record.ModelId);
        Assert.True(record.Total > 0m);
    }

    [Fact]
    public async Task AsChatClient_IsThePipelinesInnerClientAndDoesNotRunThePipeline()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.EnqueueFixture(Fixture(Instructions));
        var seen = new List<string?>();
        using var client = ClientFor(server, "openai", configure: o => o.Pipeline = b => b.Use(Spy(seen)));
        Register(client, "gpt-4o");

        var response = await client.AsChatClient().GetResponseAsync("What is the capital of France?", new ChatOptions { ModelId = "gpt-4o" });

        Assert.Equal("The capital of France is Paris.", response.Text);
        Assert.Empty(seen);
    }

    [Fact]
    public void OptionsToString_SaysWhetherAPipelineIsConfigured()
    {
        var options = new StratumClientOptions();
        Assert.Contains("Pipeline = none", options.ToString(), StringComparison.Ordinal);
        options.Pipeline = b => b.UseStratumCostTracking(new CostTracker());
        Assert.Contains("Pipeline = configured", options.ToString(), StringComparison.Ordinal);
    }

    private static ModelInfo Register(StratumClient client, string id, ModelPricing? pricing = null)
    {
        var model = Model(id, Provider("openai"), pricing ?? Gpt4oPricing);
        client.Models.Register([model]);
        return model;
    }

    private static Func<IEnumerable<ChatMessage>, ChatOptions?, Func<IEnumerable<ChatMessage>, ChatOptions?, CancellationToken, Task>, CancellationToken, Task> Spy(List<string?> seen) =>
        async (messages, options, next, ct) =>
        {
            lock (seen)
            {
                seen.Add(options?.ModelId);
            }

            await next(messages, options, ct).ConfigureAwait(false);
        };
}

using Microsoft.Extensions.AI;
using StratumAI.Testing;
using static StratumAI.Tests.TestCatalog;

namespace StratumAI.Tests;

public sealed class LlmCallRunnerTests
{
    [Fact]
    public async Task GetTextAsync_ReturnsTheAnswerText()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.EnqueueFixture(Fixture("openai/chat__pydantic-ai__test_openai_instructions.yaml"));
        using var client = ClientFor(server, "openai");
        var model = Model("gpt-4o", Provider("openai"), Gpt4oPricing);
        List<ChatMessage> messages = [new(ChatRole.System, "You are a helpful assistant."), new(ChatRole.User, "What is the capital of France?")];

        var text = await LlmCallRunner.GetTextAsync(LlmCallRunner.GetChatClient(client), [model], messages, null, CancellationToken.None);

        Assert.Equal("The capital of France is Paris.", text);
    }

    [Fact]
    public async Task GetTextAsync_ByModelId_ResolvesThroughTheClientsRegistry()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.EnqueueFixture(Fixture("openai/chat__pydantic-ai__test_max_completion_tokens_o3-mini_.yaml"));
        using var client = ClientFor(server, "openai");
        client.Models.Register([Model("o3-mini", Provider("openai"), O3MiniPricing)]);

        var text = await LlmCallRunner.GetTextAsync(LlmCallRunner.GetChatClient(client), ["o3-mini"], [new ChatMessage(ChatRole.User, "hello")], new ChatOptions { MaxOutputTokens = 100 }, CancellationToken.None);

        Assert.Equal("Hello there! How can I help you today?", text);
        Assert.Equal(100, (int)Json(server.ReceivedRequests.Single().Body)!["max_completion_tokens"]!);
    }

    [Fact]
    public async Task GetTextAsync_UnknownModelId_ThrowsNamingTheIdWithoutSendingAnything()
    {
        await using var server = await FakeProviderServer.StartAsync();
        using var client = ClientFor(server, "openai");

        var ex = await Assert.ThrowsAsync<StratumModelNotFoundException>(() =>
            LlmCallRunner.GetTextAsync(LlmCallRunner.GetChatClient(client), ["gpt-nope"], [new ChatMessage(ChatRole.User, "hi")], null, CancellationToken.None));

        Assert.Contains("'gpt-nope'", ex.Message);
        Assert.Empty(server.ReceivedRequests);
    }

    [Fact]
    public async Task GetTextAsync_ToolCallOnlyAnswer_ThrowsEmptyResponseInsteadOfReturningEmptyText()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.Enqueue(FixtureLoader.Load(Fixture("openai/tool__pydantic-ai__test_openai_tool_output.yaml"))[0]);
        using var client = ClientFor(server, "openai");
        var model = Model("gpt-4o", Provider("openai"), Gpt4oPricing);

        var ex = await Assert.ThrowsAsync<StratumEmptyResponseException>(() =>
            LlmCallRunner.GetTextAsync(LlmCallRunner.GetChatClient(client), [model], [new ChatMessage(ChatRole.User, "What is the largest city in the user country?")], null, CancellationToken.None));

        Assert.Equal("tool_calls", ex.FinishReason);
        Assert.Contains("get_user_country", ex.Message);
        Assert.Equal("gpt-4o", ex.ModelId);
    }

    [Fact]
    public async Task GetTextAsync_HonoursCancellation()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.Enqueue(FakeResponse.Json("{}") with { DelayBeforeHeaders = TimeSpan.FromSeconds(30) });
        using var client = ClientFor(server, "openai");
        var model = Model("gpt-4o", Provider("openai"), Gpt4oPricing);
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(150));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            LlmCallRunner.GetTextAsync(LlmCallRunner.GetChatClient(client), [model], [new ChatMessage(ChatRole.User, "hi")], null, cts.Token));
    }
}

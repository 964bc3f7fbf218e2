using System.Text.Json;
using Microsoft.Extensions.AI;
using StratumAI.Testing;
using static StratumAI.Tests.TestCatalog;

namespace StratumAI.Tests.Dialects.Mistral;

/// <summary>
/// Replays every recorded Mistral exchange under <c>shared/fixtures/mistral/</c> through <see cref="StratumClient"/>
/// with catalog entries as <c>catalog/mistral.yaml</c> defines them (provider <c>mistral</c>, dialect <c>openai</c>):
/// an OpenAI-compatible provider needs a catalog file and no code. Costs are worked out by hand in the comments.
/// </summary>
public sealed class MistralReplayTests
{
    // catalog/mistral.yaml, USD per 1M tokens (LiteLLM mistral/<id> × 10^6).
    private static readonly ModelPricing MistralLargePricing = new(0.5m, 1.5m);
    private static readonly ModelPricing MistralSmallPricing = new(0.06m, 0.18m);
    private static readonly ModelPricing MagistralMediumPricing = new(2m, 5m);

    private static readonly ProviderInfo MistralProvider = new("mistral", "Mistral", "openai", "https://api.mistral.ai/v1", "MISTRAL_API_KEY");

    private static ModelInfo Mistral(string id, ModelPricing pricing) =>
        new(id, new string(id.Where(char.IsLetterOrDigit).ToArray()), MistralProvider, null, 131_072, null, pricing, ModelCapabilities.None);

    private static void AssertUsage(UsageDetails? usage, long input, long output, long? cached = null)
    {
        Assert.NotNull(usage);
        Assert.Equal(input, usage!.InputTokenCount);
        Assert.Equal(output, usage.OutputTokenCount);
        Assert.Equal(input + output, usage.TotalTokenCount);
        Assert.Equal(cached, usage.CachedInputTokenCount);
    }

    [Fact]
    public async Task PromptCacheHistory_SecondCallReadsTheCache_MapsCachedTokensAndBillsThemAtTheInputPrice()
    {
        await using var server = await FakeProviderServer.StartAsync();
        var exchanges = server.EnqueueFixture(Fixture("mistral/chat__pydantic-ai__test_mistral_history_uses_prompt_cache.yaml"));
        using var client = ClientFor(server, "mistral");
        var model = Mistral("mistral-large-latest", MistralLargePricing);
        var system = (string)RecordedRequestBody(exchanges[0])!["messages"]![0]!["content"]!;
        List<ChatMessage> history = [new(ChatRole.System, system), new(ChatRole.User, "Reply with exactly: cache probe one.")];

        var first = await client.GetResponseAsync(model, history);
        history.AddRange(first.Messages);
        history.Add(new ChatMessage(ChatRole.User, "Reply with exactly: cache probe two."));
        var second = await client.GetResponseAsync(model, history);

        Assert.Equal("cache probe one.", first.Text);
        Assert.Equal("f693a0e825f04b4ba7d4fe0c132266b8", first.ResponseId);
        Assert.Equal("mistral-large-latest", first.ModelId);
        Assert.Equal(ChatFinishReason.Stop, first.FinishReason);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1784911112), first.CreatedAt);
        AssertUsage(first.Usage, input: 253, output: 5, cached: 0);
        // 253 × 0.5 / 1M = 0.0001265; 5 × 1.5 / 1M = 0.0000075.
        Assert.Equal(new CallCost(0.0001265m, 0m, 0m, 0.0000075m, 0m), first.GetCost());

        Assert.Equal("cache probe two.", second.Text);
        AssertUsage(second.Usage, input: 268, output: 5, cached: 224);
        // The catalog has no cached price for Mistral, so cached tokens cost the input price:
        // (268 − 224) × 0.5 / 1M = 0.000022; 224 × 0.5 / 1M = 0.000112; 5 × 1.5 / 1M = 0.0000075.
        Assert.Equal(new CallCost(0.000022m, 0.000112m, 0m, 0.0000075m, 0m), second.GetCost());
        Assert.Equal(0.0001415m, second.GetCost()!.Total);

        Assert.Equal(2, server.ReceivedRequests.Count);
        var sent = server.ReceivedRequests[1];
        Assert.Equal("/v1/chat/completions", sent.Path);
        Assert.Equal($"Bearer {CanaryKey}", sent.GetHeader("Authorization"));
        var body = Json(sent.Body)!;
        var recorded = RecordedRequestBody(exchanges[1])!;
        Assert.Equal((string?)recorded["model"], (string?)body["model"]);
        var sentMessages = body["messages"]!.AsArray();
        var recordedMessages = recorded["messages"]!.AsArray();
        Assert.Equal(recordedMessages.Count, sentMessages.Count);
        for (var i = 0; i < recordedMessages.Count; i++)
        {
            Assert.Equal((string?)recordedMessages[i]!["role"], (string?)sentMessages[i]!["role"]);
        }

        AssertJsonEqual(recordedMessages[0], sentMessages[0]);
        AssertJsonEqual(recordedMessages[3], sentMessages[3]);
        // The recording's client sent the assistant turn as typed parts; the openai dialect sends the same text as a string.
        Assert.Equal((string?)recordedMessages[2]!["content"]![0]!["text"], (string?)sentMessages[2]!["content"]);
    }

    [Fact]
    public async Task TextBody_MistralSmall_MapsTextIdsUsageAndCost()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.EnqueueFixture(Fixture("mistral/chat__vercel-ai-mistral__mistral-text.json"));
        using var client = ClientFor(server, "mistral");
        var model = Mistral("mistral-small-latest", MistralSmallPricing);

        var response = await client.GetResponseAsync(model, "Invent a new holiday and describe its traditions.");

        Assert.StartsWith("**Holiday Name: \"World Kindness Day of Sharing\"**", response.Text);
        Assert.EndsWith("Would you celebrate it? What would you share? \U0001F60A", response.Text);
        Assert.Equal("5319bd0299614c679a0068a4f2c8ffd0", response.ResponseId);
        Assert.Equal("mistral-small-latest", response.ModelId);
        Assert.Equal(ChatFinishReason.Stop, response.FinishReason);
        Assert.Empty(response.Messages.Single().Contents.OfType<FunctionCallContent>());
        AssertUsage(response.Usage, input: 13, output: 434);
        // 13 × 0.06 / 1M = 0.00000078; 434 × 0.18 / 1M = 0.00007812.
        Assert.Equal(new CallCost(0.00000078m, 0m, 0m, 0.00007812m, 0m), response.GetCost());
        Assert.Equal(0.0000789m, response.GetCost()!.Total);
        Assert.Same(model, response.GetModelInfo());
    }

    [Fact]
    public async Task ToolCallBody_MistralSmall_MapsTheCallAndToolCallsFinish()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.EnqueueFixture(Fixture("mistral/tool__vercel-ai-mistral__mistral-tool-call.json"));
        using var client = ClientFor(server, "mistral");
        var tool = AIFunctionFactory.CreateDeclaration("weather", "Get the weather in a location",
            JsonDocument.Parse("""{"type":"object","properties":{"location":{"type":"string"}},"required":["location"]}""").RootElement);

        var response = await client.GetResponseAsync(Mistral("mistral-small-latest", MistralSmallPricing), "What is the weather in San Francisco?", new ChatOptions { Tools = [tool] });

        var call = Assert.IsType<FunctionCallContent>(Assert.Single(response.Messages.Single().Contents));
        Assert.Equal("gSIMJiOkT", call.CallId);
        Assert.Equal("weather", call.Name);
        Assert.Equal("San Francisco", ((JsonElement)call.Arguments!["location"]!).GetString());
        Assert.Single(call.Arguments);
        Assert.Equal(ChatFinishReason.ToolCalls, response.FinishReason);
        Assert.Equal("b3999b8c93e04e11bcbff7bcab829667", response.ResponseId);
        AssertUsage(response.Usage, input: 124, output: 22);
        // 124 × 0.06 / 1M = 0.00000744; 22 × 0.18 / 1M = 0.00000396.
        Assert.Equal(0.0000114m, response.GetCost()!.Total);

        var body = Json(server.ReceivedRequests.Single().Body)!;
        Assert.Equal("weather", (string?)body["tools"]![0]!["function"]!["name"]);
    }

    [Fact]
    public async Task TextStreamChunks_MistralSmall_AssemblesTextWithUsageAndCostOnTheLastUpdate()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.EnqueueFixture(Fixture("mistral/stream__vercel-ai-mistral__mistral-text.chunks.txt"));
        using var client = ClientFor(server, "mistral");

        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in client.GetStreamingResponseAsync(Mistral("mistral-small-latest", MistralSmallPricing), [new ChatMessage(ChatRole.User, "Hello")]))
        {
            updates.Add(update);
        }

        var response = updates.ToChatResponse();
        Assert.Equal("Hello, world! This is a test response.", response.Text);
        Assert.Equal("5319bd0299614c679a0068a4f2c8ffd0", response.ResponseId);
        Assert.Equal("mistral-small-latest", response.ModelId);
        Assert.Equal(ChatFinishReason.Stop, response.FinishReason);
        AssertUsage(response.Usage, input: 13, output: 8);
        var costed = Assert.Single(updates, u => u.AdditionalProperties?.ContainsKey(StratumUsageKeys.Cost) == true);
        // 13 × 0.06 / 1M = 0.00000078; 8 × 0.18 / 1M = 0.00000144.
        Assert.Equal(new CallCost(0.00000078m, 0m, 0m, 0.00000144m, 0m), costed.AdditionalProperties![StratumUsageKeys.Cost]);

        var body = Json(server.ReceivedRequests.Single().Body)!;
        Assert.True((bool)body["stream"]!);
        Assert.True((bool)body["stream_options"]!["include_usage"]!);
    }

    [Fact]
    public async Task MagistralThinkingStream_TypedContentParts_AssemblesTheAnswerTextUsageAndCost()
    {
        await using var server = await FakeProviderServer.StartAsync();
        var exchanges = server.EnqueueFixture(Fixture("mistral/stream__pydantic-ai__test_mistral_model_thinking_part_iter.yaml"));
        using var client = ClientFor(server, "mistral");

        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in client.GetStreamingResponseAsync(Mistral("magistral-medium-latest", MagistralMediumPricing), [new ChatMessage(ChatRole.User, "How do I cross the street?")]))
        {
            updates.Add(update);
        }

        var response = updates.ToChatResponse();
        // Magistral streams its answer as typed content parts ([{"type":"text","text":...}]) and its thinking as
        // {"type":"thinking","thinking":[{"type":"text",...}]} parts; the answer text must come through whole.
        Assert.StartsWith("To cross the street safely, follow these steps:\n\n1. Look both ways to check for oncoming traffic.", response.Text);
        Assert.EndsWith("By following these steps, you can ensure a safe crossing.", response.Text);
        Assert.Equal(607, response.Text.Length);
        Assert.DoesNotContain("Okay, the user is asking", response.Text, StringComparison.Ordinal);
        // The 58 thinking parts (57 with text, one empty "thinking":[] that closes the thinking) come through, in
        // order, as reasoning (421 characters), ahead of the answer.
        var reasoning = string.Concat(response.Messages.SelectMany(m => m.Contents).OfType<TextReasoningContent>().Select(r => r.Text));
        Assert.StartsWith("Okay, the user is asking how to cross the street. I know that crossing the stree", reasoning);
        Assert.EndsWith("e other side. Let me compile this information into a clear and concise response.", reasoning);
        Assert.Equal(421, reasoning.Length);
        Assert.Equal(57, updates.Count(u => u.Contents.OfType<TextReasoningContent>().Any()));
        var firstAnswer = updates.FindIndex(u => !string.IsNullOrEmpty(u.Text));
        Assert.True(updates.FindLastIndex(u => u.Contents.OfType<TextReasoningContent>().Any()) < firstAnswer);
        Assert.Equal("9f9d90210f194076abeee223863eaaf0", response.ResponseId);
        Assert.Equal("magistral-medium-latest", response.ModelId);
        Assert.Equal(ChatFinishReason.Stop, response.FinishReason);
        AssertUsage(response.Usage, input: 10, output: 232);
        // 10 × 2 / 1M = 0.00002; 232 × 5 / 1M = 0.00116.
        var costed = Assert.Single(updates, u => u.AdditionalProperties?.ContainsKey(StratumUsageKeys.Cost) == true);
        Assert.Equal(0.00118m, ((CallCost)costed.AdditionalProperties![StratumUsageKeys.Cost]!).Total);

        var body = Json(server.ReceivedRequests.Single().Body)!;
        var recorded = RecordedRequestBody(exchanges[0])!;
        AssertJsonEqual(recorded["messages"], body["messages"]);
        Assert.Equal((string?)recorded["model"], (string?)body["model"]);
        Assert.True((bool)body["stream"]!);
    }
}

using System.Text;
using System.Text.Json;
using Microsoft.Extensions.AI;
using StratumAI.Dialects;
using StratumAI.Testing;
using static StratumAI.Tests.Dialects.Anthropic.AnthropicTestSupport;
using static StratumAI.Tests.TestCatalog;

namespace StratumAI.Tests.Dialects.Anthropic;

/// <summary>
/// Replays every recorded Anthropic stream (SSE with <c>event:</c> lines, vercel chunk lists, langchaingo raw HTTP)
/// through the fake server, checks the coalesced answer, the usage that arrives at the end and the exact cost, then
/// feeds the same bytes split at random places (fixed seeds) and inside every multi-byte UTF-8 character and
/// requires the identical result.
/// </summary>
public sealed class AnthropicStreamingReplayTests
{
    public static TheoryData<string> StreamFixtures() =>
    [
        "anthropic/stream__vercel-ai-anthropic__anthropic-text.chunks.txt",
        "anthropic/stream__vercel-ai-anthropic__anthropic-refusal.chunks.txt",
        "anthropic/stream__vercel-ai-anthropic__anthropic-message-delta-input-tokens.chunks.txt",
        "anthropic/stream-tool__vercel-ai-anthropic__anthropic-json-tool.1.chunks.txt",
        "anthropic/stream-tool__vercel-ai-anthropic__anthropic-tool-no-args.chunks.txt",
        "anthropic/stream__langchaingo__TestClient_CreateMessageStream.httprr",
        "anthropic/stream__pydantic-ai__test_anthropic_model_thinking_part_stream.yaml",
        "anthropic/stream__pydantic-ai__test_request_stream_fallback_for_high_max_tokens.yaml",
    ];

    private static async Task<(ChatResponse Response, List<ChatResponseUpdate> Updates)> StreamAsync(StratumClient client, ModelInfo model, string prompt, ChatOptions? options = null)
    {
        var updates = await CollectAsync(client.GetStreamingResponseAsync(model, [new ChatMessage(ChatRole.User, prompt)], options));
        return (updates.ToChatResponse(), updates);
    }

    private static void AssertStreamRequest(FakeProviderServer server, RecordedExchange? exchange)
    {
        var sent = server.ReceivedRequests.Single();
        Assert.Equal("/v1/messages", sent.Path);
        Assert.Equal(CanaryKey, sent.GetHeader("x-api-key"));
        Assert.Equal("2023-06-01", sent.GetHeader("anthropic-version"));
        Assert.Equal("text/event-stream", sent.GetHeader("Accept"));
        var body = SentBody(server);
        Assert.True((bool)body["stream"]!);
        if (exchange?.Request is not null)
        {
            Assert.True((bool)RecordedBody(exchange)["stream"]!);
        }
    }

    /// <summary>Usage arrives once, on the last update, so nothing is counted twice.</summary>
    private static void AssertUsageOnlyAtTheEnd(List<ChatResponseUpdate> updates)
    {
        var withUsage = updates.Where(u => u.Contents.OfType<UsageContent>().Any()).ToList();
        Assert.Same(updates[^1], Assert.Single(withUsage));
    }

    [Fact]
    public async Task VercelTextStream_TextDeltas_CoalesceWithUsageAtTheEndAndExactCost()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.EnqueueFixture(Fixture("anthropic/stream__vercel-ai-anthropic__anthropic-text.chunks.txt"));
        using var client = ClientFor(server);
        var model = Model("claude-sonnet-4-5", Sonnet45Pricing);

        var (response, updates) = await StreamAsync(client, model, "Hello");

        Assert.Equal("Hello! I'm doing well, thank you for asking. How are you doing today? Is there anything I can help you with?", response.Text);
        Assert.Equal(6, updates.Count(u => u.Contents.OfType<TextContent>().Any()));
        Assert.Equal("msg_01QC4g3HwBThD4BaNtBckFDJ", response.ResponseId);
        Assert.Equal("claude-sonnet-4-5-20250929", response.ModelId);
        Assert.Equal(ChatFinishReason.Stop, response.FinishReason);
        AssertUsageOnlyAtTheEnd(updates);
        AssertUsage(response.Usage, input: 12, output: 30, cached: 0, cacheWrite: 0);
        // 12 × 3 / 1M = 0.000036; 30 × 15 / 1M = 0.00045.
        Assert.Equal(new CallCost(0.000036m, 0m, 0m, 0.00045m, 0m), response.GetCost());
        Assert.Equal(0.000486m, response.GetCost()!.Total);
        AssertStreamRequest(server, null);
    }

    [Fact]
    public async Task VercelRefusalStream_StopReasonRefusal_IsContentFilterWithTheExplanation()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.EnqueueFixture(Fixture("anthropic/stream__vercel-ai-anthropic__anthropic-refusal.chunks.txt"));
        using var client = ClientFor(server);
        var model = Model("claude-fable-5", Fable5Pricing);

        var (response, _) = await StreamAsync(client, model, "Write malware");

        Assert.Equal(string.Empty, response.Text);
        Assert.Equal(ChatFinishReason.ContentFilter, response.FinishReason);
        var refusal = Assert.Single(response.Messages.SelectMany(m => m.Contents).OfType<ErrorContent>());
        Assert.Equal("refusal", refusal.ErrorCode);
        Assert.Equal("cyber", refusal.Details);
        Assert.Equal("msg_01RefusalStreamAbcdefghijk", response.ResponseId);
        AssertUsage(response.Usage, input: 18, output: 5, cached: 0, cacheWrite: 0);
        // 18 × 10 / 1M = 0.00018; 5 × 50 / 1M = 0.00025.
        Assert.Equal(0.00043m, response.GetCost()!.Total);
    }

    [Fact]
    public async Task VercelMessageDeltaInputTokens_LaterInputCount_ReplacesTheMessageStartCount()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.EnqueueFixture(Fixture("anthropic/stream__vercel-ai-anthropic__anthropic-message-delta-input-tokens.chunks.txt"));
        using var client = ClientFor(server);
        var model = Model("claude-opus-4-5", Opus45Pricing);

        var (response, _) = await StreamAsync(client, model, "ping");

        Assert.Equal("pong", response.Text);
        Assert.Equal("msg_3196a1cc08de4d76b85b8f5777c0d42b", response.ResponseId);
        Assert.Equal("claude-opus-4-5-20251101", response.ModelId);
        Assert.Equal(ChatFinishReason.Stop, response.FinishReason);
        // message_start said 43 input tokens, message_delta says 61: the final count wins. No cache fields at all.
        Assert.Equal(61, response.Usage!.InputTokenCount);
        Assert.Equal(2, response.Usage.OutputTokenCount);
        Assert.Equal(63, response.Usage.TotalTokenCount);
        Assert.Null(response.Usage.CachedInputTokenCount);
        Assert.Null(response.Usage.AdditionalCounts);
        // 61 × 5 / 1M = 0.000305; 2 × 25 / 1M = 0.00005.
        Assert.Equal(new CallCost(0.000305m, 0m, 0m, 0.00005m, 0m), response.GetCost());
    }

    [Fact]
    public async Task VercelJsonToolStream_InputJsonFragments_AssembleIntoOneFunctionCall()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.EnqueueFixture(Fixture("anthropic/stream-tool__vercel-ai-anthropic__anthropic-json-tool.1.chunks.txt"));
        using var client = ClientFor(server);
        var model = Model("claude-haiku-4-5", Haiku45Pricing);

        var (response, updates) = await StreamAsync(client, model, "Weather in SF as JSON");

        var call = Assert.Single(updates.SelectMany(u => u.Contents).OfType<FunctionCallContent>());
        Assert.Equal("toolu_01KFbKqPYSuAKujiL6mTfzYA", call.CallId);
        Assert.Equal("json", call.Name);
        var elements = Assert.IsType<JsonElement>(call.Arguments!["elements"]);
        Assert.Equal("""[{"location": "San Francisco", "temperature": 58, "condition": "sunny"}]""", elements.GetRawText());
        Assert.Equal(ChatFinishReason.ToolCalls, response.FinishReason);
        Assert.Equal(string.Empty, response.Text);
        AssertUsage(response.Usage, input: 849, output: 47, cached: 0, cacheWrite: 0);
        // 849 × 1 / 1M = 0.000849; 47 × 5 / 1M = 0.000235.
        Assert.Equal(0.001084m, response.GetCost()!.Total);
    }

    [Fact]
    public async Task VercelToolNoArgsStream_TextThenEmptyInputJson_IsTextAndACallWithNoArguments()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.EnqueueFixture(Fixture("anthropic/stream-tool__vercel-ai-anthropic__anthropic-tool-no-args.chunks.txt"));
        using var client = ClientFor(server);
        var model = Model("claude-sonnet-4-5", Sonnet45Pricing);

        var (response, _) = await StreamAsync(client, model, "Update the issue list");

        Assert.Equal("I'll update the issue list for you.", response.Text);
        var call = Assert.Single(response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>());
        Assert.Equal("toolu_01QE1WLsSVp5hy5Q3GmGTmjP", call.CallId);
        Assert.Equal("updateIssueList", call.Name);
        Assert.Empty(call.Arguments!);
        Assert.Equal(ChatFinishReason.ToolCalls, response.FinishReason);
        AssertUsage(response.Usage, input: 565, output: 48, cached: 0, cacheWrite: 0);
        // 565 × 3 / 1M = 0.001695; 48 × 15 / 1M = 0.00072.
        Assert.Equal(0.002415m, response.GetCost()!.Total);
    }

    [Fact]
    public async Task LangchaingoStream_RawHttpSse_MatchesTheRecordedRequestAndCountsTokens()
    {
        await using var server = await FakeProviderServer.StartAsync();
        var exchanges = server.EnqueueFixture(Fixture("anthropic/stream__langchaingo__TestClient_CreateMessageStream.httprr"));
        using var client = ClientFor(server);
        var model = Model("claude-3-opus-20240229", Opus3Pricing);

        var (response, _) = await StreamAsync(client, model, "Count from 1 to 5", new ChatOptions { MaxOutputTokens = 100, Temperature = 0 });

        Assert.Equal("1\n2\n3\n4\n5", response.Text);
        Assert.Equal("msg_01Ju7oPaDmjgrhWq8gNP4AUj", response.ResponseId);
        Assert.Equal(ChatFinishReason.Stop, response.FinishReason);
        AssertUsage(response.Usage, input: 15, output: 13, cached: 0, cacheWrite: 0);
        // 15 × 15 / 1M = 0.000225; 13 × 75 / 1M = 0.000975.
        Assert.Equal(0.0012m, response.GetCost()!.Total);
        AssertStreamRequest(server, exchanges[0]);
        var recorded = RecordedBody(exchanges[0]);
        var body = SentBody(server);
        Assert.Equal((int)recorded["max_tokens"]!, (int)body["max_tokens"]!);
        Assert.Equal((double)recorded["temperature"]!, (double)body["temperature"]!);
        Assert.Equal((string?)recorded["model"], (string?)body["model"]);
    }

    [Fact]
    public async Task PydanticThinkingStream_ThinkingAndSignatureDeltas_BecomeSignedReasoningThatIsSentBack()
    {
        await using var server = await FakeProviderServer.StartAsync();
        var exchanges = server.EnqueueFixture(Fixture("anthropic/stream__pydantic-ai__test_anthropic_model_thinking_part_stream.yaml"));
        using var client = ClientFor(server);
        var model = Model("claude-sonnet-4-0", Sonnet4Pricing);

        var (response, updates) = await StreamAsync(client, model, "How do I cross the street?",
            new ChatOptions { AdditionalProperties = new() { ["thinking_budget_tokens"] = 1024 } });

        var reasoning = string.Concat(updates.SelectMany(u => u.Contents).OfType<TextReasoningContent>().Select(r => r.Text));
        Assert.Equal("This is a straightforward question about pedestrian safety. I should provide clear, helpful advice about how to safely cross a street. This is basic safety information that could help prevent accidents.", reasoning);
        var signature = Assert.Single(updates.SelectMany(u => u.Contents).OfType<TextReasoningContent>(), r => r.ProtectedData is not null).ProtectedData;
        Assert.StartsWith("EvMCCkYICxgCKkCHP2cSuEdcJK", signature);
        Assert.EndsWith("YAQ==", signature);
        Assert.StartsWith("Here are the basic steps for safely crossing the street:\n\n**At intersections with traffic lights:**", response.Text);
        Assert.EndsWith("Always prioritize safety over speed when crossing streets.", response.Text);
        Assert.Equal("msg_01ALwQ87pTS7hH1PjSdC9wJD", response.ResponseId);
        Assert.Equal("claude-sonnet-4-20250514", response.ModelId);
        Assert.Equal(ChatFinishReason.Stop, response.FinishReason);
        AssertUsage(response.Usage, input: 43, output: 282, cached: 0, cacheWrite: 0);
        // 43 × 3 / 1M = 0.000129; 282 × 15 / 1M = 0.00423.
        Assert.Equal(0.004359m, response.GetCost()!.Total);
        AssertStreamRequest(server, exchanges[0]);
        AssertJsonEqual(RecordedBody(exchanges[0]), SentBody(server));

        // The coalesced answer goes back as the next assistant turn: one signed thinking block, then the text.
        server.Enqueue(FakeResponse.Json(File.ReadAllText(Fixture("anthropic/chat__vercel-ai-anthropic__anthropic-text.json"))));
        await client.GetResponseAsync(model, [new ChatMessage(ChatRole.User, "How do I cross the street?"), .. response.Messages, new ChatMessage(ChatRole.User, "Thanks")]);
        var assistant = SentBody(server, 1)["messages"]![1]!;
        Assert.Equal("assistant", (string?)assistant["role"]);
        var blocks = assistant["content"]!.AsArray();
        Assert.Equal("thinking", (string?)blocks[0]!["type"]);
        Assert.Equal(reasoning, (string?)blocks[0]!["thinking"]);
        Assert.Equal(signature, (string?)blocks[0]!["signature"]);
        Assert.Equal("text", (string?)blocks[^1]!["type"]);
        Assert.Equal(response.Text, string.Concat(blocks.Where(b => (string?)b!["type"] == "text").Select(b => (string?)b!["text"])));
    }

    [Fact]
    public async Task PydanticHighMaxTokensStream_PaddedEventJsonAndPing_ParseAndSendTheMaxTokens()
    {
        await using var server = await FakeProviderServer.StartAsync();
        var exchanges = server.EnqueueFixture(Fixture("anthropic/stream__pydantic-ai__test_request_stream_fallback_for_high_max_tokens.yaml"));
        using var client = ClientFor(server);
        var model = Model("claude-sonnet-4-5", Sonnet45Pricing);

        var (response, _) = await StreamAsync(client, model, "What is 1+1? Answer with just the number.", new ChatOptions { MaxOutputTokens = 32000 });

        Assert.Equal("2", response.Text);
        Assert.Equal("msg_018E1hg8GoVTGEKQY3ovMcSJ", response.ResponseId);
        Assert.Equal(ChatFinishReason.Stop, response.FinishReason);
        AssertUsage(response.Usage, input: 20, output: 5, cached: 0, cacheWrite: 0);
        // 20 × 3 / 1M = 0.00006; 5 × 15 / 1M = 0.000075.
        Assert.Equal(0.000135m, response.GetCost()!.Total);
        AssertJsonEqual(RecordedBody(exchanges[0]), SentBody(server));
    }

    [Fact]
    public async Task AnthropicOpenAICompatibleEndpoint_FallbackToolCallSse_ParsesThroughTheChatCompletionsClient()
    {
        // Anthropic's OpenAI-compatible endpoint speaks Chat Completions: the openai dialect reads it.
        await using var server = await FakeProviderServer.StartAsync();
        server.EnqueueFixture(Fixture("anthropic/stream-tool__vercel-ai-openai-compatible__anthropic-fallback-tool-call.sse"));
        using var http = new HttpClient();
        using var client = new OpenAIChatCompletionsClient(http, server.V1(), CanaryKey, "claude-haiku-4-5", providerId: "anthropic");

        var updates = await CollectAsync(client.GetStreamingResponseAsync([new ChatMessage(ChatRole.User, "Read a.txt")]));
        var response = updates.ToChatResponse();

        Assert.Equal("Reading it.", response.Text);
        var call = Assert.Single(response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>());
        Assert.Equal("toolu_sanitized", call.CallId);
        Assert.Equal("read_file", call.Name);
        Assert.Equal("a.txt", call.Arguments!["path"]?.ToString());
        Assert.Equal(ChatFinishReason.ToolCalls, response.FinishReason);
        Assert.Equal("msg_sanitized", response.ResponseId);
        Assert.Equal("claude-haiku-4-5-20251001", response.ModelId);
        // This recording carries no usage chunk.
        Assert.Null(response.Usage);
        Assert.Equal("/v1/chat/completions", server.ReceivedRequests.Single().Path);
    }

    [Theory]
    [MemberData(nameof(StreamFixtures))]
    public async Task RecordedStream_SplitAtRandomBytesAndInsideUtf8Characters_ParsesIdentically(string fixture)
    {
        var body = FixtureLoader.Load(Fixture(fixture))[0].Response.Body.ToArray();
        var whole = await ParseAsync(body, []);

        for (var seed = 1; seed <= 40; seed++)
        {
            var cuts = RandomCuts(body.Length, seed);
            Assert.Equal(whole, await ParseAsync(body, cuts));
        }

        // One byte at a time, and a cut inside every multi-byte character where there are any.
        Assert.Equal(whole, await ParseAsync(body, [.. Enumerable.Range(1, body.Length - 1)]));
        Assert.Equal(whole, await ParseAsync(body, CutsInsideMultiByteCharacters(body)));
        Assert.Contains("stop=", whole, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MultiByteStream_SplitInsideEveryUtf8Character_ParsesIdentically()
    {
        // No recorded Anthropic stream holds non-ASCII text, so this one does: 2-, 3- and 4-byte characters in text,
        // thinking and tool arguments.
        var body = AnthropicSse.Build(
            """{"type":"message_start","message":{"id":"msg_utf8","type":"message","role":"assistant","model":"claude-sonnet-4-5-20250929","content":[],"stop_reason":null,"usage":{"input_tokens":9,"cache_read_input_tokens":4,"cache_creation_input_tokens":2,"output_tokens":1}}}""",
            """{"type":"content_block_start","index":0,"content_block":{"type":"thinking","thinking":"","signature":""}}""",
            """{"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"Überlege: 日本語 🤔"}}""",
            """{"type":"content_block_delta","index":0,"delta":{"type":"signature_delta","signature":"c2lnbmF0dXJl"}}""",
            """{"type":"content_block_stop","index":0}""",
            """{"type":"content_block_start","index":1,"content_block":{"type":"text","text":""}}""",
            """{"type":"content_block_delta","index":1,"delta":{"type":"text_delta","text":"Grüße — "}}""",
            """{"type":"content_block_delta","index":1,"delta":{"type":"text_delta","text":"こんにちは 👋🏽"}}""",
            """{"type":"content_block_stop","index":1}""",
            """{"type":"content_block_start","index":2,"content_block":{"type":"tool_use","id":"toolu_utf8","name":"translate","input":{}}}""",
            """{"type":"content_block_delta","index":2,"delta":{"type":"input_json_delta","partial_json":"{\"text\": \"café "}}""",
            """{"type":"content_block_delta","index":2,"delta":{"type":"input_json_delta","partial_json":"☕\"}"}}""",
            """{"type":"content_block_stop","index":2}""",
            """{"type":"message_delta","delta":{"stop_reason":"tool_use","stop_sequence":null},"usage":{"output_tokens":21}}""",
            """{"type":"message_stop"}""");
        var whole = await ParseAsync(body, []);
        Assert.Contains("text:Grüße — こんにちは 👋🏽", whole, StringComparison.Ordinal);
        Assert.Contains("reasoning:Überlege: 日本語 🤔", whole, StringComparison.Ordinal);
        Assert.Contains("café ☕", whole, StringComparison.Ordinal);
        Assert.Contains(";usage=15/21/4", whole, StringComparison.Ordinal);

        var inside = CutsInsideMultiByteCharacters(body);
        Assert.True(inside.Count > 20);
        Assert.Equal(whole, await ParseAsync(body, inside));
        foreach (var cut in inside)
        {
            Assert.Equal(whole, await ParseAsync(body, [cut]));
        }

        for (var seed = 1; seed <= 40; seed++)
        {
            Assert.Equal(whole, await ParseAsync(body, RandomCuts(body.Length, seed)));
        }
    }

    /// <summary>Everything the caller can observe from a stream, as one comparable string.</summary>
    private static async Task<string> ParseAsync(byte[] body, IReadOnlyList<int> cuts)
    {
        var handler = new SplitBodyHandler(body, cuts);
        using var client = DirectClient(handler);
        var updates = await CollectAsync(client.GetStreamingResponseAsync([new ChatMessage(ChatRole.User, "x")]));
        var response = updates.ToChatResponse();
        var text = new StringBuilder();
        text.Append("id=").Append(response.ResponseId).Append(";model=").Append(response.ModelId).Append(";stop=").Append(response.FinishReason?.Value);
        foreach (var content in response.Messages.SelectMany(m => m.Contents))
        {
            text.Append('|').Append(content switch
            {
                TextContent t => "text:" + t.Text,
                TextReasoningContent r => "reasoning:" + r.Text + "#" + r.ProtectedData,
                FunctionCallContent c => "call:" + c.CallId + ":" + c.Name + ":" + JsonSerializer.Serialize(c.Arguments, AIJsonUtilities.DefaultOptions),
                UsageContent u => $"usage:{u.Details.InputTokenCount}/{u.Details.OutputTokenCount}/{u.Details.CachedInputTokenCount}",
                ErrorContent e => "error:" + e.ErrorCode + ":" + e.Message,
                _ => content.GetType().Name,
            });
        }

        var usage = response.Usage;
        text.Append(";usage=").Append(usage?.InputTokenCount).Append('/').Append(usage?.OutputTokenCount).Append('/').Append(usage?.CachedInputTokenCount);
        return text.ToString();
    }
}

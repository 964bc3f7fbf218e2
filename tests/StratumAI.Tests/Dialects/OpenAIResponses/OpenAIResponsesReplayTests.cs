using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using StratumAI.Dialects;
using StratumAI.Testing;
using static StratumAI.Tests.TestCatalog;

namespace StratumAI.Tests.Dialects.OpenAIResponses;

/// <summary>
/// Replays every recorded Responses API exchange (OpenAI, xAI, DeepSeek) through the <c>openai-responses</c> dialect
/// and checks each mapped field, the exact cost (worked out by hand in the comments) and the request sent.
/// </summary>
public sealed class OpenAIResponsesReplayTests
{
    private static readonly ModelPricing Gpt4oMiniPricing = new(0.15m, 0.6m, CachedInputPerMillion: 0.075m);
    private static readonly ModelPricing GrokCodeFastPricing = new(0.2m, 1.5m, CachedInputPerMillion: 0.02m);

    private static ModelInfo ResponsesModel(string id, string provider, ModelPricing pricing) =>
        Model(id, Provider(provider), pricing, dialect: "openai-responses");

    private static void AssertUsage(UsageDetails? usage, long input, long output, long total, long? cached, long? reasoning)
    {
        Assert.NotNull(usage);
        Assert.Equal(input, usage!.InputTokenCount);
        Assert.Equal(output, usage.OutputTokenCount);
        Assert.Equal(total, usage.TotalTokenCount);
        Assert.Equal(cached, usage.CachedInputTokenCount);
        Assert.Equal(reasoning, usage.ReasoningTokenCount);
    }

    [Fact]
    public async Task OpenAI_NonStreaming_MapsTextIdsUsageCostAndSendsInstructionsAndInput()
    {
        await using var server = await FakeProviderServer.StartAsync();
        var exchanges = server.EnqueueFixture(Fixture("openai/chat__pydantic-ai__test_openai_instructions_with_responses_logprobs.yaml"));
        using var client = ClientFor(server, "openai");
        var model = ResponsesModel("gpt-4o-mini", "openai", Gpt4oMiniPricing);

        var response = await client.GetResponseAsync(model,
        [
            new ChatMessage(ChatRole.System, "You are a helpful assistant."),
            new ChatMessage(ChatRole.User, "What is the capital of Minas Gerais?"),
        ]);

        Assert.Equal("The capital of Minas Gerais is Belo Horizonte.", response.Text);
        Assert.Equal("resp_03c6f7a0e7df74a9006924b11a6120819395892ac2d8143b03", response.ResponseId);
        Assert.Equal("gpt-4o-mini-2024-07-18", response.ModelId);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1764012314), response.CreatedAt);
        Assert.Equal(ChatFinishReason.Stop, response.FinishReason);
        Assert.Equal(ChatRole.Assistant, response.Messages.Single().Role);
        Assert.Equal("default", response.AdditionalProperties?["service_tier"]);
        AssertUsage(response.Usage, input: 25, output: 10, total: 35, cached: 0, reasoning: 0);
        // 25 × 0.15 / 1M = 0.00000375; 10 × 0.60 / 1M = 0.000006.
        Assert.Equal(new CallCost(0.00000375m, 0m, 0m, 0.000006m, 0m), response.GetCost());
        Assert.Equal(0.00000975m, response.GetCost()!.Total);

        var sent = server.ReceivedRequests.Single();
        Assert.Equal("/v1/responses", sent.Path);
        Assert.Equal($"Bearer {CanaryKey}", sent.GetHeader("Authorization"));
        Assert.Equal("application/json", sent.GetHeader("Accept"));
        var body = Json(sent.Body)!;
        var recorded = RecordedRequestBody(exchanges[0])!;
        Assert.Equal((string?)recorded["model"], (string?)body["model"]);
        Assert.Equal((string?)recorded["instructions"], (string?)body["instructions"]);
        AssertJsonEqual(recorded["input"], body["input"]);
        Assert.False((bool)body["stream"]!);
    }

    [Fact]
    public async Task OpenAI_Streaming_YieldsTextDeltasThenUsageAndCost()
    {
        await using var server = await FakeProviderServer.StartAsync();
        var exchanges = server.EnqueueFixture(Fixture("openai/stream__pydantic-ai__test_openai_instructions_with_responses_logprobs_streaming.yaml"));
        using var client = ClientFor(server, "openai");
        var model = ResponsesModel("gpt-4o-mini", "openai", Gpt4oMiniPricing);

        var updates = await client.GetStreamingResponseAsync(model,
            [new ChatMessage(ChatRole.User, "What is the capital of Minas Gerais?")],
            new ChatOptions { Instructions = "You are a helpful assistant." }).ToListAsync();
        var response = updates.ToChatResponse();

        Assert.Equal(["The", " capital", " of", " Minas", " Gerais", " is", " Belo", " Horizonte", "."], updates.Where(u => u.Text.Length > 0).Select(u => u.Text));
        Assert.Equal("The capital of Minas Gerais is Belo Horizonte.", response.Text);
        Assert.Equal("resp_0ecff685e411ca7b0069e063569c7c819bbc74c80d853802e6", response.ResponseId);
        Assert.Equal("gpt-4o-mini-2024-07-18", response.ModelId);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1776313174), response.CreatedAt);
        Assert.Equal(ChatFinishReason.Stop, response.FinishReason);
        AssertUsage(response.Usage, input: 25, output: 10, total: 35, cached: 0, reasoning: 0);
        Assert.Equal(0.00000975m, response.GetCost()!.Total);
        // Usage and finish reason come with the last update only.
        Assert.Single(updates, u => u.Contents.OfType<UsageContent>().Any());
        Assert.NotNull(updates[^1].FinishReason);

        var sent = server.ReceivedRequests.Single();
        Assert.Equal("text/event-stream", sent.GetHeader("Accept"));
        var body = Json(sent.Body)!;
        var recorded = RecordedRequestBody(exchanges[0])!;
        AssertJsonEqual(recorded["input"], body["input"]);
        Assert.Equal((string?)recorded["instructions"], (string?)body["instructions"]);
        Assert.True((bool)body["stream"]!);
    }

    [Fact]
    public async Task XAI_Streaming_ReasoningSummaryBecomesReasoningContentWithItsIdAndCostUsesCachedTokens()
    {
        await using var server = await FakeProviderServer.StartAsync();
        var path = Fixture("xai/stream__vercel-ai-xai-responses__xai-text-streaming.1.chunks.txt");
        server.EnqueueFixture(path);
        var lines = File.ReadAllLines(path).Select(l => JsonNode.Parse(l)!).ToList();
        var expectedText = (string)lines.Single(l => (string?)l["type"] == "response.output_text.done")!["text"]!;
        var expectedReasoning = (string)lines.Single(l => (string?)l["type"] == "response.reasoning_summary_text.done")!["text"]!;
        using var client = ClientFor(server, "xai");
        var model = ResponsesModel("grok-code-fast-1", "xai", GrokCodeFastPricing);

        var response = await client.GetStreamingResponseAsync(model, [new ChatMessage(ChatRole.User, "What is specifically notable about the style of Sonoran food?")]).ToChatResponseAsync();

        Assert.Equal(expectedText, response.Text);
        Assert.StartsWith("### Overview of Sonoran Cuisine", response.Text);
        var reasoning = response.Messages.SelectMany(m => m.Contents).OfType<TextReasoningContent>().ToList();
        Assert.Equal(expectedReasoning, string.Concat(reasoning.Select(r => r.Text)));
        Assert.Contains(reasoning, r => (string?)r.AdditionalProperties?[OpenAIResponsesClient.ItemIdKey] == "rs_769f3302-64f9-4c72-2b48-860c87fd9b2a");
        Assert.DoesNotContain("First, the question is", response.Text);
        Assert.Equal("769f3302-64f9-4c72-2b48-860c87fd9b2a", response.ResponseId);
        Assert.Equal("grok-code-fast-1", response.ModelId);
        Assert.Equal(ChatFinishReason.Stop, response.FinishReason);
        // output_tokens (863) already holds the 237 reasoning tokens: total 1079 = 216 + 863.
        AssertUsage(response.Usage, input: 216, output: 863, total: 1079, cached: 192, reasoning: 237);
        // (216 − 192) × 0.20 / 1M = 0.0000048; 192 × 0.02 / 1M = 0.00000384; 863 × 1.50 / 1M = 0.0012945.
        Assert.Equal(new CallCost(0.0000048m, 0.00000384m, 0m, 0.0012945m, 0m), response.GetCost());
        Assert.Equal(0.00130314m, response.GetCost()!.Total);
        Assert.Equal("/v1/responses", server.ReceivedRequests.Single().Path);
    }

    [Fact]
    public async Task OpenAI_StreamEndingInErrorEvent_ThrowsNonRetryableQuotaErrorWithProviderFields()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.Enqueue(FixtureLoader.Load(Fixture("openai/stream-error__vercel-ai-openai-responses__openai-error.1.chunks.txt"))[0].Response is var r
            ? new FakeResponse { Body = r.Body, ContentType = r.ContentType, Headers = [new("x-request-id", "req_stream_1")] }
            : throw new InvalidOperationException());
        using var client = ClientFor(server, "openai");
        var model = ResponsesModel("gpt-5-nano", "openai", Gpt4oMiniPricing);
        var updates = new List<ChatResponseUpdate>();

        var ex = await Assert.ThrowsAsync<StratumRateLimitException>(async () =>
        {
            await foreach (var update in client.GetStreamingResponseAsync(model, [new ChatMessage(ChatRole.User, "Hello")]))
            {
                updates.Add(update);
            }
        });

        Assert.Empty(updates.SelectMany(u => u.Contents));
        Assert.Equal("insufficient_quota", ex.ErrorCode);
        Assert.Equal("insufficient_quota", ex.ErrorType);
        Assert.StartsWith("You exceeded your current quota, please check your plan and billing details.", ex.ProviderMessage);
        Assert.False(ex.IsRetryable);
        Assert.Equal("openai", ex.ProviderId);
        Assert.Equal("gpt-5-nano", ex.ModelId);
        Assert.Equal("req_stream_1", ex.RequestId);
        Assert.Null(ex.UsageSoFar);
        Assert.Contains("in the middle of the stream", ex.Message);
    }

    [Fact]
    public async Task DeepSeek_InterleavedToolTurns_AreSentAsRecordedAndThe400MapsToInvalidRequest()
    {
        await using var server = await FakeProviderServer.StartAsync();
        var exchanges = server.EnqueueFixture(Fixture("deepseek/error__pydantic-ai__test_deepseek_responses_rejects_interleaved_function_calls.yaml"));
        using var client = ClientFor(server, "deepseek");
        var model = ResponsesModel("deepseek-v4-flash", "deepseek", new ModelPricing(0.28m, 0.42m));
        List<ChatMessage> conversation =
        [
            new(ChatRole.Assistant, [new TextContent("<think>\ninspect inputs\n</think>"), new FunctionCallContent("call-a", "read", new Dictionary<string, object?> { ["path"] = "a" })]),
            new(ChatRole.Assistant, [new TextContent("<think>\ninspect views\n</think>"), new FunctionCallContent("call-b", "view", new Dictionary<string, object?> { ["path"] = "b" })]),
            new(ChatRole.Tool, [new FunctionResultContent("call-a", "contents"), new FunctionResultContent("call-b", "rendered")]),
            new(ChatRole.User, "Reply exactly: done"),
        ];

        var ex = await Assert.ThrowsAsync<StratumInvalidRequestException>(() => client.GetResponseAsync(model, conversation));

        Assert.Equal(HttpStatusCode.BadRequest, ex.StatusCode);
        Assert.Equal("invalid_request_error", ex.ErrorType);
        Assert.Equal("invalid_request_error", ex.ErrorCode);
        Assert.Equal("No tool output found for tool call call-a.", ex.ProviderMessage);
        Assert.Equal("deepseek", ex.ProviderId);
        Assert.False(ex.IsRetryable);

        var body = Json(server.ReceivedRequests.Single().Body)!;
        var recorded = RecordedRequestBody(exchanges[0])!;
        AssertJsonEqual(recorded["input"], body["input"]);
        Assert.Equal("deepseek-v4-flash", (string?)body["model"]);
        Assert.False((bool)body["stream"]!);
    }

    public static TheoryData<string, int, int> SplitCases()
    {
        var data = new TheoryData<string, int, int>();
        foreach (var fixture in new[]
        {
            "openai/stream__pydantic-ai__test_openai_instructions_with_responses_logprobs_streaming.yaml",
            "xai/stream__vercel-ai-xai-responses__xai-text-streaming.1.chunks.txt",
        })
        {
            data.Add(fixture, 1, 1);
            foreach (var seed in new[] { 7, 42, 1234 })
            {
                data.Add(fixture, seed, 3);
                data.Add(fixture, seed, 17);
                data.Add(fixture, seed, 200);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(SplitCases))]
    public async Task Streaming_SplitAtRandomByteBoundaries_ParsesIdentically(string fixture, int seed, int maxChunk)
    {
        var exchange = FixtureLoader.Load(Fixture(fixture))[0];
        var whole = await ReplayAsync(exchange, seed: 0, maxChunk: exchange.Response.Body.Length);
        var split = await ReplayAsync(exchange, seed, maxChunk);

        Assert.Equal(whole.Rendered, split.Rendered);
        Assert.Contains("usage(", split.Rendered);
        if (maxChunk == 1 && exchange.Response.Body.Span.IndexOfAnyInRange((byte)0x80, (byte)0xFF) >= 0)
        {
            Assert.NotEmpty(split.Handler.SplitsInsideCharacters);
        }
    }

    [Fact]
    public async Task Streaming_ErrorFixtureSplitAtEveryByte_StillThrowsTheSameError()
    {
        var exchange = FixtureLoader.Load(Fixture("openai/stream-error__vercel-ai-openai-responses__openai-error.1.chunks.txt"))[0];
        using var handler = new SplitStreamHandler([exchange.Response], seed: 3, maxChunk: 1);
        using var http = new HttpClient(handler);
        using IChatClient client = new OpenAIResponsesClient(http, new Uri("http://127.0.0.1/v1"), CanaryKey, "gpt-5-nano");

        var ex = await Assert.ThrowsAsync<StratumRateLimitException>(() => client.GetStreamingResponseAsync("hi").ToChatResponseAsync());

        Assert.Equal("insufficient_quota", ex.ErrorCode);
    }

    private static async Task<(string Rendered, SplitStreamHandler Handler)> ReplayAsync(RecordedExchange exchange, int seed, int maxChunk)
    {
        var handler = new SplitStreamHandler([exchange.Response], seed, maxChunk);
        using var http = new HttpClient(handler);
        using IChatClient client = new OpenAIResponsesClient(http, new Uri("http://127.0.0.1/v1"), CanaryKey, "m");
        var updates = await client.GetStreamingResponseAsync("hi").ToListAsync();
        return (SplitStreamHandler.Render(updates), handler);
    }
}

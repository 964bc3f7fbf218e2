using Microsoft.Extensions.AI;
using StratumAI.Dialects;
using StratumAI.Testing;
using static StratumAI.Tests.TestCatalog;

namespace StratumAI.Tests.Dialects;

/// <summary>
/// Every recorded Chat Completions stream, fed to the client in reads of random sizes (fixed seeds, down to one byte,
/// so SSE lines, JSON events and multi-byte UTF-8 characters are all cut), yields exactly the updates the whole body yields.
/// </summary>
public sealed class OpenAIChatCompletionsSplitStreamTests
{
    private static readonly string[] StreamFixtures =
    [
        "openai/stream-tool__pydantic-ai__test_run_stream_sync_streams_real_model.yaml",
        "openai/stream__crewai__test_openai_streaming_returns_usage_metrics.yaml",
        "openai/stream__langchaingo__TestClient_CreateChatCompletionStream.httprr",
        "openai/stream__vercel-ai-openai__openai-text.chunks.txt",
        "deepseek/stream__pydantic-ai__test_deepseek_model_thinking_stream.yaml",
        "deepseek/stream__vercel-ai-deepseek__deepseek-text.chunks.txt",
        "groq/stream__vercel-ai-groq__groq-text.chunks.txt",
        "xai/stream__vercel-ai-openai-compatible__xai-text.chunks.txt",
        "xai/stream__vercel-ai-xai__xai-text.chunks.txt",
        "openrouter/chat__langchaingo__TestOpenRouterWithHTTPRR.httprr",
        "openrouter/stream__pydantic-ai__test_openrouter_cache_streaming_e2e.yaml",
        "openrouter/stream__pydantic-ai__test_openrouter_streaming_reasoning.yaml",
    ];

    public static TheoryData<string, int, int> SplitCases()
    {
        var data = new TheoryData<string, int, int>();
        foreach (var fixture in StreamFixtures)
        {
            data.Add(fixture, 1, 1);
            foreach (var seed in new[] { 11, 2024 })
            {
                data.Add(fixture, seed, 2);
                data.Add(fixture, seed, 9);
                data.Add(fixture, seed, 64);
            }
        }

        return data;
    }

    [Fact]
    public void SplitCases_CoverEveryRecordedChatCompletionsStream()
    {
        var streaming = OpenAIChatCompletionsFixtureTests.FixturePaths
            .Where(f => FixtureLoader.Load(Fixture(f)).Any(e => e.Response.ContentType?.StartsWith("text/event-stream", StringComparison.Ordinal) == true))
            .Order(StringComparer.Ordinal);

        Assert.Equal(streaming, StreamFixtures.Order(StringComparer.Ordinal));
    }

    [Theory]
    [MemberData(nameof(SplitCases))]
    public async Task RecordedStream_SplitAtRandomByteBoundaries_ParsesIdentically(string fixture, int seed, int maxChunk)
    {
        foreach (var exchange in FixtureLoader.Load(Fixture(fixture)))
        {
            var whole = await ReplayAsync(exchange.Response, seed: 0, maxChunk: exchange.Response.Body.Length);
            var split = await ReplayAsync(exchange.Response, seed, maxChunk);

            Assert.Equal(whole.Rendered, split.Rendered);
            Assert.Contains("usage(", split.Rendered);
            Assert.Matches(@"\|(stop|tool_calls|length)\]", split.Rendered);
            if (maxChunk == 1 && exchange.Response.Body.Span.IndexOfAnyInRange((byte)0x80, (byte)0xFF) >= 0)
            {
                // Single-byte reads cut every multi-byte character of the recording.
                Assert.NotEmpty(split.Handler.SplitsInsideCharacters);
            }
        }
    }

    [Fact]
    public async Task StreamTool_ArgumentDeltasAndTheUsageOnlyFinalChunk_AreAssembledAtEveryByteBoundary()
    {
        var exchange = FixtureLoader.Load(Fixture("openai/stream-tool__pydantic-ai__test_run_stream_sync_streams_real_model.yaml"))[0];
        // The recording: argument fragments {"country":"UK"} split over chunks, then finish_reason, then usage with choices: [].
        Assert.Contains("\"choices\":[],", exchange.Response.BodyText);

        var (_, updates, _) = await ReplayUpdatesAsync(exchange.Response, seed: 5, maxChunk: 1);

        var call = Assert.Single(updates.SelectMany(u => u.Contents).OfType<FunctionCallContent>());
        Assert.Equal("call_ZR5UUuTt3pf61kjwAJIYdVMj", call.CallId);
        Assert.Equal("get_capital", call.Name);
        Assert.Equal("UK", call.Arguments!["country"]!.ToString());
        var last = updates[^1];
        var usage = Assert.IsType<UsageContent>(Assert.Single(last.Contents));
        Assert.Null(last.FinishReason);
        Assert.Equal(53, usage.Details.InputTokenCount);
        Assert.Equal(15, usage.Details.OutputTokenCount);
        Assert.Equal(68, usage.Details.TotalTokenCount);
        Assert.Equal(ChatFinishReason.ToolCalls, updates.ToChatResponse().FinishReason);
    }

    [Fact]
    public async Task OpenAIStream_WithMultiByteText_IsCutInsideCharactersAndKeepsEveryCharacter()
    {
        var exchange = FixtureLoader.Load(Fixture("openai/stream__vercel-ai-openai__openai-text.chunks.txt"))[0];

        var (_, updates, handler) = await ReplayUpdatesAsync(exchange.Response, seed: 99, maxChunk: 1);

        Assert.NotEmpty(handler.SplitsInsideCharacters);
        var text = updates.ToChatResponse().Text;
        Assert.Contains("\u2014to", text);
        Assert.Contains("\u2019", text);
        Assert.DoesNotContain("\uFFFD", text);
    }

    private static async Task<(string Rendered, SplitStreamHandler Handler)> ReplayAsync(RecordedResponse response, int seed, int maxChunk)
    {
        var (rendered, _, handler) = await ReplayUpdatesAsync(response, seed, maxChunk);
        return (rendered, handler);
    }

    private static async Task<(string Rendered, List<ChatResponseUpdate> Updates, SplitStreamHandler Handler)> ReplayUpdatesAsync(RecordedResponse response, int seed, int maxChunk)
    {
        var handler = new SplitStreamHandler([response], seed, maxChunk);
        using var http = new HttpClient(handler);
        using IChatClient client = new OpenAIChatCompletionsClient(http, new Uri("http://127.0.0.1/v1"), CanaryKey, "m");
        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in client.GetStreamingResponseAsync("hi"))
        {
            updates.Add(update);
        }

        return (SplitStreamHandler.Render(updates), updates, handler);
    }
}

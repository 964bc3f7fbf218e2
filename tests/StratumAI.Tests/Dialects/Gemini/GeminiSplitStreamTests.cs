using System.Text;
using Microsoft.Extensions.AI;
using StratumAI.Testing;
using static StratumAI.Tests.Dialects.Gemini.GeminiTestSupport;
using static StratumAI.Tests.TestCatalog;

namespace StratumAI.Tests.Dialects.Gemini;

/// <summary>
/// Every recorded Gemini stream, fed to the client in reads of random sizes (fixed seeds) and one byte at a time,
/// parses exactly as when read whole.
/// </summary>
public sealed class GeminiSplitStreamTests
{
    public static TheoryData<string> StreamFixtures() => new()
    {
        "gemini/stream__pydantic-ai__test_google_model_stream.yaml",
        "gemini/stream__pydantic-ai__test_google_model_thinking_part_iter.yaml",
        "gemini/stream__pydantic-ai__test_google_stream_usage_is_live_mid_stream.yaml",
        "gemini/stream__vercel-ai-google__google-text.chunks.txt",
        "gemini/stream-tool__vercel-ai-google__google-tool-call.chunks.txt",
        "gemini/stream-tool__vercel-ai-google__google-stream-tool-call-arguments.chunks.txt",
        "gemini/stream__langchaingo__TestGoogleAIWithStreaming.httprr",
        "gemini/stream__semantic-kernel__chat_stream_response.json",
    };

    [Theory]
    [MemberData(nameof(StreamFixtures))]
    public async Task RecordedStream_SplitAtRandomBoundaries_ParsesIdentically(string fixture)
    {
        var (body, contentType) = await LoadStreamAsync(fixture);
        var expected = Describe(await ParseAsync(body, contentType, seed: 0, whole: true));
        Assert.Contains("U(", expected, StringComparison.Ordinal);

        for (var seed = 1; seed <= 25; seed++)
        {
            Assert.Equal(expected, Describe(await ParseAsync(body, contentType, seed, whole: false)));
        }

        Assert.Equal(expected, Describe(await ParseAsync(body, contentType, seed: null, whole: false)));
    }

    [Fact]
    public async Task MultiByteText_SplitInsideEveryCharacter_ComesOutWhole()
    {
        const string text = "Grüße 👋 — 日本語 ✓";
        var body = Encoding.UTF8.GetBytes(
            $"data: {{\"candidates\":[{{\"content\":{{\"parts\":[{{\"text\":\"{text}\"}}],\"role\":\"model\"}}}}]}}\r\n\r\n" +
            "data: {\"candidates\":[{\"content\":{\"parts\":[{\"text\":\" café\"}],\"role\":\"model\"},\"finishReason\":\"STOP\"}],\"usageMetadata\":{\"promptTokenCount\":2,\"candidatesTokenCount\":9,\"totalTokenCount\":11}}\r\n\r\n");
        var arrayBody = Encoding.UTF8.GetBytes($"\uFEFF[{{\"candidates\":[{{\"content\":{{\"parts\":[{{\"text\":\"{text}\"}}]}},\"finishReason\":\"STOP\"}}]}}]");

        var sse = (await ParseAsync(body, "text/event-stream", seed: null, whole: false)).ToChatResponse();
        var array = (await ParseAsync(arrayBody, "application/json", seed: null, whole: false)).ToChatResponse();

        Assert.Equal(text + " café", sse.Text);
        Assert.Equal(11, sse.Usage!.TotalTokenCount);
        Assert.Equal(text, array.Text);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(64)]
    public async Task RecordedStream_ThroughTheFakeServerInSmallChunks_ParsesIdentically(int chunkSize)
    {
        const string fixture = "gemini/stream-tool__vercel-ai-google__google-stream-tool-call-arguments.chunks.txt";
        var (body, contentType) = await LoadStreamAsync(fixture);
        var expected = Describe(await ParseAsync(body, contentType, seed: 0, whole: true));
        await using var server = await FakeProviderServer.StartAsync();
        var exchange = FixtureLoader.Load(Fixture(fixture))[0];
        server.Enqueue(FakeResponse.FromExchange(exchange) with { ChunkSize = chunkSize, DelayBetweenChunks = TimeSpan.FromMilliseconds(chunkSize == 64 ? 1 : 0) });
        using var http = new HttpClient();
        using var client = new StratumAI.Dialects.GeminiGenerateContentClient(http, server.V1(), CanaryKey, "gemini-2.5-flash");

        var updates = await CollectAsync(client.GetStreamingResponseAsync([new ChatMessage(ChatRole.User, "x")]));

        Assert.Equal(expected, Describe(updates));
    }

    private static async Task<(byte[] Body, string ContentType)> LoadStreamAsync(string fixture)
    {
        if (fixture.EndsWith(".json", StringComparison.Ordinal))
        {
            // Raw file bytes, byte order mark included.
            return (await File.ReadAllBytesAsync(Fixture(fixture)), "application/json; charset=UTF-8");
        }

        var response = FixtureLoader.Load(Fixture(fixture)).Single().Response;
        return (response.Body.ToArray(), response.ContentType ?? "text/event-stream");
    }

    private static async Task<List<ChatResponseUpdate>> ParseAsync(byte[] body, string contentType, int? seed, bool whole)
    {
        HttpMessageHandler handler = whole ? new WholeBodyHandler(body, contentType) : new SplitBodyHandler(body, contentType, seed);
        using var client = DirectClient(handler);
        return await CollectAsync(client.GetStreamingResponseAsync([new ChatMessage(ChatRole.User, "x")]));
    }

    private sealed class WholeBodyHandler(byte[] body, string contentType) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var content = new ByteArrayContent(body);
            content.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse(contentType);
            return Task.FromResult(new HttpResponseMessage(System.Net.HttpStatusCode.OK) { Content = content, RequestMessage = request });
        }
    }
}

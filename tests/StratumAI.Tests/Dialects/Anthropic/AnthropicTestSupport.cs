using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using StratumAI.Dialects;
using StratumAI.Testing;

namespace StratumAI.Tests.Dialects.Anthropic;

/// <summary>Anthropic test helpers: the default catalog's prices typed in by hand, model entries and stream plumbing.</summary>
internal static class AnthropicTestSupport
{
    // USD per 1M tokens, from catalog/anthropic.yaml.
    public static readonly ModelPricing Sonnet45Pricing = new(3m, 15m, CachedInputPerMillion: 0.3m, CacheWritePerMillion: 3.75m,
        Tiers: [new PriceTier(200_000, 6m, 22.5m, 0.6m, 7.5m)]);

    public static readonly ModelPricing Sonnet4Pricing = Sonnet45Pricing;
    public static readonly ModelPricing Haiku45Pricing = new(1m, 5m, CachedInputPerMillion: 0.1m, CacheWritePerMillion: 1.25m);
    public static readonly ModelPricing Opus3Pricing = new(15m, 75m, CachedInputPerMillion: 1.5m, CacheWritePerMillion: 18.75m);
    public static readonly ModelPricing Opus45Pricing = new(5m, 25m, CachedInputPerMillion: 0.5m, CacheWritePerMillion: 6.25m);
    public static readonly ModelPricing Opus46Pricing = Opus45Pricing;
    public static readonly ModelPricing Fable5Pricing = new(10m, 50m, CachedInputPerMillion: 1m, CacheWritePerMillion: 12.5m);

    public static ProviderInfo AnthropicProvider { get; } = TestCatalog.Provider("anthropic", dialect: "anthropic");

    public static ModelInfo Model(string id, ModelPricing pricing) => TestCatalog.Model(id, AnthropicProvider, pricing, dialect: "anthropic");

    public static StratumClient ClientFor(FakeProviderServer server) => TestCatalog.ClientFor(server, "anthropic");

    /// <summary>A bare dialect client whose every response body arrives through <paramref name="handler"/>.</summary>
    public static AnthropicMessagesClient DirectClient(HttpMessageHandler handler, string modelId = "claude-sonnet-4-5") =>
        new(new HttpClient(handler), new Uri("https://api.anthropic.com"), TestCatalog.CanaryKey, modelId);

    public static async Task<List<ChatResponseUpdate>> CollectAsync(IAsyncEnumerable<ChatResponseUpdate> updates)
    {
        var list = new List<ChatResponseUpdate>();
        await foreach (var update in updates)
        {
            list.Add(update);
        }

        return list;
    }

    public static JsonNode SentBody(FakeProviderServer server, int index = 0) => JsonNode.Parse(server.ReceivedRequests[index].Body)!;

    public static JsonNode RecordedBody(RecordedExchange exchange) => TestCatalog.RecordedRequestBody(exchange)!;

    /// <summary>The recorded system prompt, exactly as it was sent.</summary>
    public static string RecordedSystem(RecordedExchange exchange) => (string)RecordedBody(exchange)["system"]!;

    public static AIFunctionDeclaration ToolFrom(JsonNode tool) =>
        AIFunctionFactory.CreateDeclaration(
            (string)tool["name"]!,
            (string?)tool["description"],
            JsonSerializer.SerializeToElement(tool["input_schema"], AIJsonUtilities.DefaultOptions.GetTypeInfo(typeof(JsonNode))));

    public static void AssertUsage(UsageDetails? usage, long input, long output, long? cached, long? cacheWrite)
    {
        Assert.NotNull(usage);
        Assert.Equal(input, usage!.InputTokenCount);
        Assert.Equal(output, usage.OutputTokenCount);
        Assert.Equal(input + output, usage.TotalTokenCount);
        Assert.Equal(cached, usage.CachedInputTokenCount);
        long? written = usage.AdditionalCounts is { } counts && counts.TryGetValue(StratumUsageKeys.CacheWriteInputTokens, out var value) ? value : null;
        Assert.Equal(cacheWrite, written);
        Assert.Null(usage.ReasoningTokenCount);
    }

    /// <summary>Cuts <paramref name="length"/> bytes into pieces at random places (fixed seed), including inside UTF-8 sequences.</summary>
    public static List<int> RandomCuts(int length, int seed)
    {
        var random = new Random(seed);
        var cuts = new SortedSet<int>();
        var count = random.Next(1, Math.Max(2, length / 8));
        for (var i = 0; i < count; i++)
        {
            cuts.Add(random.Next(1, length));
        }

        return [.. cuts];
    }

    /// <summary>Every cut that falls strictly inside a multi-byte UTF-8 character of <paramref name="body"/>.</summary>
    public static List<int> CutsInsideMultiByteCharacters(ReadOnlySpan<byte> body)
    {
        var cuts = new List<int>();
        for (var i = 1; i < body.Length; i++)
        {
            if ((body[i] & 0xC0) == 0x80)
            {
                cuts.Add(i);
            }
        }

        return cuts;
    }
}

/// <summary>Answers every request with one body, handed to the reader in pieces cut at given offsets.</summary>
internal sealed class SplitBodyHandler(byte[] body, IReadOnlyList<int> cuts, string contentType = "text/event-stream", HttpStatusCode status = HttpStatusCode.OK) : HttpMessageHandler
{
    public List<string> RequestBodies { get; } = [];

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        RequestBodies.Add(request.Content is null ? string.Empty : await request.Content.ReadAsStringAsync(cancellationToken));
        var content = new StreamContent(new PiecewiseStream(body, cuts));
        content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        return new HttpResponseMessage(status) { Content = content, RequestMessage = request };
    }

    /// <summary>A read-only stream whose reads never cross a cut, so the parser sees exactly those pieces.</summary>
    private sealed class PiecewiseStream(byte[] body, IReadOnlyList<int> cuts) : Stream
    {
        private int _position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => body.Length;

        public override long Position { get => _position; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            if (_position >= body.Length || buffer.Length == 0)
            {
                return 0;
            }

            var end = body.Length;
            foreach (var cut in cuts)
            {
                if (cut > _position)
                {
                    end = cut;
                    break;
                }
            }

            var n = Math.Min(buffer.Length, end - _position);
            body.AsSpan(_position, n).CopyTo(buffer);
            _position += n;
            return n;
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => ValueTask.FromResult(Read(buffer.Span));

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => Task.FromResult(Read(buffer.AsSpan(offset, count)));

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}

/// <summary>Builds an SSE body from Anthropic event JSON objects, with the <c>event:</c> line the API sends.</summary>
internal static class AnthropicSse
{
    public static byte[] Build(params string[] events)
    {
        var builder = new StringBuilder();
        foreach (var json in events)
        {
            var type = (string?)JsonNode.Parse(json)?["type"];
            builder.Append("event: ").Append(type).Append('\n').Append("data: ").Append(json).Append("\n\n");
        }

        return Encoding.UTF8.GetBytes(builder.ToString());
    }
}

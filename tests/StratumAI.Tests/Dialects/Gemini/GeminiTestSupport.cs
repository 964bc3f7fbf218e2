using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.AI;
using StratumAI.Dialects;
using StratumAI.Testing;
using static StratumAI.Tests.TestCatalog;

namespace StratumAI.Tests.Dialects.Gemini;

/// <summary>Prices and helpers for the Gemini dialect tests.</summary>
internal static class GeminiTestSupport
{
    // Prices from the default catalog (catalog/gemini.yaml), USD per 1M tokens.
    public static readonly ModelPricing Flash20 = new(0.1m, 0.4m, CachedInputPerMillion: 0.025m);
    public static readonly ModelPricing Flash25 = new(0.3m, 2.5m, CachedInputPerMillion: 0.03m, ReasoningPerMillion: 2.5m);
    public static readonly ModelPricing Pro25 = new(1.25m, 10m, CachedInputPerMillion: 0.125m, Tiers: [new PriceTier(200_000, 2.5m, 15m, CachedInputPerMillion: 0.25m)]);
    public static readonly ModelPricing Pro3 = new(2m, 12m, CachedInputPerMillion: 0.2m, Tiers: [new PriceTier(200_000, 4m, 18m, CachedInputPerMillion: 0.4m)]);

    public static readonly ProviderInfo GeminiProvider = Provider("gemini", dialect: "gemini");

    public static ModelInfo GeminiModel(string id, ModelPricing pricing) => Model(id, GeminiProvider, pricing);

    public static StratumClient GeminiClient(FakeProviderServer server) => ClientFor(server, "gemini");

    public static GeminiGenerateContentClient DirectClient(HttpMessageHandler handler, string model = "gemini-2.5-flash", string? apiKey = CanaryKey) =>
        new(new HttpClient(handler), new Uri("http://gemini.test/v1beta"), apiKey, model);

    public static async Task<List<ChatResponseUpdate>> CollectAsync(IAsyncEnumerable<ChatResponseUpdate> updates)
    {
        var list = new List<ChatResponseUpdate>();
        await foreach (var update in updates)
        {
            list.Add(update);
        }

        return list;
    }

    public static void AssertUsage(UsageDetails? usage, long input, long output, long total, long? cached, long? reasoning)
    {
        Assert.NotNull(usage);
        Assert.Equal(input, usage!.InputTokenCount);
        Assert.Equal(output, usage.OutputTokenCount);
        Assert.Equal(total, usage.TotalTokenCount);
        Assert.Equal(cached, usage.CachedInputTokenCount);
        Assert.Equal(reasoning, usage.ReasoningTokenCount);
    }

    /// <summary>The one cost a stream reports (on the update that carries the usage).</summary>
    public static CallCost SingleStreamCost(IReadOnlyList<ChatResponseUpdate> updates)
    {
        var costs = updates
            .Where(u => u.AdditionalProperties?.ContainsKey(StratumUsageKeys.Cost) == true)
            .Select(u => (CallCost)u.AdditionalProperties![StratumUsageKeys.Cost]!)
            .ToList();
        return Assert.Single(costs);
    }

    /// <summary>A canonical text form of everything a stream produced, to compare two parses of the same bytes.</summary>
    public static string Describe(IEnumerable<ChatResponseUpdate> updates)
    {
        var builder = new StringBuilder();
        foreach (var update in updates)
        {
            builder.Append(CultureInfo.InvariantCulture, $"[{update.ResponseId}|{update.ModelId}|{update.FinishReason}]");
            foreach (var content in update.Contents)
            {
                builder.Append(content switch
                {
                    TextReasoningContent r => $"R({r.Text}|{r.ProtectedData})",
                    TextContent t => $"T({t.Text}|{t.AdditionalProperties?[GeminiGenerateContentClient.ThoughtSignatureKey]})",
                    FunctionCallContent c => $"F({c.CallId}|{c.Name}|{JsonSerializer.Serialize(c.Arguments)}|{c.AdditionalProperties?[GeminiGenerateContentClient.ThoughtSignatureKey]})",
                    UsageContent u => $"U({u.Details.InputTokenCount},{u.Details.OutputTokenCount},{u.Details.TotalTokenCount},{u.Details.CachedInputTokenCount},{u.Details.ReasoningTokenCount})",
                    _ => content.GetType().Name,
                });
            }

            builder.Append('\n');
        }

        return builder.ToString();
    }

    public static JsonElement JsonElementOf(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }
}

/// <summary>Answers every request with fixed bytes, handed out in reads of random sizes (seeded) — or one byte at a time.</summary>
internal sealed class SplitBodyHandler(byte[] body, string contentType, int? seed, int statusCode = 200) : HttpMessageHandler
{
    public List<(HttpRequestMessage Request, string Body)> Requests { get; } = [];

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        Requests.Add((request, request.Content is null ? string.Empty : await request.Content.ReadAsStringAsync(cancellationToken)));
        var content = new StreamContent(new RandomReadStream(body, seed));
        content.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse(contentType);
        return new HttpResponseMessage((HttpStatusCode)statusCode) { Content = content, RequestMessage = request };
    }

    private sealed class RandomReadStream(byte[] data, int? seed) : Stream
    {
        private readonly Random? _random = seed is { } s ? new Random(s) : null;
        private int _position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => data.Length;

        public override long Position { get => _position; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            if (_position >= data.Length || count == 0)
            {
                return 0;
            }

            // A null seed means one byte per read: every boundary, including inside multi-byte UTF-8 characters.
            var size = _random is null ? 1 : _random.Next(1, 24);
            size = Math.Min(Math.Min(size, count), data.Length - _position);
            Array.Copy(data, _position, buffer, offset, size);
            _position += size;
            return size;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            Task.FromResult(Read(buffer, offset, count));

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var array = new byte[buffer.Length];
            var read = Read(array, 0, array.Length);
            array.AsSpan(0, read).CopyTo(buffer.Span);
            return ValueTask.FromResult(read);
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}

using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.AI;
using StratumAI.Testing;

namespace StratumAI.Tests.Dialects.Ollama;

/// <summary>Helpers for the Ollama dialect tests: catalog entries, clients aimed at a fake server, split-byte bodies.</summary>
internal static class OllamaTestSupport
{
    /// <summary>The default catalog's price for local Ollama models.</summary>
    public static readonly ModelPricing LocalPricing = new(0m, 0m);

    private static readonly JsonSerializerOptions CompactJson = new(AIJsonUtilities.DefaultOptions) { WriteIndented = false };

    public static ProviderInfo OllamaProvider { get; } = new("ollama", "Ollama", "ollama", "http://localhost:11434", null);

    public static ModelInfo Model(string id, ModelPricing? pricing = null) =>
        new(id, "Ollama" + new string(id.Where(char.IsLetterOrDigit).ToArray()), OllamaProvider, null, 131_072, null, pricing ?? LocalPricing, ModelCapabilities.None);

    /// <summary>A <see cref="StratumClient"/> whose <c>ollama</c> provider points at the fake server's root (the native API has no /v1).</summary>
    public static StratumClient ClientFor(FakeProviderServer server, string? apiKey = null)
    {
        var options = new StratumClientOptions { Models = new ModelRegistry() };
        var provider = options.Provider("ollama");
        provider.ApiKey = apiKey;
        provider.BaseUrl = server.BaseUri;
        return new StratumClient(options);
    }

    /// <summary>Reads a whole stream into a list of updates.</summary>
    public static async Task<List<ChatResponseUpdate>> CollectAsync(IAsyncEnumerable<ChatResponseUpdate> updates)
    {
        var list = new List<ChatResponseUpdate>();
        await foreach (var update in updates)
        {
            list.Add(update);
        }

        return list;
    }

    /// <summary>Everything a stream's updates say, as one comparable string: contents in order, finish reason, usage, model, time.</summary>
    public static string Describe(IEnumerable<ChatResponseUpdate> updates)
    {
        var text = new StringBuilder();
        foreach (var update in updates)
        {
            text.Append('[').Append(update.ModelId).Append('|').Append(update.CreatedAt?.ToString("O", System.Globalization.CultureInfo.InvariantCulture)).Append('|').Append(update.FinishReason?.Value);
            foreach (var content in update.Contents)
            {
                text.Append('|');
                switch (content)
                {
                    case TextReasoningContent reasoning:
                        text.Append("think:").Append(reasoning.Text);
                        break;
                    case TextContent t:
                        text.Append("text:").Append(t.Text);
                        break;
                    case FunctionCallContent call:
                        // Generated ids differ per run; the name and arguments must not.
                        text.Append("call:").Append(call.Name).Append(ArgumentsJson(call));
                        break;
                    case UsageContent usage:
                        text.Append("usage:").Append(usage.Details.InputTokenCount).Append('/').Append(usage.Details.OutputTokenCount).Append('/').Append(usage.Details.TotalTokenCount);
                        foreach (var (key, value) in usage.Details.AdditionalCounts ?? [])
                        {
                            text.Append(',').Append(key).Append('=').Append(value);
                        }

                        break;
                    default:
                        text.Append(content.GetType().Name);
                        break;
                }
            }

            text.Append(']').Append('\n');
        }

        return text.ToString();
    }

    public static string ArgumentsJson(FunctionCallContent call) =>
        JsonSerializer.Serialize(call.Arguments, CompactJson.GetTypeInfo(typeof(IDictionary<string, object?>)));
}

/// <summary>
/// Serves one fixed body through reads of random length (fixed seed), recording every split offset, so a test can
/// prove splits fell inside multi-byte UTF-8 characters and still parsed the same.
/// </summary>
internal sealed class SplitReadStream : Stream
{
    private readonly byte[] _body;
    private readonly Random _random;
    private readonly int _maxChunk;
    private int _position;

    public SplitReadStream(byte[] body, int seed, int maxChunk)
    {
        _body = body;
        _random = new Random(seed);
        _maxChunk = maxChunk;
    }

    public List<int> SplitOffsets { get; } = [];

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => _position; set => throw new NotSupportedException(); }

    public override void Flush()
    {
    }

    public override int Read(byte[] buffer, int offset, int count) => ReadCore(buffer.AsSpan(offset, count));

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => ValueTask.FromResult(ReadCore(buffer.Span));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => Task.FromResult(ReadCore(buffer.AsSpan(offset, count)));

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    private int ReadCore(Span<byte> destination)
    {
        if (_position >= _body.Length)
        {
            return 0;
        }

        var size = Math.Min(Math.Min(_random.Next(1, _maxChunk + 1), destination.Length), _body.Length - _position);
        _body.AsSpan(_position, size).CopyTo(destination);
        _position += size;
        SplitOffsets.Add(_position);
        return size;
    }
}

/// <summary>Answers every request with a body from a factory (200, the given media type), recording the requests.</summary>
internal sealed class StreamBodyHandler(Func<Stream> body, string mediaType = "application/x-ndjson") : HttpMessageHandler
{
    public List<(HttpRequestMessage Request, string Body)> Requests { get; } = [];

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var text = request.Content is null ? string.Empty : await request.Content.ReadAsStringAsync(cancellationToken);
        Requests.Add((request, text));
        var content = new StreamContent(body());
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(mediaType);
        return new HttpResponseMessage(HttpStatusCode.OK) { Content = content, RequestMessage = request };
    }
}

/// <summary>Serves its first part at once, then waits for <see cref="Release"/> before serving the rest.</summary>
internal sealed class GatedStream(byte[] first, byte[] rest) : Stream
{
    private readonly TaskCompletionSource _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _stage;

    public bool RestServed { get; private set; }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public void Release() => _gate.TrySetResult();

    public override void Flush()
    {
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("Synchronous reads would block the gate.");

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        switch (_stage)
        {
            case 0:
                _stage = 1;
                first.CopyTo(buffer);
                return first.Length;
            case 1:
                await _gate.Task.WaitAsync(cancellationToken);
                _stage = 2;
                RestServed = true;
                rest.CopyTo(buffer);
                return rest.Length;
            default:
                return 0;
        }
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}

using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.AI;
using StratumAI.Testing;

namespace StratumAI.Tests.Dialects;

/// <summary>
/// Serves recorded response bodies to a dialect client through reads of random sizes (fixed seeds), so SSE framing,
/// JSON events and multi-byte UTF-8 characters are cut at arbitrary byte boundaries; and renders a stream's updates as
/// text so two runs can be compared exactly.
/// </summary>
internal sealed class SplitStreamHandler : HttpMessageHandler
{
    private readonly Queue<RecordedResponse> _responses;
    private readonly int _seed;
    private readonly int _maxChunk;

    public SplitStreamHandler(IEnumerable<RecordedResponse> responses, int seed, int maxChunk)
    {
        _responses = new Queue<RecordedResponse>(responses);
        _seed = seed;
        _maxChunk = maxChunk;
    }

    /// <summary>Offsets at which a read started inside a multi-byte UTF-8 character (on a continuation byte).</summary>
    public List<int> SplitsInsideCharacters { get; } = [];

    public List<string> RequestBodies { get; } = [];

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        RequestBodies.Add(request.Content is null ? string.Empty : await request.Content.ReadAsStringAsync(cancellationToken));
        var recorded = _responses.Dequeue();
        var response = new HttpResponseMessage((HttpStatusCode)recorded.StatusCode)
        {
            Content = new StreamContent(new RandomReadStream(recorded.Body, new Random(_seed), _maxChunk, SplitsInsideCharacters)),
        };
        response.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(recorded.ContentType ?? "text/event-stream");
        return response;
    }

    /// <summary>The updates of a stream as one line each: ids, finish reason and every content with its fields.</summary>
    public static string Render(IEnumerable<ChatResponseUpdate> updates)
    {
        var builder = new StringBuilder();
        foreach (var update in updates)
        {
            builder.Append(CultureInfo.InvariantCulture, $"[{update.ResponseId}|{update.ModelId}|{update.FinishReason}]");
            foreach (var content in update.Contents)
            {
                builder.Append(' ');
                builder.Append(content switch
                {
                    TextReasoningContent r => $"reasoning({r.Text}|{r.ProtectedData}|{(r.AdditionalProperties?.TryGetValue("openai.item_id", out var id) == true ? id : null)})",
                    TextContent t => $"text({t.Text})",
                    FunctionCallContent c => $"call({c.CallId}|{c.Name}|{JsonSerializer.Serialize(c.Arguments, AIJsonUtilities.DefaultOptions)})",
                    UsageContent u => $"usage({u.Details.InputTokenCount}|{u.Details.OutputTokenCount}|{u.Details.TotalTokenCount}|{u.Details.CachedInputTokenCount}|{u.Details.ReasoningTokenCount})",
                    ErrorContent e => $"error({e.ErrorCode}|{e.Message})",
                    _ => content.GetType().Name,
                });
            }

            builder.Append('\n');
        }

        return builder.ToString();
    }

    private sealed class RandomReadStream(ReadOnlyMemory<byte> body, Random random, int maxChunk, List<int> splitsInsideCharacters) : Stream
    {
        private int _position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => body.Length;

        public override long Position
        {
            get => _position;
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var remaining = body.Length - _position;
            if (remaining == 0 || buffer.Length == 0)
            {
                return 0;
            }

            if (_position > 0 && (body.Span[_position] & 0xC0) == 0x80)
            {
                splitsInsideCharacters.Add(_position);
            }

            var size = Math.Min(Math.Min(buffer.Length, remaining), random.Next(1, maxChunk + 1));
            body.Span.Slice(_position, size).CopyTo(buffer);
            _position += size;
            return size;
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            ValueTask.FromResult(Read(buffer.Span));

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            Task.FromResult(Read(buffer.AsSpan(offset, count)));

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}

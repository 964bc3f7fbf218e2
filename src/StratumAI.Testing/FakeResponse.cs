using System.Text;

namespace StratumAI.Testing;

/// <summary>
/// A scripted response for <see cref="FakeProviderServer"/>: status, headers and body, plus optional
/// faults (a delay before the headers, a connection cut after some body bytes, a body streamed in
/// slow chunks, or a connection closed without any response).
/// </summary>
/// <remarks>
/// Instances are immutable; derive variants with <c>with</c>, for example
/// <c>FakeResponse.FromExchange(exchange) with { AbortAfterBodyBytes = 100 }</c>.
/// </remarks>
public sealed record FakeResponse
{
    /// <summary>Gets the HTTP status code. Default 200.</summary>
    public int StatusCode { get; init; } = 200;

    /// <summary>
    /// Gets the response headers, sent in order (a repeated name sends several values). Framing headers
    /// (<c>content-length</c>, <c>transfer-encoding</c>, <c>connection</c>, <c>keep-alive</c>, <c>content-encoding</c>)
    /// and <c>alt-svc</c> are not sent: the server frames the body itself, and no HTTP/3 endpoint exists. Default empty.
    /// </summary>
    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; init; } = [];

    /// <summary>Gets the body bytes, sent as they are (never for 1xx, 204 or 304, which have no body). Default empty.</summary>
    public ReadOnlyMemory<byte> Body { get; init; }

    /// <summary>Gets the <c>Content-Type</c> to send, or <see langword="null"/> to send none. Default <see langword="null"/>.</summary>
    public string? ContentType { get; init; }

    /// <summary>Gets how long the server waits before sending the status line and headers. Default zero.</summary>
    public TimeSpan DelayBeforeHeaders { get; init; }

    /// <summary>
    /// Gets the number of body bytes after which the server aborts the connection, or <see langword="null"/>
    /// to send the whole body. When set, <c>Content-Length</c> announces the full body so the client can see
    /// the truncation; after the bytes are flushed the server closes the connection, so the client's read fails with an
    /// <see cref="IOException"/> (or <see cref="HttpRequestException"/> when it buffers the body). A value at least the
    /// body length sends the whole body. Default <see langword="null"/>.
    /// </summary>
    public int? AbortAfterBodyBytes { get; init; }

    /// <summary>
    /// Gets the size of the pieces the body is written in, each flushed on its own, or 0 to write the body at once.
    /// A body written in pieces is sent with chunked transfer-encoding. Default 0.
    /// </summary>
    public int ChunkSize { get; init; }

    /// <summary>Gets the pause between two pieces when <see cref="ChunkSize"/> is set. Default zero.</summary>
    public TimeSpan DelayBetweenChunks { get; init; }

    /// <summary>
    /// Gets a value indicating whether the server closes the connection without sending any response
    /// (after <see cref="DelayBeforeHeaders"/>). Default <see langword="false"/>.
    /// </summary>
    public bool CloseWithoutResponse { get; init; }

    /// <summary>Gets the body decoded as UTF-8 text.</summary>
    public string BodyText => Encoding.UTF8.GetString(Body.Span);

    /// <summary>Creates a JSON response.</summary>
    /// <param name="json">The JSON body text, sent as UTF-8.</param>
    /// <param name="statusCode">The status code. Default 200.</param>
    /// <returns>The response.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="json"/> is <see langword="null"/>.</exception>
    public static FakeResponse Json(string json, int statusCode = 200)
    {
        ArgumentNullException.ThrowIfNull(json);
        return new FakeResponse { StatusCode = statusCode, Body = Encoding.UTF8.GetBytes(json), ContentType = "application/json" };
    }

    /// <summary>Creates a text response, for example an SSE body or a deliberately malformed body.</summary>
    /// <param name="text">The body text, sent as UTF-8.</param>
    /// <param name="contentType">The content type. Default <c>text/plain; charset=utf-8</c>.</param>
    /// <param name="statusCode">The status code. Default 200.</param>
    /// <returns>The response.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is <see langword="null"/>.</exception>
    public static FakeResponse Text(string text, string? contentType = "text/plain; charset=utf-8", int statusCode = 200)
    {
        ArgumentNullException.ThrowIfNull(text);
        return new FakeResponse { StatusCode = statusCode, Body = Encoding.UTF8.GetBytes(text), ContentType = contentType };
    }

    /// <summary>Creates a response with a status code and no body, for example a bare 503.</summary>
    /// <param name="statusCode">The status code.</param>
    /// <returns>The response.</returns>
    public static FakeResponse Status(int statusCode) => new() { StatusCode = statusCode };

    /// <summary>Creates a fault: the server closes the connection without sending a response.</summary>
    /// <returns>The response.</returns>
    public static FakeResponse Disconnect() => new() { CloseWithoutResponse = true };

    /// <summary>Creates a response that replays the recorded response of <paramref name="exchange"/>.</summary>
    /// <param name="exchange">The recorded exchange.</param>
    /// <returns>The response.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="exchange"/> is <see langword="null"/>.</exception>
    public static FakeResponse FromExchange(RecordedExchange exchange)
    {
        ArgumentNullException.ThrowIfNull(exchange);
        var response = exchange.Response;
        return new FakeResponse
        {
            StatusCode = response.StatusCode,
            Headers = response.Headers,
            Body = response.Body,
            ContentType = response.ContentType,
        };
    }

    /// <summary>Returns a copy with one more header, for example <c>.WithHeader("retry-after", "2")</c>.</summary>
    /// <param name="name">The header name.</param>
    /// <param name="value">The header value.</param>
    /// <returns>The new response.</returns>
    /// <exception cref="ArgumentException"><paramref name="name"/> is <see langword="null"/> or empty.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="value"/> is <see langword="null"/>.</exception>
    public FakeResponse WithHeader(string name, string value)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(value);
        return this with { Headers = [.. Headers, new KeyValuePair<string, string>(name, value)] };
    }

    internal void Validate()
    {
        if (StatusCode is < 100 or > 999)
        {
            throw new ArgumentOutOfRangeException(nameof(StatusCode), StatusCode, "The status code must be between 100 and 999.");
        }

        if (AbortAfterBodyBytes is < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(AbortAfterBodyBytes), AbortAfterBodyBytes, "The byte count must not be negative.");
        }

        if (ChunkSize < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(ChunkSize), ChunkSize, "The chunk size must not be negative.");
        }

        if (DelayBeforeHeaders < TimeSpan.Zero || DelayBetweenChunks < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(DelayBeforeHeaders), "Delays must not be negative.");
        }
    }
}

using System.Text;

namespace StratumAI.Testing;

/// <summary>
/// One recorded HTTP request/response pair, loaded from a fixture by <see cref="FixtureLoader"/>
/// and replayed by <see cref="FakeProviderServer"/>.
/// </summary>
/// <param name="Request">
/// The request as recorded, or <see langword="null"/> when the fixture holds only a response body
/// (<c>.json</c>, <c>.chunks.txt</c>, <c>.sse</c>, <c>.ndjson</c>, Ollama <c>.txt</c>).
/// </param>
/// <param name="Response">The response as recorded, or synthesized around a recorded body.</param>
/// <param name="SourcePath">The fixture file the exchange came from, or <see langword="null"/> when built in code.</param>
/// <param name="Index">The zero-based position of the exchange within its fixture file.</param>
public sealed record RecordedExchange(RecordedRequest? Request, RecordedResponse Response, string? SourcePath = null, int Index = 0);

/// <summary>The request half of a <see cref="RecordedExchange"/>.</summary>
/// <param name="Method">The HTTP method, upper case (for example <c>POST</c>).</param>
/// <param name="PathAndQuery">The path and query of the recorded URL, as recorded (for example <c>/v1/chat/completions</c>).</param>
/// <param name="Host">The host the request went to (for example <c>api.openai.com</c>), or <see langword="null"/> when unknown.</param>
/// <param name="Headers">The recorded request headers in recorded order; names keep their recorded case, values are as recorded (credentials were redacted before the fixtures were stored).</param>
/// <param name="Body">The request body as text (JSON for JSON bodies), or <see langword="null"/> when the request had none.</param>
public sealed record RecordedRequest(
    string Method,
    string PathAndQuery,
    string? Host,
    IReadOnlyList<KeyValuePair<string, string>> Headers,
    string? Body)
{
    /// <summary>Returns the first value of the header <paramref name="name"/> (case-insensitive), or <see langword="null"/>.</summary>
    /// <param name="name">The header name.</param>
    /// <returns>The first value, or <see langword="null"/> when the header is absent.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="name"/> is <see langword="null"/>.</exception>
    public string? GetHeader(string name) => HeaderList.First(Headers, name);
}

/// <summary>The response half of a <see cref="RecordedExchange"/>.</summary>
/// <param name="StatusCode">The HTTP status code (for example 200, 404, 429).</param>
/// <param name="Headers">
/// The recorded response headers in recorded order, duplicates kept (for example two <c>set-cookie</c> values).
/// Framing headers (<c>content-length</c>, <c>transfer-encoding</c>, <c>connection</c>) are kept here as recorded
/// but are not replayed by <see cref="FakeProviderServer"/>, because the replayed body may be re-encoded.
/// </param>
/// <param name="Body">The decoded response body bytes: chunked transfer-encoding removed, content-encoding undone.</param>
/// <param name="ContentType">The content type to send, for example <c>application/json</c> or <c>text/event-stream</c>; <see langword="null"/> when unknown.</param>
public sealed record RecordedResponse(
    int StatusCode,
    IReadOnlyList<KeyValuePair<string, string>> Headers,
    ReadOnlyMemory<byte> Body,
    string? ContentType)
{
    /// <summary>Gets the body decoded as UTF-8 text.</summary>
    public string BodyText => Encoding.UTF8.GetString(Body.Span);

    /// <summary>Returns the first value of the header <paramref name="name"/> (case-insensitive), or <see langword="null"/>.</summary>
    /// <param name="name">The header name.</param>
    /// <returns>The first value, or <see langword="null"/> when the header is absent.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="name"/> is <see langword="null"/>.</exception>
    public string? GetHeader(string name) => HeaderList.First(Headers, name);
}

/// <summary>Helpers over header lists kept as ordered name/value pairs.</summary>
internal static class HeaderList
{
    public static string? First(IReadOnlyList<KeyValuePair<string, string>> headers, string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        foreach (var header in headers)
        {
            if (string.Equals(header.Key, name, StringComparison.OrdinalIgnoreCase))
            {
                return header.Value;
            }
        }

        return null;
    }
}

using System.Text;

namespace StratumAI.Testing;

/// <summary>A request that <see cref="FakeProviderServer"/> received, for asserting what a client sent.</summary>
/// <param name="Method">The HTTP method, for example <c>POST</c>.</param>
/// <param name="PathAndQuery">The request target as sent, for example <c>/v1/chat/completions?x=1</c>.</param>
/// <param name="Headers">The request headers in the order the server saw them; a header with several values appears once per value.</param>
/// <param name="BodyBytes">The request body bytes; empty when there was none.</param>
public sealed record ReceivedRequest(
    string Method,
    string PathAndQuery,
    IReadOnlyList<KeyValuePair<string, string>> Headers,
    ReadOnlyMemory<byte> BodyBytes)
{
    /// <summary>
    /// When the server started reading the request (the system clock, UTC): what a test of rate limits across processes counts
    /// per window, since the arrival at the provider is what a provider's limit sees.
    /// </summary>
    public DateTimeOffset ReceivedAt { get; init; }

    /// <summary>Gets the body decoded as UTF-8 text (empty when there was none).</summary>
    public string Body => Encoding.UTF8.GetString(BodyBytes.Span);

    /// <summary>Gets the path without the query string.</summary>
    public string Path
    {
        get
        {
            var query = PathAndQuery.IndexOf('?', StringComparison.Ordinal);
            return query < 0 ? PathAndQuery : PathAndQuery[..query];
        }
    }

    /// <summary>Returns the first value of the header <paramref name="name"/> (case-insensitive), or <see langword="null"/>.</summary>
    /// <param name="name">The header name.</param>
    /// <returns>The first value, or <see langword="null"/> when the header is absent.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="name"/> is <see langword="null"/>.</exception>
    public string? GetHeader(string name) => HeaderList.First(Headers, name);
}

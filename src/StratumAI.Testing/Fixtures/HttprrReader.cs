using System.Globalization;
using System.Text;

namespace StratumAI.Testing.Fixtures;

/// <summary>
/// Reads langchaingo's <c>httprr</c> traces: a <c>httprr trace v1</c> line, then per exchange a
/// <c>&lt;request-bytes&gt; &lt;response-bytes&gt;</c> line followed by exactly that many bytes of raw
/// HTTP request and raw HTTP response.
/// </summary>
internal static class HttprrReader
{
    private static readonly byte[] Magic = "httprr trace v1\n"u8.ToArray();

    public static bool IsHttprr(ReadOnlySpan<byte> bytes) => bytes.StartsWith(Magic);

    public static IReadOnlyList<RecordedExchange> Read(byte[] bytes, string sourcePath)
    {
        if (!IsHttprr(bytes))
        {
            throw new InvalidDataException($"'{sourcePath}' is not an httprr trace: it does not start with 'httprr trace v1'.");
        }

        var exchanges = new List<RecordedExchange>();
        var position = Magic.Length;
        while (position < bytes.Length)
        {
            var index = exchanges.Count;
            var lineEnd = Array.IndexOf(bytes, (byte)'\n', position);
            if (lineEnd < 0)
            {
                throw new InvalidDataException($"'{sourcePath}': record {index} has no length line.");
            }

            var lengths = Encoding.ASCII.GetString(bytes, position, lineEnd - position).Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (lengths.Length != 2
                || !int.TryParse(lengths[0], NumberStyles.None, CultureInfo.InvariantCulture, out var requestLength)
                || !int.TryParse(lengths[1], NumberStyles.None, CultureInfo.InvariantCulture, out var responseLength))
            {
                throw new InvalidDataException($"'{sourcePath}': record {index} length line is not '<request-bytes> <response-bytes>'.");
            }

            position = lineEnd + 1;
            if ((long)position + requestLength + responseLength > bytes.Length)
            {
                throw new InvalidDataException($"'{sourcePath}': record {index} claims {requestLength}+{responseLength} bytes but the file ends first.");
            }

            var request = ParseRequest(bytes.AsSpan(position, requestLength), sourcePath, index);
            position += requestLength;
            var response = ParseResponse(bytes.AsSpan(position, responseLength), sourcePath, index);
            position += responseLength;
            exchanges.Add(new RecordedExchange(request, response, sourcePath, index));
        }

        return exchanges;
    }

    private static RecordedRequest ParseRequest(ReadOnlySpan<byte> raw, string sourcePath, int index)
    {
        var (startLine, headers, body) = SplitMessage(raw, sourcePath, index, "request");
        var parts = startLine.Split(' ');
        if (parts.Length < 2)
        {
            throw new InvalidDataException($"'{sourcePath}': record {index} request line '{startLine}' is not 'METHOD URL HTTP/x'.");
        }

        var (host, pathAndQuery) = UriParts.Split(parts[1]);
        host ??= HeaderList.First(headers, "host");
        body = DecodeBody(body, headers, sourcePath, index);
        return new RecordedRequest(parts[0].ToUpperInvariant(), pathAndQuery, host, headers, body.Length == 0 ? null : Encoding.UTF8.GetString(body));
    }

    private static RecordedResponse ParseResponse(ReadOnlySpan<byte> raw, string sourcePath, int index)
    {
        var (statusLine, headers, body) = SplitMessage(raw, sourcePath, index, "response");
        var parts = statusLine.Split(' ', 3);
        if (parts.Length < 2 || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var status))
        {
            throw new InvalidDataException($"'{sourcePath}': record {index} status line '{statusLine}' is not 'HTTP/x CODE REASON'.");
        }

        body = DecodeBody(body, headers, sourcePath, index);
        return new RecordedResponse(status, headers, body, HeaderList.First(headers, "content-type"));
    }

    private static byte[] DecodeBody(byte[] body, List<KeyValuePair<string, string>> headers, string sourcePath, int index)
    {
        var transferEncoding = HeaderList.First(headers, "transfer-encoding");
        if (transferEncoding is not null && transferEncoding.Contains("chunked", StringComparison.OrdinalIgnoreCase))
        {
            body = Dechunk(body, sourcePath, index);
        }

        return ContentCoding.Decode(body, HeaderList.First(headers, "content-encoding"));
    }

    /// <summary>Splits start line, headers and body. Header lines end in CRLF, except langchaingo's rewritten bare-LF <c>User-Agent</c> line.</summary>
    private static (string StartLine, List<KeyValuePair<string, string>> Headers, byte[] Body) SplitMessage(
        ReadOnlySpan<byte> raw, string sourcePath, int index, string what)
    {
        var headers = new List<KeyValuePair<string, string>>();
        string? startLine = null;
        var position = 0;
        while (true)
        {
            var lineEnd = raw[position..].IndexOf((byte)'\n');
            if (lineEnd < 0)
            {
                throw new InvalidDataException($"'{sourcePath}': record {index} {what} headers are not terminated by an empty line.");
            }

            var line = Encoding.UTF8.GetString(raw.Slice(position, lineEnd)).TrimEnd('\r');
            position += lineEnd + 1;
            if (startLine is null)
            {
                startLine = line;
                continue;
            }

            if (line.Length == 0)
            {
                break;
            }

            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                throw new InvalidDataException($"'{sourcePath}': record {index} {what} header line '{line}' has no name.");
            }

            headers.Add(new(line[..colon].Trim(), line[(colon + 1)..].Trim()));
        }

        return (startLine, headers, raw[position..].ToArray());
    }

    private static byte[] Dechunk(byte[] chunked, string sourcePath, int index)
    {
        using var output = new MemoryStream(chunked.Length);
        var position = 0;
        while (true)
        {
            var lineEnd = Array.IndexOf(chunked, (byte)'\n', position);
            if (lineEnd < 0)
            {
                throw new InvalidDataException($"'{sourcePath}': record {index} chunked body ends without the last (zero-size) chunk.");
            }

            var sizeText = Encoding.ASCII.GetString(chunked, position, lineEnd - position).TrimEnd('\r');
            var extension = sizeText.IndexOf(';', StringComparison.Ordinal);
            if (extension >= 0)
            {
                sizeText = sizeText[..extension];
            }

            if (!int.TryParse(sizeText.Trim(), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var size) || size < 0)
            {
                throw new InvalidDataException($"'{sourcePath}': record {index} chunk size line '{sizeText}' is not hexadecimal.");
            }

            position = lineEnd + 1;
            if (size == 0)
            {
                // Trailers (if any) follow; the decoded body is complete.
                return output.ToArray();
            }

            if (position + size > chunked.Length)
            {
                throw new InvalidDataException($"'{sourcePath}': record {index} chunk of {size} bytes runs past the end of the body.");
            }

            output.Write(chunked, position, size);
            position += size;
            if (position < chunked.Length && chunked[position] == '\r')
            {
                position++;
            }

            if (position < chunked.Length && chunked[position] == '\n')
            {
                position++;
            }
        }
    }
}

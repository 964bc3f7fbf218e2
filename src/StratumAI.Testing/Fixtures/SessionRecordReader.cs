using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace StratumAI.Testing.Fixtures;

/// <summary>
/// Reads the session records of the Azure SDK / OpenAI .NET test framework (the openai-dotnet
/// <c>tests/SessionRecords/**/*.json</c> files):
/// <c>{"Entries":[{RequestUri, RequestMethod, RequestHeaders, RequestBody, StatusCode, ResponseHeaders, ResponseBody}], "Variables":{…}}</c>.
/// </summary>
/// <remarks>
/// A body is <c>null</c> (none), a JSON object (a JSON body embedded as JSON), an array of string segments
/// concatenated in order (multipart bodies; a segment prefixed <c>b64:</c> is base64 bytes), or a string (text for a
/// textual content type, base64 bytes otherwise). Header values are a string or an array of strings.
/// </remarks>
internal static class SessionRecordReader
{
    private const string Base64SegmentPrefix = "b64:";

    private static readonly JsonWriterOptions BodyWriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Whether <paramref name="root"/> is a session record: an object with an <c>Entries</c> array.</summary>
    public static bool IsSessionRecord(JsonElement root)
        => root.ValueKind == JsonValueKind.Object
            && root.TryGetProperty("Entries", out var entries)
            && entries.ValueKind == JsonValueKind.Array;

    public static IReadOnlyList<RecordedExchange> Read(JsonElement root, string sourcePath)
    {
        var exchanges = new List<RecordedExchange>();
        foreach (var entry in root.GetProperty("Entries").EnumerateArray())
        {
            var index = exchanges.Count;
            if (entry.ValueKind != JsonValueKind.Object)
            {
                throw new InvalidDataException($"'{sourcePath}': entry {index} is not an object.");
            }

            var uri = RequiredString(entry, "RequestUri", sourcePath, index);
            var method = RequiredString(entry, "RequestMethod", sourcePath, index).ToUpperInvariant();
            if (!entry.TryGetProperty("StatusCode", out var statusElement) || !statusElement.TryGetInt32(out var statusCode))
            {
                throw new InvalidDataException($"'{sourcePath}': entry {index} has no numeric 'StatusCode'.");
            }

            var requestHeaders = Headers(entry, "RequestHeaders", sourcePath, index);
            var responseHeaders = Headers(entry, "ResponseHeaders", sourcePath, index);
            var (host, pathAndQuery) = UriParts.Split(uri);

            var requestBytes = Body(entry, "RequestBody", HeaderList.First(requestHeaders, "content-type"), sourcePath, index);
            var request = new RecordedRequest(
                method,
                pathAndQuery,
                host,
                requestHeaders,
                requestBytes is null || requestBytes.Length == 0 ? null : Encoding.UTF8.GetString(requestBytes));

            var responseContentType = HeaderList.First(responseHeaders, "content-type");
            var responseBytes = Body(entry, "ResponseBody", responseContentType, sourcePath, index) ?? [];
            if (responseContentType is null && entry.TryGetProperty("ResponseBody", out var responseBody) && responseBody.ValueKind == JsonValueKind.Object)
            {
                responseContentType = BodyOnlyFixtureReader.Json;
            }

            exchanges.Add(new RecordedExchange(request, new RecordedResponse(statusCode, responseHeaders, responseBytes, responseContentType), sourcePath, index));
        }

        return exchanges;
    }

    private static string RequiredString(JsonElement entry, string name, string sourcePath, int index)
        => entry.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && !string.IsNullOrEmpty(value.GetString())
            ? value.GetString()!
            : throw new InvalidDataException($"'{sourcePath}': entry {index} has no '{name}'.");

    private static List<KeyValuePair<string, string>> Headers(JsonElement entry, string name, string sourcePath, int index)
    {
        var headers = new List<KeyValuePair<string, string>>();
        if (!entry.TryGetProperty(name, out var element) || element.ValueKind == JsonValueKind.Null)
        {
            return headers;
        }

        if (element.ValueKind != JsonValueKind.Object)
        {
            throw new InvalidDataException($"'{sourcePath}': entry {index} '{name}' is not an object.");
        }

        foreach (var header in element.EnumerateObject())
        {
            switch (header.Value.ValueKind)
            {
                case JsonValueKind.String:
                    headers.Add(new(header.Name, header.Value.GetString()!));
                    break;
                case JsonValueKind.Array:
                    foreach (var value in header.Value.EnumerateArray())
                    {
                        headers.Add(new(header.Name, value.ValueKind == JsonValueKind.String ? value.GetString()! : value.GetRawText()));
                    }

                    break;
                default:
                    headers.Add(new(header.Name, header.Value.GetRawText()));
                    break;
            }
        }

        return headers;
    }

    private static byte[]? Body(JsonElement entry, string name, string? contentType, string sourcePath, int index)
    {
        if (!entry.TryGetProperty(name, out var body))
        {
            return null;
        }

        try
        {
            switch (body.ValueKind)
            {
                case JsonValueKind.Null:
                case JsonValueKind.Undefined:
                    return null;
                case JsonValueKind.Array:
                    var segments = new ArrayBufferWriter<byte>();
                    foreach (var segment in body.EnumerateArray())
                    {
                        var text = segment.ValueKind == JsonValueKind.String
                            ? segment.GetString()!
                            : throw new InvalidDataException($"'{sourcePath}': entry {index} '{name}' is an array whose items are not all strings.");
                        segments.Write(text.StartsWith(Base64SegmentPrefix, StringComparison.Ordinal)
                            ? Convert.FromBase64String(text[Base64SegmentPrefix.Length..])
                            : Encoding.UTF8.GetBytes(text));
                    }

                    return segments.WrittenSpan.ToArray();
                case JsonValueKind.String:
                    var value = body.GetString()!;
                    return IsText(contentType) ? Encoding.UTF8.GetBytes(value) : Convert.FromBase64String(value);
                default:
                    // A JSON body embedded as JSON: write it back compactly, without escaping non-ASCII text.
                    var buffer = new ArrayBufferWriter<byte>();
                    using (var writer = new Utf8JsonWriter(buffer, BodyWriterOptions))
                    {
                        body.WriteTo(writer);
                    }

                    return buffer.WrittenSpan.ToArray();
            }
        }
        catch (FormatException ex)
        {
            throw new InvalidDataException($"'{sourcePath}': entry {index} '{name}' is not valid base64: {ex.Message}", ex);
        }
    }

    private static bool IsText(string? contentType)
    {
        if (string.IsNullOrWhiteSpace(contentType))
        {
            return true;
        }

        var mediaType = contentType.Split(';')[0].Trim();
        return mediaType.StartsWith("text/", StringComparison.OrdinalIgnoreCase)
            || mediaType.EndsWith("json", StringComparison.OrdinalIgnoreCase)
            || mediaType.EndsWith("xml", StringComparison.OrdinalIgnoreCase)
            || mediaType.Equals("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase);
    }
}

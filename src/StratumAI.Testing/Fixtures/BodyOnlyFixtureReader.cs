using System.Text;
using System.Text.Json;

namespace StratumAI.Testing.Fixtures;

/// <summary>
/// Builds a response around a fixture that holds only a response body: <c>.json</c> (one body),
/// <c>.chunks.txt</c> (one stream event's JSON payload per line), <c>.sse</c> and SSE <c>.txt</c> (raw SSE),
/// <c>.ndjson</c> and Ollama <c>.txt</c> (newline-delimited JSON).
/// </summary>
internal static class BodyOnlyFixtureReader
{
    public const string EventStream = "text/event-stream";
    public const string Json = "application/json";
    public const string NdJson = "application/x-ndjson";

    private static readonly KeyValuePair<string, string>[] NoHeaders = [];

    public static RecordedExchange ReadJson(byte[] bytes, string sourcePath)
    {
        var body = StripBom(bytes);
        var status = 200;
        try
        {
            using var document = JsonDocument.Parse(body);
            status = ErrorStatus.FromBody(document.RootElement) ?? 200;
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"'{sourcePath}' is not valid JSON: {ex.Message}", ex);
        }

        return Exchange(status, body, Json, sourcePath);
    }

    /// <summary>Whether the first non-blank line is an SSE field (<c>data:</c> or <c>event:</c>), as in semantic-kernel's <c>.txt</c> stream captures.</summary>
    public static bool StartsLikeSse(byte[] bytes)
    {
        var text = Encoding.UTF8.GetString(StripBom(bytes)).TrimStart();
        return text.StartsWith("data:", StringComparison.Ordinal) || text.StartsWith("event:", StringComparison.Ordinal);
    }

    public static RecordedExchange ReadSse(byte[] bytes, string sourcePath) => Exchange(200, StripBom(bytes), EventStream, sourcePath);

    public static RecordedExchange ReadNdJson(byte[] bytes, string sourcePath)
    {
        var body = StripBom(bytes);
        var lines = JsonLines(body, sourcePath);
        // A single object is what Ollama sends for stream:false, with application/json.
        return Exchange(200, body, lines.Count == 1 ? Json : NdJson, sourcePath);
    }

    /// <summary>
    /// Re-frames one JSON payload per line as the provider's SSE: an <c>event: &lt;type&gt;</c> line when the
    /// payload carries a <c>type</c> (Anthropic Messages and OpenAI/xAI Responses events), CRLF separators for
    /// Gemini, and OpenAI's <c>data: [DONE]</c> terminator after Chat Completions chunks.
    /// </summary>
    public static RecordedExchange ReadChunks(byte[] bytes, string sourcePath)
    {
        var lines = JsonLines(StripBom(bytes), sourcePath);
        if (lines.Count == 0)
        {
            throw new InvalidDataException($"'{sourcePath}' has no stream events.");
        }

        var sse = new StringBuilder();
        var chatCompletionChunks = false;
        var gemini = false;
        for (var i = 0; i < lines.Count; i++)
        {
            using var document = JsonDocument.Parse(lines[i]);
            var root = document.RootElement;
            if (i == 0)
            {
                chatCompletionChunks = root.ValueKind == JsonValueKind.Object
                    && root.TryGetProperty("object", out var kind)
                    && kind.ValueKind == JsonValueKind.String
                    && kind.GetString() == "chat.completion.chunk";
                gemini = root.ValueKind == JsonValueKind.Object
                    && (root.TryGetProperty("candidates", out _) || root.TryGetProperty("usageMetadata", out _));
            }

            var separator = gemini ? "\r\n\r\n" : "\n\n";
            if (!chatCompletionChunks && root.ValueKind == JsonValueKind.Object
                && root.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String)
            {
                sse.Append("event: ").Append(type.GetString()).Append('\n');
            }

            sse.Append("data: ").Append(lines[i]).Append(separator);
        }

        if (chatCompletionChunks)
        {
            sse.Append("data: [DONE]\n\n");
        }

        return Exchange(200, Encoding.UTF8.GetBytes(sse.ToString()), EventStream, sourcePath);
    }

    private static List<string> JsonLines(byte[] body, string sourcePath)
        => NumberedJsonLines(body, sourcePath).Select(l => l.Text).ToList();

    /// <summary>The non-blank lines of <paramref name="body"/> with their 1-based line numbers, each checked to be one JSON value.</summary>
    public static List<(int Number, string Text)> NumberedJsonLines(byte[] body, string sourcePath)
    {
        var lines = new List<(int, string)>();
        var lineNumber = 0;
        foreach (var raw in Encoding.UTF8.GetString(body).Split('\n'))
        {
            lineNumber++;
            var line = raw.TrimEnd('\r');
            if (line.Trim().Length == 0)
            {
                continue;
            }

            try
            {
                using var _ = JsonDocument.Parse(line);
            }
            catch (JsonException ex)
            {
                throw new InvalidDataException($"'{sourcePath}' line {lineNumber} is not one JSON value: {ex.Message}", ex);
            }

            lines.Add((lineNumber, line));
        }

        return lines;
    }

    private static RecordedExchange Exchange(int status, byte[] body, string contentType, string sourcePath)
        => new(null, new RecordedResponse(status, NoHeaders, body, contentType), sourcePath, 0);

    /// <summary>A UTF-8 byte-order mark is an artifact of the file, not something a provider sends.</summary>
    public static byte[] StripBom(byte[] bytes)
        => bytes.AsSpan().StartsWith("\uFEFF"u8) ? bytes[3..] : bytes;
}

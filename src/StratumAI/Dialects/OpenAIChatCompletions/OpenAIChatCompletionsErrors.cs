using System.Globalization;
using System.Text.Json;

namespace StratumAI.Dialects;

/// <summary>
/// What servers speaking Chat Completions put in their errors beyond OpenAI's <c>{"error": {message, type, param, code}}</c>,
/// which the shared <see cref="ProviderErrorMapper"/> reads: Gemini's OpenAI-compatible endpoint wraps the error object in an
/// array; OpenRouter adds the upstream provider's own explanation (<c>error.metadata.raw</c>) and, in a stream's error
/// chunk, the upstream HTTP status as the code.
/// </summary>
internal static class OpenAIChatCompletionsErrors
{
    /// <summary>Reads an error body, unwrapping Gemini's array and adding OpenRouter's upstream explanation to the message.</summary>
    public static ErrorBody ParseBody(string body) => DialectJson.ReadErrorBody(
        body,
        root =>
        {
            var error = ProviderErrorMapper.ParseBody(root, body);
            return root.ValueKind == JsonValueKind.Object && root.TryGetProperty("error", out var details) && details.ValueKind == JsonValueKind.Object
                && details.TryGetProperty("metadata", out var metadata) && metadata.ValueKind == JsonValueKind.Object
                && Text(metadata, "raw") is { } raw
                ? error with { Message = Text(metadata, "provider_name") is { } upstream ? $"{error.Message} ({upstream}): {raw}" : $"{error.Message}: {raw}" }
                : error;
        },
        new ErrorBody(ProviderErrorMapper.Truncate(body), null, null, null));

    /// <summary>Reads the <c>error</c> member of a chunk or of a successful body.</summary>
    public static ErrorBody ParseError(JsonElement error) => ParseBody($"{{\"error\":{error.GetRawText()}}}");

    /// <summary>OpenRouter's upstream HTTP status (429, 502) when an error chunk's code is one, so it is classified as that status would be.</summary>
    public static int? UpstreamStatus(string? code) =>
        int.TryParse(code, NumberStyles.None, CultureInfo.InvariantCulture, out var numeric) && numeric is >= 400 and <= 599 ? numeric : null;

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}

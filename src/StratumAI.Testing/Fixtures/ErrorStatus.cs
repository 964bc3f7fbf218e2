using System.Text.Json;

namespace StratumAI.Testing.Fixtures;

/// <summary>
/// Infers the HTTP status of a body-only error fixture from the error body itself, since such files
/// do not record the status line.
/// </summary>
internal static class ErrorStatus
{
    /// <summary>
    /// Returns the status for an error body, or <see langword="null"/> when <paramref name="root"/> is not an error.
    /// Gemini puts the status in <c>error.code</c>; OpenAI and Anthropic name an error type that maps to
    /// one status; a bare <c>{"error": "..."}</c> (Ollama) gets 500.
    /// </summary>
    public static int? FromBody(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("error", out var error))
        {
            return null;
        }

        if (error.ValueKind == JsonValueKind.String)
        {
            return 500;
        }

        if (error.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        if (error.TryGetProperty("code", out var code) && code.ValueKind == JsonValueKind.Number
            && code.TryGetInt32(out var numeric) && numeric is >= 400 and <= 599)
        {
            return numeric;
        }

        var codeText = code.ValueKind == JsonValueKind.String ? code.GetString() : null;
        if (codeText is "model_not_found")
        {
            return 404;
        }

        if (codeText is "rate_limit_exceeded" or "insufficient_quota")
        {
            return 429;
        }

        var type = error.TryGetProperty("type", out var typeElement) && typeElement.ValueKind == JsonValueKind.String
            ? typeElement.GetString()
            : null;
        return type switch
        {
            "invalid_request_error" => 400,
            "authentication_error" => 401,
            "permission_error" => 403,
            "not_found_error" => 404,
            "request_too_large" => 413,
            "rate_limit_error" or "tokens" or "requests" => 429,
            "api_error" or "server_error" => 500,
            "overloaded_error" => 529,
            _ => 500,
        };
    }
}

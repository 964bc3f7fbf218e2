using System.Globalization;
using System.Net;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace StratumAI.Dialects;

/// <summary>
/// Maps Google's error body (<c>{"error":{"code":429,"message":…,"status":"RESOURCE_EXHAUSTED","details":[…]}}</c>) to the
/// <see cref="StratumException"/> hierarchy. The shared mapper reads only <c>message</c>/<c>status</c>; Gemini also puts the
/// retry delay (<c>google.rpc.RetryInfo.retryDelay</c>) and the real reason (<c>google.rpc.ErrorInfo.reason</c>, e.g.
/// <c>API_KEY_INVALID</c> on an HTTP 400) in <c>details</c>.
/// </summary>
internal static class GeminiErrors
{
    internal readonly record struct GoogleError(int? Code, string? Status, string? Message, string? Reason, TimeSpan? RetryDelay);

    /// <summary>The exception for an error status; <paramref name="body"/> is the error body, empty when unreadable.</summary>
    public static StratumException FromResponse(HttpResponseMessage response, string body, string providerId, string modelId, SecretRedactor redactor, TimeProvider timeProvider)
    {
        var error = Parse(body);
        var retryAfter = ProviderErrorMapper.GetRetryAfter(response, timeProvider) ?? error.RetryDelay;
        return Create(response.StatusCode, error, providerId, modelId, redactor, ProviderErrorMapper.GetRequestId(response.Headers, redactor), retryAfter, null, inStream: false);
    }

    public static StratumException FromStreamError(JsonElement error, string providerId, string modelId, SecretRedactor redactor, string? requestId, UsageDetails? usageSoFar)
    {
        var parsed = Parse(error);
        var status = parsed.Code is >= 400 and < 600 ? (HttpStatusCode)parsed.Code.Value : HttpStatusCode.InternalServerError;
        return Create(status, parsed, providerId, modelId, redactor, requestId, parsed.RetryDelay, usageSoFar, inStream: true);
    }

    internal static GoogleError Parse(string body) => DialectJson.ReadErrorBody(
        body,
        root => root.ValueKind == JsonValueKind.Object && root.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.Object
            ? Parse(error)
            : new GoogleError(null, null, ProviderErrorMapper.Truncate(body), null, null),
        new GoogleError(null, null, ProviderErrorMapper.Truncate(body), null, null));

    internal static GoogleError Parse(JsonElement error)
    {
        if (error.ValueKind != JsonValueKind.Object)
        {
            return default;
        }

        int? code = error.TryGetProperty("code", out var codeElement) && codeElement.ValueKind == JsonValueKind.Number && codeElement.TryGetInt32(out var c) ? c : null;
        string? reason = null;
        TimeSpan? retryDelay = null;
        if (error.TryGetProperty("details", out var details) && details.ValueKind == JsonValueKind.Array)
        {
            foreach (var detail in details.EnumerateArray())
            {
                var type = GetString(detail, "@type") ?? string.Empty;
                if (type.EndsWith("google.rpc.ErrorInfo", StringComparison.Ordinal))
                {
                    reason ??= GetString(detail, "reason");
                }
                else if (type.EndsWith("google.rpc.RetryInfo", StringComparison.Ordinal))
                {
                    retryDelay ??= ParseDuration(GetString(detail, "retryDelay"));
                }
            }
        }

        return new GoogleError(code, GetString(error, "status"), GetString(error, "message"), reason, retryDelay);
    }

    /// <summary>Parses a protobuf JSON <c>Duration</c> such as <c>20s</c> or <c>34.4s</c>.</summary>
    internal static TimeSpan? ParseDuration(string? text)
    {
        if (string.IsNullOrEmpty(text) || !text.EndsWith('s'))
        {
            return null;
        }

        return double.TryParse(text.AsSpan(0, text.Length - 1), NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds >= 0
            ? TimeSpan.FromSeconds(seconds)
            : null;
    }

    private static StratumException Create(
        HttpStatusCode status,
        GoogleError error,
        string providerId,
        string modelId,
        SecretRedactor redactor,
        string? requestId,
        TimeSpan? retryAfter,
        UsageDetails? usageSoFar,
        bool inStream)
    {
        // Every provider string is cleaned here, on the way in; the message and properties below are built from these only.
        var providerMessage = redactor.Redact(error.Message);
        var type = redactor.Redact(error.Status);
        var code = redactor.Redact(error.Reason ?? error.Status);
        requestId = redactor.Redact(requestId);
        var what = (inStream ? "reported an error in the middle of the stream " : "returned ") + ProviderErrorMapper.StatusText(status);
        var message = ProviderErrorMapper.BuildMessage(providerId, modelId, what, code, providerMessage, requestId);
        var statusCode = (int)status;
        var isAuthReason = error.Reason is "API_KEY_INVALID" or "API_KEY_EXPIRED" or "API_KEY_SERVICE_BLOCKED" or "API_KEY_HTTP_REFERRER_BLOCKED";

        var kind = statusCode switch
        {
            401 => ErrorKind.Authentication,
            400 or 403 when isAuthReason => ErrorKind.Authentication,
            403 => ErrorKind.Permission,
            404 => ErrorKind.ModelNotFound,
            429 => ErrorKind.RateLimit,
            400 or 413 when IsContextWindowExceeded(providerMessage) => ErrorKind.ContextWindow,
            400 or 409 or 413 or 422 => ErrorKind.InvalidRequest,
            408 or 502 or 503 or 504 => ErrorKind.Unavailable,
            >= 500 => ErrorKind.ServerError,
            _ => ErrorKind.Other,
        };

        return ProviderErrorMapper.Create(kind, message, new ErrorFields(providerId, modelId, status, new ErrorBody(providerMessage, type, code, null), providerMessage, requestId, usageSoFar), retryAfter);
    }

    // "The input token count (1234567) exceeds the maximum number of tokens allowed (1048576)."
    private static bool IsContextWindowExceeded(string? message) =>
        message is not null
        && (message.Contains("exceeds the maximum number of tokens", StringComparison.OrdinalIgnoreCase)
            || message.Contains("input token count", StringComparison.OrdinalIgnoreCase) && message.Contains("exceeds", StringComparison.OrdinalIgnoreCase));

    private static string? GetString(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

}

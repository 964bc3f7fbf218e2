using System.Net;
using System.Text.Json;

namespace StratumAI.Dialects;

/// <summary>
/// Turns Anthropic's error bodies (<c>{"type":"error","error":{"type":"overloaded_error","message":...},"request_id":...}</c>)
/// into the <see cref="StratumException"/> hierarchy, by the error type first and the HTTP status second.
/// </summary>
internal static class AnthropicErrors
{
    private const string RateLimitHeaderPrefix = "anthropic-ratelimit-";
    private const int MaxBodyChars = 2000;

    /// <summary>The exception for an error status; <paramref name="body"/> is the error body, empty when unreadable.</summary>
    public static StratumException FromResponse(HttpResponseMessage response, string body, string providerId, string modelId, SecretRedactor redactor, TimeProvider timeProvider)
    {
        AnthropicErrorBody? parsed = null;
        if (!string.IsNullOrWhiteSpace(body))
        {
            try
            {
                parsed = JsonSerializer.Deserialize(body, AnthropicMessagesJsonContext.Default.AnthropicErrorBody);
            }
            catch (JsonException)
            {
                parsed = null;
            }
        }

        // Every provider string is cleaned as it is read; the message and properties below are built from these only.
        var type = redactor.Redact(parsed?.Error?.Type);
        var providerMessage = parsed?.Error?.Message is { } text ? redactor.Redact(text) : string.IsNullOrWhiteSpace(body) ? null : redactor.Snippet(body, MaxBodyChars);
        var requestId = ProviderErrorMapper.GetRequestId(response.Headers, redactor) ?? redactor.Redact(parsed?.RequestId);
        var status = response.StatusCode;
        var message = ProviderErrorMapper.BuildMessage(providerId, modelId, "returned " + ProviderErrorMapper.StatusText(status), type, providerMessage, requestId);

        var kind = (type, (int)status) switch
        {
            ("overloaded_error", _) or (null, 529) => ErrorKind.Unavailable,
            ("rate_limit_error", _) or (null, 429) => ErrorKind.RateLimit,
            ("authentication_error" or "permission_error", _) or (null, 401 or 403) => ErrorKind.Authentication,
            ("not_found_error", _) or (null, 404) => ErrorKind.ModelNotFound,
            ("invalid_request_error" or "request_too_large", _) or (null, 400 or 409 or 413 or 422) when IsContextWindowExceeded(providerMessage) => ErrorKind.ContextWindow,
            ("invalid_request_error" or "request_too_large", _) or (null, 400 or 409 or 413 or 422) => ErrorKind.InvalidRequest,
            (_, 408 or 502 or 503 or 504 or 529) => ErrorKind.Unavailable,
            ("api_error", _) or (_, >= 500) => ErrorKind.ServerError,
            _ => ErrorKind.Other,
        };

        var fields = new ErrorFields(providerId, modelId, status, new ErrorBody(providerMessage, type, null, null), providerMessage, requestId, null);
        var exception = ProviderErrorMapper.Create(kind, message, fields, ProviderErrorMapper.GetRetryAfter(response, timeProvider));
        foreach (var (name, value) in RateLimitHeaders(response, redactor))
        {
            exception.Data[name] = value;
        }

        return exception;
    }

    /// <summary>The exception for an <c>error</c> event in the middle of a stream, classified by its type.</summary>
    public static StratumException FromStreamError(AnthropicError? error, string providerId, DialectStream call, HttpStatusCode status, SecretRedactor redactor)
    {
        var type = redactor.Redact(error?.Type);
        var providerMessage = redactor.Redact(error?.Message);
        var message = ProviderErrorMapper.BuildMessage(providerId, call.Model, "sent an error event in the middle of the stream", type ?? "unknown", providerMessage, null, "no error message.");
        var kind = type switch
        {
            "overloaded_error" => ErrorKind.Unavailable,
            "rate_limit_error" => ErrorKind.RateLimit,
            "invalid_request_error" when IsContextWindowExceeded(providerMessage) => ErrorKind.ContextWindow,
            "invalid_request_error" => ErrorKind.InvalidRequest,
            _ => ErrorKind.ServerError,
        };

        var fields = new ErrorFields(providerId, call.Model, status, new ErrorBody(providerMessage, type, null, null), providerMessage, call.RequestId, call.UsageSoFar);
        return ProviderErrorMapper.Create(kind, message, fields, null);
    }

    /// <summary>Anthropic's wording for a prompt that does not fit: "prompt is too long: 215000 tokens > 200000 maximum".</summary>
    public static bool IsContextWindowExceeded(string? message) =>
        message is not null
        && (message.Contains("prompt is too long", StringComparison.OrdinalIgnoreCase)
            || message.Contains("context window", StringComparison.OrdinalIgnoreCase)
            || message.Contains("context length", StringComparison.OrdinalIgnoreCase));

    /// <summary>The <c>anthropic-ratelimit-*</c> response headers (limits, remaining and reset times), in header order, their values passed through <paramref name="redactor"/>.</summary>
    public static IEnumerable<KeyValuePair<string, string>> RateLimitHeaders(HttpResponseMessage response, SecretRedactor redactor)
    {
        foreach (var header in response.Headers)
        {
            if (header.Key.StartsWith(RateLimitHeaderPrefix, StringComparison.OrdinalIgnoreCase))
            {
                var value = header.Value.FirstOrDefault();
                if (value is not null)
                {
                    yield return new KeyValuePair<string, string>(header.Key.ToLowerInvariant(), redactor.Redact(value)!);
                }
            }
        }
    }

}

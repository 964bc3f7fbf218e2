using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
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

    public static async Task<StratumException> FromResponseAsync(
        HttpResponseMessage response,
        string providerId,
        string modelId,
        SecretRedactor redactor,
        TimeProvider timeProvider,
        CancellationToken cancellationToken)
    {
        string body;
        try
        {
            body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException)
        {
            // The status code alone still says what failed; a body we cannot read only loses detail.
            body = string.Empty;
        }

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
        var retryAfter = ProviderErrorMapper.GetRetryAfter(response, timeProvider);
        var message = BuildMessage(providerId, modelId, (int)status, status.ToString(), type, providerMessage, requestId);

        StratumException exception = (type, (int)status) switch
        {
            ("overloaded_error", _) or (null, 529) => new StratumProviderUnavailableException(message) { RetryAfter = retryAfter, ProviderId = providerId, ModelId = modelId, StatusCode = status, ErrorType = type, ProviderMessage = providerMessage, RequestId = requestId },
            ("rate_limit_error", _) or (null, 429) => new StratumRateLimitException(message) { RetryAfter = retryAfter, ProviderId = providerId, ModelId = modelId, StatusCode = status, ErrorType = type, ProviderMessage = providerMessage, RequestId = requestId },
            ("authentication_error" or "permission_error", _) or (null, 401 or 403) => new StratumAuthenticationException(message) { ProviderId = providerId, ModelId = modelId, StatusCode = status, ErrorType = type, ProviderMessage = providerMessage, RequestId = requestId },
            ("not_found_error", _) or (null, 404) => new StratumModelNotFoundException(message) { ProviderId = providerId, ModelId = modelId, StatusCode = status, ErrorType = type, ProviderMessage = providerMessage, RequestId = requestId },
            ("invalid_request_error" or "request_too_large", _) or (null, 400 or 409 or 413 or 422) when IsContextWindowExceeded(providerMessage) => new StratumContextWindowExceededException(message) { ProviderId = providerId, ModelId = modelId, StatusCode = status, ErrorType = type, ProviderMessage = providerMessage, RequestId = requestId },
            ("invalid_request_error" or "request_too_large", _) or (null, 400 or 409 or 413 or 422) => new StratumInvalidRequestException(message) { ProviderId = providerId, ModelId = modelId, StatusCode = status, ErrorType = type, ProviderMessage = providerMessage, RequestId = requestId },
            (_, 408 or 502 or 503 or 504 or 529) => new StratumProviderUnavailableException(message) { RetryAfter = retryAfter, ProviderId = providerId, ModelId = modelId, StatusCode = status, ErrorType = type, ProviderMessage = providerMessage, RequestId = requestId },
            ("api_error", _) or (_, >= 500) => new StratumServerErrorException(message) { ProviderId = providerId, ModelId = modelId, StatusCode = status, ErrorType = type, ProviderMessage = providerMessage, RequestId = requestId },
            _ => new StratumException(message) { ProviderId = providerId, ModelId = modelId, StatusCode = status, ErrorType = type, ProviderMessage = providerMessage, RequestId = requestId },
        };

        foreach (var (name, value) in RateLimitHeaders(response, redactor))
        {
            exception.Data[name] = value;
        }

        return exception;
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

    private static string BuildMessage(string providerId, string modelId, int status, string statusName, string? type, string? providerMessage, string? requestId)
    {
        var builder = new StringBuilder();
        builder.Append(CultureInfo.InvariantCulture, $"Provider '{providerId}' (model '{modelId}') returned HTTP {status} {statusName}");
        if (type is not null)
        {
            builder.Append(CultureInfo.InvariantCulture, $" [{type}]");
        }

        builder.Append(": ");
        builder.Append(string.IsNullOrEmpty(providerMessage) ? "no error message in the response body." : providerMessage);
        if (requestId is not null)
        {
            builder.Append(CultureInfo.InvariantCulture, $" (request id {requestId})");
        }

        return builder.ToString();
    }
}

using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace StratumAI;

/// <summary>Turns a provider's failed HTTP response into the matching <see cref="StratumException"/>.</summary>
internal static class ProviderErrorMapper
{
    private const int MaxBodyChars = 2000;

    private static readonly string[] RequestIdHeaders = ["x-request-id", "request-id", "x-requestid", "x-amzn-requestid", "x-goog-request-id"];

    public static async Task<StratumException> FromResponseAsync(
        HttpResponseMessage response,
        string providerId,
        string? modelId,
        string? apiKey,
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

        var error = ParseBody(body);
        var status = response.StatusCode;
        var requestId = GetRequestId(response.Headers);
        var providerMessage = Redact(error.Message, apiKey);
        var retryAfter = GetRetryAfter(response, timeProvider);

        var message = BuildMessage(providerId, modelId, status, error.Code ?? error.Type, providerMessage, requestId);
        var code = (int)status;
        var type = error.Type;
        var errorCode = error.Code;

        return code switch
        {
            401 or 403 => new StratumAuthenticationException(message) { ProviderId = providerId, ModelId = modelId, StatusCode = status, ErrorType = type, ErrorCode = errorCode, ProviderMessage = providerMessage, RequestId = requestId },
            404 => new StratumModelNotFoundException(message) { ProviderId = providerId, ModelId = modelId, StatusCode = status, ErrorType = type, ErrorCode = errorCode, ProviderMessage = providerMessage, RequestId = requestId },
            429 => new StratumRateLimitException(message) { RetryAfter = retryAfter, ProviderId = providerId, ModelId = modelId, StatusCode = status, ErrorType = type, ErrorCode = errorCode, ProviderMessage = providerMessage, RequestId = requestId },
            400 or 409 or 413 or 422 when IsModelNotFound(error) => new StratumModelNotFoundException(message) { ProviderId = providerId, ModelId = modelId, StatusCode = status, ErrorType = type, ErrorCode = errorCode, ProviderMessage = providerMessage, RequestId = requestId },
            400 or 409 or 413 or 422 when IsContextWindowExceeded(error) => new StratumContextWindowExceededException(message) { Parameter = error.Param, ProviderId = providerId, ModelId = modelId, StatusCode = status, ErrorType = type, ErrorCode = errorCode, ProviderMessage = providerMessage, RequestId = requestId },
            400 or 409 or 413 or 422 => new StratumInvalidRequestException(message) { Parameter = error.Param, ProviderId = providerId, ModelId = modelId, StatusCode = status, ErrorType = type, ErrorCode = errorCode, ProviderMessage = providerMessage, RequestId = requestId },
            408 or 502 or 503 or 504 or 529 => new StratumProviderUnavailableException(message) { RetryAfter = retryAfter, ProviderId = providerId, ModelId = modelId, StatusCode = status, ErrorType = type, ErrorCode = errorCode, ProviderMessage = providerMessage, RequestId = requestId },
            >= 500 => new StratumServerErrorException(message) { ProviderId = providerId, ModelId = modelId, StatusCode = status, ErrorType = type, ErrorCode = errorCode, ProviderMessage = providerMessage, RequestId = requestId },
            _ => new StratumException(message) { ProviderId = providerId, ModelId = modelId, StatusCode = status, ErrorType = type, ErrorCode = errorCode, ProviderMessage = providerMessage, RequestId = requestId },
        };
    }

    internal static string? GetRequestId(HttpResponseHeaders headers)
    {
        foreach (var name in RequestIdHeaders)
        {
            if (headers.TryGetValues(name, out var values))
            {
                var value = values.FirstOrDefault();
                if (!string.IsNullOrEmpty(value))
                {
                    return value;
                }
            }
        }

        return null;
    }

    /// <summary>Reads <c>retry-after-ms</c>, then <c>Retry-After</c> as seconds or an HTTP date.</summary>
    internal static TimeSpan? GetRetryAfter(HttpResponseMessage response, TimeProvider timeProvider)
    {
        if (response.Headers.TryGetValues("retry-after-ms", out var msValues)
            && double.TryParse(msValues.FirstOrDefault(), NumberStyles.Float, CultureInfo.InvariantCulture, out var ms)
            && ms >= 0)
        {
            return TimeSpan.FromMilliseconds(ms);
        }

        var retryAfter = response.Headers.RetryAfter;
        if (retryAfter?.Delta is { } delta)
        {
            return delta < TimeSpan.Zero ? TimeSpan.Zero : delta;
        }

        if (retryAfter?.Date is { } date)
        {
            // Measured against the server's own clock when it sent one, so clock skew does not distort the wait.
            var now = response.Headers.Date ?? timeProvider.GetUtcNow();
            var wait = date - now;
            return wait < TimeSpan.Zero ? TimeSpan.Zero : wait;
        }

        // Some servers send fractional seconds, which the typed header rejects.
        if (response.Headers.TryGetValues("Retry-After", out var raw)
            && double.TryParse(raw.FirstOrDefault(), NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds)
            && seconds >= 0)
        {
            return TimeSpan.FromSeconds(seconds);
        }

        return null;
    }

    internal static string? Redact(string? text, string? apiKey)
    {
        if (text is null || string.IsNullOrEmpty(apiKey))
        {
            return text;
        }

        return text.Replace(apiKey, "***", StringComparison.Ordinal);
    }

    internal static ErrorBody ParseBody(string body)
    {
        if (string.IsNullOrWhiteSpace(body))
        {
            return default;
        }

        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Array && root.GetArrayLength() > 0)
            {
                // Gemini's OpenAI-compatible endpoint wraps the error object in an array.
                root = root[0];
            }

            if (root.ValueKind != JsonValueKind.Object)
            {
                return new ErrorBody(Truncate(body), null, null, null);
            }

            if (root.TryGetProperty("error", out var error))
            {
                if (error.ValueKind == JsonValueKind.String)
                {
                    return new ErrorBody(error.GetString(), null, null, null);
                }

                if (error.ValueKind == JsonValueKind.Object)
                {
                    var message = GetString(error, "message");
                    if (error.TryGetProperty("metadata", out var metadata) && metadata.ValueKind == JsonValueKind.Object)
                    {
                        // OpenRouter puts the upstream provider's own explanation here.
                        var raw = GetString(metadata, "raw");
                        var upstream = GetString(metadata, "provider_name");
                        if (raw is not null)
                        {
                            message = upstream is null ? $"{message}: {raw}" : $"{message} ({upstream}): {raw}";
                        }
                    }

                    return new ErrorBody(
                        message,
                        GetString(error, "type") ?? GetString(error, "status"),
                        GetString(error, "code"),
                        GetString(error, "param"));
                }
            }

            return new ErrorBody(GetString(root, "message") ?? GetString(root, "detail") ?? Truncate(body), GetString(root, "type"), GetString(root, "code"), null);
        }
        catch (JsonException)
        {
            return new ErrorBody(Truncate(body), null, null, null);
        }
    }

    private static bool IsModelNotFound(ErrorBody error) =>
        string.Equals(error.Code, "model_not_found", StringComparison.Ordinal)
        || string.Equals(error.Code, "model_decommissioned", StringComparison.Ordinal);

    private static bool IsContextWindowExceeded(ErrorBody error) =>
        string.Equals(error.Code, "context_length_exceeded", StringComparison.Ordinal)
        || (error.Message?.Contains("maximum context length", StringComparison.OrdinalIgnoreCase) ?? false);

    private static string BuildMessage(string providerId, string? modelId, HttpStatusCode status, string? code, string? providerMessage, string? requestId)
    {
        var builder = new StringBuilder();
        builder.Append(CultureInfo.InvariantCulture, $"Provider '{providerId}'");
        if (modelId is not null)
        {
            builder.Append(CultureInfo.InvariantCulture, $" (model '{modelId}')");
        }

        builder.Append(CultureInfo.InvariantCulture, $" returned HTTP {(int)status} {status}");
        if (code is not null)
        {
            builder.Append(CultureInfo.InvariantCulture, $" [{code}]");
        }

        builder.Append(": ");
        builder.Append(string.IsNullOrEmpty(providerMessage) ? "no error message in the response body." : providerMessage);
        if (requestId is not null)
        {
            builder.Append(CultureInfo.InvariantCulture, $" (request id {requestId})");
        }

        return builder.ToString();
    }

    private static string? GetString(JsonElement element, string name)
    {
        if (!element.TryGetProperty(name, out var value))
        {
            return null;
        }

        return value.ValueKind switch
        {
            JsonValueKind.String => value.GetString(),
            JsonValueKind.Number => value.GetRawText(),
            _ => null,
        };
    }

    private static string Truncate(string body) => body.Length <= MaxBodyChars ? body : string.Concat(body.AsSpan(0, MaxBodyChars), "…");

    internal readonly record struct ErrorBody(string? Message, string? Type, string? Code, string? Param);
}

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

    private static readonly string[] RequestIdHeaders = ["x-request-id", "request-id", "x-requestid", "x-amzn-requestid", "x-goog-request-id", "mistral-correlation-id", "apim-request-id"];

    /// <summary>
    /// Builds the exception for a failed response whose body has already been read. Every provider string (the body's
    /// fields, an HTML page's title, header values) passes through <paramref name="redactor"/> as it is read, so the
    /// message and every property are built from clean text only.
    /// </summary>
    /// <param name="response">The failed response.</param>
    /// <param name="body">Its body, empty when it could not be read.</param>
    /// <param name="providerId">The provider id.</param>
    /// <param name="modelId">The model id.</param>
    /// <param name="redactor">The client's sanitizer.</param>
    /// <param name="timeProvider">The clock for retry-after dates.</param>
    /// <param name="parsed">The body as the dialect read it, when it knows more shapes than <see cref="ParseBody(string)"/>.</param>
    internal static StratumException FromResponse(
        HttpResponseMessage response,
        string body,
        string providerId,
        string? modelId,
        SecretRedactor redactor,
        TimeProvider timeProvider,
        ErrorBody? parsed = null)
    {
        var error = (parsed ?? ParseBody(body)).RedactedBy(redactor);
        var status = response.StatusCode;
        var requestId = GetRequestId(response.Headers, redactor);
        var providerMessage = error.Message;
        var detail = DescribeNonJsonBody(body, response.Content.Headers.ContentType?.MediaType, redactor) ?? providerMessage;
        var message = BuildMessage(providerId, modelId, "returned " + StatusText(status), error.Code ?? error.Type, detail, requestId);
        var kind = Classify((int)status, error);
        var fields = new ErrorFields(providerId, modelId, status, error, providerMessage, requestId, null);

        if (kind == ErrorKind.RateLimit)
        {
            var headers = GetRateLimitHeaders(response.Headers, redactor);
            var now = response.Headers.Date ?? timeProvider.GetUtcNow();
            return new StratumRateLimitException(message)
            {
                RetryAfter = GetRetryAfter(response, timeProvider),
                RateLimitHeaders = headers,
                RemainingRequests = GetLong(headers, "x-ratelimit-remaining-requests", "anthropic-ratelimit-requests-remaining"),
                RemainingTokens = GetLong(headers, "x-ratelimit-remaining-tokens", "anthropic-ratelimit-tokens-remaining"),
                RequestsResetAfter = GetReset(headers, now, "x-ratelimit-reset-requests", "anthropic-ratelimit-requests-reset"),
                TokensResetAfter = GetReset(headers, now, "x-ratelimit-reset-tokens", "anthropic-ratelimit-tokens-reset"),
                ProviderId = providerId,
                ModelId = modelId,
                StatusCode = status,
                ErrorType = error.Type,
                ErrorCode = error.Code,
                ProviderMessage = providerMessage,
                RequestId = requestId,
            };
        }

        return Create(kind, message, fields, kind == ErrorKind.Unavailable ? GetRetryAfter(response, timeProvider) : null);
    }

    /// <summary>
    /// Builds the exception for an error the provider reported inside a stream (an <c>error</c> event, a failed
    /// response object) or inside a successful body, classified by its type and code, carrying the usage seen so far.
    /// </summary>
    /// <param name="providerId">The provider id.</param>
    /// <param name="modelId">The model id.</param>
    /// <param name="type">The provider's error type, e.g. <c>overloaded_error</c>.</param>
    /// <param name="code">The provider's error code, e.g. <c>insufficient_quota</c>.</param>
    /// <param name="providerMessage">The provider's message.</param>
    /// <param name="param">The parameter the provider blamed.</param>
    /// <param name="requestId">The request id of the HTTP response that carried the stream.</param>
    /// <param name="usageSoFar">Usage reported before the error.</param>
    /// <param name="redactor">The client's sanitizer; every provider string above passes through it first.</param>
    /// <param name="status">The HTTP status the error stands for, when the provider names one (OpenRouter's upstream status).</param>
    /// <returns>The exception to throw.</returns>
    internal static StratumException FromStreamError(
        string providerId,
        string? modelId,
        string? type,
        string? code,
        string? providerMessage,
        string? param,
        string? requestId,
        Microsoft.Extensions.AI.UsageDetails? usageSoFar,
        SecretRedactor redactor,
        int? status = null)
    {
        var error = new ErrorBody(providerMessage, type, code, param).RedactedBy(redactor);
        (providerMessage, type, code, param) = (error.Message, error.Type, error.Code, error.Param);
        requestId = redactor.Redact(requestId);

        var kind = Classify(status, error);
        var message = BuildMessage(providerId, modelId, "reported an error in the middle of the stream", code ?? type, providerMessage, requestId, "no error message.");
        var fields = new ErrorFields(providerId, modelId, null, error, providerMessage, requestId, usageSoFar);
        if (kind == ErrorKind.RateLimit)
        {
            return new StratumRateLimitException(message)
            {
                ProviderId = providerId,
                ModelId = modelId,
                ErrorType = type,
                ErrorCode = code,
                ProviderMessage = providerMessage,
                RequestId = requestId,
                UsageSoFar = usageSoFar,
            };
        }

        // An unknown error type in the middle of a stream is the provider failing, not the request being wrong.
        return Create(kind == ErrorKind.Other ? ErrorKind.ServerError : kind, message, fields, null);
    }

    /// <summary>
    /// True when the provider's error code or message says the prompt does not fit the model's context window, in the
    /// words of OpenAI, Anthropic, Gemini, DeepSeek, Groq, xAI, Mistral, OpenRouter and vLLM-style servers.
    /// </summary>
    internal static bool IsContextWindowExceeded(string? code, string? message)
    {
        if (code is not null && (string.Equals(code, "context_length_exceeded", StringComparison.OrdinalIgnoreCase)
            || string.Equals(code, "context_window_exceeded", StringComparison.OrdinalIgnoreCase)))
        {
            return true;
        }

        if (string.IsNullOrEmpty(message))
        {
            return false;
        }

        foreach (var phrase in ContextWindowPhrases)
        {
            if (message.Contains(phrase, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>True when the provider's error type, code or message says its content filter refused the call.</summary>
    internal static bool IsContentFiltered(string? type, string? code, string? message)
    {
        foreach (var value in (ReadOnlySpan<string?>)[type, code])
        {
            if (value is not null && (value.Contains("content_filter", StringComparison.OrdinalIgnoreCase)
                || value.Contains("content_policy", StringComparison.OrdinalIgnoreCase)
                || string.Equals(value, "safety", StringComparison.OrdinalIgnoreCase)))
            {
                return true;
            }
        }

        return message is not null && (message.Contains("content management policy", StringComparison.OrdinalIgnoreCase)
            || message.Contains("flagged as potentially violating", StringComparison.OrdinalIgnoreCase)
            || message.Contains("content filter", StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>The rate-limit headers of a response, by lower-case name, their values passed through <paramref name="redactor"/>.</summary>
    internal static IReadOnlyDictionary<string, string> GetRateLimitHeaders(HttpResponseHeaders headers, SecretRedactor redactor)
    {
        var result = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var header in headers)
        {
            var name = header.Key;
            if (name.StartsWith("x-ratelimit-", StringComparison.OrdinalIgnoreCase)
                || name.StartsWith("anthropic-ratelimit-", StringComparison.OrdinalIgnoreCase)
                || name.StartsWith("ratelimit", StringComparison.OrdinalIgnoreCase)
                || name.StartsWith("x-ratelimit", StringComparison.OrdinalIgnoreCase))
            {
                result[name.ToLowerInvariant()] = redactor.Redact(string.Join(", ", header.Value))!;
            }
        }

        return result;
    }

    /// <summary>
    /// Parses a rate-limit reset value: OpenAI-style durations (<c>1s</c>, <c>6m0s</c>, <c>250ms</c>, <c>1h2m3.5s</c>),
    /// an RFC 3339 / HTTP date (Anthropic) measured from <paramref name="now"/>, or plain seconds.
    /// </summary>
    internal static TimeSpan? ParseReset(string? value, DateTimeOffset now)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        value = value.Trim();
        if (TryParseGoDuration(value, out var duration))
        {
            return duration;
        }

        if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds >= 0)
        {
            return TimeSpan.FromSeconds(seconds);
        }

        if (DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var date))
        {
            var wait = date - now;
            return wait < TimeSpan.Zero ? TimeSpan.Zero : wait;
        }

        return null;
    }

    /// <summary>The provider's request id (the first of the usual headers that is set), passed through <paramref name="redactor"/>: a proxy may echo anything there.</summary>
    internal static string? GetRequestId(HttpResponseHeaders headers, SecretRedactor redactor)
    {
        foreach (var name in RequestIdHeaders)
        {
            if (headers.TryGetValues(name, out var values))
            {
                var value = values.FirstOrDefault();
                if (!string.IsNullOrEmpty(value))
                {
                    return redactor.Redact(value);
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

    /// <summary>Reads an error body in the shapes most APIs use: <c>{"error": {…}}</c>, <c>{"error": "…"}</c> or <c>{"message": …}</c>.</summary>
    internal static ErrorBody ParseBody(string body)
    {
        if (string.IsNullOrWhiteSpace(body))
        {
            return default;
        }

        try
        {
            using var document = JsonDocument.Parse(body);
            return ParseBody(document.RootElement, body);
        }
        catch (JsonException)
        {
            return new ErrorBody(Truncate(body), null, null, null);
        }
    }

    /// <summary>Reads the parsed root of an error body; <paramref name="body"/> is its text, the message when nothing else is.</summary>
    internal static ErrorBody ParseBody(JsonElement root, string body)
    {
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
                return new ErrorBody(
                    GetString(error, "message"),
                    GetString(error, "type") ?? GetString(error, "status"),
                    GetString(error, "code"),
                    GetString(error, "param"));
            }
        }

        return new ErrorBody(GetString(root, "message") ?? GetString(root, "detail") ?? Truncate(body), GetString(root, "type"), GetString(root, "code"), null);
    }

    private static readonly string[] ContextWindowPhrases =
    [
        "maximum context length",                // OpenAI, DeepSeek, OpenRouter, vLLM: "This model's maximum context length is 128000 tokens."
        "context_length_exceeded",
        "exceeds the context window",            // OpenAI Responses: "Your input exceeds the context window of this model."
        "prompt is too long",                    // Anthropic: "prompt is too long: 208656 tokens > 200000 maximum"
        "exceed context limit",                  // Anthropic: "input length and `max_tokens` exceed context limit"
        "exceeds the maximum number of tokens",  // Gemini: "The input token count (1054016) exceeds the maximum number of tokens allowed (1048576)."
        "maximum prompt length",                 // xAI: "This model's maximum prompt length is 131072 but the request contains 136973 tokens."
        "reduce the length of the messages",     // Groq: "Please reduce the length of the messages or completion."
        "too large for model with",              // Mistral: "Prompt contains 40000 tokens ... too large for model with 32768 maximum context length"
        "context window exceeded",
        "context length exceeded",
    ];

    /// <summary>Classifies by HTTP status first, refined by the body; with no status (stream errors), by type and code.</summary>
    private static ErrorKind Classify(int? status, ErrorBody error)
    {
        var type = error.Type;
        var code = error.Code;
        switch (status)
        {
            case 401:
                return ErrorKind.Authentication;
            case 403:
                return IsContentFiltered(type, code, error.Message) ? ErrorKind.ContentFiltered : ErrorKind.Permission;
            case 404:
                return ErrorKind.ModelNotFound;
            case 429:
                return ErrorKind.RateLimit;
            case 400 or 409 or 413 or 422:
                if (IsModelNotFound(error))
                {
                    return ErrorKind.ModelNotFound;
                }

                if (IsContextWindowExceeded(code, error.Message))
                {
                    return ErrorKind.ContextWindow;
                }

                return IsContentFiltered(type, code, error.Message) ? ErrorKind.ContentFiltered : ErrorKind.InvalidRequest;
            case 408 or 502 or 503 or 504 or 529:
                return ErrorKind.Unavailable;
            case >= 500:
                // Anthropic's "overloaded_error" is a capacity problem whatever status carries it.
                return Matches(type, code, "overloaded") ? ErrorKind.Unavailable : ErrorKind.ServerError;
            case not null:
                return ErrorKind.Other;
        }

        if (Matches(type, code, "rate_limit") || Matches(type, code, "insufficient_quota") || Matches(type, code, "resource_exhausted"))
        {
            return ErrorKind.RateLimit;
        }

        if (Matches(type, code, "overloaded") || Matches(type, code, "unavailable") || Matches(type, code, "slow_down"))
        {
            return ErrorKind.Unavailable;
        }

        if (IsContextWindowExceeded(code, error.Message))
        {
            return ErrorKind.ContextWindow;
        }

        if (IsContentFiltered(type, code, error.Message))
        {
            return ErrorKind.ContentFiltered;
        }

        if (Matches(type, code, "permission"))
        {
            return ErrorKind.Permission;
        }

        if (Matches(type, code, "authentication") || Matches(type, code, "invalid_api_key") || Matches(type, code, "unauthenticated"))
        {
            return ErrorKind.Authentication;
        }

        if (Matches(type, code, "not_found"))
        {
            return ErrorKind.ModelNotFound;
        }

        if (Matches(type, code, "invalid_request") || Matches(type, code, "invalid_prompt") || Matches(type, code, "invalid_argument"))
        {
            return ErrorKind.InvalidRequest;
        }

        return ErrorKind.Other;
    }

    private static bool Matches(string? type, string? code, string fragment) =>
        (type?.Contains(fragment, StringComparison.OrdinalIgnoreCase) ?? false)
        || (code?.Contains(fragment, StringComparison.OrdinalIgnoreCase) ?? false);

    /// <summary>The exception of <paramref name="kind"/>, with every field set; <paramref name="retryAfter"/> goes on rate limits and unavailability only.</summary>
    internal static StratumException Create(ErrorKind kind, string message, ErrorFields f, TimeSpan? retryAfter) => kind switch
    {
        ErrorKind.Authentication => new StratumAuthenticationException(message) { ProviderId = f.ProviderId, ModelId = f.ModelId, StatusCode = f.Status, ErrorType = f.Error.Type, ErrorCode = f.Error.Code, ProviderMessage = f.ProviderMessage, RequestId = f.RequestId, UsageSoFar = f.UsageSoFar },
        ErrorKind.Permission => new StratumPermissionException(message) { ProviderId = f.ProviderId, ModelId = f.ModelId, StatusCode = f.Status, ErrorType = f.Error.Type, ErrorCode = f.Error.Code, ProviderMessage = f.ProviderMessage, RequestId = f.RequestId, UsageSoFar = f.UsageSoFar },
        ErrorKind.ModelNotFound => new StratumModelNotFoundException(message) { ProviderId = f.ProviderId, ModelId = f.ModelId, StatusCode = f.Status, ErrorType = f.Error.Type, ErrorCode = f.Error.Code, ProviderMessage = f.ProviderMessage, RequestId = f.RequestId, UsageSoFar = f.UsageSoFar },
        ErrorKind.RateLimit => new StratumRateLimitException(message) { RetryAfter = retryAfter, ProviderId = f.ProviderId, ModelId = f.ModelId, StatusCode = f.Status, ErrorType = f.Error.Type, ErrorCode = f.Error.Code, ProviderMessage = f.ProviderMessage, RequestId = f.RequestId, UsageSoFar = f.UsageSoFar },
        ErrorKind.InvalidRequest => new StratumInvalidRequestException(message) { Parameter = f.Error.Param, ProviderId = f.ProviderId, ModelId = f.ModelId, StatusCode = f.Status, ErrorType = f.Error.Type, ErrorCode = f.Error.Code, ProviderMessage = f.ProviderMessage, RequestId = f.RequestId, UsageSoFar = f.UsageSoFar },
        ErrorKind.ContextWindow => new StratumContextWindowExceededException(message) { Parameter = f.Error.Param, ProviderId = f.ProviderId, ModelId = f.ModelId, StatusCode = f.Status, ErrorType = f.Error.Type, ErrorCode = f.Error.Code, ProviderMessage = f.ProviderMessage, RequestId = f.RequestId, UsageSoFar = f.UsageSoFar },
        ErrorKind.ContentFiltered => new StratumContentFilteredException(message) { FilterCategories = f.Error.FilterCategories ?? [], ProviderId = f.ProviderId, ModelId = f.ModelId, StatusCode = f.Status, ErrorType = f.Error.Type, ErrorCode = f.Error.Code, ProviderMessage = f.ProviderMessage, RequestId = f.RequestId, UsageSoFar = f.UsageSoFar },
        ErrorKind.Unavailable => new StratumProviderUnavailableException(message) { RetryAfter = retryAfter, ProviderId = f.ProviderId, ModelId = f.ModelId, StatusCode = f.Status, ErrorType = f.Error.Type, ErrorCode = f.Error.Code, ProviderMessage = f.ProviderMessage, RequestId = f.RequestId, UsageSoFar = f.UsageSoFar },
        ErrorKind.ServerError => new StratumServerErrorException(message) { ProviderId = f.ProviderId, ModelId = f.ModelId, StatusCode = f.Status, ErrorType = f.Error.Type, ErrorCode = f.Error.Code, ProviderMessage = f.ProviderMessage, RequestId = f.RequestId, UsageSoFar = f.UsageSoFar },
        _ => new StratumException(message) { ProviderId = f.ProviderId, ModelId = f.ModelId, StatusCode = f.Status, ErrorType = f.Error.Type, ErrorCode = f.Error.Code, ProviderMessage = f.ProviderMessage, RequestId = f.RequestId, UsageSoFar = f.UsageSoFar },
    };

    // Azure's v1 API answers an unknown deployment with 400 "unknown_model" (the classic API with 404 "DeploymentNotFound").
    private static bool IsModelNotFound(ErrorBody error) =>
        string.Equals(error.Code, "model_not_found", StringComparison.Ordinal)
        || string.Equals(error.Code, "model_decommissioned", StringComparison.Ordinal)
        || string.Equals(error.Code, "unknown_model", StringComparison.Ordinal)
        || string.Equals(error.Code, "DeploymentNotFound", StringComparison.Ordinal);

    /// <summary>
    /// Describes an HTML page where JSON was expected (see <see cref="DescribeNonJsonBody"/>), or null when the body is
    /// not HTML. The page's text passes through <paramref name="redactor"/>.
    /// </summary>
    internal static string? DescribeHtmlBody(string body, string? mediaType, SecretRedactor redactor) =>
        string.IsNullOrWhiteSpace(body) ? null : DescribeNonJsonBody(body, mediaType, redactor);

    /// <summary>
    /// Describes a body that is not a JSON error in words a developer can act on: empty, or an HTML page (which comes
    /// from a proxy, gateway, load balancer or captive portal, not from the provider's API). Null for anything else.
    /// The page's title is the provider's text: it passes through <paramref name="redactor"/> before it is shortened.
    /// </summary>
    private static string? DescribeNonJsonBody(string body, string? mediaType, SecretRedactor redactor)
    {
        if (string.IsNullOrWhiteSpace(body))
        {
            return "the response body was empty (no error details from the provider).";
        }

        var trimmed = body.AsSpan().TrimStart();
        var isHtml = string.Equals(mediaType, "text/html", StringComparison.OrdinalIgnoreCase)
            || trimmed.StartsWith("<!doctype html", StringComparison.OrdinalIgnoreCase)
            || trimmed.StartsWith("<html", StringComparison.OrdinalIgnoreCase);
        if (!isHtml)
        {
            return null;
        }

        var title = ExtractHtmlText(body, redactor);
        return string.IsNullOrEmpty(title)
            ? "the response was an HTML page instead of a JSON error, so it probably came from a proxy, gateway or load balancer between this client and the provider (check the base URL and any proxy settings)."
            : $"the response was an HTML page ('{title}') instead of a JSON error, so it probably came from a proxy, gateway or load balancer between this client and the provider (check the base URL and any proxy settings).";
    }

    /// <summary>The page's &lt;title&gt;, else its first heading, else its text with tags removed, shortened.</summary>
    private static string? ExtractHtmlText(string html, SecretRedactor redactor)
    {
        foreach (var tag in (ReadOnlySpan<string>)["title", "h1"])
        {
            var open = html.IndexOf("<" + tag, StringComparison.OrdinalIgnoreCase);
            if (open < 0)
            {
                continue;
            }

            var contentStart = html.IndexOf('>', open);
            var close = contentStart < 0 ? -1 : html.IndexOf("</" + tag, contentStart, StringComparison.OrdinalIgnoreCase);
            if (close > contentStart)
            {
                var text = CollapseWhitespace(StripTags(html.Substring(contentStart + 1, close - contentStart - 1)));
                if (text.Length > 0)
                {
                    return redactor.Snippet(text, 120);
                }
            }
        }

        return redactor.Snippet(CollapseWhitespace(StripTags(html)), 120);
    }

    private static string StripTags(string html)
    {
        var builder = new StringBuilder(html.Length);
        var inTag = false;
        foreach (var c in html)
        {
            if (c == '<')
            {
                inTag = true;
            }
            else if (c == '>')
            {
                inTag = false;
                builder.Append(' ');
            }
            else if (!inTag)
            {
                builder.Append(c);
            }
        }

        return System.Net.WebUtility.HtmlDecode(builder.ToString());
    }

    private static string CollapseWhitespace(string text) =>
        string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));

    private static long? GetLong(IReadOnlyDictionary<string, string> headers, string name, string alternative)
    {
        var value = headers.TryGetValue(name, out var v) ? v : headers.TryGetValue(alternative, out var a) ? a : null;
        return long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var result) ? result : null;
    }

    private static TimeSpan? GetReset(IReadOnlyDictionary<string, string> headers, DateTimeOffset now, string name, string alternative)
    {
        var value = headers.TryGetValue(name, out var v) ? v : headers.TryGetValue(alternative, out var a) ? a : null;
        return ParseReset(value, now);
    }

    /// <summary>Parses Go's time.Duration text as OpenAI, Groq and xAI send it: <c>1h2m3.5s</c>, <c>6m0s</c>, <c>250ms</c>.</summary>
    private static bool TryParseGoDuration(string text, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        var total = 0d;
        var i = 0;
        var any = false;
        while (i < text.Length)
        {
            var start = i;
            while (i < text.Length && (char.IsAsciiDigit(text[i]) || text[i] == '.'))
            {
                i++;
            }

            if (i == start || !double.TryParse(text.AsSpan(start, i - start), NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
            {
                return false;
            }

            var unitStart = i;
            while (i < text.Length && char.IsAsciiLetter(text[i]))
            {
                i++;
            }

            var factor = text.AsSpan(unitStart, i - unitStart) switch
            {
                "h" => 3600d,
                "m" => 60d,
                "s" => 1d,
                "ms" => 0.001,
                "us" or "µs" => 0.000001,
                "ns" => 0.000000001,
                _ => double.NaN,
            };
            if (double.IsNaN(factor))
            {
                return false;
            }

            total += number * factor;
            any = true;
        }

        if (!any)
        {
            return false;
        }

        duration = TimeSpan.FromSeconds(total);
        return true;
    }

    /// <summary>A status as messages show it: "HTTP 429 TooManyRequests".</summary>
    internal static string StatusText(HttpStatusCode status) => $"HTTP {(int)status} {status}";

    /// <summary>
    /// The message of every provider exception: "Provider 'p' (model 'm') {what} [{label}]: {provider's message} (request id …)".
    /// Every argument must already be clean (passed through the client's redactor).
    /// </summary>
    internal static string BuildMessage(
        string providerId,
        string? modelId,
        string what,
        string? label,
        string? providerMessage,
        string? requestId,
        string noMessage = "no error message in the response body.")
    {
        var builder = new StringBuilder();
        builder.Append(CultureInfo.InvariantCulture, $"Provider '{providerId}'");
        if (modelId is not null)
        {
            builder.Append(CultureInfo.InvariantCulture, $" (model '{modelId}')");
        }

        builder.Append(' ').Append(what);
        if (label is not null)
        {
            builder.Append(CultureInfo.InvariantCulture, $" [{label}]");
        }

        builder.Append(": ");
        builder.Append(string.IsNullOrEmpty(providerMessage) ? noMessage : providerMessage);
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

    internal static string Truncate(string body) => body.Length <= MaxBodyChars ? body : string.Concat(body.AsSpan(0, MaxBodyChars), "…");
}

/// <summary>What kind of failure a provider error is: one <see cref="StratumException"/> subclass each.</summary>
internal enum ErrorKind
{
    Other,
    Authentication,
    Permission,
    ModelNotFound,
    RateLimit,
    InvalidRequest,
    ContextWindow,
    ContentFiltered,
    Unavailable,
    ServerError,
}

/// <summary>The fields every provider exception carries.</summary>
internal readonly record struct ErrorFields(
    string ProviderId,
    string? ModelId,
    HttpStatusCode? Status,
    ErrorBody Error,
    string? ProviderMessage,
    string? RequestId,
    Microsoft.Extensions.AI.UsageDetails? UsageSoFar);

/// <summary>A provider's error as its body states it.</summary>
/// <param name="Message">The provider's message.</param>
/// <param name="Type">The provider's error type.</param>
/// <param name="Code">The provider's error code.</param>
/// <param name="Param">The parameter the provider blamed.</param>
/// <param name="FilterCategories">The content-filter categories the provider says it filtered (Azure's
/// <c>innererror.content_filter_result</c>), or null.</param>
internal readonly record struct ErrorBody(string? Message, string? Type, string? Code, string? Param, IReadOnlyList<string>? FilterCategories = null)
{
    /// <summary>This body with every field passed through <paramref name="redactor"/>.</summary>
    public ErrorBody RedactedBy(SecretRedactor redactor) =>
        new(redactor.Redact(Message), redactor.Redact(Type), redactor.Redact(Code), redactor.Redact(Param), FilterCategories?.Select(c => redactor.Redact(c)!).ToArray());
}

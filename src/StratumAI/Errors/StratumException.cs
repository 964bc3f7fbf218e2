using System.Net;

namespace StratumAI;

/// <summary>
/// The root of every error StratumAI raises for a failed model call: an HTTP error from a provider, a response
/// that could not be understood, a missing API key, a timeout.
/// </summary>
/// <remarks>
/// The provider fields (<see cref="StatusCode"/>, <see cref="ErrorType"/>, <see cref="ErrorCode"/>,
/// <see cref="ProviderMessage"/>, <see cref="RequestId"/>) are filled when the error came from a provider's
/// response. Neither the message nor any of these properties holds the configured API key: every string the provider
/// (or a proxy) sent is redacted as it is read — the key in any case, URL-encoded or in part, and anything shaped like a
/// well-known key — before the exception is built (docs/telemetry.md, "What is redacted, and where").
/// </remarks>
public class StratumException : Exception
{
    /// <summary>Creates an exception with a generic message.</summary>
    public StratumException()
        : base("A StratumAI model call failed.")
    {
    }

    /// <summary>Creates an exception with a message.</summary>
    /// <param name="message">What went wrong.</param>
    public StratumException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with a message and the exception that caused it.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The cause.</param>
    public StratumException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The catalog id of the provider that failed (e.g. <c>openai</c>), when known.</summary>
    public string? ProviderId { get; init; }

    /// <summary>The model id the call was for, when known.</summary>
    public string? ModelId { get; init; }

    /// <summary>The HTTP status code of the provider's response, or null when no response was received.</summary>
    public HttpStatusCode? StatusCode { get; init; }

    /// <summary>The provider's error type, e.g. <c>invalid_request_error</c>, when the body carried one.</summary>
    public string? ErrorType { get; init; }

    /// <summary>The provider's error code, e.g. <c>model_not_found</c> or <c>429</c>, when the body carried one.</summary>
    public string? ErrorCode { get; init; }

    /// <summary>The provider's own error message, when the body carried one.</summary>
    public string? ProviderMessage { get; init; }

    /// <summary>The request id the provider returned (<c>x-request-id</c> and similar headers), for support tickets.</summary>
    public string? RequestId { get; init; }

    /// <summary>
    /// Token usage the provider reported before the failure — for a stream cut short or ended by an error
    /// event, what was billed so far — or null when nothing was reported. Cost accounting records it, so a
    /// failed call that consumed tokens is never lost from the ledger.
    /// </summary>
    public Microsoft.Extensions.AI.UsageDetails? UsageSoFar { get => _usageSoFar; init => _usageSoFar = value; }

    private Microsoft.Extensions.AI.UsageDetails? _usageSoFar;

    /// <summary>
    /// Adds what earlier requests of the same call reported (an embedding call sent in several requests) to
    /// <see cref="UsageSoFar"/>: they were billed before this one failed.
    /// </summary>
    internal void AddUsageSoFar(Microsoft.Extensions.AI.UsageDetails earlier)
    {
        var total = new Microsoft.Extensions.AI.UsageDetails();
        total.Add(earlier);
        if (_usageSoFar is not null)
        {
            total.Add(_usageSoFar);
        }

        _usageSoFar = total;
    }

    /// <summary>
    /// True when the same call may succeed if retried later (rate limits, overloaded or failing servers,
    /// timeouts); false when retrying cannot help (bad request, bad key, unknown model).
    /// </summary>
    public virtual bool IsRetryable => false;
}

/// <summary>The provider rejected the call because a rate limit or quota was hit (HTTP 429).</summary>
public class StratumRateLimitException : StratumException
{
    /// <summary>Creates the exception with a generic message.</summary>
    public StratumRateLimitException()
        : base("The provider rate-limited the call.")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What went wrong.</param>
    public StratumRateLimitException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The cause.</param>
    public StratumRateLimitException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>
    /// How long the provider asked the caller to wait (from <c>retry-after-ms</c>, or <c>Retry-After</c> in
    /// seconds or as an HTTP date), or null when it did not say.
    /// </summary>
    public TimeSpan? RetryAfter { get; init; }

    /// <summary>
    /// The provider's rate-limit headers from the failed response, by their lower-case names
    /// (<c>x-ratelimit-remaining-requests</c>, <c>x-ratelimit-reset-tokens</c>, <c>anthropic-ratelimit-tokens-remaining</c>,
    /// <c>ratelimit-*</c> and similar), or an empty dictionary when it sent none.
    /// </summary>
    public IReadOnlyDictionary<string, string> RateLimitHeaders { get; init; } = EmptyHeaders;

    /// <summary>
    /// Requests left in the current window (<c>x-ratelimit-remaining-requests</c> or
    /// <c>anthropic-ratelimit-requests-remaining</c>), or null when the provider did not say.
    /// </summary>
    public long? RemainingRequests { get; init; }

    /// <summary>
    /// Tokens left in the current window (<c>x-ratelimit-remaining-tokens</c> or
    /// <c>anthropic-ratelimit-tokens-remaining</c>), or null when the provider did not say.
    /// </summary>
    public long? RemainingTokens { get; init; }

    /// <summary>
    /// How long until the request limit resets (<c>x-ratelimit-reset-requests</c> such as <c>1m30s</c>, or the time in
    /// <c>anthropic-ratelimit-requests-reset</c> measured against the response's <c>Date</c>), or null when not said.
    /// </summary>
    public TimeSpan? RequestsResetAfter { get; init; }

    /// <summary>How long until the token limit resets (<c>x-ratelimit-reset-tokens</c> or <c>anthropic-ratelimit-tokens-reset</c>), or null when not said.</summary>
    public TimeSpan? TokensResetAfter { get; init; }

    private static readonly IReadOnlyDictionary<string, string> EmptyHeaders = new Dictionary<string, string>(0);

    /// <summary>True unless the provider reported an exhausted quota (<c>insufficient_quota</c>), which waiting does not fix.</summary>
    public override bool IsRetryable => !string.Equals(ErrorCode, "insufficient_quota", StringComparison.Ordinal)
        && !string.Equals(ErrorType, "insufficient_quota", StringComparison.Ordinal);
}

/// <summary>
/// The provider refused the credentials (HTTP 401; HTTP 403 raises the subclass <see cref="StratumPermissionException"/>), or no API key was configured for a provider that needs
/// one (then no request was sent).
/// </summary>
public class StratumAuthenticationException : StratumException
{
    /// <summary>Creates the exception with a generic message.</summary>
    public StratumAuthenticationException()
        : base("The provider refused the credentials.")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What went wrong.</param>
    public StratumAuthenticationException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The cause.</param>
    public StratumAuthenticationException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The environment variable that is read for the provider's key (its name, never its value), when known.</summary>
    public string? ApiKeyEnvironmentVariable { get; init; }
}

/// <summary>
/// The provider accepted the credentials but refused this call (HTTP 403): the key lacks access to the model or
/// feature, the organisation or region is not allowed, or the project has no permission.
/// </summary>
/// <remarks>Derives from <see cref="StratumAuthenticationException"/> so code that catches credential failures also sees it.</remarks>
public class StratumPermissionException : StratumAuthenticationException
{
    /// <summary>Creates the exception with a generic message.</summary>
    public StratumPermissionException()
        : base("The provider refused the call: the credentials lack permission.")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What went wrong.</param>
    public StratumPermissionException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The cause.</param>
    public StratumPermissionException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>
/// The provider's safety system refused the prompt or stopped the answer (OpenAI <c>content_policy_violation</c>,
/// Azure <c>content_filter</c>, a prompt flagged as violating the usage policy). Retrying the same prompt will not help.
/// </summary>
/// <remarks>
/// A response that finishes normally with <see cref="Microsoft.Extensions.AI.ChatFinishReason.ContentFilter"/> is not an
/// exception; this is raised when the provider refuses the call outright. Azure OpenAI is the exception to that rule:
/// Azure says which of its filter categories fired, and a completion its filter flagged (<c>finish_reason:
/// content_filter</c>, a flagged streamed annotation, a Responses <c>content_filters</c> entry with <c>blocked: true</c>)
/// is raised as this exception with <see cref="FilterCategories"/> and the billed usage in
/// <see cref="StratumException.UsageSoFar"/> (docs/providers/azure-openai.md).
/// </remarks>
public class StratumContentFilteredException : StratumException
{
    /// <summary>Creates the exception with a generic message.</summary>
    public StratumContentFilteredException()
        : base("The provider's content filter refused the call.")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What went wrong.</param>
    public StratumContentFilteredException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The cause.</param>
    public StratumContentFilteredException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>
    /// The filter categories the provider says it filtered, in the order it listed them (Azure: <c>hate</c>,
    /// <c>self_harm</c>, <c>sexual</c>, <c>violence</c>, <c>jailbreak</c>, <c>protected_material_text</c>, …); empty when
    /// the provider does not say.
    /// </summary>
    public IReadOnlyList<string> FilterCategories { get; init; } = [];
}

/// <summary>The model is unknown: the provider answered that it does not exist or is not available to this key, or it is not in the catalog.</summary>
public class StratumModelNotFoundException : StratumException
{
    /// <summary>Creates the exception with a generic message.</summary>
    public StratumModelNotFoundException()
        : base("The model was not found.")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What went wrong.</param>
    public StratumModelNotFoundException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The cause.</param>
    public StratumModelNotFoundException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>The provider rejected the request as invalid (HTTP 400, 409, 413, 422): a bad parameter, an unsupported option.</summary>
public class StratumInvalidRequestException : StratumException
{
    /// <summary>Creates the exception with a generic message.</summary>
    public StratumInvalidRequestException()
        : base("The provider rejected the request as invalid.")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What went wrong.</param>
    public StratumInvalidRequestException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The cause.</param>
    public StratumInvalidRequestException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The request parameter the provider blamed (its <c>param</c> field), when it named one.</summary>
    public string? Parameter { get; init; }
}

/// <summary>The prompt plus the requested output does not fit the model's context window.</summary>
public class StratumContextWindowExceededException : StratumInvalidRequestException
{
    /// <summary>Creates the exception with a generic message.</summary>
    public StratumContextWindowExceededException()
        : base("The prompt does not fit the model's context window.")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What went wrong.</param>
    public StratumContextWindowExceededException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The cause.</param>
    public StratumContextWindowExceededException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>The provider is overloaded or unreachable (HTTP 502, 503, 504, 529, or the connection failed).</summary>
public class StratumProviderUnavailableException : StratumException
{
    /// <summary>Creates the exception with a generic message.</summary>
    public StratumProviderUnavailableException()
        : base("The provider is unavailable.")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What went wrong.</param>
    public StratumProviderUnavailableException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The cause.</param>
    public StratumProviderUnavailableException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>How long the provider asked the caller to wait, when it said.</summary>
    public TimeSpan? RetryAfter { get; init; }

    /// <inheritdoc />
    public override bool IsRetryable => true;
}

/// <summary>The provider failed with an internal error (HTTP 500 and other 5xx not covered by <see cref="StratumProviderUnavailableException"/>).</summary>
public class StratumServerErrorException : StratumException
{
    /// <summary>Creates the exception with a generic message.</summary>
    public StratumServerErrorException()
        : base("The provider failed with a server error.")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What went wrong.</param>
    public StratumServerErrorException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The cause.</param>
    public StratumServerErrorException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <inheritdoc />
    public override bool IsRetryable => true;
}

/// <summary>The call took longer than <see cref="StratumClientOptions.Timeout"/>.</summary>
public class StratumTimeoutException : StratumException
{
    /// <summary>Creates the exception with a generic message.</summary>
    public StratumTimeoutException()
        : base("The model call timed out.")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What went wrong.</param>
    public StratumTimeoutException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The cause.</param>
    public StratumTimeoutException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The timeout that elapsed.</summary>
    public TimeSpan? Timeout { get; init; }

    /// <inheritdoc />
    public override bool IsRetryable => true;
}

/// <summary>The provider answered with success, but the body was not a response StratumAI could read (malformed JSON, no choices).</summary>
public class StratumInvalidResponseException : StratumException
{
    /// <summary>Creates the exception with a generic message.</summary>
    public StratumInvalidResponseException()
        : base("The provider's response could not be read.")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What went wrong.</param>
    public StratumInvalidResponseException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The cause.</param>
    public StratumInvalidResponseException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>The call succeeded but the model returned no text where text was expected (e.g. it asked for a tool, or hit the token limit first).</summary>
public class StratumEmptyResponseException : StratumInvalidResponseException
{
    /// <summary>Creates the exception with a generic message.</summary>
    public StratumEmptyResponseException()
        : base("The model returned no text.")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What went wrong.</param>
    public StratumEmptyResponseException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The cause.</param>
    public StratumEmptyResponseException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The finish reason the provider reported (e.g. <c>tool_calls</c>, <c>length</c>), when it reported one.</summary>
    public string? FinishReason { get; init; }
}

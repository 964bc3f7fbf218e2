using Polly.CircuitBreaker;
using Polly.Timeout;

namespace StratumAI;

/// <summary>Which failures are worth another attempt at the same model, and how long the provider asked to wait.</summary>
internal static class TransientFailure
{
    /// <summary>
    /// True for failures the same call may survive later: the exception hierarchy's <see cref="StratumException.IsRetryable"/>
    /// (429 except an exhausted quota, 408, 5xx, 529, timeouts, connection failures), a raw <see cref="HttpRequestException"/>
    /// or <see cref="IOException"/> from a client below that does not map errors, and an attempt timeout. Never a caller's
    /// cancellation, a 4xx that is not 408/429, or an open circuit (waiting for it is the breaker's job, not the retry's).
    /// </summary>
    public static bool IsRetryable(Exception exception) => exception switch
    {
        BrokenCircuitException or StratumCircuitOpenException => false,
        StratumException stratum => stratum.IsRetryable,
        HttpRequestException or IOException or TimeoutRejectedException => true,
        _ => false,
    };

    /// <summary>
    /// True for an attempt that timed out: this middleware's attempt timeout, or a <see cref="StratumTimeoutException"/> from
    /// below (<see cref="StratumClientOptions.Timeout"/>, an HTTP client timeout). A 408 is a fast answer, not a timeout.
    /// </summary>
    public static bool IsTimeout(Exception exception) => exception is TimeoutRejectedException or StratumTimeoutException;

    /// <summary>
    /// True for failures that say the provider itself is unhealthy — the ones a circuit breaker counts. Rate limits are
    /// not among them: they concern one key and carry their own wait.
    /// </summary>
    public static bool IsProviderFailure(Exception exception) => exception switch
    {
        StratumProviderUnavailableException or StratumServerErrorException or StratumTimeoutException => true,
        StratumException => false,
        HttpRequestException or IOException or TimeoutRejectedException => true,
        _ => false,
    };

    /// <summary>
    /// How long the provider asked the caller to wait before trying again: <c>retry-after-ms</c> / <c>Retry-After</c>
    /// (already parsed into <see cref="StratumRateLimitException.RetryAfter"/> and
    /// <see cref="StratumProviderUnavailableException.RetryAfter"/>), else, for a rate limit, the reset time of each limit
    /// the provider reported exhausted (remaining 0), the longest of them. Null when it did not say.
    /// </summary>
    public static TimeSpan? RequestedDelay(Exception exception)
    {
        switch (exception)
        {
            case StratumRateLimitException { RetryAfter: { } retryAfter }:
                return NonNegative(retryAfter);
            case StratumRateLimitException limit:
                TimeSpan? wait = null;
                if (limit.RemainingRequests == 0 && limit.RequestsResetAfter is { } requests)
                {
                    wait = requests;
                }

                if (limit.RemainingTokens == 0 && limit.TokensResetAfter is { } tokens && (wait is null || tokens > wait))
                {
                    wait = tokens;
                }

                return wait is { } found ? NonNegative(found) : null;
            case StratumProviderUnavailableException { RetryAfter: { } unavailable }:
                return NonNegative(unavailable);
            default:
                return null;
        }
    }

    private static TimeSpan NonNegative(TimeSpan value) => value < TimeSpan.Zero ? TimeSpan.Zero : value;
}

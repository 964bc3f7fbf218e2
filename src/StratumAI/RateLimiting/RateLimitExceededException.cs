namespace StratumAI;

/// <summary>
/// A rate limit of the application's own (<see cref="RateLimitChatClient"/>) had no permit for the call within
/// <see cref="StratumRateLimitOptions.MaxWait"/>, or the call's key is paused (a 429's <c>Retry-After</c>) until after it.
/// Nothing was sent.
/// </summary>
/// <remarks>
/// A <see cref="StratumRateLimitException"/>, so code that handles a provider's 429 handles it too and a fallback to another
/// model takes over; but it is not retryable (<see cref="IsRetryable"/>): the call already waited as long as it may, and
/// retrying it would only queue it again. <see cref="Key"/> names the provider, the model and a hash prefix of the API key,
/// never the key.
/// </remarks>
public class RateLimitExceededException : StratumRateLimitException
{
    /// <summary>Creates the exception with a generic message.</summary>
    public RateLimitExceededException()
        : base("The call was not sent: a configured rate limit had no permit for it in time.")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What went wrong.</param>
    public RateLimitExceededException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The cause.</param>
    public RateLimitExceededException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The call's key: <c>provider/model/key-identity</c> (a hash prefix of the API key, never the key).</summary>
    public string? Key { get; init; }

    /// <summary>How long the call was allowed to wait (<see cref="StratumRateLimitOptions.MaxWait"/>).</summary>
    public TimeSpan MaxWait { get; init; }

    /// <summary>The limits the call counted against, as text (<c>openai/*/k-3f2a9c1b: 500 requests / 30000 tokens per 60 s</c>).</summary>
    public string? Limits { get; init; }

    /// <summary>False: the call waited as long as it was allowed to; a fallback to another model may still answer.</summary>
    public override bool IsRetryable => false;
}

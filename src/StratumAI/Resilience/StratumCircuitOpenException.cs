namespace StratumAI;

/// <summary>
/// The call was not sent: the circuit breaker of <see cref="ResilienceChatClient"/> for this provider is open after too
/// many recent failures. <see cref="StratumProviderUnavailableException.RetryAfter"/> says when it lets a trial call through.
/// </summary>
/// <remarks>
/// It is not retried by the same <see cref="ResilienceChatClient"/> (the breaker fails fast on purpose), but a
/// <see cref="FallbackChatClient"/> above it moves on to the next model, ideally of another provider.
/// </remarks>
public sealed class StratumCircuitOpenException : StratumProviderUnavailableException
{
    /// <summary>Creates the exception with a generic message.</summary>
    public StratumCircuitOpenException()
        : base("The circuit breaker for the provider is open; the call was not sent.")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What went wrong.</param>
    public StratumCircuitOpenException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The cause (Polly's <c>BrokenCircuitException</c>).</param>
    public StratumCircuitOpenException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}

namespace StratumAI;

/// <summary>
/// Every model of an <see cref="LlmCallAttribute"/> method failed — the primary and each fallback — in ways a fallback
/// may fix (provider unavailable, rate limited, context window exceeded). <see cref="Attempts"/> lists them in order;
/// <see cref="Exception.InnerException"/> is the last failure.
/// </summary>
/// <remarks>
/// Derives from <see cref="AllFallbacksFailedException"/>, so one <c>catch</c> sees both this and the failure of a
/// <see cref="FallbackChatClient"/>; seen as that type, <see cref="AllFallbacksFailedException.Attempts"/> lists the same
/// attempts with a <see cref="FallbackAttempt.Duration"/> of zero (an [LlmCall] attempt's duration is not measured).
/// </remarks>
public sealed class LlmCallFallbacksFailedException : AllFallbacksFailedException
{
    /// <summary>Creates the exception with a generic message and no attempts.</summary>
    public LlmCallFallbacksFailedException()
        : this("Every model of the [LlmCall] method failed.")
    {
    }

    /// <summary>Creates the exception with a message and no attempts.</summary>
    /// <param name="message">What went wrong.</param>
    public LlmCallFallbacksFailedException(string message)
        : base(message, [], null)
    {
        Attempts = [];
    }

    /// <summary>Creates the exception with a message and a cause, and no attempts.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The cause.</param>
    public LlmCallFallbacksFailedException(string message, Exception? innerException)
        : base(message, [], innerException)
    {
        Attempts = [];
    }

    /// <summary>Creates the exception from the attempts, with a message that lists each.</summary>
    /// <param name="attempts">The models tried, in order; at least one.</param>
    /// <exception cref="ArgumentException"><paramref name="attempts"/> is empty.</exception>
    public LlmCallFallbacksFailedException(IReadOnlyList<LlmCallAttempt> attempts)
        : this(attempts, ToFallbackAttempts(attempts))
    {
    }

    private LlmCallFallbacksFailedException(IReadOnlyList<LlmCallAttempt> attempts, FallbackAttempt[] asFallbackAttempts)
        : base(Describe("the [LlmCall] method", asFallbackAttempts, withDurations: false), asFallbackAttempts, asFallbackAttempts[^1].Error)
    {
        Attempts = attempts;
    }

    /// <summary>The models tried, in order, with their failures.</summary>
    public new IReadOnlyList<LlmCallAttempt> Attempts { get; }

    private static FallbackAttempt[] ToFallbackAttempts(IReadOnlyList<LlmCallAttempt> attempts)
    {
        ArgumentNullException.ThrowIfNull(attempts);
        if (attempts.Count == 0)
        {
            throw new ArgumentException("At least one attempt is needed.", nameof(attempts));
        }

        return attempts.Select(a => new FallbackAttempt(a.ModelId, a.ProviderId, a.Error, TimeSpan.Zero)).ToArray();
    }
}

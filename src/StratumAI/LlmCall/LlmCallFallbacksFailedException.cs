using System.Globalization;
using System.Text;

namespace StratumAI;

/// <summary>
/// Every model of an <see cref="LlmCallAttribute"/> method failed — the primary and each fallback — in ways a fallback
/// may fix (provider unavailable, rate limited, context window exceeded). <see cref="Attempts"/> lists them in order;
/// <see cref="Exception.InnerException"/> is the last failure.
/// </summary>
public sealed class LlmCallFallbacksFailedException : StratumException
{
    /// <summary>Creates the exception with a generic message and no attempts.</summary>
    public LlmCallFallbacksFailedException()
        : this("Every model of the [LlmCall] method failed.")
    {
    }

    /// <summary>Creates the exception with a message and no attempts.</summary>
    /// <param name="message">What went wrong.</param>
    public LlmCallFallbacksFailedException(string message)
        : base(message)
    {
        Attempts = [];
    }

    /// <summary>Creates the exception with a message and a cause, and no attempts.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The cause.</param>
    public LlmCallFallbacksFailedException(string message, Exception? innerException)
        : base(message, innerException)
    {
        Attempts = [];
    }

    /// <summary>Creates the exception from the attempts, with a message that lists each.</summary>
    /// <param name="attempts">The models tried, in order; at least one.</param>
    /// <exception cref="ArgumentException"><paramref name="attempts"/> is empty.</exception>
    public LlmCallFallbacksFailedException(IReadOnlyList<LlmCallAttempt> attempts)
        : base(Describe(attempts), attempts is { Count: > 0 } ? attempts[^1].Error : null)
    {
        Attempts = attempts;
        ModelId = attempts[^1].ModelId;
        ProviderId = attempts[^1].ProviderId;
    }

    /// <summary>The models tried, in order, with their failures.</summary>
    public IReadOnlyList<LlmCallAttempt> Attempts { get; }

    /// <inheritdoc />
    public override bool IsRetryable => Attempts.Count > 0 && Attempts.All(a => a.Error is StratumException { IsRetryable: true });

    private static string Describe(IReadOnlyList<LlmCallAttempt> attempts)
    {
        ArgumentNullException.ThrowIfNull(attempts);
        if (attempts.Count == 0)
        {
            throw new ArgumentException("At least one attempt is needed.", nameof(attempts));
        }

        var builder = new StringBuilder();
        builder.Append(CultureInfo.InvariantCulture, $"All {attempts.Count} models of the [LlmCall] method failed:");
        for (var i = 0; i < attempts.Count; i++)
        {
            var attempt = attempts[i];
            builder.Append(CultureInfo.InvariantCulture, $" ({i + 1}) '{attempt.ModelId}'");
            if (attempt.ProviderId is not null)
            {
                builder.Append(CultureInfo.InvariantCulture, $" from '{attempt.ProviderId}'");
            }

            builder.Append(CultureInfo.InvariantCulture, $": {attempt.Error.GetType().Name}: {attempt.Error.Message}");
            builder.Append(i == attempts.Count - 1 ? "." : ";");
        }

        return builder.ToString();
    }
}

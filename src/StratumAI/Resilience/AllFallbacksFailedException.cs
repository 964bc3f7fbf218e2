using System.Globalization;
using System.Text;

namespace StratumAI;

/// <summary>
/// Every model of a fallback chain failed — the primary and each fallback tried — in ways a fallback may fix. Thrown by
/// <see cref="FallbackChatClient"/> and by <see cref="LlmCallAttribute"/> methods alike (one engine, one rule:
/// <see cref="FallbackPolicy"/>). <see cref="Attempts"/> lists them in order with their errors and durations;
/// <see cref="Exception.InnerException"/> is the last failure.
/// </summary>
public sealed class AllFallbacksFailedException : StratumException
{
    /// <summary>Creates the exception with a generic message and no attempts.</summary>
    public AllFallbacksFailedException()
        : this("Every model of the fallback chain failed.")
    {
    }

    /// <summary>Creates the exception with a message and no attempts.</summary>
    /// <param name="message">What went wrong.</param>
    public AllFallbacksFailedException(string message)
        : base(message)
    {
        Attempts = [];
    }

    /// <summary>Creates the exception with a message and a cause, and no attempts.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The cause.</param>
    public AllFallbacksFailedException(string message, Exception? innerException)
        : base(message, innerException)
    {
        Attempts = [];
    }

    /// <summary>Creates the exception from the attempts, with a message that lists each.</summary>
    /// <param name="attempts">The models tried, in order, each with its failure; at least one.</param>
    /// <exception cref="ArgumentNullException"><paramref name="attempts"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="attempts"/> is empty, or an attempt has no error.</exception>
    public AllFallbacksFailedException(IReadOnlyList<FallbackAttempt> attempts)
        : this("the fallback chain", attempts)
    {
    }

    /// <summary>Creates the exception from the attempts of a chain named <paramref name="chain"/> ("the [LlmCall] method").</summary>
    internal AllFallbacksFailedException(string chain, IReadOnlyList<FallbackAttempt> attempts)
        : this(Describe(chain, attempts, withDurations: true), attempts, attempts[^1].Error)
    {
    }

    private AllFallbacksFailedException(string message, IReadOnlyList<FallbackAttempt> attempts, Exception? innerException)
        : base(message, innerException)
    {
        ArgumentNullException.ThrowIfNull(attempts);
        Attempts = attempts;
        if (attempts.Count > 0)
        {
            ModelId = attempts[^1].ModelId;
            ProviderId = attempts[^1].ProviderId;
        }
    }

    /// <summary>The models tried, in order, with their failures (never null here) and durations.</summary>
    public IReadOnlyList<FallbackAttempt> Attempts { get; }

    /// <summary>True when every attempt failed in a way that may pass later (so the whole chain may succeed if retried).</summary>
    public override bool IsRetryable => Attempts.Count > 0 && Attempts.All(a => a.Error is StratumException { IsRetryable: true });

    /// <summary>"All N models of {what} failed: (1) 'id' from 'provider' [after s]: Type: message; ..." — the attempts, in order.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="attempts"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="attempts"/> is empty.</exception>
    internal static string Describe(string what, IReadOnlyList<FallbackAttempt> attempts, bool withDurations)
    {
        ArgumentNullException.ThrowIfNull(attempts);
        if (attempts.Count == 0)
        {
            throw new ArgumentException("At least one attempt is needed.", nameof(attempts));
        }

        if (attempts.Any(a => a.Error is null))
        {
            throw new ArgumentException("Every attempt of a chain that failed has an error.", nameof(attempts));
        }

        var builder = new StringBuilder();
        builder.Append(CultureInfo.InvariantCulture, $"All {attempts.Count} models of {what} failed:");
        for (var i = 0; i < attempts.Count; i++)
        {
            var attempt = attempts[i];
            builder.Append(CultureInfo.InvariantCulture, $" ({i + 1}) '{attempt.ModelId}'");
            if (attempt.ProviderId is not null)
            {
                builder.Append(CultureInfo.InvariantCulture, $" from '{attempt.ProviderId}'");
            }

            if (withDurations)
            {
                builder.Append(CultureInfo.InvariantCulture, $" after {attempt.Duration.TotalSeconds:0.###} s");
            }

            builder.Append(CultureInfo.InvariantCulture, $": {attempt.Error!.GetType().Name}: {attempt.Error.Message}");
            builder.Append(i == attempts.Count - 1 ? "." : ";");
        }

        return builder.ToString();
    }
}

using Polly.CircuitBreaker;
using Polly.Timeout;

namespace StratumAI;

/// <summary>
/// The rule that decides whether a failed call moves on to the next model of a fallback chain, and which models may take
/// over. The one rule of StratumAI's one fallback engine: <see cref="FallbackChatClient"/> and
/// <see cref="LlmCallAttribute"/> methods both decide with it, so the same failure gets the same decision through either
/// door; usable by any chain of your own too.
/// </summary>
/// <remarks>
/// <para>Falls back on: a rate limit (an exhausted quota included — another provider has its own), a provider that is
/// unavailable, failing (5xx, 529) or behind an open circuit, a timeout, a connection failure, a response that could not
/// be read (malformed JSON, an HTML page from a proxy, an empty body), a context window exceeded (only to a model with a
/// larger window: <see cref="IsCandidate"/>), when <see cref="FallBackOnContentFiltered"/> a content-filter refusal, and
/// when <see cref="FallBackOnSchemaMismatch"/> a structured answer that does not match its schema.</para>
/// <para>Does not fall back on: a bad request (400), bad or missing credentials (401, 403), an unknown model (404), an
/// answer without text (<see cref="StratumEmptyResponseException"/>), a chain that already failed as a whole
/// (<see cref="AllFallbacksFailedException"/>), a caller's cancellation, or a failure that is not a model call's (an argument or configuration error): another model
/// would fail the same way, or the failure is the caller's to fix.</para>
/// <para>Immutable and thread-safe.</para>
/// </remarks>
public sealed class FallbackPolicy
{
    /// <summary>The policy with the defaults: content-filter refusals and schema mismatches do not fall back.</summary>
    public static FallbackPolicy Default { get; } = new();

    /// <summary>Whether a content-filter refusal (<see cref="StratumContentFilteredException"/>) moves on to the next model.</summary>
    /// <value>Default false: another model answering a prompt one provider refused is a decision to make on purpose.</value>
    public bool FallBackOnContentFiltered { get; init; }

    /// <summary>
    /// Whether a structured answer that does not match its schema (<see cref="StratumSchemaMismatchException"/>, thrown by
    /// an <see cref="LlmCallAttribute"/> method returning <c>Task&lt;T&gt;</c> or <c>LlmResult&lt;T&gt;</c>) moves on to the next model.
    /// </summary>
    /// <value>
    /// Default false: the mismatched answer was generated and billed, and a mismatch usually comes from the prompt or the
    /// type (a schema the model cannot follow), so another model would most likely be billed for the same failure; the
    /// exception quotes the start of the answer so the cause can be fixed. Turn it on when your fallbacks are stronger
    /// models that follow schemas the primary does not.
    /// </value>
    public bool FallBackOnSchemaMismatch { get; init; }

    /// <summary>True when the next model of a chain should be tried after <paramref name="exception"/>.</summary>
    /// <param name="exception">The failure of the model tried last.</param>
    /// <returns>Whether to fall back.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="exception"/> is null.</exception>
    public bool ShouldFallBack(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return exception switch
        {
            AllFallbacksFailedException => false,
            StratumContextWindowExceededException => true,
            StratumContentFilteredException => FallBackOnContentFiltered,
            StratumRateLimitException => true,
            StratumEmptyResponseException => false,
            StratumSchemaMismatchException => FallBackOnSchemaMismatch,
            StratumInvalidResponseException => true,
            StratumException stratum => stratum.IsRetryable,
            HttpRequestException or IOException or TimeoutRejectedException or BrokenCircuitException => true,
            _ => false,
        };
    }

    /// <summary>
    /// True when <paramref name="candidate"/> may take over after <paramref name="failedModel"/> failed with
    /// <paramref name="exception"/>: after a context window exceeded, only a catalog model with a larger context window
    /// than the failed one; after any other failure, any model.
    /// </summary>
    /// <param name="exception">The failure.</param>
    /// <param name="failedModel">The model that failed, when it is in the catalog.</param>
    /// <param name="candidate">The model that would be tried next, when it is in the catalog.</param>
    /// <returns>Whether the candidate may be tried.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="exception"/> is null.</exception>
    public static bool IsCandidate(Exception exception, ModelInfo? failedModel, ModelInfo? candidate)
    {
        ArgumentNullException.ThrowIfNull(exception);
        if (exception is not StratumContextWindowExceededException)
        {
            return true;
        }

        // A window we cannot compare is not known to be larger: trying it would most likely fail the same way.
        return candidate is not null && (failedModel is null || candidate.ContextWindow > failedModel.ContextWindow);
    }
}

using Microsoft.Extensions.AI;

namespace StratumAI;

/// <summary>
/// What an <see cref="LlmCallAttribute"/> method returning <c>Task&lt;LlmResult&lt;T&gt;&gt;</c> gives back: the value,
/// the model that actually answered (a fallback, when the primary failed), its usage and cost, and every attempt.
/// </summary>
/// <typeparam name="T">The value: <see cref="string"/> for the answer's text, or a structured type read from its JSON.</typeparam>
/// <remarks>Immutable; safe to share between threads.</remarks>
public sealed class LlmResult<T>
{
    /// <summary>Creates a result (generated code and tests create these).</summary>
    /// <param name="value">The value.</param>
    /// <param name="response">The response the value was read from.</param>
    /// <param name="modelId">The id of the model that answered.</param>
    /// <param name="providerId">Its provider, when known.</param>
    /// <param name="model">Its catalog entry, when known.</param>
    /// <param name="attempts">Every model called, in order; the last one answered.</param>
    /// <exception cref="ArgumentNullException"><paramref name="response"/> or <paramref name="attempts"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="modelId"/> is null or empty.</exception>
    public LlmResult(T value, ChatResponse response, string modelId, string? providerId, ModelInfo? model, IReadOnlyList<FallbackAttempt> attempts)
    {
        ArgumentNullException.ThrowIfNull(response);
        ArgumentException.ThrowIfNullOrEmpty(modelId);
        ArgumentNullException.ThrowIfNull(attempts);
        Value = value;
        Response = response;
        ModelId = modelId;
        ProviderId = providerId;
        Model = model;
        Attempts = attempts;
    }

    /// <summary>The answer: its text, or the structured value read from it.</summary>
    public T Value { get; }

    /// <summary>The id of the model that answered.</summary>
    public string ModelId { get; }

    /// <summary>The provider of the model that answered, when known.</summary>
    public string? ProviderId { get; }

    /// <summary>The catalog entry of the model that answered, when known (from the response or the catalog).</summary>
    public ModelInfo? Model { get; }

    /// <summary>The tokens the answering call used, as the provider reported them.</summary>
    public UsageDetails? Usage => Response.Usage;

    /// <summary>The answering call's exact cost, when the response came through <see cref="StratumClient"/> with usage.</summary>
    /// <remarks>Failed attempts are not included: they are billed (if at all) by the cost tracking middleware.</remarks>
    public CallCost? Cost => Response.GetCost();

    /// <summary>The whole response of the model that answered.</summary>
    public ChatResponse Response { get; }

    /// <summary>Every model called, in order: the ones that failed (with their errors), then the one that answered.</summary>
    public IReadOnlyList<FallbackAttempt> Attempts { get; }

    /// <summary>True when a fallback answered because an earlier model failed.</summary>
    public bool UsedFallback => Attempts.Count > 1;

    /// <summary>The value and the model that gave it.</summary>
    /// <returns>A short description; never the prompt.</returns>
    public override string ToString() => $"LlmResult {{ Model = {ModelId}, Attempts = {Attempts.Count} }}";
}

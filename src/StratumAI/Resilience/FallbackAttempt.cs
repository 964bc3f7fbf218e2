namespace StratumAI;

/// <summary>
/// One model tried by a fallback chain — the middleware's (<see cref="FallbackChatClient"/>) or an
/// <see cref="LlmCallAttribute"/> method's — how long it took and how it failed, if it did.
/// </summary>
/// <param name="ModelId">The model id as requested (the catalog id when the model is in the catalog).</param>
/// <param name="ProviderId">The provider, when the model is in the catalog.</param>
/// <param name="Error">The failure that moved the call on to the next model; null for the attempt that answered.</param>
/// <param name="Duration">
/// From sending the request to the answer (for a stream, its first update) or the failure, retries below it included,
/// measured with the chain's <see cref="TimeProvider"/>.
/// </param>
public sealed record FallbackAttempt(string ModelId, string? ProviderId, Exception? Error, TimeSpan Duration)
{
    /// <summary>True for the attempt whose answer the call returned.</summary>
    public bool Succeeded => Error is null;
}

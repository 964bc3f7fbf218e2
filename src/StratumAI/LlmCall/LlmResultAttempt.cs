namespace StratumAI;

/// <summary>One model an <see cref="LlmCallAttribute"/> method called, in the order called: how long it took and how it failed, if it did.</summary>
/// <param name="ModelId">The model id (as written, when it named no catalog model).</param>
/// <param name="ProviderId">The provider, when known.</param>
/// <param name="Error">The failure that moved the call on to the next model; null for the attempt that answered.</param>
/// <param name="Duration">From sending the request to the answer or the failure.</param>
public sealed record LlmResultAttempt(string ModelId, string? ProviderId, Exception? Error, TimeSpan Duration)
{
    /// <summary>True for the attempt whose answer the method returned.</summary>
    public bool Succeeded => Error is null;
}

namespace StratumAI;

/// <summary>One model tried by a fallback chain, how it failed and how long it took.</summary>
/// <param name="ModelId">The model id as requested (the catalog id when the model is in the catalog).</param>
/// <param name="ProviderId">The provider, when the model is in the catalog.</param>
/// <param name="Error">The failure.</param>
/// <param name="Duration">How long the attempt took (retries below it included), measured with the chain's <see cref="TimeProvider"/>.</param>
public sealed record FallbackAttempt(string ModelId, string? ProviderId, Exception Error, TimeSpan Duration);

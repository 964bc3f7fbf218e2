namespace StratumAI;

/// <summary>One model tried by an <see cref="LlmCallAttribute"/> method, and how it failed.</summary>
/// <param name="ModelId">The model id (as written, when it named no catalog model).</param>
/// <param name="ProviderId">The provider, when the model was in the catalog.</param>
/// <param name="Error">The failure.</param>
public sealed record LlmCallAttempt(string ModelId, string? ProviderId, Exception Error);

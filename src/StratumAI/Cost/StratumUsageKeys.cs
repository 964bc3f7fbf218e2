namespace StratumAI;

/// <summary>
/// Keys StratumAI uses in <see cref="Microsoft.Extensions.AI.UsageDetails.AdditionalCounts"/> and in
/// <see cref="Microsoft.Extensions.AI.ChatResponse.AdditionalProperties"/>.
/// </summary>
/// <remarks>
/// Token-count conventions every dialect follows, so cost is computed the same way for every provider:
/// <see cref="Microsoft.Extensions.AI.UsageDetails.InputTokenCount"/> counts the whole prompt, cached and
/// cache-write tokens included; <see cref="Microsoft.Extensions.AI.UsageDetails.OutputTokenCount"/> counts the
/// whole output, reasoning tokens included.
/// </remarks>
public static class StratumUsageKeys
{
    /// <summary>
    /// <see cref="Microsoft.Extensions.AI.UsageDetails.AdditionalCounts"/> key: prompt tokens written to the
    /// provider's prompt cache (Anthropic <c>cache_creation_input_tokens</c>, OpenRouter <c>cache_write_tokens</c>).
    /// </summary>
    public const string CacheWriteInputTokens = "CacheWriteInputTokenCount";

    /// <summary>
    /// <see cref="Microsoft.Extensions.AI.UsageDetails.AdditionalCounts"/> key: of the <see cref="CacheWriteInputTokens"/>, those
    /// written to a one-hour cache (Anthropic <c>cache_creation.ephemeral_1h_input_tokens</c>), billed at
    /// <see cref="ModelPricing.CacheWrite1hPerMillion"/>.
    /// </summary>
    public const string CacheWrite1hInputTokens = "ephemeral_1h_input_tokens";

    /// <summary><see cref="Microsoft.Extensions.AI.ChatResponse.AdditionalProperties"/> key: the call's <see cref="CallCost"/>.</summary>
    public const string Cost = "stratum.cost";

    /// <summary><see cref="Microsoft.Extensions.AI.ChatResponse.AdditionalProperties"/> key: the catalog <see cref="ModelInfo"/> that served the call.</summary>
    public const string ModelInfo = "stratum.model";

    /// <summary><see cref="Microsoft.Extensions.AI.ChatResponse.AdditionalProperties"/> key: the cost the provider itself reported, a <see cref="decimal"/> (OpenRouter's <c>usage.cost</c>).</summary>
    public const string ProviderReportedCost = "stratum.provider_cost";

    /// <summary><see cref="Microsoft.Extensions.AI.ChatResponse.AdditionalProperties"/> key: the provider's request id header, a <see cref="string"/>.</summary>
    public const string RequestId = "stratum.request_id";

    /// <summary>
    /// <see cref="Microsoft.Extensions.AI.ChatResponse.AdditionalProperties"/> key: <see langword="true"/> (a <see cref="bool"/>)
    /// when a response cache served the response; cost tracking then records $0 and what the hit saved.
    /// </summary>
    public const string CacheHit = "stratum.cache_hit";
}

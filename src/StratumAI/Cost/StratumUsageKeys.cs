using Microsoft.Extensions.AI;

namespace StratumAI;

/// <summary>
/// Keys StratumAI uses in <see cref="Microsoft.Extensions.AI.UsageDetails.AdditionalCounts"/> and in
/// <see cref="Microsoft.Extensions.AI.ChatResponse.AdditionalProperties"/>.
/// </summary>
/// <remarks>
/// Token-count conventions every dialect follows, so cost is computed the same way for every provider:
/// <see cref="Microsoft.Extensions.AI.UsageDetails.InputTokenCount"/> counts the whole prompt, cached and
/// cache-write tokens included; <see cref="Microsoft.Extensions.AI.UsageDetails.OutputTokenCount"/> counts the
/// whole output, reasoning tokens included (xAI's Chat Completions counts reasoning outside <c>completion_tokens</c>; its
/// dialect adds them back). Audio tokens (<see cref="AudioInputTokens"/>, <see cref="AudioOutputTokens"/>) are part of the
/// input and output counts too.
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

    /// <summary>
    /// <see cref="Microsoft.Extensions.AI.UsageDetails.AdditionalCounts"/> key: of the input tokens, those that were audio
    /// (OpenAI <c>prompt_tokens_details.audio_tokens</c>, Gemini <c>promptTokensDetails</c> with modality <c>AUDIO</c>, less the
    /// cached ones), billed at <see cref="ModelPricing.AudioInputPerMillion"/>.
    /// </summary>
    public const string AudioInputTokens = "InputAudioTokenCount";

    /// <summary>
    /// <see cref="Microsoft.Extensions.AI.UsageDetails.AdditionalCounts"/> key: of the output tokens, those that were audio
    /// (OpenAI <c>completion_tokens_details.audio_tokens</c>, Gemini <c>candidatesTokensDetails</c> with modality <c>AUDIO</c>),
    /// billed at <see cref="ModelPricing.AudioOutputPerMillion"/>.
    /// </summary>
    public const string AudioOutputTokens = "OutputAudioTokenCount";

    /// <summary>
    /// <see cref="Microsoft.Extensions.AI.UsageDetails.AdditionalCounts"/> key: 1 (a count of calls) when the provider reports it
    /// served the call at its flex tier (OpenAI <c>service_tier: "flex"</c>); the call is billed at <see cref="ModelPricing.Flex"/>.
    /// </summary>
    public const string FlexServiceTier = "service_tier_flex";

    /// <summary>
    /// <see cref="Microsoft.Extensions.AI.UsageDetails.AdditionalCounts"/> key: 1 (a count of calls) when the provider reports it
    /// served the call at its priority tier (OpenAI <c>service_tier: "priority"</c>); the call is billed at <see cref="ModelPricing.Priority"/>.
    /// </summary>
    public const string PriorityServiceTier = "service_tier_priority";

    /// <summary>
    /// <see cref="Microsoft.Extensions.AI.UsageDetails.AdditionalCounts"/> key: 1 (a count of calls) when the call was served by
    /// the provider's batch API (a result of a batch, or Anthropic's <c>service_tier: "batch"</c>); the call
    /// is billed at <see cref="ModelPricing.Batch"/>.
    /// </summary>
    public const string BatchServiceTier = "service_tier_batch";

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

    /// <summary>
    /// <see cref="Microsoft.Extensions.AI.GeneratedEmbeddings{TEmbedding}.AdditionalProperties"/> key: what the inputs an
    /// embedding cache served would have cost, a <see cref="decimal"/> in USD, on a result of which only some inputs were
    /// cached (<see cref="ResponseCacheEmbeddingGenerator"/>); the result's usage and cost are then those of the inputs sent.
    /// A full hit carries <see cref="CacheHit"/> instead.
    /// </summary>
    public const string CacheSaved = "stratum.cache_saved";

    /// <summary>
    /// Adds the usage counts a provider's reported service tier maps to: <see cref="FlexServiceTier"/> for <c>flex</c>,
    /// <see cref="PriorityServiceTier"/> for <c>priority</c>, <see cref="BatchServiceTier"/> for <c>batch</c>; other tiers (<c>default</c>, <c>auto</c>, <c>scale</c>…) are billed
    /// at the standard prices and add nothing.
    /// </summary>
    internal static void AddServiceTier(AdditionalPropertiesDictionary<long> counts, string? serviceTier)
    {
        if (string.Equals(serviceTier, "flex", StringComparison.OrdinalIgnoreCase))
        {
            counts[FlexServiceTier] = 1;
        }
        else if (string.Equals(serviceTier, "priority", StringComparison.OrdinalIgnoreCase))
        {
            counts[PriorityServiceTier] = 1;
        }
        else if (string.Equals(serviceTier, "batch", StringComparison.OrdinalIgnoreCase))
        {
            counts[BatchServiceTier] = 1;
        }
    }
}

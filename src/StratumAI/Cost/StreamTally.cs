using Microsoft.Extensions.AI;

namespace StratumAI;

/// <summary>
/// What the updates of one stream have shown so far: usage and the cost priced for it (both summed, as
/// <c>ToChatResponse</c> sums usage), the serving catalog model, ids, finish reason and cache hit. Cost tracking and
/// telemetry read a stream through this, so both see the same numbers.
/// </summary>
/// <remarks>Used by one enumeration only; not thread-safe.</remarks>
internal class StreamTally
{
    public int Updates { get; private set; }

    public UsageDetails? Usage { get; private protected set; }

    public CallCost? Cost { get; private protected set; }

    public ModelInfo? Model { get; private protected set; }

    public string? ModelId { get; private protected set; }

    public string? ResponseId { get; private protected set; }

    public ChatFinishReason? FinishReason { get; private protected set; }

    public string? RequestId { get; private protected set; }

    public bool CacheHit { get; private protected set; }

    public void Observe(ChatResponseUpdate update)
    {
        Updates++;
        ModelId ??= update.ModelId;
        ResponseId ??= update.ResponseId;
        FinishReason = update.FinishReason ?? FinishReason;
        if (update.AdditionalProperties is { } properties)
        {
            if (properties.TryGetValue(StratumUsageKeys.ModelInfo, out var model) && model is ModelInfo info)
            {
                Model = info;
            }

            if (properties.TryGetValue(StratumUsageKeys.RequestId, out var id) && id is string requestId)
            {
                RequestId = requestId;
            }

            if (properties.TryGetValue(StratumUsageKeys.CacheHit, out var hit) && hit is true)
            {
                CacheHit = true;
            }

            if (properties.TryGetValue(StratumUsageKeys.Cost, out var cost) && cost is CallCost callCost)
            {
                // Usage updates add up (as ToChatResponse sums them), so their costs do too.
                Cost = Cost is null ? callCost : new CallCost(
                    Cost.Input + callCost.Input,
                    Cost.CachedInput + callCost.CachedInput,
                    Cost.CacheWrite + callCost.CacheWrite,
                    Cost.Output + callCost.Output,
                    Cost.Reasoning + callCost.Reasoning);
            }
        }

        foreach (var content in update.Contents)
        {
            if (content is UsageContent usage)
            {
                Usage ??= new UsageDetails();
                Usage.Add(usage.Details);
            }
        }
    }
}

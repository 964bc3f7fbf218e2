using Microsoft.Extensions.AI;

namespace StratumAI;

/// <summary>Reads what <see cref="StratumClient"/> attaches to every response: its cost and the catalog model that served it.</summary>
public static class ChatResponseStratumExtensions
{
    /// <summary>
    /// The call's cost, computed from its usage and the catalog prices, stored in
    /// <see cref="ChatResponse.AdditionalProperties"/> under <see cref="StratumUsageKeys.Cost"/>.
    /// </summary>
    /// <param name="response">A response from a <see cref="StratumClient"/> chat client.</param>
    /// <returns>The cost, or null when the response did not come through <see cref="StratumClient"/> or carried no usage.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="response"/> is null.</exception>
    public static CallCost? GetCost(this ChatResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        return response.AdditionalProperties?.TryGetValue(StratumUsageKeys.Cost, out var value) == true ? value as CallCost : null;
    }

    /// <summary>
    /// The catalog model that served the call, stored in <see cref="ChatResponse.AdditionalProperties"/> under
    /// <see cref="StratumUsageKeys.ModelInfo"/>.
    /// </summary>
    /// <param name="response">A response from a <see cref="StratumClient"/> chat client.</param>
    /// <returns>The model, or null when the response did not come through <see cref="StratumClient"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="response"/> is null.</exception>
    public static ModelInfo? GetModelInfo(this ChatResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        return response.AdditionalProperties?.TryGetValue(StratumUsageKeys.ModelInfo, out var value) == true ? value as ModelInfo : null;
    }
}

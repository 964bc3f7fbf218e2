using Microsoft.Extensions.AI;

namespace StratumAI;

/// <summary>Reads what <see cref="StratumClient"/> attaches to every response: its cost and the catalog model that served it.</summary>
/// <remarks>
/// The values live in <see cref="ChatResponse.AdditionalProperties"/>; for a response coalesced from streaming updates
/// (<c>ToChatResponse</c>), where Microsoft.Extensions.AI moves update properties onto the message, in the
/// last message's <see cref="ChatMessage.AdditionalProperties"/>. Both places are searched.
/// </remarks>
public static class ChatResponseStratumExtensions
{
    /// <summary>The call's cost, computed from its usage and the catalog prices, stored under <see cref="StratumUsageKeys.Cost"/>.</summary>
    /// <param name="response">A response from a <see cref="StratumClient"/> chat client.</param>
    /// <returns>The cost, or null when the response did not come through <see cref="StratumClient"/> or carried no usage.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="response"/> is null.</exception>
    public static CallCost? GetCost(this ChatResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        return Find(response, StratumUsageKeys.Cost) as CallCost;
    }

    /// <summary>The catalog model that served the call, stored under <see cref="StratumUsageKeys.ModelInfo"/>.</summary>
    /// <param name="response">A response from a <see cref="StratumClient"/> chat client.</param>
    /// <returns>The model, or null when the response did not come through <see cref="StratumClient"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="response"/> is null.</exception>
    public static ModelInfo? GetModelInfo(this ChatResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        return Find(response, StratumUsageKeys.ModelInfo) as ModelInfo;
    }

    /// <summary>The provider's request id, stored under <see cref="StratumUsageKeys.RequestId"/>.</summary>
    /// <param name="response">A response from a <see cref="StratumClient"/> chat client.</param>
    /// <returns>The request id, or null when the provider sent none.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="response"/> is null.</exception>
    public static string? GetRequestId(this ChatResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        return Find(response, StratumUsageKeys.RequestId) as string;
    }

    /// <summary>True when a response cache served the response (<see cref="StratumUsageKeys.CacheHit"/>).</summary>
    /// <param name="response">A response.</param>
    /// <returns>True for a cache hit.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="response"/> is null.</exception>
    public static bool IsCacheHit(this ChatResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        return Find(response, StratumUsageKeys.CacheHit) is true;
    }

    private static object? Find(ChatResponse response, string key)
    {
        if (response.AdditionalProperties?.TryGetValue(key, out var value) == true)
        {
            return value;
        }

        for (var i = response.Messages.Count - 1; i >= 0; i--)
        {
            if (response.Messages[i].AdditionalProperties?.TryGetValue(key, out value) == true)
            {
                return value;
            }
        }

        return null;
    }
}

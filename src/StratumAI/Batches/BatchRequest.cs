using Microsoft.Extensions.AI;

namespace StratumAI;

/// <summary>One request of a batch: the conversation and options a single call would send, under an id of your choosing.</summary>
/// <remarks>
/// The request is sent exactly as <see cref="StratumClient.GetResponseAsync(ModelInfo, IEnumerable{ChatMessage}, ChatOptions?, CancellationToken)"/>
/// would send it (the same dialect builds the body), without streaming. The model is the batch's:
/// <see cref="ChatOptions.ModelId"/> is not used. Immutable once built.
/// </remarks>
/// <param name="CustomId">
/// The id the result comes back under (<see cref="BatchResult.CustomId"/>): results arrive in any order. Unique within the
/// batch; at most 64 characters of letters, digits, <c>_</c> and <c>-</c> (the rule both OpenAI and Anthropic apply).
/// </param>
/// <param name="Messages">The conversation.</param>
/// <param name="Options">The call's options (<see cref="ChatOptions.MaxOutputTokens"/> keeps the budget reservation tight), or null.</param>
public sealed record BatchRequest(string CustomId, IReadOnlyList<ChatMessage> Messages, ChatOptions? Options = null)
{
    /// <summary>A request of one user message.</summary>
    /// <param name="customId">The id the result comes back under.</param>
    /// <param name="prompt">The user message.</param>
    /// <param name="options">The call's options, or null.</param>
    public BatchRequest(string customId, string prompt, ChatOptions? options = null)
        : this(customId, [new ChatMessage(ChatRole.User, prompt)], options)
    {
    }
}

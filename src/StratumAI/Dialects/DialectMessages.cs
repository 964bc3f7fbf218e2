using Microsoft.Extensions.AI;

namespace StratumAI.Dialects;

/// <summary>Conversation handling the dialects with a separate system field share.</summary>
internal static class DialectMessages
{
    /// <summary>
    /// Splits a conversation for a dialect that takes the system prompt apart from the messages: returns
    /// <see cref="ChatOptions.Instructions"/> and the text of every system message, in order, joined by blank lines (null when
    /// there is none), and the wire list that <paramref name="addMessage"/> filled with every other message, in order.
    /// </summary>
    internal static (string? System, List<TWire> Messages) SplitSystem<TWire>(
        IEnumerable<ChatMessage> messages, ChatOptions? options, Action<List<TWire>, ChatMessage> addMessage)
    {
        var wire = new List<TWire>();
        var system = new List<string>();
        if (!string.IsNullOrEmpty(options?.Instructions))
        {
            system.Add(options.Instructions);
        }

        foreach (var message in messages)
        {
            if (message.Role != ChatRole.System)
            {
                addMessage(wire, message);
                continue;
            }

            var text = message.Text;
            if (!string.IsNullOrEmpty(text))
            {
                system.Add(text);
            }
        }

        return (system.Count > 0 ? string.Join("\n\n", system) : null, wire);
    }
}

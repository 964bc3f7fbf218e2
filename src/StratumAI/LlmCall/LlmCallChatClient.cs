using Microsoft.Extensions.AI;

namespace StratumAI;

/// <summary>
/// The chat client of an <see cref="LlmCallAttribute"/> method whose client is a <see cref="StratumClient"/>
/// (<see cref="LlmCallRunner.GetChatClient"/>): sends each attempt to the model of its call context — resolved once by the
/// fallback engine — through <see cref="StratumClient.GetChatClient(ModelInfo)"/>, so the client's pipeline applies.
/// </summary>
internal sealed class LlmCallChatClient(StratumClient client) : IChatClient
{
    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        client.GetChatClient(ModelOf(options)).GetResponseAsync(messages, options, cancellationToken);

    public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        client.GetChatClient(ModelOf(options)).GetStreamingResponseAsync(messages, options, cancellationToken);

    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        if (serviceKey is not null)
        {
            return null;
        }

        return serviceType.IsInstanceOfType(this) ? this : serviceType.IsInstanceOfType(client) ? client : null;
    }

    public void Dispose()
    {
        // The StratumClient belongs to the caller.
    }

    /// <summary>The model of the attempt: its call context's, else the one <see cref="ChatOptions.ModelId"/> names.</summary>
    private ModelInfo ModelOf(ChatOptions? options)
    {
        if (StratumCallContext.Current(options) is { } context)
        {
            return context.Model;
        }

        var modelId = options?.ModelId;
        return client.ResolveModel(string.IsNullOrEmpty(modelId)
            ? throw new InvalidOperationException("An [LlmCall] attempt names no model (ChatOptions.ModelId).")
            : modelId);
    }
}

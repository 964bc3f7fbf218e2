using Microsoft.Extensions.AI;

namespace StratumAI.Dialects;

/// <summary>
/// A catalog model served by the application's own <see cref="IChatClient"/> (<see cref="ProviderOptions.UseChatClient"/>):
/// names the model in <see cref="ChatOptions.ModelId"/> when the call does not, answers <see cref="ChatClientMetadata"/>
/// for it, and never disposes the client (it belongs to the application).
/// </summary>
internal sealed class ExternalChatClient(IChatClient client, ModelInfo model) : IChatClient
{
    private readonly ChatClientMetadata _metadata = new(model.Provider.Id, null, model.Id);

    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        client.GetResponseAsync(messages, Named(options), cancellationToken);

    public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        client.GetStreamingResponseAsync(messages, Named(options), cancellationToken);

    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        if (serviceKey is null && serviceType == typeof(ChatClientMetadata))
        {
            return _metadata;
        }

        return serviceKey is null && serviceType.IsInstanceOfType(this) ? this : client.GetService(serviceType, serviceKey);
    }

    /// <summary>Does nothing: the client belongs to the application.</summary>
    public void Dispose()
    {
    }

    /// <inheritdoc />
    public override string ToString() => $"ExternalChatClient({model.Provider.Id}, {model.Id}, {client.GetType().Name})";

    // The options as they are when they name a model (the entry of a pipeline always does), else a copy naming this one.
    private ChatOptions Named(ChatOptions? options)
    {
        if (!string.IsNullOrEmpty(options?.ModelId))
        {
            return options;
        }

        var named = options?.Clone() ?? new ChatOptions();
        named.ModelId = model.Id;
        return named;
    }
}

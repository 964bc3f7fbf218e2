using Microsoft.Extensions.AI;

namespace StratumAI;

/// <summary>
/// The chat client <see cref="StratumClient.GetChatClient(ModelInfo)"/> returns when a pipeline is configured: sends every
/// call through the pipeline with <see cref="ChatOptions.ModelId"/> set to its model, on a copy of the caller's options.
/// </summary>
internal sealed class PinnedModelChatClient(IChatClient pipeline, ModelInfo model) : IChatClient
{
    public ModelInfo Model => model;

    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        pipeline.GetResponseAsync(messages, WithModel(options), cancellationToken);

    public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        pipeline.GetStreamingResponseAsync(messages, WithModel(options), cancellationToken);

    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        if (serviceKey is null && serviceType.IsInstanceOfType(model))
        {
            return model;
        }

        return pipeline.GetService(serviceType, serviceKey);
    }

    public void Dispose()
    {
        // The pipeline belongs to the StratumClient, which disposes it.
    }

    private ChatOptions WithModel(ChatOptions? options)
    {
        var copy = options?.Clone() ?? new ChatOptions();
        copy.ModelId = model.Id;
        return copy;
    }
}

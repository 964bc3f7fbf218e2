using Microsoft.Extensions.AI;

namespace StratumAI;

/// <summary>
/// The innermost client of every StratumAI pipeline: sends each attempt to the dialect client of its catalog model — the
/// model of the attached <see cref="StratumCallContext"/> when it is the one <see cref="ChatOptions.ModelId"/> names (no
/// look-up), else the model <see cref="ChatOptions.ModelId"/> names in the client's registry (one look-up).
/// </summary>
/// <remarks>What <see cref="StratumClient.AsChatClient"/> returns, and what <see cref="StratumClientOptions.Pipeline"/> wraps.</remarks>
internal sealed class StratumDispatcher(StratumClient client) : IChatClient
{
    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        return client.GetDirectChatClient(ModelOf(options)).GetResponseAsync(messages, options, cancellationToken);
    }

    public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        return client.GetDirectChatClient(ModelOf(options)).GetStreamingResponseAsync(messages, options, cancellationToken);
    }

    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is null && serviceType.IsInstanceOfType(client) ? client : null;
    }

    public void Dispose()
    {
        // The StratumClient belongs to the caller.
    }

    private ModelInfo ModelOf(ChatOptions? options)
    {
        var modelId = options?.ModelId;
        if (string.IsNullOrEmpty(modelId))
        {
            throw new InvalidOperationException("This chat client sends each request to the model named by ChatOptions.ModelId, and none was set. Set ModelId, or add UseStratumRouter(...) to the pipeline so a model is chosen.");
        }

        return StratumCallContext.Current(options)?.Model ?? client.ResolveModel(modelId);
    }
}

/// <summary>
/// The chat client <see cref="StratumClient.GetChatClient(ModelInfo)"/> returns when a pipeline is configured: where a call to
/// one catalog model enters. It creates the call's <see cref="StratumCallContext"/> (the model is known: no look-up) and sends
/// the call through the pipeline on a copy of the caller's options that names the model and carries the context.
/// </summary>
internal sealed class StratumModelEntry(IChatClient pipeline, ModelInfo model) : IChatClient
{
    public ModelInfo Model => model;

    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        pipeline.GetResponseAsync(messages, Enter(options), cancellationToken);

    public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        pipeline.GetStreamingResponseAsync(messages, Enter(options), cancellationToken);

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

    /// <summary>
    /// A copy of the options for this model, carrying a context: the caller's own when it already is for this model (a
    /// fallback engine above re-entering with its next attempt), else a new call.
    /// </summary>
    private ChatOptions Enter(ChatOptions? options)
    {
        var attached = options.GetCallContext();
        var context = attached is null ? StratumCallContext.Create(model, options)
            : ReferenceEquals(attached.Model, model) ? attached
            : attached.NextAttempt(model);
        return context.AttachTo(options);
    }
}

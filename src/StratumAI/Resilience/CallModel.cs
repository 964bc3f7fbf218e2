using Microsoft.Extensions.AI;

namespace StratumAI;

/// <summary>Finds the catalog model a call is for: <see cref="ChatOptions.ModelId"/> through a registry, else the inner client's own model.</summary>
internal static class CallModel
{
    /// <summary>
    /// The registry to resolve model ids with: the one given, else the <see cref="StratumClient.Models"/> of a
    /// <see cref="StratumClient"/> found below in the pipeline, else <see cref="ModelRegistry.Default"/>.
    /// </summary>
    public static ModelRegistry RegistryFor(IChatClient inner, ModelRegistry? configured) =>
        configured ?? (inner.GetService(typeof(StratumClient)) as StratumClient)?.Models ?? ModelRegistry.Default;

    /// <summary>The model the call goes to, or null when it names none the registry knows and the inner client has no model of its own.</summary>
    public static ModelInfo? Resolve(IChatClient inner, ModelRegistry registry, string? modelId)
    {
        if (!string.IsNullOrEmpty(modelId) && registry.TryGet(modelId, out var model))
        {
            return model;
        }

        return string.IsNullOrEmpty(modelId) ? inner.GetService(typeof(ModelInfo)) as ModelInfo : null;
    }
}

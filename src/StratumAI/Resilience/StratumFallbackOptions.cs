using Microsoft.Extensions.Logging;

namespace StratumAI;

/// <summary>Settings of <see cref="FallbackChatClient"/>: the fallback models, in order, and when to use them.</summary>
/// <remarks>The client copies the values when it is created; changing the options afterwards does not affect it.</remarks>
public sealed class StratumFallbackOptions
{
    /// <summary>
    /// The model ids (or aliases) tried, in order, after the call's own model (<see cref="Microsoft.Extensions.AI.ChatOptions.ModelId"/>)
    /// failed in a way a fallback may fix. A model already tried in the call is skipped.
    /// </summary>
    public IList<string> Models { get; } = new List<string>();

    /// <summary>Whether a content-filter refusal moves on to the next model (see <see cref="FallbackPolicy.FallBackOnContentFiltered"/>).</summary>
    /// <value>Default false.</value>
    public bool FallBackOnContentFiltered { get; set; }

    /// <summary>Whether a structured answer that does not match its schema moves on to the next model (see <see cref="FallbackPolicy.FallBackOnSchemaMismatch"/>).</summary>
    /// <value>Default false.</value>
    public bool FallBackOnSchemaMismatch { get; set; }

    /// <summary>Resolves model ids to catalog models (for context windows and providers).</summary>
    /// <value>Default null: the registry of a <see cref="StratumClient"/> below in the pipeline, else <see cref="ModelRegistry.Default"/>.</value>
    public ModelRegistry? Registry { get; set; }

    /// <summary>The clock that measures each attempt's <see cref="FallbackAttempt.Duration"/>.</summary>
    /// <value>Default <see cref="TimeProvider.System"/>.</value>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>Where each fallback (event 1011 <c>ChatFallback</c>) is logged.</summary>
    /// <value>Default null: the <see cref="ILoggerFactory"/> of the pipeline's services when <c>UseStratumFallbacks</c> finds one, else nothing is logged.</value>
    public ILogger? Logger { get; set; }

    /// <summary>Adds fallback models, in order.</summary>
    /// <param name="models">Catalog models (e.g. <c>ModelCatalog</c> entries).</param>
    /// <returns>These options.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="models"/> or one of them is null.</exception>
    public StratumFallbackOptions Add(params ModelInfo[] models)
    {
        ArgumentNullException.ThrowIfNull(models);
        foreach (var model in models)
        {
            ArgumentNullException.ThrowIfNull(model, nameof(models));
            Models.Add(model.Id);
        }

        return this;
    }

    /// <summary>Adds fallback models by id or alias, in order.</summary>
    /// <param name="modelIds">The ids.</param>
    /// <returns>These options.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="modelIds"/> is null.</exception>
    /// <exception cref="ArgumentException">An id is null or empty.</exception>
    public StratumFallbackOptions Add(params string[] modelIds)
    {
        ArgumentNullException.ThrowIfNull(modelIds);
        foreach (var id in modelIds)
        {
            ArgumentException.ThrowIfNullOrEmpty(id, nameof(modelIds));
            Models.Add(id);
        }

        return this;
    }
}

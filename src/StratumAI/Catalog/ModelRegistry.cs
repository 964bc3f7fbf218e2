using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;

namespace StratumAI;

/// <summary>
/// Looks up catalog models by id or alias at run time. The code generated from the catalog registers
/// its models into <see cref="Default"/> when its assembly loads, so a model id typed at run time
/// resolves to the same <see cref="ModelInfo"/> (prices, provider) the compiler saw.
/// </summary>
/// <remarks>Thread-safe. Lookups are O(1) and ordinal (ids are case-sensitive, as providers treat them).</remarks>
public sealed class ModelRegistry
{
    private readonly ConcurrentDictionary<string, ModelInfo> _byId = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ProviderInfo> _providers = new(StringComparer.Ordinal);

    private long _lookups;

    /// <summary>How many times a model was looked up by id or alias: tests pin that a call resolves its model once.</summary>
    internal long Lookups => Interlocked.Read(ref _lookups);

    /// <summary>The process-wide registry that generated catalogs register into.</summary>
    public static ModelRegistry Default { get; } = new();

    /// <summary>Every registered model, in no particular order.</summary>
    public IReadOnlyCollection<ModelInfo> Models => _byId.Values.Distinct().ToArray();

    /// <summary>Every registered provider.</summary>
    public IReadOnlyCollection<ProviderInfo> Providers => _providers.Values.ToArray();

    /// <summary>
    /// Adds models (and their providers). A model whose id is already registered is replaced, so a
    /// later catalog (an application's own) wins over an earlier one (a library's).
    /// </summary>
    /// <param name="models">The models to add.</param>
    /// <exception cref="ArgumentNullException"><paramref name="models"/> is null.</exception>
    public void Register(IEnumerable<ModelInfo> models)
    {
        ArgumentNullException.ThrowIfNull(models);
        foreach (var model in models)
        {
            _providers[model.Provider.Id] = model.Provider;
            _byId[model.Id] = model;
            foreach (var alias in model.Aliases)
            {
                _byId[alias] = model;
            }
        }
    }

    /// <summary>Finds a model by its id or one of its aliases.</summary>
    /// <param name="idOrAlias">The model id, e.g. <c>gpt-4o</c>.</param>
    /// <param name="model">The model, when found.</param>
    /// <returns>True when found.</returns>
    public bool TryGet(string idOrAlias, [NotNullWhen(true)] out ModelInfo? model)
    {
        ArgumentNullException.ThrowIfNull(idOrAlias);
        Interlocked.Increment(ref _lookups);
        return _byId.TryGetValue(idOrAlias, out model);
    }

    /// <summary>Finds a model by id or alias, or throws.</summary>
    /// <param name="idOrAlias">The model id, e.g. <c>gpt-4o</c>.</param>
    /// <returns>The model.</returns>
    /// <exception cref="KeyNotFoundException">No registered model has that id or alias.</exception>
    public ModelInfo Get(string idOrAlias)
    {
        if (TryGet(idOrAlias, out var model))
        {
            return model;
        }

        throw new KeyNotFoundException(
            $"The model '{idOrAlias}' is not in the catalog. Add it to a catalog file (see docs/catalog.md) or check the id.");
    }

    /// <summary>Finds a provider by id.</summary>
    /// <param name="providerId">The provider id, e.g. <c>openai</c>.</param>
    /// <param name="provider">The provider, when found.</param>
    /// <returns>True when found.</returns>
    public bool TryGetProvider(string providerId, [NotNullWhen(true)] out ProviderInfo? provider)
    {
        ArgumentNullException.ThrowIfNull(providerId);
        return _providers.TryGetValue(providerId, out provider);
    }
}

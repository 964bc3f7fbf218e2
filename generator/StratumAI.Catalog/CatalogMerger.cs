namespace StratumAI.Catalog;

/// <summary>
/// Merges parsed catalog files into one <see cref="CatalogSpec"/>: the package's default files,
/// with the project's (user) files over them.
/// </summary>
/// <remarks>
/// <para>Files within a layer are processed in ordinal path order. Within one layer a duplicate
/// model id or alias is STRAT007 and a second definition of a provider is STRAT012 (the later one
/// is dropped). A user model whose id matches a default model replaces it whole, in place; a user
/// provider definition with the id of a default provider replaces its settings, in place.</para>
/// <para>After merging: model ids and aliases must be unique across the catalog (STRAT007),
/// every file's provider must exist (STRAT009, the file's models are dropped), enum names and
/// provider type names must be unique (STRAT008, the later model or provider is dropped), no model may be
/// named like its provider's typed enum, <c>{TypeName}Model</c> (STRAT010 at its id, the model is dropped), and a
/// <c>replacement</c> must name a catalog model (STRAT014, the model is kept without it).</para>
/// <para>The diagnostics of every input file are carried into the result first, then the merge's own.
/// Thread-safe: no state is kept between calls.</para>
/// </remarks>
public static class CatalogMerger
{
    /// <summary>Merges the default and user layers.</summary>
    /// <param name="defaults">The package's default catalog files (any order; null entries are ignored).</param>
    /// <param name="user">The project's catalog files (any order; null entries are ignored).</param>
    /// <returns>The merged catalog with every diagnostic.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="defaults"/> or <paramref name="user"/> is null.</exception>
    public static CatalogSpec Merge(IEnumerable<CatalogFile> defaults, IEnumerable<CatalogFile> user)
    {
        if (defaults is null)
        {
            throw new ArgumentNullException(nameof(defaults));
        }

        if (user is null)
        {
            throw new ArgumentNullException(nameof(user));
        }

        var defaultFiles = Sorted(defaults);
        var userFiles = Sorted(user);
        var diagnostics = new List<CatalogDiagnostic>();
        foreach (var file in defaultFiles)
        {
            diagnostics.AddRange(file.Diagnostics);
        }

        foreach (var file in userFiles)
        {
            diagnostics.AddRange(file.Diagnostics);
        }

        var providers = new List<CatalogProvider?>();
        var providerIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        var slots = new List<Slot?>();
        var modelIndex = new Dictionary<string, int>(StringComparer.Ordinal);

        MergeLayer(defaultFiles, isUser: false, providers, providerIndex, slots, modelIndex, diagnostics);
        MergeLayer(userFiles, isUser: true, providers, providerIndex, slots, modelIndex, diagnostics);

        // Provider type names must be unique: two providers cannot both generate "XClient".
        var typeNames = new Dictionary<string, CatalogProvider>(StringComparer.Ordinal);
        for (var i = 0; i < providers.Count; i++)
        {
            var provider = providers[i]!;
            if (typeNames.TryGetValue(provider.TypeName, out var first))
            {
                diagnostics.Add(Error(
                    CatalogDiagnosticIds.DuplicateEnumName,
                    $"Providers '{first.Id}' and '{provider.Id}' would both generate the type name '{provider.TypeName}'; give one of them another 'type_name'.",
                    provider.Location));
                providerIndex.Remove(provider.Id);
                providers[i] = null;
            }
            else
            {
                typeNames.Add(provider.TypeName, provider);
            }
        }

        // Every file's provider must exist once all layers are merged.
        var orphanFiles = new HashSet<string>(StringComparer.Ordinal);
        foreach (var file in Concat(defaultFiles, userFiles))
        {
            if (file.Provider is { } provider && !providerIndex.ContainsKey(provider.Id) && !typeNames.ContainsKey(provider.TypeName))
            {
                diagnostics.Add(Error(
                    CatalogDiagnosticIds.UnknownProvider,
                    $"Provider '{provider.Id}' is not defined by any catalog file; define it (name, dialect, base_url) or use the id of an existing provider.",
                    provider.Location));
            }
        }

        // Ids and aliases unique across the catalog: default models first, so a clash between
        // layers is reported at (and drops) the user's model.
        var keys = new Dictionary<string, CatalogModel>(StringComparer.Ordinal);
        var enumNames = new Dictionary<string, CatalogModel>(StringComparer.Ordinal);
        for (var pass = 0; pass < 2; pass++)
        {
            for (var i = 0; i < slots.Count; i++)
            {
                var slot = slots[i];
                if (slot is null || slot.IsUser != (pass == 1))
                {
                    continue;
                }

                var model = slot.Model;
                if (!providerIndex.ContainsKey(model.ProviderId))
                {
                    slots[i] = null; // reported once per file above (or the provider was rejected)
                    continue;
                }

                // The provider's typed enum holds the model under the same name: it cannot be named like that enum.
                var providerEnum = CatalogNames.ProviderEnumName(providers[providerIndex[model.ProviderId]]!.TypeName);
                if (string.Equals(model.EnumName, providerEnum, StringComparison.Ordinal))
                {
                    diagnostics.Add(Error(
                        CatalogDiagnosticIds.InvalidEnumName,
                        $"Model '{model.Id}' would be named '{model.EnumName}' like the typed enum {providerEnum} of provider '{model.ProviderId}' that holds it, which C# does not allow; give it another 'name'.",
                        model.Location));
                    slots[i] = null;
                    continue;
                }

                if (FindClash(keys, model) is { } clash)
                {
                    diagnostics.Add(Error(
                        CatalogDiagnosticIds.DuplicateModelId,
                        $"Model '{model.Id}' clashes with '{clash.Key}' of model '{clash.Value.Id}' ({clash.Value.Location}); model ids and aliases must be unique across the catalog.",
                        model.Location));
                    slots[i] = null;
                    continue;
                }

                if (enumNames.TryGetValue(model.EnumName, out var other))
                {
                    diagnostics.Add(Error(
                        CatalogDiagnosticIds.DuplicateEnumName,
                        $"Models '{other.Id}' and '{model.Id}' would both be Model.{model.EnumName}; give one of them another 'name'.",
                        model.Location));
                    slots[i] = null;
                    continue;
                }

                enumNames.Add(model.EnumName, model);
                keys[model.Id] = model;
                foreach (var alias in model.Aliases)
                {
                    keys[alias] = model;
                }
            }
        }

        var models = new List<CatalogModel>(slots.Count);
        foreach (var slot in slots)
        {
            if (slot is null)
            {
                continue;
            }

            var model = slot.Model;
            if (model.PricesAs is { } pricesAs)
            {
                if (!keys.TryGetValue(pricesAs, out var baseModel) || baseModel.PricesAs is not null || ReferenceEquals(baseModel, model))
                {
                    diagnostics.Add(Error(
                        CatalogDiagnosticIds.UnknownPricesAs,
                        baseModel is null
                            ? $"prices_as '{pricesAs}' of model '{model.Id}' is not a model id or alias in the catalog; name the base model the deployment runs (e.g. gpt-4o), or give the model its own price and context_window."
                            : $"prices_as '{pricesAs}' of model '{model.Id}' names a model that is itself priced as another ('{baseModel.PricesAs ?? baseModel.Id}'); name that base model directly.",
                        model.PricesAsLocation ?? model.Location));
                    continue;
                }

                model = WithBase(model, baseModel);
            }

            if (model.Replacement is { } replacement && !keys.ContainsKey(replacement))
            {
                diagnostics.Add(Error(
                    CatalogDiagnosticIds.InvalidDeprecation,
                    $"Replacement '{replacement}' of model '{model.Id}' is not a model id or alias in the catalog.",
                    model.ReplacementLocation ?? model.Location));
                model = model with { Replacement = null, ReplacementLocation = null };
            }

            models.Add(model);
        }

        var finalProviders = new List<CatalogProvider>(providers.Count);
        foreach (var provider in providers)
        {
            if (provider is not null)
            {
                finalProviders.Add(provider);
            }
        }

        return new CatalogSpec(
            EquatableArray<CatalogProvider>.UnsafeWrap(finalProviders.ToArray()),
            EquatableArray<CatalogModel>.UnsafeWrap(models.ToArray()),
            EquatableArray<CatalogDiagnostic>.UnsafeWrap(diagnostics.ToArray()));
    }

    /// <summary><paramref name="model"/> with what its entry does not state taken from <paramref name="baseModel"/> (<c>prices_as</c>).</summary>
    private static CatalogModel WithBase(CatalogModel model, CatalogModel baseModel) => model with
    {
        Price = model.InheritsPrice ? baseModel.Price : model.Price,
        InheritsPrice = false,
        ContextWindow = model.ContextWindow == 0 ? baseModel.ContextWindow : model.ContextWindow,
        MaxOutputTokens = model.MaxOutputTokens ?? baseModel.MaxOutputTokens,
        Capabilities = model.Capabilities.Count == 0 ? baseModel.Capabilities : model.Capabilities,
        Quality = model.Quality ?? baseModel.Quality,
        Dimensions = model.Dimensions ?? baseModel.Dimensions,
    };

    private static void MergeLayer(
        List<CatalogFile> files,
        bool isUser,
        List<CatalogProvider?> providers,
        Dictionary<string, int> providerIndex,
        List<Slot?> slots,
        Dictionary<string, int> modelIndex,
        List<CatalogDiagnostic> diagnostics)
    {
        var layerProviders = new Dictionary<string, CatalogProvider>(StringComparer.Ordinal);
        var layerKeys = new Dictionary<string, CatalogModel>(StringComparer.Ordinal);
        foreach (var file in files)
        {
            var provider = file.Provider;
            if (provider is null)
            {
                continue; // the file already reports why; its models have no provider
            }

            if (!file.ProviderIsReference)
            {
                if (layerProviders.TryGetValue(provider.Id, out var first))
                {
                    diagnostics.Add(Error(
                        CatalogDiagnosticIds.DuplicateProvider,
                        $"Provider '{provider.Id}' is already defined in {first.Location}; define it once and refer to it from other files with only 'id: {provider.Id}'.",
                        provider.Location));
                }
                else
                {
                    layerProviders.Add(provider.Id, provider);
                    if (providerIndex.TryGetValue(provider.Id, out var index))
                    {
                        providers[index] = provider; // a user definition overrides the default in place
                    }
                    else
                    {
                        providerIndex.Add(provider.Id, providers.Count);
                        providers.Add(provider);
                    }
                }
            }

            foreach (var model in file.Models)
            {
                if (FindClash(layerKeys, model) is { } clash)
                {
                    diagnostics.Add(Error(
                        CatalogDiagnosticIds.DuplicateModelId,
                        ReferenceEquals(clash.Value, model)
                            ? $"Model '{model.Id}' lists '{clash.Key}' twice (as its id and an alias, or as two aliases)."
                            : $"Model '{model.Id}' is already declared: '{clash.Key}' belongs to model '{clash.Value.Id}' ({clash.Value.Location}).",
                        model.Location));
                    continue;
                }

                layerKeys[model.Id] = model;
                foreach (var alias in model.Aliases)
                {
                    layerKeys[alias] = model;
                }

                if (isUser && modelIndex.TryGetValue(model.Id, out var index))
                {
                    slots[index] = new Slot(model, isUser); // replaces the default model whole, keeping its position
                }
                else
                {
                    modelIndex[model.Id] = slots.Count;
                    slots.Add(new Slot(model, isUser));
                }
            }
        }
    }

    private static KeyValuePair<string, CatalogModel>? FindClash(Dictionary<string, CatalogModel> keys, CatalogModel model)
    {
        if (keys.TryGetValue(model.Id, out var existing))
        {
            return new KeyValuePair<string, CatalogModel>(model.Id, existing);
        }

        for (var i = 0; i < model.Aliases.Count; i++)
        {
            var alias = model.Aliases[i];
            if (keys.TryGetValue(alias, out existing) || string.Equals(alias, model.Id, StringComparison.Ordinal))
            {
                return new KeyValuePair<string, CatalogModel>(alias, existing ?? model);
            }

            for (var j = 0; j < i; j++)
            {
                if (string.Equals(model.Aliases[j], alias, StringComparison.Ordinal))
                {
                    return new KeyValuePair<string, CatalogModel>(alias, model);
                }
            }
        }

        return null;
    }

    private static List<CatalogFile> Sorted(IEnumerable<CatalogFile> files)
    {
        var list = new List<CatalogFile>();
        foreach (var file in files)
        {
            if (file is not null)
            {
                list.Add(file);
            }
        }

        // Stable: files with the same path keep their given order.
        var indexed = new List<KeyValuePair<int, CatalogFile>>(list.Count);
        for (var i = 0; i < list.Count; i++)
        {
            indexed.Add(new KeyValuePair<int, CatalogFile>(i, list[i]));
        }

        indexed.Sort(static (a, b) =>
        {
            var byPath = string.CompareOrdinal(a.Value.FilePath, b.Value.FilePath);
            return byPath != 0 ? byPath : a.Key.CompareTo(b.Key);
        });
        for (var i = 0; i < list.Count; i++)
        {
            list[i] = indexed[i].Value;
        }

        return list;
    }

    private static IEnumerable<CatalogFile> Concat(List<CatalogFile> first, List<CatalogFile> second)
    {
        foreach (var file in first)
        {
            yield return file;
        }

        foreach (var file in second)
        {
            yield return file;
        }
    }

    private static CatalogDiagnostic Error(string id, string message, SourceLocation location)
        => new(id, CatalogSeverity.Error, message, location);

    private sealed class Slot
    {
        public Slot(CatalogModel model, bool isUser)
        {
            Model = model;
            IsUser = isUser;
        }

        public CatalogModel Model { get; }

        public bool IsUser { get; }
    }
}

namespace StratumAI.Catalog.LiteLlm;

/// <summary>Options of <see cref="LiteLlmImporter.Import(LiteLlmPriceList, LiteLlmImportOptions?)"/>.</summary>
public sealed class LiteLlmImportOptions
{
    /// <summary>
    /// Gets or sets the LiteLLM provider ids to import (<c>openai</c>, <c>anthropic</c>…); null (the default) imports every provider.
    /// </summary>
    /// <value>Default: null (all providers).</value>
    public IReadOnlyCollection<string>? Providers { get; set; }
}

/// <summary>The catalog files made from LiteLLM's list, one per provider, and what was left out.</summary>
public sealed class LiteLlmImportResult
{
    internal LiteLlmImportResult(EquatableArray<CatalogFile> files, IReadOnlyList<LiteLlmSkippedEntry> skipped)
    {
        Files = files;
        Skipped = skipped;
    }

    /// <summary>One catalog file per provider: the eight providers StratumAI knows first, then the others by id.</summary>
    public EquatableArray<CatalogFile> Files { get; }

    /// <summary>Entries not imported, with the reason (not chat, junk values, an id or enum name already used…).</summary>
    public IReadOnlyList<LiteLlmSkippedEntry> Skipped { get; }
}

/// <summary>
/// Turns LiteLLM's <c>model_prices_and_context_window.json</c> into catalog files, so the default
/// catalog's prices can be refreshed from LiteLLM (write them with <see cref="CatalogYamlWriter"/>).
/// </summary>
/// <remarks>
/// <para>Only chat models are imported (<c>mode</c> <c>chat</c> or <c>responses</c>; the latter get the
/// <c>openai-responses</c> dialect). Prices are LiteLLM's per-token costs × 1,000,000 as exact decimals.
/// Model ids lose the provider prefix LiteLLM puts on some keys (<c>gemini/gemini-2.5-pro</c> →
/// <c>gemini-2.5-pro</c>); when both the prefixed and the bare key exist for a provider, the prefixed
/// one wins, as in LiteLLM's own lookup. An id already imported for an earlier provider is skipped, so
/// the result merges without errors.</para>
/// <para>Enum names are made unique across the whole import: the first model (in provider order, then
/// file order) keeps the derived name; a later one gets the provider's type name in front, then a number.</para>
/// <para>Never throws on bad content; thread-safe.</para>
/// </remarks>
public static class LiteLlmImporter
{
    /// <summary>
    /// The providers StratumAI ships in its default catalog, with their real endpoints and dialects,
    /// in the order imports list them. Other LiteLLM providers get a generic <c>openai</c>-dialect definition.
    /// </summary>
    public static readonly IReadOnlyList<CatalogProvider> KnownProviders = new[]
    {
        Known("openai", "OpenAI", "OpenAI", "openai", "https://api.openai.com/v1", "OPENAI_API_KEY"),
        Known("anthropic", "Anthropic", "Anthropic", "anthropic", "https://api.anthropic.com", "ANTHROPIC_API_KEY"),
        Known("gemini", "Google Gemini", "Gemini", "gemini", "https://generativelanguage.googleapis.com/v1beta", "GEMINI_API_KEY"),
        Known("deepseek", "DeepSeek", "DeepSeek", "openai", "https://api.deepseek.com", "DEEPSEEK_API_KEY"),
        Known("groq", "Groq", "Groq", "openai", "https://api.groq.com/openai/v1", "GROQ_API_KEY"),
        Known("xai", "xAI", "XAI", "openai", "https://api.x.ai/v1", "XAI_API_KEY"),
        Known("ollama", "Ollama", "Ollama", "ollama", "http://localhost:11434", null),
        Known("openrouter", "OpenRouter", "OpenRouter", "openai", "https://openrouter.ai/api/v1", "OPENROUTER_API_KEY"),
    };

    // OpenAI-compatible endpoints of other providers LiteLLM lists, where they are well known.
    private static readonly Dictionary<string, string> OtherBaseUrls = new(StringComparer.Ordinal)
    {
        ["mistral"] = "https://api.mistral.ai/v1",
        ["together_ai"] = "https://api.together.xyz/v1",
        ["fireworks_ai"] = "https://api.fireworks.ai/inference/v1",
        ["deepinfra"] = "https://api.deepinfra.com/v1/openai",
        ["perplexity"] = "https://api.perplexity.ai",
        ["cerebras"] = "https://api.cerebras.ai/v1",
        ["moonshot"] = "https://api.moonshot.ai/v1",
        ["sambanova"] = "https://api.sambanova.ai/v1",
        ["nebius"] = "https://api.studio.nebius.com/v1",
        ["hyperbolic"] = "https://api.hyperbolic.xyz/v1",
        ["novita"] = "https://api.novita.ai/v3/openai",
        ["dashscope"] = "https://dashscope-intl.aliyuncs.com/compatible-mode/v1",
    };

    /// <summary>Imports LiteLLM's JSON text.</summary>
    /// <param name="json">The text of <c>model_prices_and_context_window.json</c>.</param>
    /// <param name="options">Which providers to import; null imports all.</param>
    /// <returns>The catalog files and the skipped entries.</returns>
    public static LiteLlmImportResult Import(string? json, LiteLlmImportOptions? options = null)
        => Import(LiteLlmPriceList.Parse(json), options);

    /// <summary>Imports an already read LiteLLM list.</summary>
    /// <param name="list">The list.</param>
    /// <param name="options">Which providers to import; null imports all.</param>
    /// <returns>The catalog files and the skipped entries.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="list"/> is null.</exception>
    public static LiteLlmImportResult Import(LiteLlmPriceList list, LiteLlmImportOptions? options = null)
    {
        if (list is null)
        {
            throw new ArgumentNullException(nameof(list));
        }

        var skipped = new List<LiteLlmSkippedEntry>(list.Skipped);
        HashSet<string>? wanted = options?.Providers is { } providers ? new HashSet<string>(providers, StringComparer.Ordinal) : null;

        // Group by provider; within a provider, a prefixed key wins over the bare key for the same id.
        var groups = new Dictionary<string, List<LiteLlmEntry>>(StringComparer.Ordinal);
        var slotOf = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var entry in list.Entries)
        {
            if (wanted is not null && !wanted.Contains(entry.LiteLlmProvider))
            {
                continue;
            }

            if (!groups.TryGetValue(entry.LiteLlmProvider, out var group))
            {
                group = new List<LiteLlmEntry>();
                groups.Add(entry.LiteLlmProvider, group);
            }

            var slotKey = entry.LiteLlmProvider + "\n" + entry.Model.Id;
            if (slotOf.TryGetValue(slotKey, out var index))
            {
                var existing = group[index];
                var entryPrefixed = entry.Key.Length != entry.Model.Id.Length;
                var existingPrefixed = existing.Key.Length != existing.Model.Id.Length;
                if (entryPrefixed && !existingPrefixed)
                {
                    group[index] = entry;
                    skipped.Add(new LiteLlmSkippedEntry(existing.Key, $"'{entry.Key}' prices the same model for {entry.LiteLlmProvider}."));
                }
                else
                {
                    skipped.Add(new LiteLlmSkippedEntry(entry.Key, $"'{existing.Key}' prices the same model for {entry.LiteLlmProvider}."));
                }

                continue;
            }

            slotOf.Add(slotKey, group.Count);
            group.Add(entry);
        }

        var order = new List<string>(groups.Count);
        foreach (var known in KnownProviders)
        {
            if (groups.ContainsKey(known.Id))
            {
                order.Add(known.Id);
            }
        }

        var others = new List<string>();
        foreach (var id in groups.Keys)
        {
            if (FindKnown(id) is null)
            {
                others.Add(id);
            }
        }

        others.Sort(StringComparer.Ordinal);
        order.AddRange(others);

        var ids = new Dictionary<string, string>(StringComparer.Ordinal);
        var enumNames = new HashSet<string>(StringComparer.Ordinal);
        var typeNames = new HashSet<string>(StringComparer.Ordinal);
        var files = new List<CatalogFile>(order.Count);
        foreach (var providerId in order)
        {
            var filePath = providerId + ".yaml";
            var provider = FindKnown(providerId) ?? Generic(providerId);
            var typeName = provider.TypeName;
            for (var n = 2; !typeNames.Add(typeName); n++)
            {
                typeName = provider.TypeName + n.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }

            provider = provider with { TypeName = typeName, Location = SourceLocation.StartOf(filePath) };
            var models = new List<CatalogModel>();
            foreach (var entry in groups[providerId])
            {
                var model = entry.Model;
                if (ids.TryGetValue(model.Id, out var owner))
                {
                    skipped.Add(new LiteLlmSkippedEntry(entry.Key, $"Model id '{model.Id}' is already imported for provider {owner}; catalog ids are unique."));
                    continue;
                }

                var name = model.EnumName;
                if (enumNames.Contains(name))
                {
                    name = typeName + model.EnumName;
                    for (var n = 2; enumNames.Contains(name); n++)
                    {
                        name = typeName + model.EnumName + n.ToString(System.Globalization.CultureInfo.InvariantCulture);
                    }
                }

                ids.Add(model.Id, providerId);
                enumNames.Add(name);
                models.Add(model with { EnumName = name, Location = SourceLocation.StartOf(filePath) });
            }

            files.Add(new CatalogFile(
                filePath,
                provider,
                false,
                EquatableArray<CatalogModel>.UnsafeWrap(models.ToArray()),
                EquatableArray<CatalogDiagnostic>.Empty));
        }

        return new LiteLlmImportResult(EquatableArray<CatalogFile>.UnsafeWrap(files.ToArray()), skipped);
    }

    /// <summary>Reads the price of one LiteLLM entry, by its exact key, as the importer converts it.</summary>
    /// <param name="json">The text of LiteLLM's file.</param>
    /// <param name="key">The entry's key, e.g. <c>gpt-4o</c> or <c>gemini/gemini-2.5-pro</c>.</param>
    /// <param name="price">The price in USD per 1M tokens, when the key names a chat entry with per-token prices.</param>
    /// <returns>True when found and converted.</returns>
    public static bool TryGetPrice(string? json, string key, out CatalogPrice? price)
    {
        if (LiteLlmPriceList.Parse(json).TryGetEntry(key, out var entry))
        {
            price = entry!.Model.Price;
            return true;
        }

        price = null;
        return false;
    }

    private static CatalogProvider? FindKnown(string id)
    {
        foreach (var provider in KnownProviders)
        {
            if (provider.Id == id)
            {
                return provider;
            }
        }

        return null;
    }

    private static CatalogProvider Generic(string id)
    {
        var typeName = CatalogNames.DeriveEnumName(id);
        if (!CatalogNames.IsValidIdentifier(typeName))
        {
            typeName = "Provider" + typeName;
        }

        var envName = new System.Text.StringBuilder(id.Length + 8);
        foreach (var c in id)
        {
            envName.Append(CatalogNames.IsAsciiLetterOrDigit(c) ? char.ToUpperInvariant(c) : '_');
        }

        envName.Append("_API_KEY");

        // A provider LiteLLM lists without a known endpoint gets a reserved ".invalid" host (RFC 2606),
        // so a call fails loudly until a user file overrides the base_url.
        var baseUrl = OtherBaseUrls.TryGetValue(id, out var known) ? known : "https://" + id.Replace('_', '-') + ".invalid/v1";
        return new CatalogProvider(id, id, typeName, "openai", baseUrl, envName.ToString(), SourceLocation.StartOf(id + ".yaml"));
    }

    private static CatalogProvider Known(string id, string name, string typeName, string dialect, string baseUrl, string? apiKeyEnv)
        => new(id, name, typeName, dialect, baseUrl, apiKeyEnv, SourceLocation.StartOf(id + ".yaml"));
}

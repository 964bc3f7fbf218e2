using System.Globalization;
using System.Text.Json;

namespace StratumAI.Catalog.LiteLlm;

/// <summary>One chat-capable LiteLLM entry converted to a catalog model.</summary>
/// <param name="Key">The entry's key in LiteLLM's file (<c>gemini/gemini-2.5-pro</c>).</param>
/// <param name="LiteLlmProvider">LiteLLM's <c>litellm_provider</c>, which is also the catalog provider id.</param>
/// <param name="Model">The model; its id has the provider prefix removed and its enum name is derived from the id.</param>
public sealed record LiteLlmEntry(string Key, string LiteLlmProvider, CatalogModel Model);

/// <summary>An entry of LiteLLM's file that was not imported, and why.</summary>
/// <param name="Key">The entry's key.</param>
/// <param name="Reason">Why it was skipped.</param>
public sealed record LiteLlmSkippedEntry(string Key, string Reason);

/// <summary>
/// LiteLLM's <c>model_prices_and_context_window.json</c>, read into catalog models: only chat-capable
/// entries (<c>mode</c> <c>chat</c> or <c>responses</c>) with per-token prices. Prices are per-token
/// costs × 1,000,000, exact decimals read from the JSON number text (never through <see cref="double"/>).
/// </summary>
/// <remarks>Reading never throws on bad content: unusable entries are listed in <see cref="Skipped"/>. Instances are immutable and thread-safe.</remarks>
public sealed class LiteLlmPriceList
{
    private const decimal PerMillion = 1_000_000m;

    // Per-token prices above this would overflow decimal once multiplied by 10^6.
    private const decimal MaxPerToken = 7_000_000_000_000_000_000_000m;


    private readonly Dictionary<string, LiteLlmEntry> _byKey;

    private LiteLlmPriceList(List<LiteLlmEntry> entries, List<LiteLlmSkippedEntry> skipped)
    {
        Entries = entries;
        Skipped = skipped;
        _byKey = new Dictionary<string, LiteLlmEntry>(entries.Count, StringComparer.Ordinal);
        foreach (var entry in entries)
        {
            _byKey[entry.Key] = entry;
        }
    }

    /// <summary>The chat-capable entries that converted, in file order.</summary>
    public IReadOnlyList<LiteLlmEntry> Entries { get; }

    /// <summary>Entries that were not converted (not chat, junk values, not JSON…), with the reason.</summary>
    public IReadOnlyList<LiteLlmSkippedEntry> Skipped { get; }

    /// <summary>Reads LiteLLM's JSON. The <c>sample_spec</c> documentation entry and non-object values such as <c>last_updated</c> are skipped.</summary>
    /// <param name="json">The file's text; null or text that is not a JSON object gives an empty list with one skipped entry explaining why.</param>
    /// <returns>The converted entries.</returns>
    public static LiteLlmPriceList Parse(string? json)
    {
        var entries = new List<LiteLlmEntry>();
        var skipped = new List<LiteLlmSkippedEntry>();
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json ?? string.Empty, new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
        }
        catch (JsonException ex)
        {
            skipped.Add(new LiteLlmSkippedEntry(string.Empty, "The text is not JSON: " + ex.Message));
            return new LiteLlmPriceList(entries, skipped);
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                skipped.Add(new LiteLlmSkippedEntry(string.Empty, "The top level is not a JSON object."));
                return new LiteLlmPriceList(entries, skipped);
            }

            // Python's json (which writes and reads this file) keeps the last of duplicate keys.
            var last = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
            var order = new List<string>();
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (!last.ContainsKey(property.Name))
                {
                    order.Add(property.Name);
                }

                last[property.Name] = property.Value;
            }

            foreach (var key in order)
            {
                if (TryConvert(key, last[key], out var entry, out var reason))
                {
                    entries.Add(entry!);
                }
                else
                {
                    skipped.Add(new LiteLlmSkippedEntry(key, reason!));
                }
            }
        }

        return new LiteLlmPriceList(entries, skipped);
    }

    /// <summary>The converted entry with exactly this LiteLLM key.</summary>
    /// <param name="key">LiteLLM's key, e.g. <c>gpt-4o</c> or <c>gemini/gemini-2.5-pro</c>.</param>
    /// <param name="entry">The entry, when found.</param>
    /// <returns>True when the key names a converted chat entry.</returns>
    public bool TryGetEntry(string key, out LiteLlmEntry? entry) => _byKey.TryGetValue(key ?? string.Empty, out entry);

    /// <summary>
    /// Finds the entry for a catalog model as LiteLLM looks it up: the provider-prefixed key
    /// (<c>{provider}/{id}</c>) first, then the bare id, in both cases only for that provider.
    /// </summary>
    /// <param name="providerId">The catalog provider id (<c>openai</c>, <c>gemini</c>…).</param>
    /// <param name="modelId">The model id as the provider's API expects it.</param>
    /// <param name="entry">The entry, when found.</param>
    /// <returns>True when LiteLLM lists the model for that provider.</returns>
    public bool TryFind(string providerId, string modelId, out LiteLlmEntry? entry)
    {
        if (_byKey.TryGetValue(providerId + "/" + modelId, out entry) && entry.LiteLlmProvider == providerId)
        {
            return true;
        }

        if (_byKey.TryGetValue(modelId, out entry) && entry.LiteLlmProvider == providerId)
        {
            return true;
        }

        entry = null;
        return false;
    }

    /// <summary>
    /// Every entry LiteLLM has for a catalog model of one provider: the provider-prefixed key and the
    /// bare id (LiteLLM sometimes lists both, with prices that differ slightly).
    /// </summary>
    /// <param name="providerId">The catalog provider id.</param>
    /// <param name="modelId">The model id.</param>
    /// <returns>The matching entries, prefixed key first; empty when LiteLLM does not list the model for that provider.</returns>
    public IReadOnlyList<LiteLlmEntry> FindAll(string providerId, string modelId)
    {
        var result = new List<LiteLlmEntry>(2);
        if (_byKey.TryGetValue(providerId + "/" + modelId, out var prefixed) && prefixed.LiteLlmProvider == providerId)
        {
            result.Add(prefixed);
        }

        if (_byKey.TryGetValue(modelId, out var bare) && bare.LiteLlmProvider == providerId)
        {
            result.Add(bare);
        }

        return result;
    }

    private static bool TryConvert(string key, JsonElement value, out LiteLlmEntry? entry, out string? reason)
    {
        entry = null;
        if (key == "sample_spec")
        {
            reason = "LiteLLM's documentation entry, not a model.";
            return false;
        }

        if (value.ValueKind != JsonValueKind.Object)
        {
            reason = $"The value is {value.ValueKind.ToString().ToLowerInvariant()}, not a model object.";
            return false;
        }

        var mode = GetString(value, "mode");
        if (mode != "chat" && mode != "responses")
        {
            reason = mode is null ? "No mode; only chat models are imported." : $"Mode '{mode}' is not chat.";
            return false;
        }

        var provider = GetString(value, "litellm_provider")?.ToLowerInvariant();
        if (provider is null || !Parsing.CatalogValidator.IsValidProviderId(provider))
        {
            reason = provider is null ? "No litellm_provider." : $"litellm_provider '{provider}' is not a valid provider id.";
            return false;
        }

        var id = key.StartsWith(provider + "/", StringComparison.Ordinal) ? key.Substring(provider.Length + 1) : key;
        if (id.Length == 0)
        {
            reason = "The model id is empty.";
            return false;
        }

        foreach (var c in id)
        {
            if (char.IsWhiteSpace(c) || char.IsControl(c))
            {
                reason = "The model id contains spaces or control characters.";
                return false;
            }
        }

        var enumName = CatalogNames.DeriveEnumName(id);
        if (!CatalogNames.IsValidIdentifier(enumName))
        {
            reason = $"The enum name derived from '{id}' ('{enumName}') is not a valid identifier.";
            return false;
        }

        if (!TryPrice(value, "input_cost_per_token", required: true, out var input, out reason)
            || !TryPrice(value, "output_cost_per_token", required: true, out var output, out reason)
            || !TryPrice(value, "cache_read_input_token_cost", required: false, out var cached, out reason)
            || !TryPrice(value, "cache_creation_input_token_cost", required: false, out var cacheWrite, out reason)
            || !TryPrice(value, "cache_creation_input_token_cost_above_1hr", required: false, out var cacheWrite1h, out reason)
            || !TryPrice(value, "output_cost_per_reasoning_token", required: false, out var reasoning, out reason)
            || !TryPrice(value, "input_cost_per_audio_token", required: false, out var audioInput, out reason)
            || !TryPrice(value, "output_cost_per_audio_token", required: false, out var audioOutput, out reason)
            || !TryServiceTier(value, "flex", out var flex, out reason)
            || !TryServiceTier(value, "priority", out var priority, out reason)
            || !TryServiceTier(value, "batches", out var batch, out reason)
            || !TryTiers(value, input!.Value, output!.Value, out var tiers, out reason))
        {
            return false;
        }

        if (!TryTokens(value, "max_input_tokens", out var maxInput, out reason)
            || !TryTokens(value, "max_tokens", out var maxTokens, out reason)
            || !TryTokens(value, "max_output_tokens", out var maxOutput, out reason))
        {
            return false;
        }

        var contextWindow = maxInput ?? maxTokens;
        if (contextWindow is null)
        {
            reason = "No max_input_tokens or max_tokens.";
            return false;
        }

        var deprecation = GetString(value, "deprecation_date");
        if (deprecation is not null && !DateTime.TryParseExact(deprecation, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _))
        {
            deprecation = null;
        }

        var model = new CatalogModel(
            id,
            enumName,
            provider,
            mode == "responses" ? "openai-responses" : null,
            contextWindow.Value,
            maxOutput,
            new CatalogPrice(input.Value, output.Value, cached, cacheWrite, reasoning, tiers, cacheWrite1h, audioInput, audioOutput, flex, priority, batch),
            Capabilities(value),
            null,
            EquatableArray<string>.Empty,
            deprecation,
            null,
            SourceLocation.StartOf(provider + ".yaml"));
        entry = new LiteLlmEntry(key, provider, model);
        reason = null;
        return true;
    }

    private static EquatableArray<string> Capabilities(JsonElement value)
    {
        var result = new List<string>(8) { "streaming" };
        AddIf(result, value, "supports_function_calling", "tools");
        AddIf(result, value, "supports_vision", "vision");
        AddIf(result, value, "supports_response_schema", "json_schema");
        AddIf(result, value, "supports_reasoning", "reasoning");
        AddIf(result, value, "supports_prompt_caching", "prompt_caching");
        AddIf(result, value, "supports_pdf_input", "pdf");
        AddIf(result, value, "supports_audio_input", "audio");
        return EquatableArray<string>.UnsafeWrap(result.ToArray());
    }

    private static void AddIf(List<string> result, JsonElement value, string flag, string capability)
    {
        if (value.TryGetProperty(flag, out var element) && element.ValueKind == JsonValueKind.True)
        {
            result.Add(capability);
        }
    }

    private static string? GetString(JsonElement value, string name)
        => value.TryGetProperty(name, out var element) && element.ValueKind == JsonValueKind.String ? element.GetString() : null;

    private static bool TryPrice(JsonElement value, string name, bool required, out decimal? price, out string? reason)
    {
        price = null;
        reason = null;
        if (!value.TryGetProperty(name, out var element) || element.ValueKind == JsonValueKind.Null)
        {
            if (required)
            {
                reason = $"No {name}; only per-token prices are imported.";
                return false;
            }

            return true;
        }

        if (!TryPerMillion(element, out var perMillion))
        {
            reason = $"{name} is {Describe(element)}, not a price.";
            return false;
        }

        price = perMillion;
        return true;
    }

    // The base prices of a service tier: input_cost_per_token_flex, cache_read_input_token_cost_priority,
    // input_cost_per_token_batches (the batch APIs' prices)… A prompt-size
    // tier's service-tier prices (input_cost_per_token_above_200k_tokens_priority) are not imported.
    private static bool TryServiceTier(JsonElement value, string tier, out ServiceTierPrice? prices, out string? reason)
    {
        prices = null;
        if (!TryPrice(value, "input_cost_per_token_" + tier, required: false, out var input, out reason)
            || !TryPrice(value, "output_cost_per_token_" + tier, required: false, out var output, out reason)
            || !TryPrice(value, "cache_read_input_token_cost_" + tier, required: false, out var cached, out reason)
            || !TryPrice(value, "cache_creation_input_token_cost_" + tier, required: false, out var cacheWrite, out reason)
            || !TryPrice(value, "input_cost_per_audio_token_" + tier, required: false, out var audioInput, out reason))
        {
            return false;
        }

        if ((input ?? output ?? cached ?? cacheWrite ?? audioInput) is not null)
        {
            prices = new ServiceTierPrice(input, output, cached, cacheWrite, audioInput);
        }

        return true;
    }

    internal static bool TryPerMillion(JsonElement element, out decimal perMillion)
    {
        perMillion = 0m;
        if (element.ValueKind != JsonValueKind.Number || !element.TryGetDecimal(out var perToken) || perToken < 0m || perToken > MaxPerToken)
        {
            return false;
        }

        perMillion = Normalize(perToken * PerMillion);
        return true;
    }

    // Drops trailing zeros (2.5000000 → 2.5) so written catalogs read as people write prices.
    internal static decimal Normalize(decimal value) => value / 1.000000000000000000000000000000000m;

    private static bool TryTokens(JsonElement value, string name, out int? tokens, out string? reason)
    {
        tokens = null;
        reason = null;
        if (!value.TryGetProperty(name, out var element) || element.ValueKind == JsonValueKind.Null)
        {
            return true;
        }

        if (element.ValueKind != JsonValueKind.Number || !element.TryGetDecimal(out var number)
            || decimal.Truncate(number) != number || number <= 0m || number > int.MaxValue)
        {
            reason = $"{name} is {Describe(element)}, not a positive whole number of tokens.";
            return false;
        }

        tokens = (int)number;
        return true;
    }

    // Keys such as input_cost_per_token_above_200k_tokens; LiteLLM reads "200k" as 200,000 tokens.
    private static bool TryTiers(JsonElement value, decimal input, decimal output, out EquatableArray<PriceTier> tiers, out string? reason)
    {
        tiers = EquatableArray<PriceTier>.Empty;
        reason = null;
        SortedDictionary<long, decimal?[]>? found = null;
        foreach (var property in value.EnumerateObject())
        {
            int slot;
            string prefix;
            var name = property.Name;
            if (name.StartsWith("input_cost_per_token_above_", StringComparison.Ordinal))
            {
                slot = 0;
                prefix = "input_cost_per_token_above_";
            }
            else if (name.StartsWith("output_cost_per_token_above_", StringComparison.Ordinal))
            {
                slot = 1;
                prefix = "output_cost_per_token_above_";
            }
            else if (name.StartsWith("cache_read_input_token_cost_above_", StringComparison.Ordinal))
            {
                slot = 2;
                prefix = "cache_read_input_token_cost_above_";
            }
            else if (name.StartsWith("cache_creation_input_token_cost_above_1hr_above_", StringComparison.Ordinal))
            {
                // The one-hour cache-write price of a prompt-size tier (cache_creation_input_token_cost_above_1hr_above_200k_tokens).
                slot = 4;
                prefix = "cache_creation_input_token_cost_above_1hr_above_";
            }
            else if (name.StartsWith("cache_creation_input_token_cost_above_", StringComparison.Ordinal))
            {
                slot = 3;
                prefix = "cache_creation_input_token_cost_above_";
            }
            else
            {
                continue;
            }

            if (!TryThreshold(name, prefix, out var threshold))
            {
                continue; // _priority, the base _above_1hr… are other price dimensions, not prompt-size tiers
            }

            if (property.Value.ValueKind == JsonValueKind.Null)
            {
                continue;
            }

            if (!TryPerMillion(property.Value, out var price))
            {
                reason = $"{name} is {Describe(property.Value)}, not a price.";
                return false;
            }

            found ??= new SortedDictionary<long, decimal?[]>();
            if (!found.TryGetValue(threshold, out var prices))
            {
                prices = new decimal?[5];
                found.Add(threshold, prices);
            }

            prices[slot] = price;
        }

        if (found is null)
        {
            return true;
        }

        var result = new PriceTier[found.Count];
        var i = 0;
        foreach (var pair in found)
        {
            // A tier that prices only some kinds of token keeps the base price for the others.
            result[i++] = new PriceTier(pair.Key, pair.Value[0] ?? input, pair.Value[1] ?? output, pair.Value[2], pair.Value[3], pair.Value[4]);
        }

        tiers = EquatableArray<PriceTier>.UnsafeWrap(result);
        return true;
    }

    private static bool TryThreshold(string name, string prefix, out long threshold)
    {
        threshold = 0;
        const string Suffix = "k_tokens";
        if (!name.EndsWith(Suffix, StringComparison.Ordinal) || name.Length <= prefix.Length + Suffix.Length)
        {
            return false;
        }

        var digits = name.Substring(prefix.Length, name.Length - prefix.Length - Suffix.Length);
        foreach (var c in digits)
        {
            if (c < '0' || c > '9')
            {
                return false;
            }
        }

        if (digits.Length > 9 || !long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var thousands) || thousands == 0)
        {
            return false;
        }

        threshold = thousands * 1000;
        return true;
    }

    private static string Describe(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Number or JsonValueKind.String => element.GetRawText(),
        _ => element.ValueKind.ToString().ToLowerInvariant(),
    };
}

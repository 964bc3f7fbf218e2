using System.Globalization;

namespace StratumAI.Catalog.Parsing;

/// <summary>
/// Turns the positioned node tree of one file (from either front end) into catalog records and
/// diagnostics. One validator for YAML and JSON, so both formats mean exactly the same thing.
/// </summary>
internal sealed class CatalogValidator
{
    private static readonly string[] RootKeys = { "provider", "models" };
    private static readonly string[] ProviderKeys = { "id", "name", "type_name", "dialect", "base_url", "api_key_env", "allow_insecure_http", "rate_limits" };
    private static readonly string[] ModelKeys =
    {
        "id", "name", "dialect", "context_window", "max_output_tokens", "price", "capabilities", "quality", "aliases",
        "deprecated_on", "replacement", "prices_as", "dimensions", "rate_limits",
    };

    private static readonly string[] RateLimitKeys = { "requests_per_minute", "tokens_per_minute" };

    private static readonly string[] PriceKeys = { "input", "output", "cached_input", "cache_write", "cache_write_1h", "reasoning", "audio_input", "audio_output", "tiers", "flex", "priority", "batch" };
    private static readonly string[] ServiceTierKeys = { "input", "output", "cached_input", "cache_write", "audio_input" };
    private static readonly string[] TierKeys = { "above_input_tokens", "input", "output", "cached_input", "cache_write", "cache_write_1h" };

    private readonly SourceText _source;
    private readonly List<CatalogDiagnostic> _diagnostics;
    private int _errorCount;

    public CatalogValidator(SourceText source, List<CatalogDiagnostic> diagnostics)
    {
        _source = source;
        _diagnostics = diagnostics;
        foreach (var diagnostic in diagnostics)
        {
            if (diagnostic.Severity == CatalogSeverity.Error)
            {
                _errorCount++;
            }
        }
    }

    public CatalogFile Validate(CatalogNode? root)
    {
        var path = _source.FilePath;
        if (root is null || root is ScalarNode { Kind: ScalarKind.Null })
        {
            if (_errorCount == 0)
            {
                Error(CatalogDiagnosticIds.MalformedFile, "The catalog file is empty; expected a mapping with 'provider' and 'models'.", 0, 0);
            }

            return Empty(path);
        }

        if (root is not MappingNode rootMapping)
        {
            Error(CatalogDiagnosticIds.MalformedFile, $"The top level of a catalog file must be a mapping with 'provider' and 'models', not {root.KindName}.", root);
            return Empty(path);
        }

        CatalogNode? providerNode = null;
        CatalogNode? modelsNode = null;
        foreach (var entry in rootMapping.Entries)
        {
            var key = KeyOf(entry);
            switch (key)
            {
                case null:
                    break;
                case "provider":
                    Take(ref providerNode, entry, key);
                    break;
                case "models":
                    Take(ref modelsNode, entry, key);
                    break;
                case "$schema":
                    break; // lets JSON files name a schema for editors
                default:
                    UnknownKey(entry.Key, key, "the top level of a catalog file", RootKeys);
                    break;
            }
        }

        CatalogProvider? provider = null;
        var isReference = false;
        string? providerId = null;
        if (providerNode is null)
        {
            Missing("provider", rootMapping, "the top level of a catalog file");
        }
        else if (IsNull(providerNode))
        {
            Error(CatalogDiagnosticIds.MissingField, "'provider' has no value; give at least its id.", providerNode);
        }
        else
        {
            provider = ReadProvider(providerNode, out isReference, out providerId);
        }

        var models = ReadModels(modelsNode, providerId ?? string.Empty);
        return new CatalogFile(
            path,
            provider,
            isReference && provider is not null,
            EquatableArray<CatalogModel>.UnsafeWrap(models.ToArray()),
            EquatableArray<CatalogDiagnostic>.UnsafeWrap(_diagnostics.ToArray()));
    }

    private CatalogFile Empty(string path)
        => new(path, null, false, EquatableArray<CatalogModel>.Empty, EquatableArray<CatalogDiagnostic>.UnsafeWrap(_diagnostics.ToArray()));

    private CatalogProvider? ReadProvider(CatalogNode node, out bool isReference, out string? providerId)
    {
        isReference = false;
        providerId = null;
        if (node is not MappingNode mapping)
        {
            Error(CatalogDiagnosticIds.InvalidValue, $"'provider' must be a mapping (id, name, dialect, base_url…), not {node.KindName}.", node);
            return null;
        }

        var errorsBefore = _errorCount;
        CatalogNode? idNode = null, nameNode = null, typeNameNode = null, dialectNode = null, baseUrlNode = null, apiKeyEnvNode = null, allowInsecureNode = null, rateLimitsNode = null;
        var definitionKeys = 0;
        foreach (var entry in mapping.Entries)
        {
            var key = KeyOf(entry);
            switch (key)
            {
                case null:
                    break;
                case "id":
                    Take(ref idNode, entry, key);
                    break;
                case "name":
                    Take(ref nameNode, entry, key);
                    definitionKeys++;
                    break;
                case "type_name":
                    Take(ref typeNameNode, entry, key);
                    definitionKeys++;
                    break;
                case "dialect":
                    Take(ref dialectNode, entry, key);
                    definitionKeys++;
                    break;
                case "base_url":
                    Take(ref baseUrlNode, entry, key);
                    definitionKeys++;
                    break;
                case "api_key_env":
                    Take(ref apiKeyEnvNode, entry, key);
                    definitionKeys++;
                    break;
                case "allow_insecure_http":
                    Take(ref allowInsecureNode, entry, key);
                    definitionKeys++;
                    break;
                case "rate_limits":
                    Take(ref rateLimitsNode, entry, key);
                    definitionKeys++;
                    break;
                default:
                    UnknownKey(entry.Key, key, "a provider", ProviderKeys);
                    break;
            }
        }

        var id = ReadText(idNode, "id", mapping, "the provider", required: true);
        if (id is not null && !IsValidProviderId(id))
        {
            Error(CatalogDiagnosticIds.InvalidValue, $"Provider id '{id}' is invalid; use lower-case letters, digits, '-', '_' and '.', starting with a letter or digit.", idNode!);
            id = null;
        }

        providerId = id;
        if (definitionKeys == 0)
        {
            // Only an id: a reference to a provider another file defines.
            isReference = true;
            return id is null || _errorCount != errorsBefore
                ? null
                : new CatalogProvider(id, string.Empty, string.Empty, string.Empty, null, null, _source.Location(idNode!));
        }

        var name = ReadText(nameNode, "name", mapping, "a provider definition", required: true);
        var dialect = ReadDialect(dialectNode, mapping, required: true);

        var typeName = ResolveIdentifier(
            ReadText(typeNameNode, "type_name", mapping, "a provider definition", required: false),
            typeNameNode,
            static value => $"type_name '{value}' is not a valid C# identifier.",
            name,
            nameNode,
            CatalogNames.DeriveTypeName,
            static (source, derived) => $"The type name derived from provider name '{source}' is '{derived}', which is not a valid C# identifier; add a 'type_name'.");

        // An external provider is served by the application's own IChatClient, so it has no URL of ours.
        var external = dialect == StratumAI.Dialects.DialectNames.External;
        var baseUrl = ReadText(baseUrlNode, "base_url", mapping, "a provider definition", required: !external);
        if (baseUrl is not null
            && (!Uri.TryCreate(baseUrl, UriKind.Absolute, out var uri) || (uri.Scheme != "http" && uri.Scheme != "https")))
        {
            Error(CatalogDiagnosticIds.InvalidValue, $"base_url '{baseUrl}' is not an absolute http or https URL.", baseUrlNode!);
            baseUrl = null;
        }

        var apiKeyEnv = ReadText(apiKeyEnvNode, "api_key_env", mapping, "a provider definition", required: false);
        if (apiKeyEnv is not null && !IsValidEnvironmentVariable(apiKeyEnv))
        {
            Error(CatalogDiagnosticIds.InvalidValue, $"api_key_env '{apiKeyEnv}' is not an environment variable name (letters, digits and '_', not starting with a digit).", apiKeyEnvNode!);
        }

        var allowInsecureHttp = ReadBoolean(allowInsecureNode, "allow_insecure_http") ?? false;
        var rateLimits = ReadRateLimits(rateLimitsNode, "the provider");
        if (baseUrl is not null && apiKeyEnv is not null && !allowInsecureHttp && IsPlainHttpToRemoteHost(baseUrl, out var shown))
        {
            Warning(
                CatalogDiagnosticIds.InsecureBaseUrl,
                $"base_url '{shown}' is plain http:// to a host that is not loopback, so the {apiKeyEnv} key would cross the network unencrypted and the runtime refuses to send it. "
                + $"Use https://, or, if the network path is trusted, add 'allow_insecure_http: true' to the provider (or set StratumClientOptions.Providers[\"{id}\"].AllowInsecureHttp).",
                baseUrlNode!);
        }

        if (_errorCount != errorsBefore || id is null || name is null || dialect is null || typeName is null || (baseUrl is null && !external))
        {
            return null;
        }

        return new CatalogProvider(id, name, typeName, dialect, baseUrl, apiKeyEnv, _source.Location(idNode!)) { AllowInsecureHttp = allowInsecureHttp, RateLimits = rateLimits };
    }

    private List<CatalogModel> ReadModels(CatalogNode? node, string providerId)
    {
        var models = new List<CatalogModel>();
        if (node is null || node is ScalarNode { Kind: ScalarKind.Null })
        {
            return models;
        }

        if (node is not SequenceNode sequence)
        {
            Error(CatalogDiagnosticIds.InvalidValue, $"'models' must be a list of models, not {node.KindName}.", node);
            return models;
        }

        models.Capacity = sequence.Items.Count;
        foreach (var item in sequence.Items)
        {
            var model = ReadModel(item, providerId);
            if (model is not null)
            {
                models.Add(model);
            }
        }

        return models;
    }

    private CatalogModel? ReadModel(CatalogNode node, string providerId)
    {
        if (node is not MappingNode mapping)
        {
            Error(CatalogDiagnosticIds.InvalidValue, $"Each entry of 'models' must be a mapping with id, context_window and price, not {node.KindName}.", node);
            return null;
        }

        var errorsBefore = _errorCount;
        CatalogNode? idNode = null, nameNode = null, dialectNode = null, contextNode = null, maxOutputNode = null, priceNode = null;
        CatalogNode? capabilitiesNode = null, qualityNode = null, aliasesNode = null, deprecatedNode = null, replacementNode = null, pricesAsNode = null;
        CatalogNode? dimensionsNode = null, rateLimitsNode = null;
        foreach (var entry in mapping.Entries)
        {
            var key = KeyOf(entry);
            switch (key)
            {
                case null:
                    break;
                case "id":
                    Take(ref idNode, entry, key);
                    break;
                case "name":
                    Take(ref nameNode, entry, key);
                    break;
                case "dialect":
                    Take(ref dialectNode, entry, key);
                    break;
                case "context_window":
                    Take(ref contextNode, entry, key);
                    break;
                case "max_output_tokens":
                    Take(ref maxOutputNode, entry, key);
                    break;
                case "price":
                    Take(ref priceNode, entry, key);
                    break;
                case "capabilities":
                    Take(ref capabilitiesNode, entry, key);
                    break;
                case "quality":
                    Take(ref qualityNode, entry, key);
                    break;
                case "aliases":
                    Take(ref aliasesNode, entry, key);
                    break;
                case "deprecated_on":
                    Take(ref deprecatedNode, entry, key);
                    break;
                case "replacement":
                    Take(ref replacementNode, entry, key);
                    break;
                case "prices_as":
                    Take(ref pricesAsNode, entry, key);
                    break;
                case "dimensions":
                    Take(ref dimensionsNode, entry, key);
                    break;
                case "rate_limits":
                    Take(ref rateLimitsNode, entry, key);
                    break;
                default:
                    UnknownKey(entry.Key, key, "a model", ModelKeys);
                    break;
            }
        }

        var id = ReadModelId(idNode, "id", mapping, required: true);
        var explicitName = ReadText(nameNode, "name", mapping, "a model", required: false);
        var enumName = ResolveIdentifier(
            explicitName,
            nameNode,
            static value => $"name '{value}' is not a valid C# identifier for a Model enum member.",
            id,
            idNode,
            CatalogNames.DeriveEnumName,
            static (source, derived) => $"The enum name derived from model id '{source}' is '{derived}', which is not a valid C# identifier; add a 'name'.");
        if (enumName is not null && CatalogNames.IsReservedEnumName(enumName))
        {
            var why = enumName == "Model" ? "the Model enum cannot have a member named like itself" : "'value__' is the backing field of every enum";
            Error(
                CatalogDiagnosticIds.InvalidEnumName,
                explicitName is not null
                    ? $"name '{enumName}' of model '{id}' cannot be a Model enum member: {why}; choose another 'name'."
                    : $"The enum name derived from model id '{id}' is '{enumName}', which cannot be a Model enum member: {why}; add a 'name'.",
                explicitName is not null ? nameNode! : idNode!);
            enumName = null;
        }

        var dialect = ReadDialect(dialectNode, mapping, required: false);

        // A model that prices as another (an Azure deployment of gpt-4o) takes its price and context window from it when
        // it states none; the merger fills them in, or reports STRAT016 when the base model is not in the catalog.
        var pricesAs = ReadModelId(pricesAsNode, "prices_as", mapping, required: false);
        var contextWindow = ReadInteger(contextNode, "context_window", mapping, required: pricesAs is null, int.MaxValue);
        var maxOutput = ReadInteger(maxOutputNode, "max_output_tokens", mapping, required: false, int.MaxValue);
        var inheritsPrice = pricesAs is not null && priceNode is null;
        var price = inheritsPrice ? InheritedPrice : ReadPrice(priceNode, mapping);
        var capabilities = ReadCapabilities(capabilitiesNode);
        var aliases = ReadAliases(aliasesNode);
        var dimensions = ReadInteger(dimensionsNode, "dimensions", mapping, required: false, int.MaxValue);
        if (dimensions is not null && !capabilities.Contains("embeddings") && (pricesAs is null || capabilities.Count > 0))
        {
            // A vector size on a chat model means the capability was forgotten (or the key is on the wrong model). A deployment
            // priced as another model and listing no capabilities takes its base model's (an embedding model's, presumably).
            Error(CatalogDiagnosticIds.InvalidValue, "'dimensions' is the vector size of an embedding model; add 'embeddings' to the model's capabilities, or remove 'dimensions'.", dimensionsNode!);
        }

        var rateLimits = ReadRateLimits(rateLimitsNode, "a model");
        decimal? quality = null;
        if (qualityNode is not null && !IsNull(qualityNode) && TryReadNumber(qualityNode, "quality", CatalogDiagnosticIds.InvalidValue, out var q))
        {
            if (q < 0m || q > 1m)
            {
                Error(CatalogDiagnosticIds.OutOfRange, $"quality {Format(q)} is out of range; it must be between 0 and 1.", qualityNode);
            }
            else
            {
                quality = q;
            }
        }

        var deprecatedOn = ReadText(deprecatedNode, "deprecated_on", mapping, "a model", required: false);
        if (deprecatedOn is not null
            && !DateTime.TryParseExact(deprecatedOn, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _))
        {
            Error(CatalogDiagnosticIds.InvalidDeprecation, $"deprecated_on '{deprecatedOn}' is not a date written as yyyy-MM-dd.", deprecatedNode!);
        }

        var replacement = ReadModelId(replacementNode, "replacement", mapping, required: false);
        if (_errorCount != errorsBefore || id is null || enumName is null || (contextWindow is null && pricesAs is null) || price is null)
        {
            return null;
        }

        return new CatalogModel(
            id,
            enumName,
            providerId,
            dialect,
            contextWindow is null ? 0 : (int)contextWindow.Value,
            maxOutput is null ? null : (int)maxOutput.Value,
            price,
            capabilities,
            quality,
            aliases,
            deprecatedOn,
            replacement,
            _source.Location(idNode!))
        {
            ReplacementLocation = replacementNode is null ? null : _source.Location(replacementNode),
            PricesAs = pricesAs,
            PricesAsLocation = pricesAsNode is null ? null : _source.Location(pricesAsNode),
            InheritsPrice = inheritsPrice,
            Dimensions = dimensions is null ? null : (int)dimensions.Value,
            RateLimits = rateLimits,
        };
    }

    /// <summary>
    /// <c>rate_limits: { requests_per_minute, tokens_per_minute }</c>: positive whole numbers, at least one of them; each bad
    /// value is reported at its own position.
    /// </summary>
    private CatalogRateLimit? ReadRateLimits(CatalogNode? node, string owner)
    {
        if (node is null || IsNull(node))
        {
            return null;
        }

        if (node is not MappingNode mapping)
        {
            Error(CatalogDiagnosticIds.InvalidValue, $"'rate_limits' of {owner} must be a mapping with requests_per_minute and/or tokens_per_minute, not {node.KindName}.", node);
            return null;
        }

        var errorsBefore = _errorCount;
        CatalogNode? requestsNode = null, tokensNode = null;
        foreach (var entry in mapping.Entries)
        {
            var key = KeyOf(entry);
            switch (key)
            {
                case null:
                    break;
                case "requests_per_minute":
                    Take(ref requestsNode, entry, key);
                    break;
                case "tokens_per_minute":
                    Take(ref tokensNode, entry, key);
                    break;
                default:
                    UnknownKey(entry.Key, key, "'rate_limits'", RateLimitKeys);
                    break;
            }
        }

        var requests = ReadCount(requestsNode, "requests_per_minute", int.MaxValue);
        var tokens = ReadCount(tokensNode, "tokens_per_minute", long.MaxValue);
        if (_errorCount != errorsBefore)
        {
            return null;
        }

        if (requests is null && tokens is null)
        {
            Error(CatalogDiagnosticIds.MissingField, "'rate_limits' limits nothing; give requests_per_minute, tokens_per_minute or both.", node);
            return null;
        }

        return new CatalogRateLimit(requests is null ? null : (int)requests.Value, tokens);
    }

    /// <summary>A positive whole number of requests or tokens, or null when absent (a bad value is reported at it).</summary>
    private long? ReadCount(CatalogNode? node, string key, long max)
    {
        if (node is null || IsNull(node) || !TryReadNumber(node, key, CatalogDiagnosticIds.InvalidValue, out var value))
        {
            return null;
        }

        if (decimal.Truncate(value) != value)
        {
            Error(CatalogDiagnosticIds.InvalidValue, $"'{key}' must be a whole number, not {Format(value)}.", node);
            return null;
        }

        if (value <= 0m || value > max)
        {
            Error(CatalogDiagnosticIds.OutOfRange, $"'{key}' is {Format(value)}; it must be greater than 0 and at most {max.ToString(CultureInfo.InvariantCulture)}.", node);
            return null;
        }

        return (long)value;
    }

    /// <summary>The placeholder price of a model that takes its base model's (<c>prices_as</c> without <c>price</c>) until the merger resolves it.</summary>
    private static readonly CatalogPrice InheritedPrice = new(0m, 0m, null, null, null, EquatableArray<PriceTier>.Empty);

    private CatalogPrice? ReadPrice(CatalogNode? node, MappingNode model)
    {
        if (node is null)
        {
            Missing("price", model, "a model");
            return null;
        }

        if (IsNull(node))
        {
            Error(CatalogDiagnosticIds.MissingField, "'price' has no value; give at least input and output prices (USD per 1M tokens).", node);
            return null;
        }

        if (node is not MappingNode mapping)
        {
            Error(CatalogDiagnosticIds.InvalidValue, $"'price' must be a mapping (input, output, …), not {node.KindName}.", node);
            return null;
        }

        var errorsBefore = _errorCount;
        CatalogNode? inputNode = null, outputNode = null, cachedNode = null, cacheWriteNode = null, cacheWrite1hNode = null, reasoningNode = null, tiersNode = null;
        CatalogNode? audioInputNode = null, audioOutputNode = null, flexNode = null, priorityNode = null, batchNode = null;
        foreach (var entry in mapping.Entries)
        {
            var key = KeyOf(entry);
            switch (key)
            {
                case null:
                    break;
                case "input":
                    Take(ref inputNode, entry, key);
                    break;
                case "output":
                    Take(ref outputNode, entry, key);
                    break;
                case "cached_input":
                    Take(ref cachedNode, entry, key);
                    break;
                case "cache_write":
                    Take(ref cacheWriteNode, entry, key);
                    break;
                case "cache_write_1h":
                    Take(ref cacheWrite1hNode, entry, key);
                    break;
                case "reasoning":
                    Take(ref reasoningNode, entry, key);
                    break;
                case "audio_input":
                    Take(ref audioInputNode, entry, key);
                    break;
                case "audio_output":
                    Take(ref audioOutputNode, entry, key);
                    break;
                case "tiers":
                    Take(ref tiersNode, entry, key);
                    break;
                case "flex":
                    Take(ref flexNode, entry, key);
                    break;
                case "priority":
                    Take(ref priorityNode, entry, key);
                    break;
                case "batch":
                    Take(ref batchNode, entry, key);
                    break;
                default:
                    UnknownKey(entry.Key, key, "a price", PriceKeys);
                    break;
            }
        }

        var input = ReadPriceValue(inputNode, "input", mapping, required: true);
        var output = ReadPriceValue(outputNode, "output", mapping, required: true);
        var cached = ReadPriceValue(cachedNode, "cached_input", mapping, required: false);
        var cacheWrite = ReadPriceValue(cacheWriteNode, "cache_write", mapping, required: false);
        var cacheWrite1h = ReadPriceValue(cacheWrite1hNode, "cache_write_1h", mapping, required: false);
        var reasoning = ReadPriceValue(reasoningNode, "reasoning", mapping, required: false);
        var audioInput = ReadPriceValue(audioInputNode, "audio_input", mapping, required: false);
        var audioOutput = ReadPriceValue(audioOutputNode, "audio_output", mapping, required: false);
        var tiers = ReadTiers(tiersNode);
        var flex = ReadServiceTier(flexNode, "flex");
        var priority = ReadServiceTier(priorityNode, "priority");
        var batch = ReadServiceTier(batchNode, "batch");
        if (_errorCount != errorsBefore || input is null || output is null)
        {
            return null;
        }

        return new CatalogPrice(input.Value, output.Value, cached, cacheWrite, reasoning, tiers, cacheWrite1h, audioInput, audioOutput, flex, priority, batch);
    }

    // A service tier's prices (price.flex, price.priority, price.batch): every key optional, a missing one keeps the standard price.
    private ServiceTierPrice? ReadServiceTier(CatalogNode? node, string name)
    {
        if (node is null || IsNull(node))
        {
            return null;
        }

        if (node is not MappingNode mapping)
        {
            Error(CatalogDiagnosticIds.InvalidValue, $"'{name}' must be a mapping of prices (input, output, cached_input, cache_write, audio_input), not {node.KindName}.", node);
            return null;
        }

        var errorsBefore = _errorCount;
        CatalogNode? inputNode = null, outputNode = null, cachedNode = null, cacheWriteNode = null, audioInputNode = null;
        foreach (var entry in mapping.Entries)
        {
            var key = KeyOf(entry);
            switch (key)
            {
                case null:
                    break;
                case "input":
                    Take(ref inputNode, entry, key);
                    break;
                case "output":
                    Take(ref outputNode, entry, key);
                    break;
                case "cached_input":
                    Take(ref cachedNode, entry, key);
                    break;
                case "cache_write":
                    Take(ref cacheWriteNode, entry, key);
                    break;
                case "audio_input":
                    Take(ref audioInputNode, entry, key);
                    break;
                default:
                    UnknownKey(entry.Key, key, $"the '{name}' service tier", ServiceTierKeys);
                    break;
            }
        }

        var input = ReadPriceValue(inputNode, "input", mapping, required: false);
        var output = ReadPriceValue(outputNode, "output", mapping, required: false);
        var cached = ReadPriceValue(cachedNode, "cached_input", mapping, required: false);
        var cacheWrite = ReadPriceValue(cacheWriteNode, "cache_write", mapping, required: false);
        var audioInput = ReadPriceValue(audioInputNode, "audio_input", mapping, required: false);
        if (_errorCount != errorsBefore || (input ?? output ?? cached ?? cacheWrite ?? audioInput) is null)
        {
            return null;
        }

        return new ServiceTierPrice(input, output, cached, cacheWrite, audioInput);
    }

    private EquatableArray<PriceTier> ReadTiers(CatalogNode? node)
    {
        if (node is null || IsNull(node))
        {
            return EquatableArray<PriceTier>.Empty;
        }

        if (node is not SequenceNode sequence)
        {
            Error(CatalogDiagnosticIds.InvalidValue, $"'tiers' must be a list of tiers, not {node.KindName}.", node);
            return EquatableArray<PriceTier>.Empty;
        }

        var tiers = new List<PriceTier>(sequence.Items.Count);
        foreach (var item in sequence.Items)
        {
            if (item is not MappingNode mapping)
            {
                Error(CatalogDiagnosticIds.InvalidValue, $"Each price tier must be a mapping (above_input_tokens, input, output…), not {item.KindName}.", item);
                continue;
            }

            var errorsBefore = _errorCount;
            CatalogNode? aboveNode = null, inputNode = null, outputNode = null, cachedNode = null, cacheWriteNode = null, cacheWrite1hNode = null;
            foreach (var entry in mapping.Entries)
            {
                var key = KeyOf(entry);
                switch (key)
                {
                    case null:
                        break;
                    case "above_input_tokens":
                        Take(ref aboveNode, entry, key);
                        break;
                    case "input":
                        Take(ref inputNode, entry, key);
                        break;
                    case "output":
                        Take(ref outputNode, entry, key);
                        break;
                    case "cached_input":
                        Take(ref cachedNode, entry, key);
                        break;
                    case "cache_write":
                        Take(ref cacheWriteNode, entry, key);
                        break;
                    case "cache_write_1h":
                        Take(ref cacheWrite1hNode, entry, key);
                        break;
                    default:
                        UnknownKey(entry.Key, key, "a price tier", TierKeys);
                        break;
                }
            }

            var above = ReadInteger(aboveNode, "above_input_tokens", mapping, required: true, long.MaxValue);
            var input = ReadPriceValue(inputNode, "input", mapping, required: true);
            var output = ReadPriceValue(outputNode, "output", mapping, required: true);
            var cached = ReadPriceValue(cachedNode, "cached_input", mapping, required: false);
            var cacheWrite = ReadPriceValue(cacheWriteNode, "cache_write", mapping, required: false);
            var cacheWrite1h = ReadPriceValue(cacheWrite1hNode, "cache_write_1h", mapping, required: false);
            if (_errorCount != errorsBefore || above is null || input is null || output is null)
            {
                continue;
            }

            // Keep tiers ordered by threshold (insertion sort: a model has a handful at most).
            var index = tiers.Count;
            while (index > 0 && tiers[index - 1].AboveInputTokens > above.Value)
            {
                index--;
            }

            if (index > 0 && tiers[index - 1].AboveInputTokens == above.Value)
            {
                Error(CatalogDiagnosticIds.InvalidValue, $"Two price tiers start above {above.Value} input tokens; each threshold may appear once.", aboveNode!);
                continue;
            }

            tiers.Insert(index, new PriceTier(above.Value, input.Value, output.Value, cached, cacheWrite, cacheWrite1h));
        }

        return EquatableArray<PriceTier>.UnsafeWrap(tiers.ToArray());
    }

    private EquatableArray<string> ReadCapabilities(CatalogNode? node)
    {
        if (node is null || IsNull(node))
        {
            return EquatableArray<string>.Empty;
        }

        if (node is not SequenceNode sequence)
        {
            Error(CatalogDiagnosticIds.InvalidValue, $"'capabilities' must be a list such as [streaming, tools], not {node.KindName}.", node);
            return EquatableArray<string>.Empty;
        }

        var result = new List<string>(sequence.Items.Count);
        foreach (var item in sequence.Items)
        {
            if (item is not ScalarNode { Kind: ScalarKind.Plain or ScalarKind.Quoted } scalar)
            {
                Error(CatalogDiagnosticIds.InvalidValue, $"A capability must be a word such as 'tools', not {item.KindName}.", item);
                continue;
            }

            var known = Find(CatalogVocabulary.Capabilities, scalar.Value);
            if (known is null)
            {
                Error(CatalogDiagnosticIds.UnknownCapability, $"Unknown capability '{scalar.Value}'; expected one of: {string.Join(", ", CatalogVocabulary.Capabilities)}.", item);
            }
            else if (!result.Contains(known))
            {
                result.Add(known);
            }
        }

        return EquatableArray<string>.UnsafeWrap(result.ToArray());
    }

    private EquatableArray<string> ReadAliases(CatalogNode? node)
    {
        if (node is null || IsNull(node))
        {
            return EquatableArray<string>.Empty;
        }

        if (node is not SequenceNode sequence)
        {
            Error(CatalogDiagnosticIds.InvalidValue, $"'aliases' must be a list of model ids, not {node.KindName}.", node);
            return EquatableArray<string>.Empty;
        }

        var result = new List<string>(sequence.Items.Count);
        foreach (var item in sequence.Items)
        {
            var alias = ReadModelId(item, "alias", null, required: true);
            if (alias is not null)
            {
                result.Add(alias);
            }
        }

        return EquatableArray<string>.UnsafeWrap(result.ToArray());
    }

    private string? ReadDialect(CatalogNode? node, MappingNode owner, bool required)
    {
        var value = ReadText(node, "dialect", owner, required ? "a provider definition" : "a model", required);
        if (value is null)
        {
            return null;
        }

        var known = Find(CatalogVocabulary.Dialects, value);
        if (known is null)
        {
            Error(CatalogDiagnosticIds.UnknownDialect, $"Unknown dialect '{value}'; expected one of: {string.Join(", ", CatalogVocabulary.Dialects)}.", node!);
        }

        return known;
    }

    private string? ReadModelId(CatalogNode? node, string key, MappingNode? owner, bool required)
    {
        var value = ReadText(node, key, owner, "a model", required);
        if (value is null)
        {
            return null;
        }

        foreach (var c in value)
        {
            if (char.IsWhiteSpace(c) || char.IsControl(c))
            {
                Error(CatalogDiagnosticIds.InvalidValue, $"Model {key} '{value}' must not contain spaces or control characters.", node!);
                return null;
            }
        }

        return value;
    }

    private string? ReadText(CatalogNode? node, string key, MappingNode? owner, string context, bool required)
    {
        if (node is null)
        {
            if (required && owner is not null)
            {
                Missing(key, owner, context);
            }

            return null;
        }

        if (node is not ScalarNode scalar)
        {
            Error(CatalogDiagnosticIds.InvalidValue, $"'{key}' must be text, not {node.KindName}.", node);
            return null;
        }

        switch (scalar.Kind)
        {
            case ScalarKind.Null:
                if (required)
                {
                    Error(CatalogDiagnosticIds.MissingField, $"'{key}' has no value.", node);
                }

                return null;
            case ScalarKind.Number:
            case ScalarKind.Boolean:
                Error(CatalogDiagnosticIds.InvalidValue, $"'{key}' must be a string, not {scalar.KindName}; write it in quotes.", node);
                return null;
        }

        if (scalar.Value.Length == 0)
        {
            if (required)
            {
                Error(CatalogDiagnosticIds.InvalidValue, $"'{key}' must not be empty.", node);
            }

            return null;
        }

        return scalar.Value;
    }

    private long? ReadInteger(CatalogNode? node, string key, MappingNode owner, bool required, long max)
    {
        if (node is null || IsNull(node))
        {
            if (required)
            {
                if (node is null)
                {
                    Missing(key, owner, "a model");
                }
                else
                {
                    Error(CatalogDiagnosticIds.MissingField, $"'{key}' has no value.", node);
                }
            }

            return null;
        }

        if (!TryReadNumber(node, key, CatalogDiagnosticIds.InvalidValue, out var value))
        {
            return null;
        }

        if (decimal.Truncate(value) != value)
        {
            Error(CatalogDiagnosticIds.InvalidValue, $"'{key}' must be a whole number{(key == "dimensions" ? string.Empty : " of tokens")}, not {Format(value)}.", node);
            return null;
        }

        if (value <= 0m || value > max)
        {
            Error(CatalogDiagnosticIds.OutOfRange, $"'{key}' is {Format(value)}; it must be greater than 0 and at most {max.ToString(CultureInfo.InvariantCulture)}.", node);
            return null;
        }

        return (long)value;
    }

    private decimal? ReadPriceValue(CatalogNode? node, string key, MappingNode owner, bool required)
    {
        if (node is null || IsNull(node))
        {
            if (required)
            {
                if (node is null)
                {
                    Missing(key, owner, "a price");
                }
                else
                {
                    Error(CatalogDiagnosticIds.MissingField, $"Price '{key}' has no value.", node);
                }
            }

            return null;
        }

        if (!TryReadNumber(node, key, CatalogDiagnosticIds.InvalidPrice, out var value))
        {
            return null;
        }

        if (value < 0m)
        {
            Error(CatalogDiagnosticIds.InvalidPrice, $"Price '{key}' is {Format(value)}; prices must not be negative.", node);
            return null;
        }

        return value;
    }

    private bool TryReadNumber(CatalogNode node, string key, string errorId, out decimal value)
    {
        value = 0m;
        if (node is not ScalarNode scalar)
        {
            Error(errorId, $"'{key}' must be a number, not {node.KindName}.", node);
            return false;
        }

        switch (scalar.Kind)
        {
            case ScalarKind.Quoted:
                Error(errorId, $"'{key}' must be a number, but \"{scalar.Value}\" is quoted text; remove the quotes.", node);
                return false;
            case ScalarKind.Boolean:
            case ScalarKind.Null:
                Error(errorId, $"'{key}' must be a number, not {scalar.KindName}.", node);
                return false;
        }

        if (decimal.TryParse(scalar.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out value))
        {
            return true;
        }

        if (LooksNumeric(scalar.Value))
        {
            var id = errorId == CatalogDiagnosticIds.InvalidPrice ? errorId : CatalogDiagnosticIds.OutOfRange;
            Error(id, $"'{key}' is {scalar.Value}, which is too large for a decimal.", node);
        }
        else
        {
            Error(errorId, $"'{key}' must be a number; '{Shorten(scalar.Value)}' is not a number.", node);
        }

        return false;
    }

    private string? KeyOf(in MappingEntry entry)
    {
        if (entry.Key is ScalarNode { Kind: not ScalarKind.Null } scalar)
        {
            return scalar.Value;
        }

        Error(CatalogDiagnosticIds.InvalidValue, $"A key must be plain text, not {entry.Key.KindName}.", entry.Key);
        return null;
    }

    private void Take(ref CatalogNode? slot, in MappingEntry entry, string key)
    {
        if (slot is null)
        {
            slot = entry.Value;
            return;
        }

        var first = _source.Location(slot);
        Error(CatalogDiagnosticIds.InvalidValue, $"Duplicate key '{key}'; it is already set on line {first.StartLine + 1}.", entry.Key);
    }

    private void UnknownKey(CatalogNode keyNode, string key, string context, string[] expected)
    {
        var suggestion = Suggest(key, expected);
        var message = suggestion is null
            ? $"Unknown key '{key}' in {context}; it is ignored. Known keys: {string.Join(", ", expected)}."
            : $"Unknown key '{key}' in {context}; it is ignored. Did you mean '{suggestion}'?";
        _diagnostics.Add(new CatalogDiagnostic(CatalogDiagnosticIds.UnknownKey, CatalogSeverity.Warning, message, _source.Location(keyNode)));
    }

    private bool? ReadBoolean(CatalogNode? node, string key)
    {
        if (node is null || IsNull(node))
        {
            return null;
        }

        if (node is ScalarNode { Kind: ScalarKind.Boolean or ScalarKind.Plain } scalar)
        {
            switch (scalar.Value)
            {
                case "true" or "True" or "TRUE":
                    return true;
                case "false" or "False" or "FALSE":
                    return false;
            }
        }

        Error(CatalogDiagnosticIds.InvalidValue, $"'{key}' must be true or false, not {(node is ScalarNode { Kind: ScalarKind.Quoted } ? "quoted text" : node.KindName)}.", node);
        return null;
    }

    /// <summary>
    /// True when <paramref name="baseUrl"/> is <c>http://</c> to a host other than <c>localhost</c>, 127.0.0.0/8 or
    /// <c>[::1]</c>; <paramref name="shown"/> is the URL without user info or query, as messages may show it.
    /// </summary>
    private static bool IsPlainHttpToRemoteHost(string baseUrl, out string shown)
    {
        shown = string.Empty;
        if (!Uri.TryCreate(baseUrl, UriKind.Absolute, out var uri) || !string.Equals(uri.Scheme, "http", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        shown = uri.Scheme + "://" + uri.Authority + uri.AbsolutePath;
        var host = uri.DnsSafeHost;
        if (string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        if (System.Net.IPAddress.TryParse(host, out var address))
        {
            if (address.IsIPv4MappedToIPv6)
            {
                address = address.MapToIPv4();
            }

            return !System.Net.IPAddress.IsLoopback(address);
        }

        return true;
    }

    private void Warning(string id, string message, CatalogNode node)
        => _diagnostics.Add(new CatalogDiagnostic(id, CatalogSeverity.Warning, message, _source.Location(node)));

    private void Missing(string key, MappingNode owner, string context)
        => Error(CatalogDiagnosticIds.MissingField, $"Missing required key '{key}' in {context}.", owner);

    /// <summary>
    /// A generated identifier: the explicit value when given (STRAT010 at it when invalid), else one derived from
    /// <paramref name="source"/> (STRAT010 at the source when the derivation is invalid); null after an error.
    /// </summary>
    private string? ResolveIdentifier(
        string? explicitValue,
        CatalogNode? explicitNode,
        Func<string, string> invalidExplicit,
        string? source,
        CatalogNode? sourceNode,
        Func<string, string> derive,
        Func<string, string, string> invalidDerived)
    {
        if (explicitValue is not null)
        {
            if (CatalogNames.IsValidIdentifier(explicitValue))
            {
                return explicitValue;
            }

            Error(CatalogDiagnosticIds.InvalidEnumName, invalidExplicit(explicitValue), explicitNode!);
            return null;
        }

        if (source is null)
        {
            return null;
        }

        var derived = derive(source);
        if (CatalogNames.IsValidIdentifier(derived))
        {
            return derived;
        }

        Error(CatalogDiagnosticIds.InvalidEnumName, invalidDerived(source, derived), sourceNode!);
        return null;
    }

    private void Error(string id, string message, CatalogNode node) => Error(id, message, node.Start, node.End);

    private void Error(string id, string message, int start, int end)
    {
        _errorCount++;
        _diagnostics.Add(new CatalogDiagnostic(id, CatalogSeverity.Error, message, _source.Location(start, end)));
    }

    private static bool IsNull(CatalogNode node) => node is ScalarNode { Kind: ScalarKind.Null };

    private static string? Find(IReadOnlyList<string> vocabulary, string value)
    {
        for (var i = 0; i < vocabulary.Count; i++)
        {
            if (string.Equals(vocabulary[i], value, StringComparison.Ordinal))
            {
                return vocabulary[i];
            }
        }

        return null;
    }

    private static string Format(decimal value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Shorten(string value) => value.Length <= 40 ? value : value.Substring(0, 40) + "…";

    internal static bool IsValidProviderId(string id)
    {
        if (id.Length == 0 || !IsLowerOrDigit(id[0]))
        {
            return false;
        }

        foreach (var c in id)
        {
            if (!IsLowerOrDigit(c) && c != '-' && c != '_' && c != '.')
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsLowerOrDigit(char c) => (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');

    private static bool IsValidEnvironmentVariable(string name)
    {
        if (name[0] >= '0' && name[0] <= '9')
        {
            return false;
        }

        foreach (var c in name)
        {
            if (!CatalogNames.IsAsciiLetterOrDigit(c) && c != '_')
            {
                return false;
            }
        }

        return true;
    }

    // sign? digits [. digits] [e sign? digits] — a number too large for decimal, not junk.
    private static bool LooksNumeric(string text)
    {
        var i = 0;
        if (i < text.Length && (text[i] == '+' || text[i] == '-'))
        {
            i++;
        }

        var digits = 0;
        while (i < text.Length && text[i] >= '0' && text[i] <= '9')
        {
            i++;
            digits++;
        }

        if (i < text.Length && text[i] == '.')
        {
            i++;
            while (i < text.Length && text[i] >= '0' && text[i] <= '9')
            {
                i++;
                digits++;
            }
        }

        if (digits == 0)
        {
            return false;
        }

        if (i < text.Length && (text[i] == 'e' || text[i] == 'E'))
        {
            i++;
            if (i < text.Length && (text[i] == '+' || text[i] == '-'))
            {
                i++;
            }

            var exponentDigits = 0;
            while (i < text.Length && text[i] >= '0' && text[i] <= '9')
            {
                i++;
                exponentDigits++;
            }

            if (exponentDigits == 0)
            {
                return false;
            }
        }

        return i == text.Length;
    }

    // The closest known key within two edits, for "did you mean" on typos.
    private static string? Suggest(string key, string[] expected)
    {
        string? best = null;
        var bestDistance = 3;
        foreach (var candidate in expected)
        {
            var distance = Distance(key, candidate, bestDistance);
            if (distance < bestDistance)
            {
                bestDistance = distance;
                best = candidate;
            }
        }

        return best;
    }

    private static int Distance(string a, string b, int limit)
    {
        if (Math.Abs(a.Length - b.Length) >= limit || a.Length > 64 || b.Length > 64)
        {
            return limit;
        }

        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }
}

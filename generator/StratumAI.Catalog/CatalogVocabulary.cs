namespace StratumAI.Catalog;

/// <summary>The closed sets of words a catalog may use.</summary>
public static class CatalogVocabulary
{
    /// <summary>Wire dialects the runtime speaks: the runtime's own list (src/StratumAI/Dialects/DialectNames.cs, linked into this library).</summary>
    public static readonly IReadOnlyList<string> Dialects = StratumAI.Dialects.DialectNames.All;

    /// <summary>Model capabilities, as written in <c>capabilities:</c>.</summary>
    public static readonly IReadOnlyList<string> Capabilities = new[]
    {
        "streaming", "tools", "vision", "json_schema", "json_mode", "reasoning", "prompt_caching", "pdf", "audio", "embeddings",
    };
}

/// <summary>Ids of catalog diagnostics. Each has a page under <c>docs/diagnostics/</c>.</summary>
public static class CatalogDiagnosticIds
{
    /// <summary>The file is not valid YAML/JSON, or its top level is not the expected shape.</summary>
    public const string MalformedFile = "STRAT001";

    /// <summary>A required field is missing.</summary>
    public const string MissingField = "STRAT002";

    /// <summary>A value has the wrong type (text where a number is expected, a list where a mapping is expected…).</summary>
    public const string InvalidValue = "STRAT003";

    /// <summary>A price is negative or not a number.</summary>
    public const string InvalidPrice = "STRAT004";

    /// <summary>A dialect is not one of <see cref="CatalogVocabulary.Dialects"/>.</summary>
    public const string UnknownDialect = "STRAT005";

    /// <summary>A capability is not one of <see cref="CatalogVocabulary.Capabilities"/>.</summary>
    public const string UnknownCapability = "STRAT006";

    /// <summary>Two models (or a model and an alias) share an id within the same layer.</summary>
    public const string DuplicateModelId = "STRAT007";

    /// <summary>Two models would produce the same <c>Model</c> enum member.</summary>
    public const string DuplicateEnumName = "STRAT008";

    /// <summary>A file refers to a provider that no file defines.</summary>
    public const string UnknownProvider = "STRAT009";

    /// <summary>A <c>name:</c> (or provider type name) is not a valid C# identifier.</summary>
    public const string InvalidEnumName = "STRAT010";

    /// <summary>A key the catalog format does not define (a warning: probably a typo).</summary>
    public const string UnknownKey = "STRAT011";

    /// <summary>Two files of the same layer define the same provider.</summary>
    public const string DuplicateProvider = "STRAT012";

    /// <summary>A number is out of its range (context window ≤ 0, quality outside 0..1…).</summary>
    public const string OutOfRange = "STRAT013";

    /// <summary>A deprecation date is not <c>yyyy-MM-dd</c>, or a replacement names no catalog model.</summary>
    public const string InvalidDeprecation = "STRAT014";

    /// <summary>
    /// A provider's <c>base_url</c> is plain <c>http://</c> to a host that is not loopback while it names an
    /// <c>api_key_env</c>, so the key would cross the network unencrypted (a warning; the runtime refuses such a call
    /// unless <c>allow_insecure_http</c> or the provider option allows it).
    /// </summary>
    public const string InsecureBaseUrl = "STRAT015";

    /// <summary>
    /// A model's <c>prices_as</c> names no model id or alias of the merged catalog, or a model that is itself priced as
    /// another: the model has no price and is left out.
    /// </summary>
    public const string UnknownPricesAs = "STRAT016";
}

namespace StratumAI.Catalog;

/// <summary>
/// A position in a catalog file. Lines and columns are zero-based (as Roslyn's <c>LinePosition</c>);
/// offsets are character offsets into the file text.
/// </summary>
public readonly record struct SourceLocation(
    string FilePath,
    int StartOffset,
    int Length,
    int StartLine,
    int StartColumn,
    int EndLine,
    int EndColumn)
{
    /// <summary>A location that covers the start of a file, for problems with no better position.</summary>
    public static SourceLocation StartOf(string filePath) => new(filePath, 0, 0, 0, 0, 0, 0);

    /// <summary>One-based "path(line,col)" as compilers print it.</summary>
    public override string ToString() => $"{FilePath}({StartLine + 1},{StartColumn + 1})";
}

/// <summary>Severity of a catalog problem.</summary>
public enum CatalogSeverity
{
    /// <summary>The catalog is still usable.</summary>
    Warning,

    /// <summary>The entry (or file) is rejected.</summary>
    Error,
}

/// <summary>A problem found in a catalog file, with where it is.</summary>
/// <param name="Id">The diagnostic id (<c>STRATnnn</c>), one of <see cref="CatalogDiagnosticIds"/>.</param>
/// <param name="Severity">How bad it is.</param>
/// <param name="Message">A message that names the offending value and what is expected.</param>
/// <param name="Location">Where in which file.</param>
public sealed record CatalogDiagnostic(string Id, CatalogSeverity Severity, string Message, SourceLocation Location);

/// <summary>A provider: one API endpoint family, with the wire dialect it speaks.</summary>
/// <param name="Id">Stable id used in configuration (<c>openai</c>, <c>anthropic</c>, …).</param>
/// <param name="Name">Display name (<c>OpenAI</c>).</param>
/// <param name="TypeName">Identifier used for generated types (<c>{TypeName}Client</c>, <c>{TypeName}Model</c>).</param>
/// <param name="Dialect">One of <see cref="CatalogVocabulary.Dialects"/>.</param>
/// <param name="BaseUrl">Base URL of the API, e.g. <c>https://api.openai.com/v1</c>.</param>
/// <param name="ApiKeyEnv">Environment variable holding the API key; null for local servers.</param>
/// <param name="Location">Where the provider was declared.</param>
public sealed record CatalogProvider(
    string Id,
    string Name,
    string TypeName,
    string Dialect,
    string? BaseUrl,
    string? ApiKeyEnv,
    SourceLocation Location)
{
    /// <summary>
    /// True when the catalog allows plain <c>http://</c> to a host that is not loopback although the provider sends an API key
    /// (<c>allow_insecure_http: true</c>); otherwise such a <c>base_url</c> is STRAT015 and the runtime refuses the call.
    /// </summary>
    public bool AllowInsecureHttp { get; init; }

    /// <summary>The rate limit the provider publishes for one key across its models (<c>rate_limits:</c>), or null.</summary>
    public CatalogRateLimit? RateLimits { get; init; }
}

/// <summary>A rate limit a provider publishes (<c>rate_limits: { requests_per_minute, tokens_per_minute }</c>); at least one is set.</summary>
/// <param name="RequestsPerMinute">Requests per minute, or null.</param>
/// <param name="TokensPerMinute">Tokens per minute, or null.</param>
public sealed record CatalogRateLimit(int? RequestsPerMinute, long? TokensPerMinute);

/// <summary>A price tier that applies when the prompt is larger than <paramref name="AboveInputTokens"/>.</summary>
/// <remarks>All prices are USD per one million tokens. A price left null keeps the model's base price.</remarks>
public sealed record PriceTier(
    long AboveInputTokens,
    decimal Input,
    decimal Output,
    decimal? CachedInput,
    decimal? CacheWrite,
    decimal? CacheWrite1h = null);

/// <summary>Prices of a model in USD per one million tokens; exact decimals, never binary floating point.</summary>
/// <param name="Input">Uncached input tokens.</param>
/// <param name="Output">Output tokens.</param>
/// <param name="CachedInput">Input tokens read from the provider's prompt cache; null when the provider has no cache price.</param>
/// <param name="CacheWrite">Input tokens written to the prompt cache (Anthropic-style cache creation).</param>
/// <param name="Reasoning">Reasoning tokens, where the provider prices them apart from output.</param>
/// <param name="Tiers">Higher prices above a prompt size, ordered by threshold.</param>
/// <param name="CacheWrite1h">Input tokens written to a one-hour prompt cache (Anthropic <c>ttl: 1h</c>), where priced apart
/// from <paramref name="CacheWrite"/> (the five-minute rate).</param>
/// <param name="AudioInput">Audio input tokens, where priced apart from <paramref name="Input"/>.</param>
/// <param name="AudioOutput">Audio output tokens, where priced apart from <paramref name="Output"/>.</param>
/// <param name="Flex">Prices of the flex service tier (OpenAI <c>service_tier: flex</c>), or null when the model has none.</param>
/// <param name="Priority">Prices of the priority service tier (OpenAI <c>service_tier: priority</c>), or null when the model has none.</param>
/// <param name="Batch">Prices of the provider's batch API (OpenAI Batch, Anthropic Message Batches), or null when the model has none.</param>
public sealed record CatalogPrice(
    decimal Input,
    decimal Output,
    decimal? CachedInput,
    decimal? CacheWrite,
    decimal? Reasoning,
    EquatableArray<PriceTier> Tiers,
    decimal? CacheWrite1h = null,
    decimal? AudioInput = null,
    decimal? AudioOutput = null,
    ServiceTierPrice? Flex = null,
    ServiceTierPrice? Priority = null,
    ServiceTierPrice? Batch = null);

/// <summary>
/// Prices of one service tier (flex, priority, batch), which replace the model's standard prices when the provider reports
/// serving the call at that tier (for batch: when the call was part of a batch). A price left null keeps the standard one.
/// </summary>
/// <remarks>All prices are USD per one million tokens.</remarks>
/// <param name="Input">Uncached input tokens.</param>
/// <param name="Output">Output tokens.</param>
/// <param name="CachedInput">Input tokens read from the prompt cache.</param>
/// <param name="CacheWrite">Input tokens written to the prompt cache.</param>
/// <param name="AudioInput">Audio input tokens.</param>
public sealed record ServiceTierPrice(
    decimal? Input,
    decimal? Output,
    decimal? CachedInput = null,
    decimal? CacheWrite = null,
    decimal? AudioInput = null);

/// <summary>A model in the catalog.</summary>
/// <param name="Id">The id the provider's API expects; unique across the whole catalog.</param>
/// <param name="EnumName">The <c>Model</c> enum member name (from <c>name:</c>, else derived from the id).</param>
/// <param name="ProviderId">The provider that serves it.</param>
/// <param name="Dialect">A dialect overriding the provider's, or null.</param>
/// <param name="ContextWindow">Maximum prompt + output tokens.</param>
/// <param name="MaxOutputTokens">Maximum output tokens, when known.</param>
/// <param name="Price">Prices; required for every model (zero for local ones).</param>
/// <param name="Capabilities">Capabilities from <see cref="CatalogVocabulary.Capabilities"/>, in file order.</param>
/// <param name="Quality">0..1 score used by the router, when known.</param>
/// <param name="Aliases">Other ids that resolve to this model.</param>
/// <param name="DeprecatedOn">Deprecation date as <c>yyyy-MM-dd</c>, when announced.</param>
/// <param name="Replacement">Id of the model that replaces it, when deprecated.</param>
/// <param name="Location">Where the model was declared.</param>
public sealed record CatalogModel(
    string Id,
    string EnumName,
    string ProviderId,
    string? Dialect,
    int ContextWindow,
    int? MaxOutputTokens,
    CatalogPrice Price,
    EquatableArray<string> Capabilities,
    decimal? Quality,
    EquatableArray<string> Aliases,
    string? DeprecatedOn,
    string? Replacement,
    SourceLocation Location)
{
    /// <summary>Where <see cref="Replacement"/> was written, so a replacement that names no model is reported at its value.</summary>
    public SourceLocation? ReplacementLocation { get; init; }

    /// <summary>
    /// The id or alias of the catalog model this one is priced as (<c>prices_as:</c>; an Azure OpenAI deployment names its
    /// base model), or null. After <see cref="CatalogMerger.Merge"/> the model holds the base model's price, context window,
    /// output limit, capabilities and quality wherever its own entry states none.
    /// </summary>
    public string? PricesAs { get; init; }

    /// <summary>Where <see cref="PricesAs"/> was written, so a base model that is not in the catalog is reported at its value.</summary>
    public SourceLocation? PricesAsLocation { get; init; }

    /// <summary>True while the model states no <c>price</c> of its own and waits for its <see cref="PricesAs"/> model's.</summary>
    public bool InheritsPrice { get; init; }

    /// <summary>
    /// For an embedding model (capability <c>embeddings</c>), the length of the vectors it returns when the request names no
    /// size (<c>dimensions:</c>, LiteLLM's <c>output_vector_size</c>); null when not given.
    /// </summary>
    public int? Dimensions { get; init; }

    /// <summary>The rate limit the provider publishes for this model per key (<c>rate_limits:</c>), or null. Not taken from a <see cref="PricesAs"/> model: a deployment has limits of its own.</summary>
    public CatalogRateLimit? RateLimits { get; init; }
}

/// <summary>The result of parsing one catalog file. Never null; problems are in <see cref="Diagnostics"/>.</summary>
/// <param name="FilePath">Path of the file.</param>
/// <param name="Provider">The provider declared by the file, or null when the block is missing or invalid.
/// For a reference (<paramref name="ProviderIsReference"/>) only <see cref="CatalogProvider.Id"/> and
/// <see cref="CatalogProvider.Location"/> are meaningful; the other strings are empty.</param>
/// <param name="ProviderIsReference">True when the provider block only names an existing provider by id.</param>
/// <param name="Models">The valid models of the file. They are validated even when the provider block is
/// invalid (so every problem is reported at once); <see cref="CatalogMerger"/> drops them in that case.</param>
/// <param name="Diagnostics">Everything wrong with the file.</param>
public sealed record CatalogFile(
    string FilePath,
    CatalogProvider? Provider,
    bool ProviderIsReference,
    EquatableArray<CatalogModel> Models,
    EquatableArray<CatalogDiagnostic> Diagnostics);

/// <summary>The merged catalog: default files with user files over them.</summary>
public sealed record CatalogSpec(
    EquatableArray<CatalogProvider> Providers,
    EquatableArray<CatalogModel> Models,
    EquatableArray<CatalogDiagnostic> Diagnostics);

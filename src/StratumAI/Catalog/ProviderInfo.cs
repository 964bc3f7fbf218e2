namespace StratumAI;

/// <summary>A provider from the catalog: where its API lives and which wire dialect it speaks.</summary>
/// <remarks>Instances are immutable and safe to share between threads.</remarks>
public sealed class ProviderInfo
{
    /// <summary>Creates provider metadata. Generated code calls this; users rarely need to.</summary>
    /// <param name="id">Stable id used in configuration, e.g. <c>openai</c>.</param>
    /// <param name="name">Display name, e.g. <c>OpenAI</c>.</param>
    /// <param name="dialect">Wire dialect: <c>openai</c>, <c>openai-responses</c>, <c>anthropic</c>, <c>gemini</c> or <c>ollama</c>.</param>
    /// <param name="baseUrl">Default base URL of the API; may be overridden in <c>StratumClientOptions</c>.</param>
    /// <param name="apiKeyEnvironmentVariable">Environment variable read for the API key, or null for servers that need none.</param>
    /// <exception cref="ArgumentException">An id, name or dialect is null or empty.</exception>
    public ProviderInfo(string id, string name, string dialect, string? baseUrl, string? apiKeyEnvironmentVariable)
    {
        ArgumentException.ThrowIfNullOrEmpty(id);
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentException.ThrowIfNullOrEmpty(dialect);
        Id = id;
        Name = name;
        Dialect = dialect;
        BaseUrl = baseUrl;
        ApiKeyEnvironmentVariable = apiKeyEnvironmentVariable;
    }

    /// <summary>Stable id used in configuration, e.g. <c>openai</c>.</summary>
    public string Id { get; }

    /// <summary>Display name.</summary>
    public string Name { get; }

    /// <summary>Default wire dialect of the provider's models.</summary>
    public string Dialect { get; }

    /// <summary>Default base URL from the catalog.</summary>
    public string? BaseUrl { get; }

    /// <summary>Environment variable that holds the API key, or null when none is needed.</summary>
    public string? ApiKeyEnvironmentVariable { get; }

    /// <summary>
    /// Whether the catalog allows sending credentials over plain <c>http://</c> to a host that is not loopback
    /// (<c>allow_insecure_http: true</c>). Otherwise <see cref="StratumClient"/> refuses such a call before sending it;
    /// <see cref="ProviderOptions.AllowInsecureHttp"/> allows it too.
    /// </summary>
    /// <value>Default false.</value>
    public bool AllowInsecureHttp { get; init; }

    /// <summary>
    /// The requests per minute the provider publishes for a key across all its models (the catalog's <c>rate_limits: { requests_per_minute }</c>), or
    /// null. <c>UseStratumRateLimits</c> enforces it before sending unless its options (or <see cref="ProviderOptions"/>) replace it.
    /// </summary>
    /// <value>Default null.</value>
    public int? RequestsPerMinute { get; init; }

    /// <summary>
    /// The tokens per minute the provider publishes for a key across all its models (the catalog's <c>rate_limits: { tokens_per_minute }</c>), or null.
    /// </summary>
    /// <value>Default null.</value>
    public long? TokensPerMinute { get; init; }

    /// <inheritdoc />
    public override string ToString() => Id;
}

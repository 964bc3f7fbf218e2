namespace StratumAI;

/// <summary>Everything the catalog knows about one model: who serves it, its limits, prices and capabilities.</summary>
/// <remarks>Instances are immutable and safe to share between threads. Generated code builds one per catalog model.</remarks>
public sealed class ModelInfo
{
    /// <summary>Creates model metadata. Generated code calls this; users rarely need to.</summary>
    /// <param name="id">The id the provider's API expects.</param>
    /// <param name="name">The <c>Model</c> enum member name.</param>
    /// <param name="provider">The provider serving the model.</param>
    /// <param name="dialect">Wire dialect for this model, or null to use the provider's.</param>
    /// <param name="contextWindow">Maximum prompt + output tokens.</param>
    /// <param name="maxOutputTokens">Maximum output tokens, or null when unknown.</param>
    /// <param name="pricing">Prices per million tokens.</param>
    /// <param name="capabilities">What the model can do.</param>
    /// <param name="quality">0..1 router quality score, or null.</param>
    /// <param name="aliases">Other ids that resolve to this model.</param>
    /// <param name="deprecatedOn">Announced deprecation date, or null.</param>
    /// <param name="replacementId">Id of the replacement model, or null.</param>
    /// <exception cref="ArgumentException"><paramref name="id"/> or <paramref name="name"/> is empty.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="provider"/> or <paramref name="pricing"/> is null.</exception>
    public ModelInfo(
        string id,
        string name,
        ProviderInfo provider,
        string? dialect,
        int contextWindow,
        int? maxOutputTokens,
        ModelPricing pricing,
        ModelCapabilities capabilities,
        double? quality = null,
        IReadOnlyList<string>? aliases = null,
        DateOnly? deprecatedOn = null,
        string? replacementId = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(id);
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(provider);
        ArgumentNullException.ThrowIfNull(pricing);
        Id = id;
        Name = name;
        Provider = provider;
        Dialect = string.IsNullOrEmpty(dialect) ? provider.Dialect : dialect;
        ContextWindow = contextWindow;
        MaxOutputTokens = maxOutputTokens;
        Pricing = pricing;
        Capabilities = capabilities;
        Quality = quality;
        Aliases = aliases ?? Array.Empty<string>();
        DeprecatedOn = deprecatedOn;
        ReplacementId = replacementId;
    }

    /// <summary>The id the provider's API expects, e.g. <c>gpt-4o</c>.</summary>
    public string Id { get; }

    /// <summary>The <c>Model</c> enum member name, e.g. <c>Gpt4o</c>.</summary>
    public string Name { get; }

    /// <summary>The provider serving the model.</summary>
    public ProviderInfo Provider { get; }

    /// <summary>The wire dialect used to call this model.</summary>
    public string Dialect { get; }

    /// <summary>Maximum prompt + output tokens.</summary>
    public int ContextWindow { get; }

    /// <summary>Maximum output tokens, or null when unknown.</summary>
    public int? MaxOutputTokens { get; }

    /// <summary>Prices per million tokens.</summary>
    public ModelPricing Pricing { get; }

    /// <summary>What the model can do.</summary>
    public ModelCapabilities Capabilities { get; }

    /// <summary>0..1 quality score used by the router, or null when unknown.</summary>
    public double? Quality { get; }

    /// <summary>Other ids that resolve to this model.</summary>
    public IReadOnlyList<string> Aliases { get; }

    /// <summary>Announced deprecation date, or null.</summary>
    public DateOnly? DeprecatedOn { get; }

    /// <summary>Id of the model that replaces this one, or null.</summary>
    public string? ReplacementId { get; }

    /// <summary>
    /// For an embedding model (<see cref="ModelCapabilities.Embeddings"/>), the length of the vectors it returns when a request
    /// names no size (the catalog's <c>dimensions</c>); null when unknown or not an embedding model.
    /// </summary>
    public int? Dimensions { get; init; }

    /// <summary>
    /// The requests per minute the provider publishes for this model per key (the catalog's <c>rate_limits: { requests_per_minute }</c>), or
    /// null. <c>UseStratumRateLimits</c> enforces it before sending unless its options (or <see cref="ProviderOptions"/>) replace it.
    /// </summary>
    /// <value>Default null.</value>
    public int? RequestsPerMinute { get; init; }

    /// <summary>
    /// The tokens per minute the provider publishes for this model per key (the catalog's <c>rate_limits: { tokens_per_minute }</c>), or null.
    /// </summary>
    /// <value>Default null.</value>
    public long? TokensPerMinute { get; init; }

    /// <summary>True when <paramref name="idOrAlias"/> is this model's id or one of its aliases.</summary>
    internal bool Answers(string idOrAlias)
    {
        if (string.Equals(Id, idOrAlias, StringComparison.Ordinal))
        {
            return true;
        }

        foreach (var alias in Aliases)
        {
            if (string.Equals(alias, idOrAlias, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>True when the model has every capability in <paramref name="required"/>.</summary>
    public bool Supports(ModelCapabilities required) => (Capabilities & required) == required;

    /// <inheritdoc />
    public override string ToString() => $"{Provider.Id}/{Id}";
}

namespace StratumAI;

/// <summary>What one model call cost, in USD, split by kind of token. Exact <see cref="decimal"/> values.</summary>
/// <param name="Input">Uncached prompt tokens at the input price.</param>
/// <param name="CachedInput">Prompt tokens read from the provider's cache, at the cached-input price.</param>
/// <param name="CacheWrite">Prompt tokens written to the provider's cache, at the cache-write price.</param>
/// <param name="Output">Output tokens at the output price (reasoning tokens included unless priced apart).</param>
/// <param name="Reasoning">Reasoning tokens, when the catalog prices them apart from output; otherwise zero.</param>
public sealed record CallCost(decimal Input, decimal CachedInput, decimal CacheWrite, decimal Output, decimal Reasoning)
{
    /// <summary>A call that cost nothing.</summary>
    public static CallCost Zero { get; } = new(0m, 0m, 0m, 0m, 0m);

    /// <summary>The whole cost: the sum of every component.</summary>
    public decimal Total => Input + CachedInput + CacheWrite + Output + Reasoning;
}

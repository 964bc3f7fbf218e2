namespace StratumAI.Generator;

/// <summary>Names of pipeline steps, so tests can assert which ones were cached.</summary>
internal static class TrackingNames
{
    public const string Options = nameof(Options);
    public const string CatalogInputs = nameof(CatalogInputs);
    public const string CatalogParse = nameof(CatalogParse);
    public const string CatalogMerge = nameof(CatalogMerge);
    public const string ModelNames = nameof(ModelNames);
    public const string LlmCalls = nameof(LlmCalls);

    /// <summary>Steps that depend only on catalog files and options: an edit to C# code must leave them cached.</summary>
    public static readonly string[] CatalogSteps = { Options, CatalogInputs, CatalogParse, CatalogMerge, ModelNames };
}

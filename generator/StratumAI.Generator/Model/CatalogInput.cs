using StratumAI.Catalog;

namespace StratumAI.Generator.Model;

/// <summary>The layer a catalog file belongs to; user files merge over default ones.</summary>
internal enum CatalogLayer
{
    Default,
    User,
}

/// <summary>One catalog file's text, selected from the additional files.</summary>
internal sealed record CatalogInput(string Path, CatalogLayer Layer, string Text);

/// <summary>One parsed catalog file with its layer.</summary>
internal sealed record ParsedCatalogFile(CatalogLayer Layer, CatalogFile File);

/// <summary>
/// The merged catalog plus the diagnostics only the merge found (the per-file ones are reported by
/// the per-file step, so an edit to one file re-reports only that file's problems).
/// </summary>
internal sealed record MergedCatalog(CatalogSpec Spec, EquatableArray<CatalogDiagnostic> MergeDiagnostics);

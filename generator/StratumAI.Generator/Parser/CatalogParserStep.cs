using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using StratumAI.Catalog;
using StratumAI.Generator.Model;

namespace StratumAI.Generator.Parser;

/// <summary>Selects catalog files among the additional files, parses each, and merges them.</summary>
internal static class CatalogParserStep
{
    /// <summary>The item metadata (made compiler-visible by the package's props) that marks a catalog file.</summary>
    public const string LayerMetadata = "build_metadata.AdditionalFiles.StratumCatalog";

    /// <summary>Reads a catalog file's text, or returns null when the additional file is not a catalog.</summary>
    public static CatalogInput? Select(AdditionalText text, AnalyzerConfigOptionsProvider optionsProvider, CancellationToken cancellationToken)
    {
        var path = text.Path ?? string.Empty;
        if (!HasCatalogExtension(path))
        {
            return null;
        }

        if (!optionsProvider.GetOptions(text).TryGetValue(LayerMetadata, out var layerText))
        {
            return null;
        }

        CatalogLayer layer;
        if (string.Equals(layerText.Trim(), "default", StringComparison.OrdinalIgnoreCase))
        {
            layer = CatalogLayer.Default;
        }
        else if (string.Equals(layerText.Trim(), "user", StringComparison.OrdinalIgnoreCase))
        {
            layer = CatalogLayer.User;
        }
        else
        {
            return null;
        }

        // Unreadable text parses as empty: the parser then reports the file rather than the generator failing.
        var content = text.GetText(cancellationToken)?.ToString() ?? string.Empty;
        return new CatalogInput(path, layer, content);
    }

    public static ParsedCatalogFile Parse(CatalogInput input, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        CatalogFile file;
        try
        {
            file = CatalogParser.Parse(input.Path, input.Text);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The parser promises never to throw; if it does, the build gets a diagnostic instead of CS8785.
            file = Failed(input.Path, "The catalog file could not be read: " + ex.GetType().Name + ": " + ex.Message);
        }

        return new ParsedCatalogFile(input.Layer, file ?? Failed(input.Path, "The catalog file could not be read."));
    }

    public static MergedCatalog Merge(IReadOnlyList<ParsedCatalogFile> files, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var defaults = new List<CatalogFile>();
        var user = new List<CatalogFile>();
        var fileDiagnostics = new HashSet<CatalogDiagnostic>();
        foreach (var parsed in files.OrderBy(f => f.File.FilePath, StringComparer.Ordinal))
        {
            (parsed.Layer == CatalogLayer.Default ? defaults : user).Add(parsed.File);
            foreach (var diagnostic in parsed.File.Diagnostics)
            {
                fileDiagnostics.Add(diagnostic);
            }
        }

        CatalogSpec spec;
        try
        {
            spec = CatalogMerger.Merge(defaults, user);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // As above: a merge bug must surface as a diagnostic, never as a generator crash.
            var diagnostic = new CatalogDiagnostic(
                CatalogDiagnosticIds.MalformedFile,
                CatalogSeverity.Error,
                "The catalog could not be merged: " + ex.GetType().Name + ": " + ex.Message,
                SourceLocation.StartOf(files.Count > 0 ? files[0].File.FilePath : string.Empty));
            return new MergedCatalog(
                new CatalogSpec(EquatableArray<CatalogProvider>.Empty, EquatableArray<CatalogModel>.Empty, EquatableArray<CatalogDiagnostic>.Empty),
                EquatableArray<CatalogDiagnostic>.UnsafeWrap(new[] { diagnostic }));
        }

        var mergeOnly = spec.Diagnostics.Where(d => d is not null && !fileDiagnostics.Contains(d)).ToArray();
        return new MergedCatalog(spec, EquatableArray<CatalogDiagnostic>.UnsafeWrap(mergeOnly));
    }

    /// <summary>The enum names the emitter will actually write, so [LlmCall] never resolves to a member that was left out.</summary>
    public static ModelNameSet Names(MergedCatalog catalog, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var models = Emitter.CatalogPlan.Create(catalog.Spec).Models;
        var names = new string[models.Count];
        for (var i = 0; i < names.Length; i++)
        {
            names[i] = models[i].Model.EnumName;
        }

        return new ModelNameSet(EquatableArray<string>.UnsafeWrap(names));
    }

    private static bool HasCatalogExtension(string path)
        => path.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase)
           || path.EndsWith(".yml", StringComparison.OrdinalIgnoreCase)
           || path.EndsWith(".json", StringComparison.OrdinalIgnoreCase);

    private static CatalogFile Failed(string path, string message)
        => new(
            path,
            null,
            false,
            EquatableArray<CatalogModel>.Empty,
            EquatableArray<CatalogDiagnostic>.UnsafeWrap(new[]
            {
                new CatalogDiagnostic(CatalogDiagnosticIds.MalformedFile, CatalogSeverity.Error, message, SourceLocation.StartOf(path)),
            }));
}

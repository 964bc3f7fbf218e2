using StratumAI.Catalog.Parsing;

namespace StratumAI.Catalog;

/// <summary>
/// Parses one catalog file (YAML, or JSON when the path ends in <c>.json</c>) into records and
/// diagnostics. Never throws: every problem, including text that is not YAML/JSON at all, becomes
/// a <see cref="CatalogDiagnostic"/> with the file, line and column.
/// </summary>
/// <remarks>Thread-safe: the parser keeps no state between calls.</remarks>
public static class CatalogParser
{
    /// <summary>Parses the text of one catalog file.</summary>
    /// <param name="filePath">The file's path, used for the format (by extension) and in every location. Null is treated as empty.</param>
    /// <param name="text">The file's text. Null is treated as empty.</param>
    /// <returns>The parsed file; its <see cref="CatalogFile.Diagnostics"/> list every problem.</returns>
    public static CatalogFile Parse(string? filePath, string? text)
    {
        var source = new SourceText(filePath ?? string.Empty, text ?? string.Empty);
        var diagnostics = new List<CatalogDiagnostic>();
        // Last line of defence: a generator must never crash on a user's file. The front ends turn
        // every known failure into a precise diagnostic already; the tests assert this net stays unused.
        try
        {
            var root = IsJson(source.FilePath)
                ? JsonFrontEnd.Build(source, diagnostics)
                : YamlFrontEnd.Build(source, diagnostics);
            return new CatalogValidator(source, diagnostics).Validate(root);
        }
        catch (Exception ex)
        {
            diagnostics.Add(new CatalogDiagnostic(
                CatalogDiagnosticIds.MalformedFile,
                CatalogSeverity.Error,
                $"The catalog file could not be read ({ex.GetType().Name}: {ex.Message}).",
                SourceLocation.StartOf(source.FilePath)));
            return new CatalogFile(source.FilePath, null, false, EquatableArray<CatalogModel>.Empty, EquatableArray<CatalogDiagnostic>.UnsafeWrap(diagnostics.ToArray()));
        }
    }

    /// <summary>Whether a path names a JSON catalog (extension <c>.json</c>, any case); every other path is read as YAML.</summary>
    /// <param name="filePath">The path.</param>
    /// <returns>True for <c>.json</c>.</returns>
    public static bool IsJson(string? filePath)
        => filePath is not null && filePath.EndsWith(".json", StringComparison.OrdinalIgnoreCase);
}

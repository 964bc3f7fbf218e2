using System.Reflection;

namespace StratumAI.Catalog.Tests;

/// <summary>Finds the repository and the shared data folder (../shared relative to the repo root).</summary>
internal static class TestPaths
{
    private static readonly Lazy<string> Root = new(FindRoot);

    public static string RepoRoot => Root.Value;

    public static string SharedDir => Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared"));

    public static string CatalogDir => Path.Combine(RepoRoot, "catalog");

    public static string LiteLlmOld => Path.Combine(SharedDir, "data", "litellm_model_prices.json");

    public static string LiteLlmNew => Path.Combine(SharedDir, "data", "litellm_model_prices_latest_mirror.json");

    private static string FindRoot()
    {
        foreach (var attribute in typeof(TestPaths).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>())
        {
            if (attribute.Key == "StratumRepoRoot" && !string.IsNullOrEmpty(attribute.Value) && Directory.Exists(attribute.Value))
            {
                return Path.GetFullPath(attribute.Value);
            }
        }

        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "StratumAI.Generators.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Cannot find the repository root (the folder holding StratumAI.Generators.sln).");
    }
}

/// <summary>Shared helpers: parse text with a ‸ marker and compare locations against it.</summary>
internal static class Marked
{
    public const char Marker = '‸';

    /// <summary>Removes the marker and returns the text plus the zero-based line, column and char offset it marked.</summary>
    public static (string Text, int Line, int Column, int Offset) Strip(string marked)
    {
        var offset = marked.IndexOf(Marker);
        Assert.True(offset >= 0, "The test text has no ‸ marker.");
        var text = marked.Remove(offset, 1);
        var line = 0;
        var lineStart = 0;
        for (var i = 0; i < offset; i++)
        {
            if (text[i] == '\n')
            {
                line++;
                lineStart = i + 1;
            }
        }

        return (text, line, offset - lineStart, offset);
    }

    public static CatalogDiagnostic Single(IEnumerable<CatalogDiagnostic> diagnostics, string id)
    {
        var matching = diagnostics.Where(d => d.Id == id).ToList();
        Assert.True(matching.Count == 1, $"Expected one {id}, got: {Describe(diagnostics)}");
        return matching[0];
    }

    public static string Describe(IEnumerable<CatalogDiagnostic> diagnostics)
        => string.Join(" | ", diagnostics.Select(d => $"{d.Id} {d.Location} {d.Message}"));

    public static void AtMarker(CatalogDiagnostic diagnostic, (string Text, int Line, int Column, int Offset) expected)
    {
        Assert.Equal(
            (expected.Line, expected.Column, expected.Offset),
            (diagnostic.Location.StartLine, diagnostic.Location.StartColumn, diagnostic.Location.StartOffset));
    }

    /// <summary>Locations must lie inside the text and agree with their own offsets.</summary>
    public static void LocationsAreConsistent(string text, CatalogFile file)
    {
        foreach (var diagnostic in file.Diagnostics)
        {
            var location = diagnostic.Location;
            Assert.InRange(location.StartOffset, 0, text.Length);
            Assert.InRange(location.StartOffset + location.Length, location.StartOffset, text.Length);
            var line = 0;
            var lineStart = 0;
            for (var i = 0; i < location.StartOffset; i++)
            {
                if (text[i] == '\n' || (text[i] == '\r' && (i + 1 >= text.Length || text[i + 1] != '\n')))
                {
                    line++;
                    lineStart = i + 1;
                }
            }

            Assert.Equal((line, location.StartOffset - lineStart), (location.StartLine, location.StartColumn));
        }
    }
}

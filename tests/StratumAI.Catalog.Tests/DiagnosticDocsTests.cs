using System.Text.RegularExpressions;

namespace StratumAI.Catalog.Tests;

/// <summary>Every catalog diagnostic has a docs page, and the page's examples really report that diagnostic.</summary>
public class DiagnosticDocsTests
{
    private static readonly Regex CodeBlock = new("```(yaml|json)\\n(.*?)```", RegexOptions.Singleline | RegexOptions.CultureInvariant);
    private static readonly Regex FileMarker = new("^# (\\S+\\.(?:yaml|json))$", RegexOptions.Multiline | RegexOptions.CultureInvariant);

    public static TheoryData<string> Ids()
    {
        var data = new TheoryData<string>();
        foreach (var field in typeof(CatalogDiagnosticIds).GetFields())
        {
            data.Add((string)field.GetValue(null)!);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Ids))]
    public void DocsPage_ExistsWithCauseExampleAndFix(string id)
    {
        var page = File.ReadAllText(PagePath(id));

        Assert.StartsWith($"# {id}: ", page, StringComparison.Ordinal);
        Assert.Contains("**Severity:** " + (id is CatalogDiagnosticIds.UnknownKey or CatalogDiagnosticIds.InsecureBaseUrl ? "warning" : "error"), page, StringComparison.Ordinal);
        Assert.Contains("## Cause", page, StringComparison.Ordinal);
        Assert.Contains("## Example", page, StringComparison.Ordinal);
        Assert.Contains("## Fix", page, StringComparison.Ordinal);
        Assert.Contains($"diagnostics/{id}.md", File.ReadAllText(Path.Combine(TestPaths.RepoRoot, "docs", "catalog.md")), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Ids))]
    public void DocsPage_ExamplesReportTheirDiagnostic(string id)
    {
        var page = File.ReadAllText(PagePath(id)).Replace("\r\n", "\n", StringComparison.Ordinal);
        var defaults = Directory.GetFiles(TestPaths.CatalogDir, "*.yaml").Select(p => CatalogParser.Parse(p, File.ReadAllText(p))).ToList();
        var exampleStart = page.IndexOf("## Example", StringComparison.Ordinal);
        var fixStart = page.IndexOf("## Fix", StringComparison.Ordinal);
        Assert.True(exampleStart >= 0 && fixStart > exampleStart, $"{id}: the page needs an Example section before Fix.");
        var blocks = CodeBlock.Matches(page.Substring(exampleStart, fixStart - exampleStart));
        Assert.NotEmpty(blocks);

        foreach (Match block in blocks)
        {
            var extension = block.Groups[1].Value;
            var text = block.Groups[2].Value;
            var user = Split(text, extension).Select(f => CatalogParser.Parse(f.Path, f.Text)).ToList();

            var spec = CatalogMerger.Merge(defaults, user);

            Assert.True(spec.Diagnostics.Any(d => d.Id == id), $"The {extension} example of {id} reports: {Marked.Describe(spec.Diagnostics)}");
        }
    }

    private static IEnumerable<(string Path, string Text)> Split(string block, string extension)
    {
        var markers = FileMarker.Matches(block);
        if (markers.Count == 0)
        {
            yield return ("models." + extension, block);
            yield break;
        }

        for (var i = 0; i < markers.Count; i++)
        {
            var start = markers[i].Index;
            var end = i + 1 < markers.Count ? markers[i + 1].Index : block.Length;
            yield return (markers[i].Groups[1].Value, block.Substring(start, end - start));
        }
    }

    private static string PagePath(string id) => Path.Combine(TestPaths.RepoRoot, "docs", "diagnostics", id + ".md");
}

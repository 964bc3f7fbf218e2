using System.Reflection;
using Microsoft.CodeAnalysis.Diagnostics;

namespace StratumAI.Analyzers.Tests;

public class DescriptorTests
{
    private static readonly DiagnosticAnalyzer[] Analyzers = [new LlmCallAnalyzer(), new ModelIdArgumentAnalyzer()];

    public static TheoryData<string> Ids()
    {
        var data = new TheoryData<string>();
        foreach (var id in Analyzers.SelectMany(a => a.SupportedDiagnostics).Select(d => d.Id).Distinct().Order(StringComparer.Ordinal))
        {
            data.Add(id);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Ids))]
    public void EveryId_HasHelpLinkDocsPageAndReleaseEntry(string id)
    {
        var descriptor = Analyzers.SelectMany(a => a.SupportedDiagnostics).First(d => d.Id == id);
        Assert.EndsWith("/docs/diagnostics/" + id + ".md", descriptor.HelpLinkUri, StringComparison.Ordinal);

        var root = RepoRoot();
        var page = File.ReadAllText(Path.Combine(root, "docs", "diagnostics", id + ".md"));
        Assert.StartsWith("# " + id + ":", page, StringComparison.Ordinal);

        var releases = File.ReadAllText(Path.Combine(root, "analyzers", "StratumAI.Analyzers", "AnalyzerReleases.Unshipped.md"));
        Assert.Contains(id + " | " + descriptor.Category + " | " + descriptor.DefaultSeverity + " |", releases, StringComparison.Ordinal);
    }

    [Fact]
    public void Ids_ContinueAfterTheGeneratorsAndNeverRepeatIt()
    {
        var ids = Analyzers.SelectMany(a => a.SupportedDiagnostics).Select(d => d.Id).Distinct().ToList();
        Assert.All(ids, id => Assert.True(string.CompareOrdinal(id, "STRAT107") >= 0, id + " collides with the generator's STRAT001-106"));
    }

    private static string RepoRoot()
    {
        var configured = typeof(DescriptorTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "StratumRepoRoot")?.Value;
        if (!string.IsNullOrEmpty(configured) && File.Exists(Path.Combine(configured, "StratumAI.Generators.sln")))
        {
            return configured;
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

using System.Reflection;

namespace StratumAI.Generator.Tests.Infrastructure;

/// <summary>Finds the repository (for the shipped catalog) and this project's baseline folder.</summary>
internal static class TestPaths
{
    public static string RepoRoot { get; } = FindRepoRoot();

    public static string ProjectDirectory => Path.Combine(RepoRoot, "tests", "StratumAI.Generator.Tests");

    public static string BaselineDirectory => Path.Combine(ProjectDirectory, "Baselines");

    public static string DefaultCatalogDirectory => Path.Combine(RepoRoot, "catalog");

    private static string FindRepoRoot()
    {
        var configured = typeof(TestPaths).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "StratumRepoRoot")?.Value;
        if (!string.IsNullOrEmpty(configured) && File.Exists(Path.Combine(configured, "StratumAI.Generators.sln")))
        {
            return Path.GetFullPath(configured);
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

using System.Reflection;

namespace StratumAI.EndToEnd.Tests;

/// <summary>Finds the repository root and ../shared the way CI lays them out.</summary>
internal static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    public static string Shared => Path.GetFullPath(Path.Combine(Root, "..", "shared"));

    public static string Fixture(string provider, string file) => Path.Combine(Shared, "fixtures", provider, file);

    private static string FindRoot()
    {
        var fromBuild = typeof(RepoPaths).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "StratumRepoRoot")?.Value;
        if (fromBuild is not null && File.Exists(Path.Combine(fromBuild, "StratumAI.Generators.sln")))
        {
            return Path.GetFullPath(fromBuild);
        }

        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "StratumAI.Generators.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Cannot find the repository root (the folder with StratumAI.Generators.sln).");
    }
}

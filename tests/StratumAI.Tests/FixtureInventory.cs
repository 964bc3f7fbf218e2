using System.Reflection;
using StratumAI.Testing;

namespace StratumAI.Tests;

/// <summary>
/// The check behind the fixture-folder guards ("every fixture of a folder is replayed by some test"): the folder holds
/// exactly the fixtures a guard's tests replay plus the ones it lists as awaiting a feature that is not built yet.
/// </summary>
internal static class FixtureInventory
{
    /// <summary>Why a fixture is recorded but not replayed yet: its feature is issue 13.</summary>
    public const string AwaitingIssue13 = "awaiting issue 13 (embeddings / batch / Azure OpenAI)";

    /// <summary>
    /// Asserts that <paramref name="present"/> is exactly <paramref name="replayed"/> plus <paramref name="awaiting"/>,
    /// that no fixture is both, and that no test source of this project other than <paramref name="guardSourceFile"/>
    /// names an awaiting fixture: a fixture that gets its replay test must leave the awaiting list.
    /// </summary>
    /// <param name="present">The fixtures in the folder(s) the guard covers.</param>
    /// <param name="replayed">The fixtures the guard's tests replay.</param>
    /// <param name="awaiting">The fixtures whose feature is not built yet, by reason (<see cref="AwaitingIssue13"/>).</param>
    /// <param name="guardSourceFile">The file name of the guard's own source, which holds the lists.</param>
    public static void AssertExactly(
        IEnumerable<string> present,
        IEnumerable<string> replayed,
        IReadOnlyDictionary<string, string> awaiting,
        string guardSourceFile)
    {
        var replayedList = replayed.Order(StringComparer.Ordinal).ToList();
        var both = replayedList.Intersect(awaiting.Keys, StringComparer.Ordinal).ToList();
        Assert.True(both.Count == 0, "replayed, yet still listed as awaiting (remove them from the awaiting list): " + string.Join(", ", both));

        var expected = replayedList.Concat(awaiting.Keys).Order(StringComparer.Ordinal).ToList();
        var actual = present.Order(StringComparer.Ordinal).ToList();
        var missing = actual.Except(expected, StringComparer.Ordinal).ToList();
        var gone = expected.Except(actual, StringComparer.Ordinal).ToList();
        Assert.True(
            missing.Count == 0 && gone.Count == 0,
            $"fixtures without a replay test or an awaiting entry: [{string.Join(", ", missing)}]; listed but not in the folder: [{string.Join(", ", gone)}]");

        var elsewhere = TestSources()
            .Where(f => !string.Equals(Path.GetFileName(f), guardSourceFile, StringComparison.Ordinal))
            .SelectMany(f =>
            {
                var text = File.ReadAllText(f);
                return awaiting.Keys.Where(k => text.Contains(Path.GetFileName(k), StringComparison.Ordinal)).Select(k => $"{k} (in {Path.GetFileName(f)})");
            })
            .ToList();
        Assert.True(elsewhere.Count == 0, "awaiting fixtures that a test now uses (remove them from the awaiting list): " + string.Join(", ", elsewhere));
    }

    /// <summary>This test project's folder, found from the repository root the build records.</summary>
    public static string TestProjectDirectory()
    {
        var root = typeof(FixtureInventory).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(a => a.Key == FixtureLoader.RepoRootMetadataKey).Value!;
        var project = Path.Combine(root, "tests", "StratumAI.Tests");
        Assert.True(File.Exists(Path.Combine(project, "StratumAI.Tests.csproj")), $"test sources not found under '{project}'");
        return project;
    }

    /// <summary>The C# sources of this test project.</summary>
    public static IEnumerable<string> TestSources()
    {
        var project = TestProjectDirectory();
        return Directory.EnumerateFiles(project, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal));
    }
}

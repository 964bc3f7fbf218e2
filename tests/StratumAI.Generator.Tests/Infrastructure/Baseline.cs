namespace StratumAI.Generator.Tests.Infrastructure;

/// <summary>
/// Compares emitted code with checked-in baselines. Baselines are regenerated only when
/// <c>STRATUM_UPDATE_BASELINES=1</c>, never edited by hand; a diff in review shows exactly what users get.
/// </summary>
internal static class Baseline
{
    public static bool Updating => Environment.GetEnvironmentVariable("STRATUM_UPDATE_BASELINES") == "1";

    public static void AssertMatches(string relativePath, string actual)
    {
        // .txt so the baselines are not compiled into this project.
        var path = Path.Combine(TestPaths.BaselineDirectory, relativePath + ".txt");
        actual = actual.Replace("\r\n", "\n", StringComparison.Ordinal);
        if (Updating)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, actual);
            return;
        }

        Assert.True(File.Exists(path), $"Baseline '{path}' is missing; run the tests with STRATUM_UPDATE_BASELINES=1 to create it.");
        var expected = File.ReadAllText(path).Replace("\r\n", "\n", StringComparison.Ordinal);
        Assert.Equal(expected, actual);
    }
}

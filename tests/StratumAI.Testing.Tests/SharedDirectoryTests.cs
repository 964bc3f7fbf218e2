namespace StratumAI.Testing.Tests;

[CollectionDefinition(nameof(EnvironmentVariableCollection), DisableParallelization = true)]
public sealed class EnvironmentVariableCollection;

/// <summary>Changes a process-wide environment variable, so it runs alone.</summary>
[Collection(nameof(EnvironmentVariableCollection))]
public sealed class SharedDirectoryTests
{
    [Fact]
    public void SharedFixturesDirectory_HonoursStratumSharedDirEnvironmentVariable()
    {
        var shared = Directory.CreateTempSubdirectory("stratum-shared-").FullName;
        Directory.CreateDirectory(Path.Combine(shared, "fixtures"));
        var before = Environment.GetEnvironmentVariable(FixtureLoader.SharedDirectoryEnvironmentVariable);
        try
        {
            Environment.SetEnvironmentVariable(FixtureLoader.SharedDirectoryEnvironmentVariable, shared);

            Assert.Equal(Path.Combine(shared, "fixtures"), FixtureLoader.SharedFixturesDirectory());
        }
        finally
        {
            Environment.SetEnvironmentVariable(FixtureLoader.SharedDirectoryEnvironmentVariable, before);
            Directory.Delete(shared, recursive: true);
        }
    }

    [Fact]
    public void SharedFixturesDirectory_UsesRepoRootMetadataOfTheTestAssembly()
    {
        var root = typeof(SharedDirectoryTests).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyMetadataAttribute), false)
            .Cast<System.Reflection.AssemblyMetadataAttribute>()
            .Single(a => a.Key == FixtureLoader.RepoRootMetadataKey).Value!;

        var directory = FixtureLoader.SharedFixturesDirectory(typeof(SharedDirectoryTests).Assembly);

        Assert.Equal(Path.GetFullPath(Path.Combine(root, "..", "shared", "fixtures")), directory);
    }

    [Fact]
    public void GetFixturePath_UnknownFixture_ThrowsFileNotFound()
    {
        Assert.Throws<FileNotFoundException>(() => FixtureLoader.GetFixturePath("openai/nope.yaml"));
    }
}

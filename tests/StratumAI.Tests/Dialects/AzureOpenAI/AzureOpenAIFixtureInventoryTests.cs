using StratumAI.Testing;

namespace StratumAI.Tests.Dialects.AzureOpenAI;

/// <summary>
/// Every recorded Azure OpenAI exchange is replayed by a test of this project (the chat and Responses ones by
/// <see cref="AzureOpenAIReplayTests"/>), or waits for its feature here. A fixture counts as replayed when a test source
/// names it, so a feature that consumes an awaiting fixture (Azure embeddings) only has to take it off the list below.
/// </summary>
public sealed class AzureOpenAIFixtureInventoryTests
{
    /// <summary>Azure fixtures of features not built yet.</summary>
    private static readonly Dictionary<string, string> Awaiting = new(StringComparer.Ordinal);

    [Fact]
    public void EveryAzureOpenAIFixture_IsReplayedOrAwaitsIssue13()
    {
        var root = FixtureLoader.SharedFixturesDirectory();
        var present = Directory.GetFiles(Path.Combine(root, "azure-openai")).Select(f => "azure-openai/" + Path.GetFileName(f)).ToList();
        var sources = FixtureInventory.TestSources()
            .Where(f => !string.Equals(Path.GetFileName(f), "AzureOpenAIFixtureInventoryTests.cs", StringComparison.Ordinal))
            .Select(File.ReadAllText)
            .ToList();
        var replayed = present.Where(fixture => sources.Any(text => text.Contains($"\"{fixture}\"", StringComparison.Ordinal))).ToList();

        // The chat and Responses recordings (17 of 18) are this dialect's own.
        Assert.True(replayed.Count >= 17, "replayed: " + string.Join(", ", replayed));
        FixtureInventory.AssertExactly(present, replayed, Awaiting, "AzureOpenAIFixtureInventoryTests.cs");
    }
}

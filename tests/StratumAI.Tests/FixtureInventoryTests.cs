using Xunit.Sdk;

namespace StratumAI.Tests;

/// <summary>The fixture-folder guards stay strict with an awaiting list: each way of leaving a fixture out still fails.</summary>
public sealed class FixtureInventoryTests
{
    private static readonly Dictionary<string, string> Awaiting = new(StringComparer.Ordinal)
    {
        ["embed__x.yaml"] = FixtureInventory.AwaitingIssue13,
    };

    [Fact]
    public void FolderOfReplayedAndAwaitingFixtures_Passes()
        => FixtureInventory.AssertExactly(["chat__a.yaml", "embed__x.yaml"], ["chat__a.yaml"], Awaiting, "FixtureInventoryTests.cs");

    [Fact]
    public void NewFixtureWithoutTestOrAwaitingEntry_Fails()
    {
        var error = Assert.Throws<TrueException>(() => FixtureInventory.AssertExactly(
            ["chat__a.yaml", "embed__x.yaml", "stream__new.yaml"], ["chat__a.yaml"], Awaiting, "FixtureInventoryTests.cs"));

        Assert.Contains("stream__new.yaml", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReplayedFixtureStillListedAsAwaiting_Fails()
    {
        var error = Assert.Throws<TrueException>(() => FixtureInventory.AssertExactly(
            ["chat__a.yaml", "embed__x.yaml"], ["chat__a.yaml", "embed__x.yaml"], Awaiting, "FixtureInventoryTests.cs"));

        Assert.Contains("embed__x.yaml", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AwaitingFixtureThatAnotherTestReplays_Fails()
    {
        // GeminiReplayTests replays this fixture; listing it as awaiting from another guard must fail.
        var awaiting = new Dictionary<string, string>(StringComparer.Ordinal) { ["chat__vercel-ai-google__google-text.json"] = FixtureInventory.AwaitingIssue13 };

        var error = Assert.Throws<TrueException>(() => FixtureInventory.AssertExactly(
            ["chat__vercel-ai-google__google-text.json"], [], awaiting, "FixtureInventoryTests.cs"));

        Assert.Contains("GeminiReplayTests.cs", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ListedFixtureMissingFromTheFolder_Fails()
    {
        var error = Assert.Throws<TrueException>(() => FixtureInventory.AssertExactly(["chat__a.yaml"], ["chat__a.yaml"], Awaiting, "FixtureInventoryTests.cs"));

        Assert.Contains("embed__x.yaml", error.Message, StringComparison.Ordinal);
    }
}

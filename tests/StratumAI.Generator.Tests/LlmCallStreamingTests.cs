using System.Reflection;
using System.Text;
using System.Text.Json.Nodes;
using StratumAI.Generator.Tests.Infrastructure;
using StratumAI.Testing;

namespace StratumAI.Generator.Tests;

public class LlmCallStreamingTests
{
    private const string StreamFixture = "openai/stream__vercel-ai-openai__openai-text.chunks.txt";

    private const string Streamer = """
        using System.Collections.Generic;
        using System.Runtime.CompilerServices;
        using System.Threading;
        using StratumAI;

        namespace App.Streaming;

        internal partial class Storyteller(StratumClient llm)
        {
            [LlmCall(Model.Gpt4o, Fallback = Model.Gpt4oMini, System = "You invent holidays.", Prompt = "Invent a holiday about {topic}", Temperature = 0.5)]
            public partial IAsyncEnumerable<string> InventAsync(string topic, CancellationToken ct = default);

            [LlmCall("gpt-4o", Prompt = "Tell {topic}")]
            public partial IAsyncEnumerable<string> TellAsync(string topic, [EnumeratorCancellation] CancellationToken cancellationToken);

            [LlmCall(Model.Gpt4o)]
            public partial IAsyncEnumerable<string> EchoAsync(string text);
        }
        """;

    [Fact]
    public void StreamingMethods_MatchBaselinesAndCompileWithoutWarnings()
    {
        var run = GeneratorHarness.Run(Streamer, TestCatalogs.Defaults);

        GeneratorHarness.AssertNoGeneratorFailure(run);
        Assert.Empty(run.GeneratorDiagnostics);
        Baseline.AssertMatches("LlmCall/StreamingWithFallback.g.cs", run.SourceStartingWith("LlmCall.App.Streaming.Storyteller.InventAsync."));
        Baseline.AssertMatches("LlmCall/StreamingTokenAlreadyMarked.g.cs", run.SourceStartingWith("LlmCall.App.Streaming.Storyteller.TellAsync."));
        Baseline.AssertMatches("LlmCall/StreamingWithoutToken.g.cs", run.SourceStartingWith("LlmCall.App.Streaming.Storyteller.EchoAsync."));
        Assert.Empty(run.CompileErrors());
        Assert.Empty(run.GeneratedCodeProblems());
    }

    [Fact]
    public void StreamingMethodWithRefParameter_ReportsStrat103AndStillCompiles()
    {
        const string source = """
            using System.Collections.Generic;
            using StratumAI;

            internal partial class Broken(StratumClient llm)
            {
                [LlmCall(Model.Gpt4o, Prompt = "{text}")]
                public partial IAsyncEnumerable<string> StreamAsync(in int count, string text);
            }
            """;

        var run = GeneratorHarness.Run(source, TestCatalogs.Defaults);

        Assert.Contains(run.GeneratorDiagnostics, d => d.Id == "STRAT103" && d.GetMessage(System.Globalization.CultureInfo.InvariantCulture).Contains("'count'", StringComparison.Ordinal));
        Assert.Empty(run.CompileErrors());
    }

    [Fact]
    public void StreamingMethodWithUnknownModel_ReportsStrat101AndTheStubStillCompiles()
    {
        const string source = """
            using System.Collections.Generic;
            using System.Threading;
            using StratumAI;

            internal partial class Unknown(StratumClient llm)
            {
                [LlmCall(Model.Gpt4oo, Prompt = "{text}")]
                public partial IAsyncEnumerable<string> StreamAsync(string text, CancellationToken ct);
            }
            """;

        var run = GeneratorHarness.Run(source, TestCatalogs.Defaults);

        Assert.Contains(run.GeneratorDiagnostics, d => d.Id == "STRAT101");
        Assert.DoesNotContain("async", run.SourceStartingWith("LlmCall.Unknown.StreamAsync."), StringComparison.Ordinal);

        // Only the user's own Model.Gpt4oo fails to bind; the stub itself compiles (no CS1983/CS8420 from an async stub).
        Assert.All(run.CompileErrors(), e => Assert.Equal("CS0117", e.Id));
    }

    [Fact]
    public async Task GeneratedStreamingMethod_StreamsTheRecordedTextUpdatesInOrder()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.EnqueueFixture(FixtureLoader.GetFixturePath(StreamFixture));
        using var client = ClientFor(server);
        var storyteller = CreateStoryteller(client);

        var updates = new List<string>();
        var enumerable = (IAsyncEnumerable<string>)storyteller.GetType().GetMethod("InventAsync")!.Invoke(storyteller, ["harmony", CancellationToken.None])!;
        Assert.Empty(server.ReceivedRequests);
        await foreach (var update in enumerable)
        {
            updates.Add(update);
        }

        Assert.True(updates.Count > 1, "The answer arrives in several updates, not as one block.");
        Assert.All(updates, u => Assert.NotEqual(string.Empty, u));
        Assert.Equal(RecordedText(), string.Concat(updates));
        var request = Assert.Single(server.ReceivedRequests);
        var body = JsonNode.Parse(request.Body)!;
        Assert.True((bool)body["stream"]!);
        Assert.Equal("gpt-4o", (string)body["model"]!);
        Assert.Equal(0.5, (double)body["temperature"]!, 3);
        Assert.Equal("Invent a holiday about harmony", (string)body["messages"]![1]!["content"]!);
    }

    [Fact]
    public async Task GeneratedStreamingMethod_PrimaryReturns503BeforeAnyText_StreamsFromTheFallback()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.Enqueue(FakeResponse.Status(503));
        server.EnqueueFixture(FixtureLoader.GetFixturePath(StreamFixture));
        using var client = ClientFor(server);
        var storyteller = CreateStoryteller(client);

        var text = new StringBuilder();
        await foreach (var update in (IAsyncEnumerable<string>)storyteller.GetType().GetMethod("InventAsync")!.Invoke(storyteller, ["harmony", CancellationToken.None])!)
        {
            text.Append(update);
        }

        Assert.Equal(RecordedText(), text.ToString());
        Assert.Equal(["gpt-4o", "gpt-4o-mini"], server.ReceivedRequests.Select(r => (string)JsonNode.Parse(r.Body)!["model"]!).ToArray());
    }

    [Fact]
    public async Task GeneratedStreamingMethod_TokenGivenToTheEnumerator_CancelsTheCall()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.EnqueueFixture(FixtureLoader.GetFixturePath(StreamFixture));
        using var client = ClientFor(server);
        var storyteller = CreateStoryteller(client);
        using var cancellation = new CancellationTokenSource();
        var enumerable = (IAsyncEnumerable<string>)storyteller.GetType().GetMethod("InventAsync")!.Invoke(storyteller, ["harmony", CancellationToken.None])!;

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var update in enumerable.WithCancellation(cancellation.Token))
            {
                Assert.NotEqual(string.Empty, update);
                await cancellation.CancelAsync();
            }
        });
    }

    private static StratumClient ClientFor(FakeProviderServer server)
    {
        var options = new StratumClientOptions();
        options.Provider("openai").ApiKey = "test-key";
        options.Provider("openai").BaseUrl = new Uri(server.BaseUri, "v1");
        return new StratumClient(options);
    }

    private static object CreateStoryteller(StratumClient client)
    {
        var run = GeneratorHarness.Run(Streamer, TestCatalogs.Defaults);
        using var stream = new MemoryStream();
        var emitted = run.Output.Emit(stream);
        Assert.True(emitted.Success, string.Join(Environment.NewLine, emitted.Diagnostics));
        var assembly = Assembly.Load(stream.ToArray());
        return Activator.CreateInstance(assembly.GetType("App.Streaming.Storyteller", throwOnError: true)!, client)!;
    }

    /// <summary>The text of the recorded stream, read from the fixture's chunks (so the test follows the fixture).</summary>
    private static string RecordedText()
    {
        var text = new StringBuilder();
        foreach (var line in File.ReadLines(FixtureLoader.GetFixturePath(StreamFixture)))
        {
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            foreach (var choice in JsonNode.Parse(line)!["choices"]!.AsArray())
            {
                text.Append((string?)choice!["delta"]?["content"]);
            }
        }

        return text.ToString();
    }
}

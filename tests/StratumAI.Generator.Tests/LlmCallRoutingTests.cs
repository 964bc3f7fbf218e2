using System.Globalization;
using System.Reflection;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using StratumAI.Generator.Tests.Infrastructure;
using StratumAI.Testing;

namespace StratumAI.Generator.Tests;

public class LlmCallRoutingTests
{
    private const string Routed = """
        using System.Threading.Tasks;
        using StratumAI;

        namespace App.Routed;

        public sealed record Capital(string City);

        internal partial class Desk(StratumClient llm)
        {
            [LlmCall(Strategy = RoutingStrategy.Cost, Prompt = "What is the capital of {country}?")]
            public partial Task<LlmResult<string>> AskAsync(string country);

            [LlmCall(Strategy = RoutingStrategy.Quality, Fallback = "gpt-4o-mini", Prompt = "Capital of {country}?")]
            public partial Task<Capital> CapitalAsync(string country);
        }
        """;

    [Fact]
    public void StrategyMethods_MatchBaselineAndCompile()
    {
        var run = GeneratorHarness.Run(Routed, TestCatalogs.Defaults);

        GeneratorHarness.AssertNoGeneratorFailure(run);
        Assert.Empty(run.GeneratorDiagnostics);
        Baseline.AssertMatches("LlmCall/RoutedByStrategy.g.cs", run.SourceStartingWith("LlmCall.App.Routed.Desk.AskAsync."));
        Baseline.AssertMatches("LlmCall/RoutedStructuredWithFallback.g.cs", run.SourceStartingWith("LlmCall.App.Routed.Desk.CapitalAsync."));
        Assert.Empty(run.CompileErrors());
        Assert.Empty(run.GeneratedCodeProblems());
    }

    [Fact]
    public async Task StrategyMethod_ChosenModelReturns503_FallsBackToTheNextRankedCandidate()
    {
        var run = GeneratorHarness.Run(Routed, TestCatalogs.Defaults);
        using var stream = new MemoryStream();
        Assert.True(run.Output.Emit(stream).Success);
        var assembly = Assembly.Load(stream.ToArray());
        await using var server = await FakeProviderServer.StartAsync();
        server.Enqueue(FakeResponse.Status(503));
        server.EnqueueFixture(FixtureLoader.GetFixturePath("openai/chat__pydantic-ai__test_openai_instructions.yaml"));
        // A registry of its own: two OpenAI models with quality scores, so the router ranks two candidates.
        var openai = new ProviderInfo("openai", "OpenAI", "openai", null, "OPENAI_API_KEY");
        var options = new StratumClientOptions { Models = new ModelRegistry() };
        options.Models.Register(
        [
            new ModelInfo("route-small", "RouteSmall", openai, null, 128_000, 16_384, new ModelPricing(0.15m, 0.60m), ModelCapabilities.Streaming, quality: 0.80),
            new ModelInfo("route-large", "RouteLarge", openai, null, 128_000, 16_384, new ModelPricing(2.50m, 10m), ModelCapabilities.Streaming, quality: 0.88),
        ]);
        options.Provider("openai").ApiKey = "test-key";
        options.Provider("openai").BaseUrl = new Uri(server.BaseUri, "v1");
        using var client = new StratumClient(options);

        var desk = Activator.CreateInstance(assembly.GetType("App.Routed.Desk", throwOnError: true)!, client)!;
        var decision = client.CreateRouter(o => o.Strategy = RoutingStrategy.Cost)
            .Route([new ChatMessage(ChatRole.User, "What is the capital of France?")]);
        var expected = decision.Candidates.Take(2).Select(c => c.Model.Id).ToArray();

        var result = await (Task<LlmResult<string>>)desk.GetType().GetMethod("AskAsync")!.Invoke(desk, ["France"])!;

        Assert.Equal(2, expected.Length);
        Assert.Equal(expected, result.Attempts.Select(a => a.ModelId).ToArray());
        Assert.Equal(expected, server.ReceivedRequests.Select(r => (string)JsonNode.Parse(r.Body)!["model"]!).ToArray());
        Assert.Equal(expected[1], result.ModelId);
        Assert.IsType<StratumProviderUnavailableException>(result.Attempts[0].Error);
        Assert.Equal("The capital of France is Paris.", result.Value);
    }

    [Fact]
    public void ModelAndStrategyTogether_ReportsStrat101AtTheModel()
    {
        const string source = """
            using System.Threading.Tasks;
            using StratumAI;

            internal partial class C(StratumClient llm)
            {
                [LlmCall(Model.Gpt4o, Strategy = RoutingStrategy.Cost, Prompt = "{q}")]
                public partial Task<string> AskAsync(string q);
            }
            """;

        var run = GeneratorHarness.Run(source, TestCatalogs.Defaults);

        var diagnostic = Assert.Single(run.GeneratorDiagnostics);
        Assert.Equal("STRAT101", diagnostic.Id);
        Assert.Equal("Model.Gpt4o", source.Substring(diagnostic.Location.SourceSpan.Start, diagnostic.Location.SourceSpan.Length));
        Assert.Contains("let the Strategy pick one per call", diagnostic.GetMessage(CultureInfo.InvariantCulture), StringComparison.Ordinal);
        Assert.Empty(run.CompileErrors());
    }
}

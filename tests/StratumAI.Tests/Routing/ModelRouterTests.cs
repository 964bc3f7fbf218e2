using System.Text.Json;
using Microsoft.Extensions.AI;
using static StratumAI.Tests.Routing.RoutingTestCatalog;

namespace StratumAI.Tests.Routing;

public sealed class ModelRouterTests
{
    private static readonly ChatMessage[] Hello = [new(ChatRole.User, "Say hello.")];

    [Fact]
    public void Cost_PicksTheCheapestModelWhoseExpectedQualityClearsTheBar()
    {
        // Best eligible is Sonnet (0.92): the bar is 0.95 × 0.92 = 0.874, which Large (0.90) clears and Mini (0.80) does not.
        var decision = Router(All).Route(Hello);

        Assert.Same(Large, decision.Model);
        Assert.Equal(RoutingStrategy.Cost, decision.Strategy);
        Assert.Contains("cheapest", decision.Reason, StringComparison.Ordinal);
        Assert.True(decision.Candidates[0].MeetsQualityBar);
        Assert.Equal([Large, Sonnet], decision.Candidates.Where(c => c.MeetsQualityBar).Select(c => c.Model));
    }

    [Theory]
    [InlineData(0.85, "mini")]
    [InlineData(0.0, "llama")]
    [InlineData(1.0, "sonnet")]
    public void Cost_LowerRatio_AcceptsCheaperModels(double ratio, string expected)
    {
        Assert.Equal(expected, Router(All, o => o.MinQualityRatio = ratio).Route(Hello).Model.Id);
    }

    [Fact]
    public void Cost_AbsoluteFloorNobodyReaches_FallsBackToTheBestModelAndSaysSo()
    {
        var decision = Router(All, o => o.MinExpectedQuality = 0.99).Route(Hello);

        Assert.Same(Sonnet, decision.Model);
        Assert.False(decision.Candidates[0].MeetsQualityBar);
        Assert.Contains("no model reaches the quality bar", decision.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Quality_PicksTheBestModel_AndUnderACeilingTheBestAffordable()
    {
        Assert.Same(Sonnet, Router(All, o => o.Strategy = RoutingStrategy.Quality).Route(Hello).Model);

        // 512 assumed output tokens: Large costs about $0.0051, Sonnet about $0.0077.
        var capped = Router(All, o => { o.Strategy = RoutingStrategy.Quality; o.MaxEstimatedCost = 0.006m; }).Route(Hello);
        Assert.Same(Large, capped.Model);
        Assert.Equal(1, capped.Rejections["over the cost ceiling"]);
    }

    [Fact]
    public void Hybrid_ZeroLambdaBehavesLikeQuality_LargeLambdaPicksTheCheapest()
    {
        Assert.Same(Sonnet, Router(All, o => { o.Strategy = RoutingStrategy.Hybrid; o.CostWeight = 0; }).Route(Hello).Model);
        Assert.Same(Llama, Router(All, o => { o.Strategy = RoutingStrategy.Hybrid; o.CostWeight = 10; }).Route(Hello).Model);
    }

    [Fact]
    public void Hybrid_ScoreIsQualityMinusLambdaTimesRelativeCost()
    {
        var decision = Router(All, o => { o.Strategy = RoutingStrategy.Hybrid; o.CostWeight = 0.3; }).Route(Hello);

        var maxCost = decision.Candidates.Max(c => c.EstimatedCost);
        foreach (var candidate in decision.Candidates)
        {
            var expected = candidate.ExpectedQuality - (0.3 * (double)(candidate.EstimatedCost / maxCost));
            Assert.Equal(expected, candidate.Score, 9);
        }

        Assert.Equal(decision.Candidates.Max(c => c.Score), decision.Candidates[0].Score);
    }

    [Fact]
    public void Latency_PicksTheFastestObservedModelAboveTheBar()
    {
        var router = Router(All, o => { o.Strategy = RoutingStrategy.Latency; o.MinQualityRatio = 0.85; });
        router.Latency.Record(Nano, TimeSpan.FromMilliseconds(5));   // fastest, but below the bar (0.62 < 0.782)
        router.Latency.Record(Mini, TimeSpan.FromMilliseconds(300));
        router.Latency.Record(Large, TimeSpan.FromMilliseconds(120));

        var decision = router.Route(Hello);

        Assert.Same(Large, decision.Model);
        Assert.Equal(120, decision.Candidates[0].LatencyMilliseconds);
        Assert.Contains("lowest observed latency", decision.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Latency_MovingAverageFollowsNewObservations()
    {
        var tracker = new LatencyTracker(smoothing: 0.5);
        tracker.Record(Mini, TimeSpan.FromMilliseconds(100));
        tracker.Record(Mini, TimeSpan.FromMilliseconds(300));

        Assert.Equal(TimeSpan.FromMilliseconds(200), tracker.GetAverage(Mini));
        Assert.Null(tracker.GetAverage(Large));
    }

    [Fact]
    public void Latency_WithNoObservations_ChoosesTheCheapestAboveTheBar()
    {
        var decision = Router(All, o => { o.Strategy = RoutingStrategy.Latency; o.MinQualityRatio = 0.85; }).Route(Hello);

        Assert.Same(Mini, decision.Model);
        Assert.Null(decision.Candidates[0].LatencyMilliseconds);
    }

    [Fact]
    public void Tools_ExcludeModelsWithoutToolCalling()
    {
        var options = new ChatOptions { Tools = [AIFunctionFactory.Create((string city) => "sunny", "weather")] };

        var decision = Router(All, o => o.MinQualityRatio = 0).Route(Hello, options);

        Assert.Same(Nano, decision.Model);
        Assert.Equal(1, decision.Rejections["missing capability Tools"]);
    }

    [Fact]
    public void JsonSchema_ExcludesModelsWithoutStructuredOutput()
    {
        var schema = JsonDocument.Parse("""{"type":"object"}""").RootElement;
        var options = new ChatOptions { ResponseFormat = ChatResponseFormat.ForJsonSchema(schema, "thing") };

        var decision = Router(All, o => o.Strategy = RoutingStrategy.Quality).Route(Hello, options);

        Assert.Same(Large, decision.Model);
        Assert.DoesNotContain(decision.Candidates, c => c.Model == Sonnet || c.Model == Llama);
    }

    [Fact]
    public void Images_ExcludeModelsWithoutVision()
    {
        ChatMessage[] messages = [new(ChatRole.User, [new TextContent("Describe it."), new UriContent("https://example.com/cat.png", "image/png")])];

        var decision = Router(All, o => o.MinQualityRatio = 0).Route(messages);

        Assert.Same(Nano, decision.Model);
    }

    [Fact]
    public void Streaming_ExcludesModelsThatCannotStream()
    {
        var batchOnly = Make("batch-only", OpenAI, 0.01m, 0.01m, 0.95, ModelCapabilities.None);

        Assert.Same(batchOnly, Router([batchOnly, Large], o => o.Strategy = RoutingStrategy.Quality).Route(Hello).Model);
        Assert.Same(Large, Router([batchOnly, Large], o => o.Strategy = RoutingStrategy.Quality).Route(Hello, streaming: true).Model);
    }

    [Fact]
    public void ContextWindow_MustHoldPromptPlusOutput()
    {
        // Llama's window is 8,192 tokens: 8,190 output tokens plus the prompt do not fit.
        var decision = Router(All, o => o.MinQualityRatio = 0).Route(Hello, new ChatOptions { MaxOutputTokens = 8_190 });

        Assert.NotSame(Llama, decision.Model);
        Assert.Equal(1, decision.Rejections["context window or output limit too small"]);
    }

    [Fact]
    public void OutputBeyondEveryModelsLimit_ThrowsNoRouteWithTheReasons()
    {
        var ex = Assert.Throws<StratumNoRouteException>(() => Router(All).Route(Hello, new ChatOptions { MaxOutputTokens = 20_000 }));

        Assert.Equal(5, ex.Rejections["context window or output limit too small"]);
        Assert.Contains("context window", ex.Message, StringComparison.Ordinal);
        Assert.IsAssignableFrom<StratumException>(ex);
    }

    [Fact]
    public void DeniedProvider_IsNeverChosen_AllowListKeepsOnlyItsProviders()
    {
        var denied = Router(All, o => { o.Strategy = RoutingStrategy.Quality; o.DeniedProviders.Add("ANTHROPIC"); }).Route(Hello);
        Assert.Same(Large, denied.Model);
        Assert.Equal(1, denied.Rejections["provider denied"]);

        var allowed = Router(All, o => { o.Strategy = RoutingStrategy.Quality; o.AllowedProviders.Add("ollama"); }).Route(Hello);
        Assert.Same(Llama, allowed.Model);
        Assert.Equal(4, allowed.Rejections["provider not in the allow list"]);
    }

    [Fact]
    public void UnconfiguredProviders_AreSkipped_EachCheckedOncePerDecision()
    {
        var checks = new List<string>();
        var decision = Router(All, o =>
        {
            o.Strategy = RoutingStrategy.Quality;
            o.IsProviderConfigured = p => { checks.Add(p.Id); return p.ApiKeyEnvironmentVariable is null; };
        }).Route(Hello);

        Assert.Same(Llama, decision.Model);
        Assert.Equal(4, decision.Rejections["provider not configured (no API key)"]);
        Assert.Equal(["anthropic", "ollama", "openai"], checks.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void ModelWithoutQualityEstimate_IsSkipped()
    {
        var unknown = Make("unknown", OpenAI, 0.01m, 0.01m, null, Full);

        var decision = Router([unknown, Mini], o => o.MinQualityRatio = 0).Route(Hello);

        Assert.Same(Mini, decision.Model);
        Assert.Equal(1, decision.Rejections["no quality estimate"]);
    }

    [Fact]
    public void Candidates_AreRankedAndCapped_AndDecisionsAreDeterministic()
    {
        var router = Router(All, o => { o.Strategy = RoutingStrategy.Quality; o.MaxCandidates = 3; });

        var first = router.Route(Hello);
        var second = router.Route(Hello);

        Assert.Equal([Sonnet, Large, Mini], first.Candidates.Select(c => c.Model));
        Assert.Equal(first.Candidates, second.Candidates);
        Assert.Equal(5, first.ConsideredModels);
        Assert.Same(first.Model, first.Candidates[0].Model);
    }

    [Fact]
    public void LargeCatalog_KeepsOnlyTheTopCandidatesInOrder()
    {
        var models = Enumerable.Range(0, 3000).Select(i => Make($"m{i:D4}", OpenAI, 0.01m * (i + 1), 0.02m * (i + 1), 0.5 + (i / 6000.0), Full)).ToArray();

        var decision = Router(models, o => { o.Strategy = RoutingStrategy.Quality; o.MaxCandidates = 4; }).Route(Hello);

        Assert.Equal(["m2999", "m2998", "m2997", "m2996"], decision.Candidates.Select(c => c.Model.Id));
    }

    [Fact]
    public void EstimatedCost_UsesTheLargePromptTierAboveItsThreshold()
    {
        var pricing = new ModelPricing(1m, 2m, Tiers: [new PriceTier(200_000, 3m, 4m)]);

        Assert.Equal(((1_000m * 1m) + (100m * 2m)) / 1_000_000m, ModelRouter.EstimateCost(pricing, 1_000, 100));
        Assert.Equal(((300_000m * 3m) + (100m * 4m)) / 1_000_000m, ModelRouter.EstimateCost(pricing, 300_000, 100));
    }

    [Fact]
    public void Options_RejectOutOfRangeValues()
    {
        var options = new RouterOptions();

        Assert.Throws<ArgumentOutOfRangeException>(() => options.MinQualityRatio = 1.5);
        Assert.Throws<ArgumentOutOfRangeException>(() => options.CostWeight = -1);
        Assert.Throws<ArgumentOutOfRangeException>(() => options.MaxEstimatedCost = -0.01m);
        Assert.Throws<ArgumentOutOfRangeException>(() => options.MaxCandidates = 0);
        Assert.Throws<ArgumentOutOfRangeException>(() => new LatencyTracker(0));
    }

    [Fact]
    public void DefaultEstimator_RoutesOverTheShippedCoefficientsWithoutError()
    {
        var router = new ModelRouter(All);

        var decision = router.Route([new ChatMessage(ChatRole.User, "Write a python function that reverses a linked list, then explain why it is O(n).")]);

        Assert.Contains(decision.Model, All);
        Assert.All(decision.Candidates, c => Assert.InRange(c.ExpectedQuality, 0, 1));
        Assert.NotEmpty(decision.Analysis.Contributions);
    }
}

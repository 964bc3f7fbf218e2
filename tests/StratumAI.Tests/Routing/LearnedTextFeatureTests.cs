using Microsoft.Extensions.AI;
using static StratumAI.Tests.Routing.RoutingTestCatalog;

namespace StratumAI.Tests.Routing;

public sealed class LearnedTextFeatureTests
{
    private const string Question = "Which of the following is a nonlinear differential equation? Explain your reasoning step by step.";

    private static ComplexityAnalysis Analyze(string prompt) =>
        ComplexityAnalyzer.Default.Analyze([new ChatMessage(ChatRole.User, prompt)]);

    [Fact]
    public void ShippedCoefficients_HoldAFittedTextTableAndWeightsForIt()
    {
        var table = RouterCoefficients.Text.Weights;
        var index = ComplexityAnalyzer.FeatureNames.ToList().IndexOf("learned_text");

        Assert.Equal(TextWeights.Buckets, table.Length);
        Assert.True(table.Count(w => w != 0) > TextWeights.Buckets / 2, "most buckets should carry a fitted weight");
        Assert.Equal(ComplexityAnalyzer.FeatureNames.Count - 1, index);
        Assert.NotEqual(0, RouterCoefficients.Difficulty.Weights[index]);
        Assert.All(RouterCoefficients.Profiles.Values, p => Assert.Equal(ComplexityAnalyzer.FeatureNames.Count, p.Weights.Length));
    }

    [Fact]
    public void TextScore_IsTheSumOfItsWordNumberAndPairBucketsOverTheRootOfTheirCount()
    {
        // "Alpha beta 12": three terms (two words and a two-digit number) and the two pairs between them.
        var alpha = (uint)PromptScanner.Hash("alpha");
        var beta = (uint)PromptScanner.Hash("beta");
        var number = TextWeights.NumberTerm(2);
        uint[] terms = [alpha, beta, TextWeights.Pair(alpha, beta), number, TextWeights.Pair(beta, number)];
        var weights = RouterCoefficients.Text.Weights;
        var expected = terms.Sum(t => (double)weights[TextWeights.Bucket(t)]) / Math.Sqrt(terms.Length);

        var analysis = Analyze("Alpha beta 12");

        Assert.Equal(expected, analysis.Features.TextScore, 12);
    }

    [Fact]
    public void TextScore_IsCaseInsensitiveAndDependsOnWordOrder()
    {
        var lower = Analyze("solve the integral of x squared");
        var upper = Analyze("SOLVE THE INTEGRAL OF X SQUARED");
        var shuffled = Analyze("the integral solve squared of x");

        Assert.Equal(lower.Features.TextScore, upper.Features.TextScore);
        Assert.NotEqual(lower.Features.TextScore, shuffled.Features.TextScore);
    }

    [Fact]
    public void TextScore_IsDeterministicAndZeroWithoutWords()
    {
        Assert.Equal(Analyze(Question).Features.TextScore, new ComplexityAnalyzer().Analyze([new ChatMessage(ChatRole.User, Question)]).Features.TextScore);
        Assert.NotEqual(0, Analyze(Question).Features.TextScore);
        Assert.Equal(0, Analyze("?!  ...").Features.TextScore);
    }

    [Fact]
    public void Contribution_IsOneNamedFeatureOfTheDifficulty()
    {
        var analysis = Analyze(Question);
        var text = analysis.Contributions.Single(c => c.Feature == "learned_text");

        Assert.Equal(analysis.Features.TextScore, text.Value);
        Assert.Equal(text.Value * text.Weight, text.Contribution, 12);
        Assert.Equal(analysis.DifficultyLogit, analysis.Intercept + analysis.Contributions.Sum(c => c.Contribution), 12);
    }

    [Fact]
    public void RouteDecision_CarriesTheLearnedTextContribution()
    {
        var decision = Router(All).Route([new ChatMessage(ChatRole.User, Question)]);

        var text = decision.Analysis.Contributions.Single(c => c.Feature == "learned_text");
        Assert.NotEqual(0, text.Contribution);
        Assert.Equal(decision.Analysis.Features.TextScore, text.Value);
    }

    [Fact]
    public void PromptsThatDifferOnlyInWords_GetDifferentTextContributions()
    {
        // Same shape, punctuation and cue counts (none): the hand-built features see the same request, the text term does not.
        var a = Analyze("Name the capital city of France.");
        var b = Analyze("Name the largest prime below fifty.");

        Assert.Equal(a.Features with { PromptTokens = 0, TextScore = 0 }, b.Features with { PromptTokens = 0, TextScore = 0 });
        Assert.NotEqual(
            a.Contributions.Single(c => c.Feature == "learned_text").Contribution,
            b.Contributions.Single(c => c.Feature == "learned_text").Contribution);
    }
}

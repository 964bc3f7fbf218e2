using Microsoft.Extensions.AI;

namespace StratumAI.Tests.Routing;

public sealed class QualityEstimatorTests
{
    private const string ArcLikePrompt = "Which property of a mineral can be determined just by looking at it?\nA. luster\nB. mass\nC. weight\nD. hardness";
    private const string CodePrompt = "Write a python function to find the longest common subsequence of two strings.\n```python\ndef lcs(a, b):\n    pass\n```";

    private static ComplexityAnalysis Analyze(string prompt) => ComplexityAnalyzer.Default.Analyze([new ChatMessage(ChatRole.User, prompt)]);

    private static ModelInfo Model(string id, double? quality = null, IReadOnlyList<string>? aliases = null) =>
        new(id, "M" + new string(id.Where(char.IsLetterOrDigit).ToArray()), RoutingTestCatalog.OpenAI, null, 128_000, null, new ModelPricing(1m, 1m), ModelCapabilities.None, quality, aliases);

    [Fact]
    public void ShippedProfiles_RankGpt4AboveMistral7bOnAMultipleChoiceQuestion()
    {
        var analysis = Analyze(ArcLikePrompt);

        var gpt4 = QualityEstimator.Default.Estimate(Model("gpt-4-1106-preview"), analysis);
        var mistral = QualityEstimator.Default.Estimate(Model("mistralai/mistral-7b-chat"), analysis);

        Assert.NotNull(gpt4);
        Assert.NotNull(mistral);
        Assert.True(gpt4 > mistral, $"{gpt4} <= {mistral}");
        Assert.InRange(gpt4!.Value, 0, 1);
    }

    [Fact]
    public void ProfileAlias_GivesTheSameEstimateAsTheCanonicalId()
    {
        var analysis = Analyze(CodePrompt);

        var canonical = QualityEstimator.Default.Estimate(Model("mistralai/mixtral-8x7b-chat"), analysis);
        var byAlias = QualityEstimator.Default.Estimate(Model("my-mixtral", aliases: ["open-mixtral-8x7b"]), analysis);

        Assert.NotNull(canonical);
        Assert.Equal(canonical, byAlias);
    }

    [Fact]
    public void CatalogModelWithoutProfile_UsesItsQualityScore_HigherScoreHigherEstimate()
    {
        var analysis = Analyze(ArcLikePrompt);

        var strong = QualityEstimator.Default.Estimate(Model("acme-strong", 0.92), analysis);
        var weak = QualityEstimator.Default.Estimate(Model("acme-weak", 0.60), analysis);

        Assert.True(strong > weak, $"{strong} <= {weak}");
    }

    [Fact]
    public void CatalogModel_ExpectsLessOnAHarderRequest()
    {
        var model = Model("acme-mid", 0.8);
        var easy = Analyze("Say hello.");
        var hard = Analyze(CodePrompt + "\nIt must run in O(n log n) and you must explain every step, then prove it correct.");

        Assert.True(hard.Difficulty > easy.Difficulty);
        Assert.True(QualityEstimator.Default.Estimate(model, hard) < QualityEstimator.Default.Estimate(model, easy));
    }

    [Fact]
    public void ModelWithNeitherProfileNorQuality_CannotBeJudged()
    {
        Assert.Null(QualityEstimator.Default.Estimate(Model("acme-unknown"), Analyze("hi")));
    }
}

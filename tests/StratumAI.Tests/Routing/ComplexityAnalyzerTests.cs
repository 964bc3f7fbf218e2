using System.Text.Json;
using Microsoft.Extensions.AI;
using Microsoft.ML.Tokenizers;

namespace StratumAI.Tests.Routing;

public sealed class ComplexityAnalyzerTests
{
    private static ComplexityAnalysis Analyze(string prompt, ChatOptions? options = null) =>
        ComplexityAnalyzer.Default.Analyze([new ChatMessage(ChatRole.User, prompt)], options);

    private static double Contribution(ComplexityAnalysis analysis, string feature) =>
        analysis.Contributions.Single(c => c.Feature == feature).Contribution;

    [Fact]
    public void PromptTokens_AreCountedWithO200kPlusMessageFraming()
    {
        const string System = "You are a careful assistant.";
        const string User = "Summarise the French Revolution in three sentences, please.";
        var tokenizer = TiktokenTokenizer.CreateForModel("gpt-4o");

        var analysis = ComplexityAnalyzer.Default.Analyze([new ChatMessage(ChatRole.System, System), new ChatMessage(ChatRole.User, User)]);

        Assert.Equal(tokenizer.CountTokens(System) + tokenizer.CountTokens(User) + 8, analysis.Features.PromptTokens);
        Assert.Equal(2, analysis.Features.MessageCount);
    }

    [Fact]
    public void CodeBlocksAndCodeWords_AreCountedAndRaiseDifficulty()
    {
        var code = Analyze("Fix this function:\n```python\ndef add(a, b):\n    return a - b;\n```\nIt should return the sum.");
        var chat = Analyze("Hello there, nice weather today.");

        Assert.Equal(1, code.Features.CodeBlocks);
        Assert.True(code.Features.CodeCues >= 3, $"code cues: {code.Features.CodeCues}");
        Assert.Equal(0, chat.Features.CodeBlocks);
        Assert.Equal(0, chat.Features.CodeCues);
        Assert.True(Contribution(code, "code") > 0);
        Assert.True(code.Difficulty > chat.Difficulty, $"{code.Difficulty} <= {chat.Difficulty}");
    }

    [Fact]
    public void MathReasoningQuestionsAndConstraints_AreCounted()
    {
        var analysis = Analyze("Solve 12 + 7 * 3 = x and explain why, step by step. Is x odd? Is it prime?\nYou must answer in exactly one line.");

        Assert.True(analysis.Features.MathCues >= 3, $"math: {analysis.Features.MathCues}");
        Assert.True(analysis.Features.ReasoningCues >= 3, $"reasoning: {analysis.Features.ReasoningCues}");
        Assert.Equal(2, analysis.Features.Questions);
        Assert.True(analysis.Features.Constraints >= 2, $"constraints: {analysis.Features.Constraints}");
    }

    [Fact]
    public void MultipleChoiceOptions_AreCountedAtLineStarts()
    {
        var analysis = Analyze("Which gas do plants absorb?\nA. Oxygen\nB. Carbon dioxide\n(C) Nitrogen\nD) Helium\nThe answer is A. Not a choice line.");

        Assert.Equal(4, analysis.Features.ChoiceOptions);
    }

    [Fact]
    public void RequestedOutputLength_ComesFromThePromptUnlessMaxOutputTokensIsSet()
    {
        Assert.Equal(400, Analyze("Write an essay of 300 words about rivers.").Features.RequestedOutputTokens);
        Assert.Equal(0, Analyze("Write an essay about rivers.").Features.RequestedOutputTokens);
        Assert.Equal(1000, Analyze("Write an essay of 300 words about rivers.", new ChatOptions { MaxOutputTokens = 1000 }).Features.RequestedOutputTokens);
    }

    [Fact]
    public void ToolsImagesAndJsonSchema_AreFeaturesAndRequiredCapabilities()
    {
        var schema = JsonDocument.Parse("""{"type":"object","properties":{"name":{"type":"string"}}}""").RootElement;
        var options = new ChatOptions
        {
            Tools = [AIFunctionFactory.Create((string city) => "sunny", "weather")],
            ResponseFormat = ChatResponseFormat.ForJsonSchema(schema, "person"),
        };
        var message = new ChatMessage(ChatRole.User, [new TextContent("What is in this picture?"), new DataContent(new byte[] { 1, 2, 3 }, "image/png")]);

        var analysis = ComplexityAnalyzer.Default.Analyze([message], options);

        Assert.Equal(1, analysis.Features.Tools);
        Assert.Equal(1, analysis.Features.Images);
        Assert.True(analysis.Features.StructuredOutput);
        Assert.True(analysis.Features.JsonSchema);
        Assert.Equal(ModelCapabilities.Tools | ModelCapabilities.Vision | ModelCapabilities.JsonSchema, analysis.RequiredCapabilities);
        Assert.True(Contribution(analysis, "tools") > 0);
        Assert.True(Contribution(analysis, "images") > 0);
    }

    [Fact]
    public void ToolResults_CountAsPromptTokens()
    {
        var result = string.Concat(Enumerable.Repeat("row 42: temperature 17 degrees; ", 200));
        ChatMessage[] withResult =
        [
            new(ChatRole.User, "Summarise the readings."),
            new(ChatRole.Tool, [new FunctionResultContent("call-1", result)]),
        ];
        ChatMessage[] without = [new(ChatRole.User, "Summarise the readings."), new(ChatRole.Tool, [new FunctionResultContent("call-1", null)])];

        var a = ComplexityAnalyzer.Default.Analyze(withResult);
        var b = ComplexityAnalyzer.Default.Analyze(without);

        Assert.Equal(TiktokenTokenizer.CreateForModel("gpt-4o").CountTokens(result), a.Features.PromptTokens - b.Features.PromptTokens);
    }

    [Fact]
    public void PlainRequest_NeedsNoCapability()
    {
        Assert.Equal(ModelCapabilities.None, Analyze("Hi!").RequiredCapabilities);
    }

    [Fact]
    public void Difficulty_IsTheSigmoidOfInterceptPlusContributions_AndDeterministic()
    {
        const string Prompt = "Prove that the square root of 2 is irrational. Then compare two proofs.";
        var first = Analyze(Prompt);
        var second = Analyze(Prompt);

        var logit = first.Intercept + first.Contributions.Sum(c => c.Contribution);
        Assert.Equal(logit, first.DifficultyLogit, 12);
        Assert.Equal(1 / (1 + Math.Exp(-logit)), first.Difficulty, 12);
        Assert.InRange(first.Difficulty, 0, 1);
        Assert.Equal(ComplexityAnalyzer.FeatureNames, first.Contributions.Select(c => c.Feature));
        Assert.Equal(first.Contributions, second.Contributions);
        Assert.Equal(first.Difficulty, second.Difficulty);
        foreach (var c in first.Contributions)
        {
            Assert.Equal(c.Value * c.Weight, c.Contribution, 12);
        }
    }

    [Fact]
    public void PathologicalText_IsScannedWithoutErrors()
    {
        // Long runs of characters that trip backtracking matchers: the scanner reads each character once.
        var text = new string('(', 50_000) + new string('`', 50_000) + string.Concat(Enumerable.Repeat("1+", 25_000)) + "\\" + new string('a', 20_000);

        var analysis = Analyze(text);

        Assert.True(analysis.Features.PromptTokens > 0);
        Assert.True(analysis.Features.MathCues >= 24_999, $"math: {analysis.Features.MathCues}");
        Assert.Equal(0, analysis.Features.CodeBlocks); // one run of backticks is one fence, not a closed block
    }

    [Fact]
    public void NullMessages_Throw()
    {
        Assert.Throws<ArgumentNullException>(() => ComplexityAnalyzer.Default.Analyze(null!));
    }
}

using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Testing;
using StratumAI.Analyzers.Tests.Infrastructure;
using static StratumAI.Analyzers.Tests.Infrastructure.Sources;

namespace StratumAI.Analyzers.Tests;

public class LlmCallAnalyzerTests
{
    private static Task VerifyAsync(string members, string today = StratumTestSetup.DefaultToday, string? config = null, string? editorConfig = null)
        => StratumAnalyzerTest<LlmCallAnalyzer>.VerifyAsync(InClass(members), today, config, editorConfig);

    /// <summary>
    /// For return types the generator does not implement yet it reports STRAT103; these tests are about what
    /// the analyzer says of the model, so the generator's verdict on the signature is left out.
    /// </summary>
    private static Task VerifyIgnoringSignatureSupportAsync(string members)
    {
        var test = new StratumAnalyzerTest<LlmCallAnalyzer>(InClass(members));
        test.DisabledDiagnostics.Add("STRAT103");
        return test.RunAsync();
    }

    // STRAT107: unknown model id string

    [Fact]
    public async Task UnknownModelString_InLlmCall_ReportsStrat107WithClosestIds()
    {
        var test = new StratumAnalyzerTest<LlmCallAnalyzer>(InClass("""
                [LlmCall({|#0:"gpt-4oo"|}, Fallback = Model.Claude35Sonnet, Prompt = "Hi {name}")]
                public partial Task<string> GreetAsync(string name);
            """));
        test.ExpectedDiagnostics.Add(new DiagnosticResult(DiagnosticIds.UnknownModelString, DiagnosticSeverity.Warning)
            .WithLocation(0)
            .WithMessage("The model id 'gpt-4oo' is not in the catalog; did you mean 'gpt-4o'?"));
        await test.RunAsync();
    }

    [Fact]
    public Task UnknownModelString_AsFallback_ReportsStrat107()
        => VerifyAsync("""
                [LlmCall(Model.Gpt4o, Fallback = {|STRAT107:"claude-3-5-sonet"|}, Prompt = "Hi {name}")]
                public partial Task<string> GreetAsync(string name);
            """);

    [Fact]
    public Task KnownModelIdOrAliasString_ReportsNothing()
        => VerifyAsync("""
                [LlmCall("gpt-4o-2024-08-06", Fallback = "claude-3-5-sonnet", Prompt = "Hi {name}")]
                public partial Task<string> GreetAsync(string name);
            """);

    // STRAT108: missing fallback

    [Fact]
    public Task NoFallback_ReportsStrat108AtAttributeName()
        => VerifyAsync("""
                [{|STRAT108:LlmCall|}(Model.Gpt4o, Prompt = "Hi {name}")]
                public partial Task<string> GreetAsync(string name);
            """);

    [Fact]
    public Task FallbacksList_CountsAsFallback()
        => VerifyAsync("""
                [LlmCall(Model.Gpt4o, Fallbacks = new object[] { Model.Claude35Sonnet }, Prompt = "Hi {name}")]
                public partial Task<string> GreetAsync(string name);
            """);

    [Fact]
    public Task RoutedByStrategy_RankedCandidatesAreTheFallbacks_ReportsNothing()
        => VerifyAsync("""
                [LlmCall(Strategy = StratumAI.RoutingStrategy.Cost, Prompt = "Hi {name}")]
                public partial Task<string> GreetAsync(string name);
            """);

    [Fact]
    public Task NoFallback_SeverityNoneInConfig_ReportsNothing()
        => VerifyAsync(
            """
                [LlmCall(Model.Gpt4o, Prompt = "Hi {name}")]
                public partial Task<string> GreetAsync(string name);
            """,
            editorConfig: "dotnet_diagnostic.STRAT108.severity = none");

    // STRAT109: fallback equal to the primary

    [Fact]
    public Task FallbackEqualToPrimary_ReportsStrat109()
        => VerifyAsync("""
                [LlmCall(Model.Gpt4o, Fallback = {|STRAT109:Model.Gpt4o|}, Prompt = "Hi {name}")]
                public partial Task<string> GreetAsync(string name);
            """);

    [Fact]
    public Task FallbackAliasOfPrimary_ReportsStrat109()
        => VerifyAsync("""
                [LlmCall(Model.Gpt4o, Fallbacks = new object[] { Model.Claude35Sonnet, {|STRAT109:"gpt-4o-2024-08-06"|} }, Prompt = "Hi {name}")]
                public partial Task<string> GreetAsync(string name);
            """);

    [Fact]
    public Task RepeatedFallback_ReportsStrat109()
        => VerifyAsync("""
                [LlmCall(Model.Gpt4o, Fallback = Model.Claude35Sonnet, Fallbacks = [{|STRAT109:Model.Claude35Sonnet|}], Prompt = "Hi {name}")]
                public partial Task<string> GreetAsync(string name);
            """);

    // STRAT110: fallback from the same provider

    [Fact]
    public Task FallbackFromPrimaryProvider_ReportsStrat110()
        => VerifyAsync("""
                [LlmCall(Model.Gpt4o, Fallback = {|STRAT110:Model.Gpt4oMini|}, Prompt = "Hi {name}")]
                public partial Task<string> GreetAsync(string name);
            """);

    [Fact]
    public Task FallbacksFromOtherProviders_ReportNothing()
        => VerifyAsync("""
                [LlmCall(Model.Gpt4o, Fallback = Model.Claude35Sonnet, Fallbacks = new object[] { "llama-3.3-70b" }, Prompt = "Hi {name}")]
                public partial Task<string> GreetAsync(string name);
            """);

    // STRAT111: fallback cannot serve the method

    [Fact]
    public async Task FallbackWithSmallerContextWindow_ReportsStrat111()
    {
        var test = new StratumAnalyzerTest<LlmCallAnalyzer>(InClass("""
                [LlmCall(Model.Claude35Sonnet, Fallback = {|#0:Model.Gpt4o|}, Prompt = "Hi {name}")]
                public partial Task<string> GreetAsync(string name);
            """));
        test.ExpectedDiagnostics.Add(new DiagnosticResult(DiagnosticIds.FallbackCannotServe, DiagnosticSeverity.Warning)
            .WithLocation(0)
            .WithMessage("The fallback 'gpt-4o' cannot serve 'GreetAsync': its context window (128,000 tokens) is smaller than the primary's (200,000)"));
        await test.RunAsync();
    }

    [Fact]
    public Task FallbackWithoutVision_ForImageParameter_ReportsStrat111()
        => VerifyAsync("""
                [LlmCall(Model.Gpt4o, Fallback = {|STRAT111:Model.Llama33|}, Prompt = "Describe the picture for {audience}")]
                public partial Task<string> DescribeAsync(string audience, DataContent image);
            """);

    [Fact]
    public Task FallbackWithVision_ForImageParameter_ReportsNothing()
        => VerifyAsync("""
                [LlmCall(Model.Gpt4o, Fallback = Model.Claude35Sonnet, Prompt = "Describe the picture for {audience}")]
                public partial Task<string> DescribeAsync(string audience, DataContent image);
            """);

    // STRAT112: model cannot serve the method

    [Fact]
    public Task ImageParameter_OnModelWithoutVision_ReportsStrat112()
        => VerifyAsync("""
                [LlmCall({|STRAT112:Model.Llama33|}, Fallback = Model.Claude35Sonnet, Prompt = "Describe {caption}")]
                public partial Task<string> DescribeAsync(string caption, Uri photoUrl);
            """);

    [Fact]
    public Task UriParameterUsedInTemplate_IsTextNotImage()
        => VerifyAsync("""
                [LlmCall(Model.Llama33, Fallback = Model.Claude35Sonnet, Prompt = "Summarize the page at {page}")]
                public partial Task<string> SummarizeAsync(Uri page);
            """);

    [Fact]
    public Task VisionModels_ForImageSequenceParameter_ReportNoCapabilityProblem()
        => VerifyAsync("""
                [LlmCall(Model.Gpt4o, Fallback = Model.Claude3Haiku, Prompt = "Describe {caption}")]
                public partial Task<string> DescribeAsync(string caption, IEnumerable<DataContent> images);
            """);

    [Fact]
    public Task StructuredOutput_OnModelWithoutJsonSchema_ReportsStrat112()
        => VerifyIgnoringSignatureSupportAsync("""
                [LlmCall({|STRAT112:Model.Claude35Sonnet|}, Fallback = {|STRAT111:Model.Gpt4o|}, Prompt = "Who is {name}?")]
                public partial Task<Person> DescribeAsync(string name);
            """);

    [Fact]
    public Task StructuredResult_OnModelWithJsonSchema_ReportsNothing()
        => VerifyIgnoringSignatureSupportAsync("""
                [LlmCall(Model.Gpt4o, Fallback = Model.Llama33, Prompt = "Who is {name}?")]
                public partial Task<Person> DescribeAsync(string name);
            """);

    [Fact]
    public Task Streaming_OnModelWithoutStreaming_ReportsStrat112()
        => VerifyIgnoringSignatureSupportAsync("""
                [LlmCall({|STRAT112:Model.Llama31Instant|}, Fallback = Model.Claude35Sonnet, Prompt = "Tell a story about {topic}")]
                public partial IAsyncEnumerable<string> TellAsync(string topic);
            """);

    // STRAT116: an embedding model named by [LlmCall]

    private const string EmbeddingCatalog = "provider:\n  id: embedco\n  name: EmbedCo\n  base_url: https://embed.example.com/v1\n  dialect: openai\nmodels:\n  - id: big-embed\n    context_window: 2000000\n    dimensions: 1024\n    price: {input: 0, output: 0}\n    capabilities: [embeddings]\n";

    [Fact]
    public async Task EmbeddingModel_AsPrimary_ReportsStrat116AndNoCapabilityNoise()
    {
        var test = new StratumAnalyzerTest<LlmCallAnalyzer>(
            InClass("""
                [LlmCall({|#0:"big-embed"|}, Fallback = Model.Claude35Sonnet, Prompt = "Hi {name}")]
                public partial Task<string> GreetAsync(string name);
            """),
            catalogs: [.. TestCatalogs.Defaults, ("/catalog/embeddings.yaml", EmbeddingCatalog)]);
        test.ExpectedDiagnostics.Add(new DiagnosticResult(DiagnosticIds.WrongModelKind, DiagnosticSeverity.Error)
            .WithLocation(0)
            .WithMessage("'big-embed' is an embedding model: it does not chat, so it cannot serve the [LlmCall] method 'GreetAsync'; name a chat model here, and use GetEmbeddingGenerator for embeddings"));
        await test.RunAsync();
    }

    [Fact]
    public Task EmbeddingModel_AsFallback_ReportsStrat116AtTheFallback()
        => new StratumAnalyzerTest<LlmCallAnalyzer>(
            InClass("""
                [LlmCall(Model.Gpt4o, Fallbacks = new object[] { Model.Claude35Sonnet, {|STRAT116:"big-embed"|} }, Prompt = "Hi {name}")]
                public partial Task<string> GreetAsync(string name);
            """),
            catalogs: [.. TestCatalogs.Defaults, ("/catalog/embeddings.yaml", EmbeddingCatalog)]).RunAsync();

    [Fact]
    public async Task MissingFallback_NeverSuggestsAnEmbeddingModel()
    {
        // big-embed is free, of another provider and has the largest context window: before STRAT116 it was the "cheapest fallback".
        var test = new StratumAnalyzerTest<LlmCallAnalyzer>(
            InClass("""
                [{|#0:LlmCall|}(Model.Gpt4o, Prompt = "Hi {name}")]
                public partial Task<string> GreetAsync(string name);
            """),
            catalogs: [.. TestCatalogs.Defaults, ("/catalog/embeddings.yaml", EmbeddingCatalog)]);
        test.ExpectedDiagnostics.Add(new DiagnosticResult(DiagnosticIds.MissingFallback, DiagnosticSeverity.Warning)
            .WithLocation(0)
            .WithMessage("The [LlmCall] method has no fallback; an outage of its provider fails every call. Add Fallback = a model of another provider such as 'llama-3.3-70b' (groq)."));
        await test.RunAsync();
    }

    // STRAT113: deprecated model

    [Fact]
    public async Task DeprecatedModel_AfterItsDate_ReportsStrat113WithReplacement()
    {
        var test = new StratumAnalyzerTest<LlmCallAnalyzer>(
            InClass("""
                [LlmCall({|#0:Model.O3Mini|}, Fallback = Model.Claude35Sonnet, Prompt = "Hi {name}")]
                public partial Task<string> GreetAsync(string name);
            """),
            today: "2026-07-01");
        test.ExpectedDiagnostics.Add(new DiagnosticResult(DiagnosticIds.DeprecatedModel, DiagnosticSeverity.Warning)
            .WithLocation(0)
            .WithMessage("The model 'o3-mini' was deprecated on 2026-06-30; use 'gpt-4o-mini' instead"));
        await test.RunAsync();
    }

    [Fact]
    public async Task DeprecatedModel_WithinWarningWindow_ReportsStrat113WithDaysLeft()
    {
        var test = new StratumAnalyzerTest<LlmCallAnalyzer>(
            InClass("""
                [LlmCall(Model.Claude35Sonnet, Fallback = {|#0:"o3-mini"|}, Prompt = "Hi {name}")]
                public partial Task<string> GreetAsync(string name);
            """),
            today: "2026-05-01");
        test.ExpectedDiagnostics.Add(new DiagnosticResult(DiagnosticIds.DeprecatedModel, DiagnosticSeverity.Warning)
            .WithLocation(0)
            .WithMessage("The model 'o3-mini' will be deprecated on 2026-06-30 (in 60 days); use 'gpt-4o-mini' instead"));
        await test.RunAsync();
    }

    [Fact]
    public Task DeprecatedModel_BeforeWarningWindow_ReportsNothing()
        => VerifyAsync(
            """
                [LlmCall(Model.O3Mini, Fallback = Model.Claude35Sonnet, Prompt = "Hi {name}")]
                public partial Task<string> GreetAsync(string name);
            """,
            today: "2026-01-01");

    [Fact]
    public Task DeprecatedModel_ShorterConfiguredWindow_ReportsNothing()
        => VerifyAsync(
            """
                [LlmCall(Model.O3Mini, Fallback = Model.Claude35Sonnet, Prompt = "Hi {name}")]
                public partial Task<string> GreetAsync(string name);
            """,
            today: "2026-05-01",
            config: "stratum_ai.deprecation_warning_days = 30");

    // STRAT114: parameter not used by any template

    [Fact]
    public Task ParameterInNoTemplate_ReportsStrat114()
        => VerifyAsync("""
                [LlmCall(Model.Gpt4o, Fallback = Model.Claude35Sonnet, System = "You write for {audience}.", Prompt = "Hi {name}")]
                public partial Task<string> GreetAsync(string name, string audience, int {|STRAT114:age|}, CancellationToken ct = default);
            """);

    [Fact]
    public Task ParametersPassedWithoutTemplates_ReportNothing()
        => VerifyAsync("""
                [LlmCall(Model.Gpt4o, Fallback = Model.Claude35Sonnet, Prompt = "Describe {caption:G} for {count,3}")]
                public partial Task<string> DescribeAsync(string caption, int count, DataContent image, ChatOptions options, CancellationToken ct);
            """);

    [Fact]
    public Task SecondChatOptionsOrAListOfThem_ReportsStrat114()
        => VerifyAsync("""
                [LlmCall(Model.Gpt4o, Fallback = Model.Claude35Sonnet, Prompt = "Hi {name}")]
                public partial Task<string> GreetAsync(string name, ChatOptions? options, ChatOptions {|STRAT114:other|}, ChatOptions[] {|STRAT114:many|}, CancellationToken ct = default);
            """);

    [Fact]
    public Task SingleStringParameterWithoutPrompt_IsThePrompt()
        => VerifyAsync("""
                [LlmCall(Model.Gpt4o, Fallback = Model.Claude35Sonnet, System = "Be brief.")]
                public partial Task<string> AskAsync(string question, CancellationToken ct = default);
            """);
}

using StratumAI.Analyzers.Tests.Infrastructure;
using static StratumAI.Analyzers.Tests.Infrastructure.Sources;

namespace StratumAI.Analyzers.Tests;

public class ModelIdArgumentAnalyzerTests
{
    private static Task VerifyAsync(string members, string today = StratumTestSetup.DefaultToday)
        => StratumAnalyzerTest<ModelIdArgumentAnalyzer>.VerifyAsync(InClass(members), today);

    [Fact]
    public Task GetResponseAsync_UnknownModelString_ReportsStrat107()
        => VerifyAsync("""
                public Task<ChatResponse> AskAsync(string question) => llm.GetResponseAsync({|STRAT107:"gpt-4oo"|}, question);
            """);

    [Fact]
    public Task GetChatClient_UnknownModelConstant_ReportsStrat107()
        => VerifyAsync("""
                private const string Id = "claude-35-sonnet";
                public IChatClient Chat() => llm.GetChatClient({|STRAT107:Id|});
            """);

    [Fact]
    public Task StreamingByNamedArgument_UnknownModelString_ReportsStrat107()
        => VerifyAsync("""
                public IAsyncEnumerable<ChatResponseUpdate> Stream(IEnumerable<ChatMessage> messages)
                    => llm.GetStreamingResponseAsync(messages: messages, modelIdOrAlias: {|STRAT107:"lama-3.3-70b"|});
            """);

    private const string EmbeddingCatalog = "provider:\n  id: openai\nmodels:\n  - id: text-embedding-3-small\n    context_window: 8191\n    dimensions: 1536\n    price: {input: 0.02, output: 0}\n    capabilities: [embeddings]\n";

    [Fact]
    public Task AChatModelForEmbeddings_AndAnEmbeddingModelForChat_ReportStrat116()
        => new StratumAnalyzerTest<ModelIdArgumentAnalyzer>(
            InClass("""
                public IEmbeddingGenerator<string, Embedding<float>> Embedder() => llm.GetEmbeddingGenerator({|STRAT116:"gpt-4o"|});
                public IChatClient Chat() => llm.GetChatClient({|STRAT116:"text-embedding-3-small"|});
                public Task<ChatResponse> AskAsync() => llm.GetResponseAsync({|STRAT116:"text-embedding-3-small"|}, "hi");
                public IEmbeddingGenerator<string, Embedding<float>> Right() => llm.GetEmbeddingGenerator("text-embedding-3-small");
                public IChatClient AlsoRight() => llm.GetChatClient("gpt-4o");
            """),
            catalogs: [.. TestCatalogs.Defaults, ("/catalog/embeddings.yaml", EmbeddingCatalog)]).RunAsync();

    [Fact]
    public Task KnownIdsAliasesAndRuntimeValues_ReportNothing()
        => VerifyAsync("""
                public Task<ChatResponse> AskAsync(string question, string chosenAtRunTime)
                {
                    _ = llm.GetChatClient("gpt-4o-2024-08-06");
                    _ = llm.GetChatClient(chosenAtRunTime);
                    return llm.GetResponseAsync("claude-3-5-sonnet", question);
                }
            """);

    [Fact]
    public Task ModelTheCatalogRejectsForItsName_IsUnknownAsInTheGeneratedCatalog()
    {
        // The id 'model' derives the name Model, which the generated enum cannot hold: the catalog reports STRAT010 at
        // the id, leaves the model out, and the analyzer treats its id as unknown, as ModelCatalog will at run time.
        const string reserved = "provider:\n  id: openai\nmodels:\n  - id: model\n    context_window: 8192\n    price: {input: 1, output: 2}\n";
        var test = new StratumAnalyzerTest<ModelIdArgumentAnalyzer>(
            InClass("""
                public Task<ChatResponse> AskAsync(string question) => llm.GetResponseAsync({|STRAT107:"model"|}, question);
            """),
            catalogs: [.. TestCatalogs.Defaults, ("/catalog/reserved.yaml", reserved)]);
        test.ExpectedDiagnostics.Add(
            new Microsoft.CodeAnalysis.Testing.DiagnosticResult("STRAT010", Microsoft.CodeAnalysis.DiagnosticSeverity.Error).WithSpan("/catalog/reserved.yaml", 4, 9, 4, 14));
        return test.RunAsync();
    }

    [Fact]
    public Task DeprecatedModelString_ReportsStrat113()
        => VerifyAsync(
            """
                public Task<ChatResponse> AskAsync(string question) => llm.GetResponseAsync({|STRAT113:"o3-mini"|}, question);
            """,
            today: "2026-07-01");

    [Fact]
    public Task DeprecatedModelEnumValue_InRuntimeCalls_ReportsStrat113()
        => VerifyAsync(
            """
                public Task<ChatResponse> AskAsync(string question)
                {
                    _ = llm.GetChatClient({|STRAT113:Model.O3Mini|});
                    _ = ModelCatalog.Get({|STRAT113:Model.O3Mini|});
                    return llm.GetResponseAsync({|STRAT113:Model.O3Mini|}, question);
                }
            """,
            today: "2026-07-01");

    [Fact]
    public Task DeprecatedProviderEnumValue_ReportsStrat113()
        => VerifyAsync(
            """
                public Task<ChatResponse> AskAsync(string question)
                    => new OpenAIClient(llm).GetResponseAsync({|STRAT113:OpenAIModel.O3Mini|}, question);
            """,
            today: "2026-07-01");

    [Fact]
    public Task CurrentModelEnumValuesAndRuntimeValues_ReportNothing()
        => VerifyAsync(
            """
                public Task<ChatResponse> AskAsync(string question, Model chosenAtRunTime)
                {
                    _ = llm.GetChatClient(chosenAtRunTime);
                    _ = llm.GetChatClient(Model.Claude35Sonnet);
                    _ = new OpenAIClient(llm).AsChatClient(OpenAIModel.Gpt4oMini);
                    return llm.GetResponseAsync(Model.Gpt4o, question);
                }
            """,
            today: "2026-07-01");

    [Fact]
    public Task DeprecatedModelEnumValue_BeforeItsWarningWindow_ReportsNothing()
        => VerifyAsync(
            """
                public Task<ChatResponse> AskAsync(string question) => llm.GetResponseAsync(Model.O3Mini, question);
            """,
            today: "2025-01-01");
}

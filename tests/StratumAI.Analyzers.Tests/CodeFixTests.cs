using StratumAI.Analyzers.CodeFixes;
using StratumAI.Analyzers.Tests.Infrastructure;
using static StratumAI.Analyzers.Tests.Infrastructure.Sources;

namespace StratumAI.Analyzers.Tests;

public class CodeFixTests
{
    [Fact]
    public Task UnknownModelString_InLlmCall_BecomesClosestEnumMember()
        => new StratumCodeFixTest<LlmCallAnalyzer, ReplaceModelCodeFix>(
            InClass("""
                [LlmCall({|STRAT107:"gpt-4oo"|}, Fallback = Model.Claude35Sonnet, Prompt = "Hi {name}")]
                public partial Task<string> GreetAsync(string name);
            """),
            InClass("""
                [LlmCall(Model.Gpt4o, Fallback = Model.Claude35Sonnet, Prompt = "Hi {name}")]
                public partial Task<string> GreetAsync(string name);
            """)).RunAsync();

    [Fact]
    public Task UnknownModelString_InRuntimeCall_BecomesClosestIdString()
        => new StratumCodeFixTest<ModelIdArgumentAnalyzer, ReplaceModelCodeFix>(
            InClass("""
                public Task<ChatResponse> AskAsync(string question) => llm.GetResponseAsync({|STRAT107:"claude-3-5-sonet"|}, question);
            """),
            InClass("""
                public Task<ChatResponse> AskAsync(string question) => llm.GetResponseAsync("claude-3-5-sonnet", question);
            """)).RunAsync();

    [Fact]
    public Task DeprecatedModel_BecomesItsReplacement()
        => new StratumCodeFixTest<LlmCallAnalyzer, ReplaceModelCodeFix>(
            InClass("""
                [LlmCall({|STRAT113:Model.O3Mini|}, Fallback = Model.Claude35Sonnet, Prompt = "Hi {name}")]
                public partial Task<string> GreetAsync(string name);
            """),
            InClass("""
                [LlmCall(Model.Gpt4oMini, Fallback = Model.Claude35Sonnet, Prompt = "Hi {name}")]
                public partial Task<string> GreetAsync(string name);
            """),
            today: "2026-07-01").RunAsync();

    [Fact]
    public Task DeprecatedEnumValues_InRuntimeCalls_AllBecomeTheReplacement()
        => new StratumCodeFixTest<ModelIdArgumentAnalyzer, ReplaceModelCodeFix>(
            InClass("""
                public Task<ChatResponse> AskAsync(string question)
                {
                    _ = llm.GetChatClient({|STRAT113:Model.O3Mini|});
                    _ = new OpenAIClient(llm).AsChatClient({|STRAT113:OpenAIModel.O3Mini|});
                    return llm.GetResponseAsync({|STRAT113:Model.O3Mini|}, question);
                }
            """),
            InClass("""
                public Task<ChatResponse> AskAsync(string question)
                {
                    _ = llm.GetChatClient(Model.Gpt4oMini);
                    _ = new OpenAIClient(llm).AsChatClient(OpenAIModel.Gpt4oMini);
                    return llm.GetResponseAsync(Model.Gpt4oMini, question);
                }
            """),
            today: "2026-07-01").RunAsync();

    [Fact]
    public Task UnknownModelStrings_FixAll_ReplacesEachWithItsOwnSuggestion()
        => new StratumCodeFixTest<ModelIdArgumentAnalyzer, ReplaceModelCodeFix>(
            InClass("""
                public Task<ChatResponse> AskAsync(string question)
                {
                    _ = llm.GetChatClient({|STRAT107:"gpt-4oo"|});
                    _ = llm.GetChatClient({|STRAT107:"claude-3-5-sonet"|});
                    return llm.GetResponseAsync({|STRAT107:"gpt-4oo"|}, question);
                }
            """),
            InClass("""
                public Task<ChatResponse> AskAsync(string question)
                {
                    _ = llm.GetChatClient("gpt-4o");
                    _ = llm.GetChatClient("claude-3-5-sonnet");
                    return llm.GetResponseAsync("gpt-4o", question);
                }
            """)).RunAsync();

    [Fact]
    public Task MissingFallback_AddsCheapestModelOfAnotherProviderWithTheContextWindow()
        => new StratumCodeFixTest<LlmCallAnalyzer, AddFallbackCodeFix>(
            InClass("""
                [{|STRAT108:LlmCall|}(Model.Gpt4o, Prompt = "Hi {name}")]
                public partial Task<string> GreetAsync(string name);
            """),
            InClass("""
                [LlmCall(Model.Gpt4o, Fallback = Model.Llama33, Prompt = "Hi {name}")]
                public partial Task<string> GreetAsync(string name);
            """)).RunAsync();

    [Fact]
    public Task MissingFallback_ForImageMethod_AddsCheapestVisionModelOfAnotherProvider()
        => new StratumCodeFixTest<LlmCallAnalyzer, AddFallbackCodeFix>(
            InClass("""
                [{|STRAT108:LlmCall|}(Model.Gpt4o, Prompt = "Describe {caption}")]
                public partial Task<string> DescribeAsync(string caption, DataContent image);
            """),
            InClass("""
                [LlmCall(Model.Gpt4o, Fallback = Model.Claude3Haiku, Prompt = "Describe {caption}")]
                public partial Task<string> DescribeAsync(string caption, DataContent image);
            """)).RunAsync();

    private const string NotPartialBefore = """
        using System.Threading.Tasks;
        using StratumAI;

        namespace App;

        internal static class Outer
        {
            /// <summary>Greets.</summary>
            internal class Greeter(StratumClient llm)
            {
                [LlmCall(Model.Gpt4o, Fallback = Model.Claude35Sonnet, Prompt = "Hi {name}")]
                public Task<string> GreetAsync(string name);

                [LlmCall(Model.Gpt4o, Fallback = Model.Claude35Sonnet, Prompt = "Bye {name}")]
                Task<string> FarewellAsync(string name);
            }
        }
        """;

    [Fact]
    public async Task NotPartial_FromGenerator_MakesMethodAndEveryContainingTypePartial()
    {
        var fixedText = await FixNotPartialAsync(NotPartialBefore, diagnostic => diagnostic.GetMessage().Contains("'GreetAsync' must be a partial", StringComparison.Ordinal));

        Assert.Equal(NotPartialBefore
            .Replace("internal static class Outer", "internal static partial class Outer", StringComparison.Ordinal)
            .Replace("internal class Greeter", "internal partial class Greeter", StringComparison.Ordinal)
            .Replace("public Task<string> GreetAsync", "public partial Task<string> GreetAsync", StringComparison.Ordinal), fixedText);
    }

    [Fact]
    public async Task NotPartial_MethodWithoutModifiers_GetsPartialInFrontOfItsReturnType()
    {
        var fixedText = await FixNotPartialAsync(NotPartialBefore, diagnostic => diagnostic.GetMessage().Contains("'FarewellAsync' must be a partial", StringComparison.Ordinal));

        Assert.Contains("\n        partial Task<string> FarewellAsync(string name);", fixedText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NotPartial_AllFixed_GeneratorReportsNothingAndCodeCompiles()
    {
        var text = NotPartialBefore.Replace("Task<string> FarewellAsync", "public Task<string> FarewellAsync", StringComparison.Ordinal);
        text = await FixNotPartialAsync(text, diagnostic => diagnostic.GetMessage().Contains("'GreetAsync' must be a partial", StringComparison.Ordinal));
        text = await FixNotPartialAsync(text, diagnostic => diagnostic.GetMessage().Contains("'FarewellAsync' must be a partial", StringComparison.Ordinal));

        var (diagnostics, output) = GeneratorRunner.Run(await CompileAsync(text));
        Assert.Empty(diagnostics);
        Assert.Empty(output.GetDiagnostics().Where(d => d.Severity == Microsoft.CodeAnalysis.DiagnosticSeverity.Error));
    }

    [Theory]
    [InlineData("replace-model")]
    [InlineData("add-fallback")]
    public async Task DiagnosticWithoutTheModelProperties_OffersNoFix(string which)
    {
        // A diagnostic of the fix's id that carries no model (another analyzer's, or an older StratumAI's) gets no action,
        // rather than a fix that writes an empty model.
        Microsoft.CodeAnalysis.CodeFixes.CodeFixProvider fix = which == "replace-model" ? new ReplaceModelCodeFix() : new AddFallbackCodeFix();
        using var workspace = new Microsoft.CodeAnalysis.AdhocWorkspace();
        var document = CreateDocument(workspace, "[System.Obsolete(\"gpt-4o\")] public class C { }");
        var root = (await document.GetSyntaxRootAsync())!;
        var literal = root.DescendantNodes().OfType<Microsoft.CodeAnalysis.CSharp.Syntax.LiteralExpressionSyntax>().Single();
        var descriptor = new Microsoft.CodeAnalysis.DiagnosticDescriptor(fix.FixableDiagnosticIds[0], "title", "message", "StratumAI", Microsoft.CodeAnalysis.DiagnosticSeverity.Warning, isEnabledByDefault: true);
        var diagnostic = Microsoft.CodeAnalysis.Diagnostic.Create(descriptor, Microsoft.CodeAnalysis.Location.Create(root.SyntaxTree, literal.Span));

        var actions = new List<Microsoft.CodeAnalysis.CodeActions.CodeAction>();
        await fix.RegisterCodeFixesAsync(new Microsoft.CodeAnalysis.CodeFixes.CodeFixContext(document, diagnostic, (action, _) => actions.Add(action), CancellationToken.None));

        Assert.Empty(actions);
    }

    /// <summary>Runs the generator for its STRAT105, applies the fix to the chosen one, and returns the fixed text.</summary>
    private static async Task<string> FixNotPartialAsync(string source, Func<Microsoft.CodeAnalysis.Diagnostic, bool> choose)
    {
        using var workspace = new Microsoft.CodeAnalysis.AdhocWorkspace();
        var document = CreateDocument(workspace, source);
        var compilation = await document.Project.GetCompilationAsync();
        var (diagnostics, _) = GeneratorRunner.Run(compilation!);
        var diagnostic = Assert.Single(diagnostics, d => d.Id == MakePartialCodeFix.NotPartialId && choose(d));

        var actions = new List<Microsoft.CodeAnalysis.CodeActions.CodeAction>();
        var context = new Microsoft.CodeAnalysis.CodeFixes.CodeFixContext(document, diagnostic, (action, _) => actions.Add(action), CancellationToken.None);
        await new MakePartialCodeFix().RegisterCodeFixesAsync(context);
        var fix = Assert.Single(actions);
        var operation = Assert.Single((await fix.GetOperationsAsync(CancellationToken.None)).OfType<Microsoft.CodeAnalysis.CodeActions.ApplyChangesOperation>());
        return (await operation.ChangedSolution.GetDocument(document.Id)!.GetTextAsync()).ToString();
    }

    private static async Task<Microsoft.CodeAnalysis.Compilation> CompileAsync(string source)
    {
        using var workspace = new Microsoft.CodeAnalysis.AdhocWorkspace();
        return (await CreateDocument(workspace, source).Project.GetCompilationAsync())!;
    }

    private static Microsoft.CodeAnalysis.Document CreateDocument(Microsoft.CodeAnalysis.AdhocWorkspace workspace, string source)
    {
        var project = workspace.AddProject("App", Microsoft.CodeAnalysis.LanguageNames.CSharp)
            .WithCompilationOptions(new Microsoft.CodeAnalysis.CSharp.CSharpCompilationOptions(Microsoft.CodeAnalysis.OutputKind.DynamicallyLinkedLibrary))
            .WithParseOptions(new Microsoft.CodeAnalysis.CSharp.CSharpParseOptions(Microsoft.CodeAnalysis.CSharp.LanguageVersion.Latest))
            .WithMetadataReferences(TestReferences.All);
        return project.AddDocument("Test0.cs", source, filePath: "/0/Test0.cs");
    }
}

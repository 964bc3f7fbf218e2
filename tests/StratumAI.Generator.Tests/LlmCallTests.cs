using System.Globalization;
using System.Net;
using System.Reflection;
using System.Text;
using Microsoft.CodeAnalysis;
using StratumAI.Generator.Tests.Infrastructure;

namespace StratumAI.Generator.Tests;

public class LlmCallTests
{
    private const string Summarizer = """
        using System.Threading;
        using System.Threading.Tasks;
        using StratumAI;

        namespace App.Text;

        internal partial class Summarizer(StratumClient llm)
        {
            [LlmCall(Model.Gpt4o, System = "You are a precise editor.", Prompt = "Summarize in at most {maxWords} words (budget {budget:F2}):\n{text}", Temperature = 0.2, MaxTokens = 400)]
            public partial Task<string> SummarizeAsync(string text, int maxWords, decimal budget, CancellationToken ct = default);
        }
        """;

    private const string NestedGeneric = """
        using System.Threading.Tasks;
        using StratumAI;

        namespace App
        {
            internal partial class Outer<T> where T : class
            {
                internal partial record Inner
                {
                    private readonly StratumClient _client = new();

                    [LlmCall("gpt-4o-mini", System = "Say \"hi\" \\ {{ok}}", Prompt = "Return JSON like {{\"name\": \"{name}\"}} for \"{name}\"\tnow")]
                    public partial ValueTask<string> DescribeAsync(string name);
                }
            }
        }
        """;

    private const string GlobalStatic = """
        using System.Threading.Tasks;

        internal static partial class Translator
        {
            public static global::StratumAI.StratumClient Client { get; set; } = null!;

            [global::StratumAI.LlmCall(global::StratumAI.Model.Claude35Sonnet)]
            internal static partial Task<string> TranslateAsync(string text);
        }
        """;

    private const string RecordStructGeneric = """
        namespace App.Records
        {
            internal partial record struct Classifier(StratumAI.StratumClient Llm)
            {
                [StratumAI.LlmCall(StratumAI.Model.O3Mini, Prompt = "Classify {@class,-10}|{count,5:D3}|{item}", Temperature = 1)]
                public partial System.Threading.Tasks.Task<string> ClassifyAsync<TItem>(string @class, int count, TItem item, System.Threading.CancellationToken cancellationToken)
                    where TItem : notnull;
            }
        }
        """;

    private const string Vision = """
        using System;
        using System.Collections.Generic;
        using System.Threading;
        using System.Threading.Tasks;
        using Microsoft.Extensions.AI;
        using StratumAI;

        namespace App.Vision;

        internal partial class Describer(StratumClient llm)
        {
            [LlmCall(Model.Gpt4o, System = "You describe images.", Prompt = "Describe the image from {source} in {words} words", Temperature = 0.3, Tags = new[] { "vision" })]
            public partial Task<string> DescribeAsync(IEnumerable<ChatMessage>? history, DataContent? photo, Uri picture, Uri source, int words, ChatOptions? options, CancellationToken ct = default);

            [LlmCall(Model.Gpt4o, Prompt = "Continue: {text}")]
            public partial ValueTask<string> ContinueAsync(IReadOnlyList<ChatMessage> history, ChatMessage? last, string text, ChatOptions options, List<DataContent>? scans, Uri[] links);
        }
        """;

    public static TheoryData<string, string, string> Variants => new()
    {
        { "VisionHistoryOptions", Vision, "LlmCall.App.Vision.Describer.DescribeAsync." },
        { "HistoryAndOptionsPassedThrough", Vision, "LlmCall.App.Vision.Describer.ContinueAsync." },
        { "Summarizer", Summarizer, "LlmCall.App.Text.Summarizer.SummarizeAsync." },
        { "NestedGeneric", NestedGeneric, "LlmCall.App.Outer.Inner.DescribeAsync." },
        { "GlobalStatic", GlobalStatic, "LlmCall.Translator.TranslateAsync." },
        { "RecordStructGeneric", RecordStructGeneric, "LlmCall.App.Records.Classifier.ClassifyAsync." },
    };

    [Theory]
    [MemberData(nameof(Variants))]
    public void LlmCall_Variant_MatchesBaselineAndCompiles(string name, string source, string hintPrefix)
    {
        var run = GeneratorHarness.Run(source, TestCatalogs.Defaults);

        GeneratorHarness.AssertNoGeneratorFailure(run);
        Assert.Empty(run.GeneratorDiagnostics);
        Baseline.AssertMatches("LlmCall/" + name + ".g.cs", run.SourceStartingWith(hintPrefix));
        Assert.Empty(run.CompileErrors());
        Assert.Empty(run.GeneratedCodeProblems());
    }

    [Fact]
    public void LlmCall_OverloadsInOneType_GetSeparateFiles()
    {
        const string source = """
            using System.Threading.Tasks;
            using StratumAI;

            internal partial class Overloads(StratumClient llm)
            {
                [LlmCall(Model.Gpt4o, Prompt = "{a}")]
                public partial Task<string> AskAsync(string a);

                [LlmCall(Model.Gpt4o, Prompt = "{a} {b}")]
                public partial Task<string> AskAsync(string a, int b);
            }
            """;

        var run = GeneratorHarness.Run(source, TestCatalogs.Defaults);

        Assert.Equal(2, run.GeneratedSources.Count(s => s.HintName.StartsWith("LlmCall.Overloads.AskAsync.", StringComparison.Ordinal)));
        Assert.Empty(run.CompileErrors());
    }

    [Fact]
    public async Task LlmCall_AtRunTime_SendsInvariantlyFormattedMessagesAndReturnsTheAnswer()
    {
        var run = GeneratorHarness.Run(Summarizer, TestCatalogs.Defaults);
        using var stream = new MemoryStream();
        var emitted = run.Output.Emit(stream);
        Assert.True(emitted.Success, string.Join(Environment.NewLine, emitted.Diagnostics));
        var assembly = Assembly.Load(stream.ToArray());
        var handler = new CapturingHandler("""
            {"id":"chatcmpl-1","object":"chat.completion","created":1,"model":"gpt-4o",
             "choices":[{"index":0,"message":{"role":"assistant","content":"Short."},"finish_reason":"stop"}],
             "usage":{"prompt_tokens":10,"completion_tokens":2,"total_tokens":12}}
            """);
        var options = new StratumClientOptions();
        options.Provider("openai").ApiKey = "test-key";
        options.Provider("openai").BaseUrl = new Uri("http://127.0.0.1:9/v1");
        using var httpClient = new HttpClient(handler);
        using var client = new StratumClient(options, httpClient);
        var summarizer = Activator.CreateInstance(assembly.GetType("App.Text.Summarizer", throwOnError: true)!, client)!;
        var method = summarizer.GetType().GetMethod("SummarizeAsync")!;

        var previous = CultureInfo.CurrentCulture;
        Task<string> call;
        try
        {
            // The template is formatted synchronously, before the first await, under this culture.
            CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo("de-DE");
            call = (Task<string>)method.Invoke(summarizer, ["The text.", 12, 1234.5m, CancellationToken.None])!;
        }
        finally
        {
            CultureInfo.CurrentCulture = previous;
        }

        var answer = await call;

        Assert.Equal("Short.", answer);
        var body = handler.RequestBody!;
        Assert.Contains("\"model\":\"gpt-4o\"", body, StringComparison.Ordinal);
        Assert.Contains("You are a precise editor.", body, StringComparison.Ordinal);
        Assert.Contains("Summarize in at most 12 words (budget 1234.50):\\nThe text.", body, StringComparison.Ordinal);
        Assert.Contains("\"temperature\":0.2", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LlmCall_AtRunTime_SendsHistoryImagesAndCallerOptionsMergedWithTheAttribute()
    {
        var run = GeneratorHarness.Run(Vision, TestCatalogs.Defaults);
        using var stream = new MemoryStream();
        var emitted = run.Output.Emit(stream);
        Assert.True(emitted.Success, string.Join(Environment.NewLine, emitted.Diagnostics));
        var assembly = Assembly.Load(stream.ToArray());
        var handler = new CapturingHandler("""
            {"id":"chatcmpl-1","object":"chat.completion","created":1,"model":"gpt-4o",
             "choices":[{"index":0,"message":{"role":"assistant","content":"A cat."},"finish_reason":"stop"}],
             "usage":{"prompt_tokens":10,"completion_tokens":2,"total_tokens":12}}
            """);
        var clientOptions = new StratumClientOptions();
        clientOptions.Provider("openai").ApiKey = "test-key";
        clientOptions.Provider("openai").BaseUrl = new Uri("http://127.0.0.1:9/v1");
        using var httpClient = new HttpClient(handler);
        using var client = new StratumClient(clientOptions, httpClient);
        var describer = Activator.CreateInstance(assembly.GetType("App.Vision.Describer", throwOnError: true)!, client)!;
        var history = new List<Microsoft.Extensions.AI.ChatMessage>
        {
            new(Microsoft.Extensions.AI.ChatRole.User, "Earlier question"),
            new(Microsoft.Extensions.AI.ChatRole.Assistant, "Earlier answer"),
        };
        var photo = new Microsoft.Extensions.AI.DataContent(new byte[] { 1, 2, 3 }, "image/png");
        var callerOptions = new Microsoft.Extensions.AI.ChatOptions { Temperature = 0.9f, MaxOutputTokens = 77 };

        var answer = await (Task<string>)describer.GetType().GetMethod("DescribeAsync")!.Invoke(
            describer,
            [history, photo, new Uri("https://img.example/cat.jpg"), new Uri("https://example.org/page"), 5, callerOptions, CancellationToken.None])!;

        Assert.Equal("A cat.", answer);
        var body = handler.RequestBody!;
        var messages = System.Text.Json.Nodes.JsonNode.Parse(body)!["messages"]!.AsArray();
        Assert.Equal(["system", "user", "assistant", "user"], messages.Select(m => (string)m!["role"]!).ToArray());
        Assert.Equal("Earlier question", (string)messages[1]!["content"]!);
        Assert.Equal("Earlier answer", (string)messages[2]!["content"]!);
        var parts = messages[3]!["content"]!.AsArray();
        Assert.Equal("Describe the image from https://example.org/page in 5 words", (string)parts[0]!["text"]!);
        Assert.Equal("data:image/png;base64,AQID", (string)parts[1]!["image_url"]!["url"]!);
        Assert.Equal("https://img.example/cat.jpg", (string)parts[2]!["image_url"]!["url"]!);
        Assert.Contains("\"temperature\":0.3", body, StringComparison.Ordinal);
        Assert.Contains("\"max_tokens\":77", body, StringComparison.Ordinal);
        Assert.DoesNotContain("vision", body, StringComparison.Ordinal);
        Assert.Equal(0.9f, callerOptions.Temperature);
        Assert.Null(callerOptions.AdditionalProperties);
    }

    [Fact]
    public async Task LlmCall_AtRunTime_NullHistoryImageAndOptions_SendsOnlyTheTemplatedMessages()
    {
        var run = GeneratorHarness.Run(Vision, TestCatalogs.Defaults);
        using var stream = new MemoryStream();
        Assert.True(run.Output.Emit(stream).Success);
        var assembly = Assembly.Load(stream.ToArray());
        var handler = new CapturingHandler("""
            {"id":"chatcmpl-1","object":"chat.completion","created":1,"model":"gpt-4o",
             "choices":[{"index":0,"message":{"role":"assistant","content":"Ok."},"finish_reason":"stop"}]}
            """);
        var clientOptions = new StratumClientOptions();
        clientOptions.Provider("openai").ApiKey = "test-key";
        clientOptions.Provider("openai").BaseUrl = new Uri("http://127.0.0.1:9/v1");
        using var httpClient = new HttpClient(handler);
        using var client = new StratumClient(clientOptions, httpClient);
        var describer = Activator.CreateInstance(assembly.GetType("App.Vision.Describer", throwOnError: true)!, client)!;

        var answer = await (Task<string>)describer.GetType().GetMethod("DescribeAsync")!.Invoke(
            describer,
            [null, null, new Uri("https://img.example/cat.jpg"), new Uri("https://example.org/page"), 5, null, CancellationToken.None])!;

        Assert.Equal("Ok.", answer);
        var messages = System.Text.Json.Nodes.JsonNode.Parse(handler.RequestBody!)!["messages"]!.AsArray();
        Assert.Equal(["system", "user"], messages.Select(m => (string)m!["role"]!).ToArray());
        var parts = messages[1]!["content"]!.AsArray();
        Assert.Equal(2, parts.Count);
        Assert.Equal("https://img.example/cat.jpg", (string)parts[1]!["image_url"]!["url"]!);
        Assert.Contains("\"temperature\":0.3", handler.RequestBody, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LlmCall_AtRunTime_PassesCallerOptionsThroughAndSendsMessageAndImageSequences()
    {
        var run = GeneratorHarness.Run(Vision, TestCatalogs.Defaults);
        using var stream = new MemoryStream();
        Assert.True(run.Output.Emit(stream).Success);
        var assembly = Assembly.Load(stream.ToArray());
        var handler = new CapturingHandler("""
            {"id":"chatcmpl-1","object":"chat.completion","created":1,"model":"gpt-4o",
             "choices":[{"index":0,"message":{"role":"assistant","content":"Ok."},"finish_reason":"stop"}]}
            """);
        var clientOptions = new StratumClientOptions();
        clientOptions.Provider("openai").ApiKey = "test-key";
        clientOptions.Provider("openai").BaseUrl = new Uri("http://127.0.0.1:9/v1");
        using var httpClient = new HttpClient(handler);
        using var client = new StratumClient(clientOptions, httpClient);
        var describer = Activator.CreateInstance(assembly.GetType("App.Vision.Describer", throwOnError: true)!, client)!;
        var history = new[] { new Microsoft.Extensions.AI.ChatMessage(Microsoft.Extensions.AI.ChatRole.User, "First") };
        var last = new Microsoft.Extensions.AI.ChatMessage(Microsoft.Extensions.AI.ChatRole.Assistant, "Second");
        var scans = new List<Microsoft.Extensions.AI.DataContent> { new(new byte[] { 1, 2, 3 }, "image/png") };
        var links = new[] { new Uri("https://img.example/a.jpg"), new Uri("https://img.example/b.jpg") };

        var answer = await (ValueTask<string>)describer.GetType().GetMethod("ContinueAsync")!.Invoke(
            describer,
            [history, last, "third", new Microsoft.Extensions.AI.ChatOptions { Temperature = 0.7f, MaxOutputTokens = 33 }, scans, links])!;

        Assert.Equal("Ok.", answer);
        var body = handler.RequestBody!;
        var messages = System.Text.Json.Nodes.JsonNode.Parse(body)!["messages"]!.AsArray();
        Assert.Equal(["user", "assistant", "user"], messages.Select(m => (string)m!["role"]!).ToArray());
        var parts = messages[2]!["content"]!.AsArray();
        Assert.Equal(
            ["Continue: third", "data:image/png;base64,AQID", "https://img.example/a.jpg", "https://img.example/b.jpg"],
            parts.Select(p => (string?)p!["text"] ?? (string)p!["image_url"]!["url"]!).ToArray());
        Assert.Contains("\"temperature\":0.7", body, StringComparison.Ordinal);
        Assert.Contains("\"max_tokens\":33", body, StringComparison.Ordinal);
    }

    [Fact]
    public void LlmCall_WithNamespaceOption_ResolvesModelInTheConfiguredNamespace()
    {
        const string source = """
            using System.Threading.Tasks;
            using Acme.Llm;
            using StratumAI;

            internal partial class C(StratumClient llm)
            {
                [LlmCall(Model.Gpt4o, Prompt = "{q}")]
                public partial Task<string> AskAsync(string q);
            }
            """;

        var run = GeneratorHarness.Run([source], TestCatalogs.Defaults, new Dictionary<string, string> { ["build_property.StratumAINamespace"] = "Acme.Llm" });

        Assert.Contains("global::Acme.Llm.ModelCatalog.Get(global::Acme.Llm.Model.Gpt4o)", run.SourceStartingWith("LlmCall.C.AskAsync."), StringComparison.Ordinal);
        Assert.Empty(run.CompileErrors());
    }

    [Fact]
    public void MethodTheUserAlreadyImplemented_IsLeftAlone()
    {
        const string source = """
            using System.Threading.Tasks;
            using StratumAI;

            internal partial class C(StratumClient llm)
            {
                [LlmCall(Model.Gpt4o, Prompt = "{q}")]
                public partial Task<string> AskAsync(string q);

                public partial Task<string> AskAsync(string q) => Task.FromResult(q + llm.GetHashCode());
            }
            """;

        var run = GeneratorHarness.Run(source, TestCatalogs.Defaults);

        Assert.Empty(run.GeneratorDiagnostics);
        Assert.DoesNotContain(run.GeneratedSources, s => s.HintName.StartsWith("LlmCall.", StringComparison.Ordinal));
        Assert.Empty(run.CompileErrors());
    }

    [Fact]
    public void StaticMethodWithOnlyAnInstanceClient_ReportsStrat102()
    {
        const string source = """
            using System.Threading.Tasks;
            using StratumAI;

            internal partial class C(StratumClient llm)
            {
                [LlmCall(Model.Gpt4o, Prompt = "{q}")]
                public static partial Task<string> AskAsync(string q);
            }
            """;

        var run = GeneratorHarness.Run(source, TestCatalogs.Defaults);

        var diagnostic = AssertSingle(run, "STRAT102", source, "AskAsync");
        Assert.Contains("static field or property", diagnostic.GetMessage(CultureInfo.InvariantCulture), StringComparison.Ordinal);
    }

    [Fact]
    public void UnknownModelFarFromAnyName_ReportsStrat101WithoutSuggestion()
    {
        const string source = """
            using System.Threading.Tasks;
            using StratumAI;

            internal partial class C(StratumClient llm)
            {
                [LlmCall(Model.SomethingElseEntirely, Prompt = "{q}")]
                public partial Task<string> AskAsync(string q);
            }
            """;

        var run = GeneratorHarness.Run(source, TestCatalogs.Defaults);

        var diagnostic = AssertSingle(run, "STRAT101", source, "Model.SomethingElseEntirely");
        Assert.DoesNotContain("did you mean", diagnostic.GetMessage(CultureInfo.InvariantCulture), StringComparison.Ordinal);
    }

    [Fact]
    public void UnknownModelMember_ReportsStrat101WithClosestSuggestionAtTheArgument()
    {
        const string source = """
            using System.Threading.Tasks;
            using StratumAI;

            internal partial class C(StratumClient llm)
            {
                [LlmCall(Model.Gpt4, Prompt = "{q}")]
                public partial Task<string> AskAsync(string q);
            }
            """;

        var run = GeneratorHarness.Run(source, TestCatalogs.Defaults);

        var diagnostic = AssertSingle(run, "STRAT101", source, "Model.Gpt4");
        Assert.Contains("did you mean 'Model.Gpt4o'", diagnostic.GetMessage(CultureInfo.InvariantCulture), StringComparison.Ordinal);
        AssertOnlyUnresolvedModelErrors(run);
    }

    [Fact]
    public void NoClientOnTheType_ReportsStrat102AndStillCompiles()
    {
        const string source = """
            using System.Threading.Tasks;
            using StratumAI;

            internal partial class C
            {
                [LlmCall(Model.Gpt4o, Prompt = "{q}")]
                public partial Task<string> AskAsync(string q);
            }
            """;

        var run = GeneratorHarness.Run(source, TestCatalogs.Defaults);

        AssertSingle(run, "STRAT102", source, "AskAsync");
        Assert.Empty(run.CompileErrors());
    }

    [Fact]
    public void UnsupportedReturnType_ReportsStrat103AtTheReturnType()
    {
        const string source = """
            using System.Threading.Tasks;
            using StratumAI;

            internal partial class C(StratumClient llm)
            {
                [LlmCall(Model.Gpt4o, Prompt = "{q}")]
                public partial Task<int> AskAsync(string q);
            }
            """;

        var run = GeneratorHarness.Run(source, TestCatalogs.Defaults);

        AssertSingle(run, "STRAT103", source, "Task<int>");
        Assert.Empty(run.CompileErrors());
    }

    [Fact]
    public void OutParameter_ReportsStrat103AtTheParameterAndStillCompiles()
    {
        const string source = """
            using System.Threading.Tasks;
            using StratumAI;

            internal partial class C(StratumClient llm)
            {
                [LlmCall(Model.Gpt4o, Prompt = "{q}")]
                public partial Task<string> AskAsync(string q, out int tokens);
            }
            """;

        var run = GeneratorHarness.Run(source, TestCatalogs.Defaults);

        AssertSingle(run, "STRAT103", source, "tokens");
        Assert.Empty(run.CompileErrors());
    }

    [Fact]
    public void PlaceholderWithoutParameter_ReportsStrat104AtTheTemplate()
    {
        const string source = """
            using System.Threading.Tasks;
            using StratumAI;

            internal partial class C(StratumClient llm)
            {
                [LlmCall(Model.Gpt4o, Prompt = "Tell {who} about {topic}")]
                public partial Task<string> AskAsync(string who);
            }
            """;

        var run = GeneratorHarness.Run(source, TestCatalogs.Defaults);

        var diagnostic = AssertSingle(run, "STRAT104", source, "\"Tell {who} about {topic}\"");
        Assert.Contains("{topic}", diagnostic.GetMessage(CultureInfo.InvariantCulture), StringComparison.Ordinal);
        Assert.Empty(run.CompileErrors());
    }

    [Fact]
    public void ContainingTypeNotPartial_ReportsStrat105AtTheType()
    {
        const string source = """
            using System.Threading.Tasks;
            using StratumAI;

            internal partial class Outer
            {
                internal class Inner
                {
                    private readonly StratumClient _llm = new();

                    [LlmCall(Model.Gpt4o, Prompt = "{q}")]
                    public partial Task<string> AskAsync(string q);
                }
            }
            """;

        var run = GeneratorHarness.Run(source, TestCatalogs.Defaults);

        AssertSingle(run, "STRAT105", source, "Inner");
        Assert.DoesNotContain(run.GeneratedSources, s => s.HintName.StartsWith("LlmCall.", StringComparison.Ordinal));
    }

    [Fact]
    public void UnclosedBrace_ReportsStrat106()
    {
        const string source = """
            using System.Threading.Tasks;
            using StratumAI;

            internal partial class C(StratumClient llm)
            {
                [LlmCall(Model.Gpt4o, Prompt = "Tell {q")]
                public partial Task<string> AskAsync(string q);
            }
            """;

        var run = GeneratorHarness.Run(source, TestCatalogs.Defaults);

        AssertSingle(run, "STRAT106", source, "\"Tell {q\"");
        Assert.Empty(run.CompileErrors());
    }

    private static Diagnostic AssertSingle(GeneratorRun run, string id, string source, string expectedText)
    {
        GeneratorHarness.AssertNoGeneratorFailure(run);
        var diagnostic = Assert.Single(run.GeneratorDiagnostics);
        Assert.Equal(id, diagnostic.Id);
        Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
        var span = diagnostic.Location.SourceSpan;
        Assert.Equal(expectedText, source.Substring(span.Start, span.Length));
        Assert.Equal("/src/File0.cs", diagnostic.Location.GetLineSpan().Path);
        return diagnostic;
    }

    // The unknown member is the user's own error (CS0117 once the enum exists); the generated stub adds none.
    private static void AssertOnlyUnresolvedModelErrors(GeneratorRun run)
        => Assert.All(run.CompileErrors(), e => Assert.Equal("CS0117", e.Id));

    private sealed class CapturingHandler(string responseJson) : HttpMessageHandler
    {
        public string? RequestBody { get; private set; }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            RequestBody = request.Content is null ? null : await request.Content.ReadAsStringAsync(cancellationToken);
            return new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(responseJson, Encoding.UTF8, "application/json") };
        }
    }
}

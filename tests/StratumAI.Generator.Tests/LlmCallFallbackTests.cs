using System.Net;
using System.Reflection;
using System.Text;
using StratumAI.Generator.Tests.Infrastructure;

namespace StratumAI.Generator.Tests;

public class LlmCallFallbackTests
{
    private const string Resilient = """
        using System.Threading;
        using System.Threading.Tasks;
        using Microsoft.Extensions.AI;
        using StratumAI;

        namespace App;

        internal partial class Resilient(StratumClient llm)
        {
            [LlmCall(Model.Gpt4o, Fallback = Model.Claude35Sonnet, Prompt = "Answer {question}")]
            public partial Task<ChatResponse> FullAsync(string question, CancellationToken ct = default);

            [LlmCall("gpt-4o")]
            public partial ValueTask<ChatResponse> RawAsync(string question);

            [LlmCall(Model.Gpt4o, Fallback = Model.Claude35Sonnet, Fallbacks = new object[] { "llama3.2:3b", Model.Gpt4oMini }, Tags = new[] { "support", "tier \"1\"" }, Prompt = "Answer {question}")]
            public partial Task<string> AnswerAsync(string question, CancellationToken ct = default);

            [LlmCall("gpt-4o", Fallbacks = [Model.Claude35Sonnet], Tags = ["faq"], MaxTokens = 50)]
            public partial ValueTask<string> ShortAsync(string question);
        }
        """;

    [Fact]
    public void FallbacksAndTags_MatchBaselineAndCompile()
    {
        var run = GeneratorHarness.Run(Resilient, TestCatalogs.Defaults);

        GeneratorHarness.AssertNoGeneratorFailure(run);
        Assert.Empty(run.GeneratorDiagnostics);
        Baseline.AssertMatches("LlmCall/FallbacksAndTags.g.cs", run.SourceStartingWith("LlmCall.App.Resilient.AnswerAsync."));
        Baseline.AssertMatches("LlmCall/FallbacksCollectionExpression.g.cs", run.SourceStartingWith("LlmCall.App.Resilient.ShortAsync."));
        Baseline.AssertMatches("LlmCall/ChatResponseWithFallback.g.cs", run.SourceStartingWith("LlmCall.App.Resilient.FullAsync."));
        Baseline.AssertMatches("LlmCall/ChatResponseValueTask.g.cs", run.SourceStartingWith("LlmCall.App.Resilient.RawAsync."));
        Assert.Empty(run.CompileErrors());
        Assert.Empty(run.GeneratedCodeProblems());
    }

    [Fact]
    public void UnknownFallbackMember_ReportsStrat101AtTheFallback()
    {
        const string source = """
            using System.Threading.Tasks;
            using StratumAI;

            internal partial class Broken(StratumClient llm)
            {
                [LlmCall(Model.Gpt4o, Fallback = Model.Claude35Sonet, Prompt = "{q}")]
                public partial Task<string> AskAsync(string q);
            }
            """;

        var run = GeneratorHarness.Run(source, TestCatalogs.Defaults);

        var diagnostic = Assert.Single(run.GeneratorDiagnostics);
        Assert.Equal("STRAT101", diagnostic.Id);
        Assert.Contains("did you mean 'Model.Claude35Sonnet'?", diagnostic.GetMessage(), StringComparison.Ordinal);
        Assert.Equal(source.IndexOf("Model.Claude35Sonet", StringComparison.Ordinal), diagnostic.Location.SourceSpan.Start);
        Assert.Equal("Model.Claude35Sonet".Length, diagnostic.Location.SourceSpan.Length);
        // The user's attribute is CS0117 by itself; the generated stub adds nothing to it.
        Assert.Empty(run.GeneratedCodeProblems());
    }

    [Fact]
    public async Task GeneratedMethod_PrimaryReturns503_AnswersFromTheFallbackWithTagsKeptOffTheWire()
    {
        var run = GeneratorHarness.Run(Resilient, TestCatalogs.Defaults);
        using var stream = new MemoryStream();
        var emitted = run.Output.Emit(stream);
        Assert.True(emitted.Success, string.Join(Environment.NewLine, emitted.Diagnostics));
        var assembly = Assembly.Load(stream.ToArray());
        var handler = new SequenceHandler();
        var options = new StratumClientOptions();
        foreach (var provider in new[] { "openai", "anthropic" })
        {
            options.Provider(provider).ApiKey = "test-key";
            options.Provider(provider).BaseUrl = new Uri("http://127.0.0.1:9/v1");
        }

        using var httpClient = new HttpClient(handler);
        using var client = new StratumClient(options, httpClient);
        var resilient = Activator.CreateInstance(assembly.GetType("App.Resilient", throwOnError: true)!, client)!;

        var answer = await (Task<string>)resilient.GetType().GetMethod("AnswerAsync")!.Invoke(resilient, ["why?", CancellationToken.None])!;

        Assert.Equal("From the fallback.", answer);
        Assert.Equal(2, handler.Requests.Count);
        Assert.Contains("\"model\":\"gpt-4o\"", handler.Requests[0].Body, StringComparison.Ordinal);
        Assert.Equal("/v1/messages", handler.Requests[1].Path);
        Assert.Contains("\"model\":\"claude-3-5-sonnet\"", handler.Requests[1].Body, StringComparison.Ordinal);
        Assert.All(handler.Requests, r => Assert.DoesNotContain("support", r.Body, StringComparison.Ordinal));
    }

    [Fact]
    public async Task GeneratedChatResponseMethod_PrimaryReturns503_ReturnsTheFallbacksWholeResponse()
    {
        var run = GeneratorHarness.Run(Resilient, TestCatalogs.Defaults);
        using var stream = new MemoryStream();
        Assert.True(run.Output.Emit(stream).Success);
        var assembly = Assembly.Load(stream.ToArray());
        var handler = new SequenceHandler();
        var options = new StratumClientOptions();
        foreach (var provider in new[] { "openai", "anthropic" })
        {
            options.Provider(provider).ApiKey = "test-key";
            options.Provider(provider).BaseUrl = new Uri("http://127.0.0.1:9/v1");
        }

        using var httpClient = new HttpClient(handler);
        using var client = new StratumClient(options, httpClient);
        var resilient = Activator.CreateInstance(assembly.GetType("App.Resilient", throwOnError: true)!, client)!;

        var response = await (Task<Microsoft.Extensions.AI.ChatResponse>)resilient.GetType().GetMethod("FullAsync")!.Invoke(resilient, ["why?", CancellationToken.None])!;

        Assert.Equal("From the fallback.", response.Text);
        Assert.Equal(10, response.Usage?.InputTokenCount);
        Assert.Equal(4, response.Usage?.OutputTokenCount);
        Assert.Equal(2, handler.Requests.Count);
    }

    private const string PlainChatClient = """
        using System.Threading.Tasks;
        using Microsoft.Extensions.AI;
        using StratumAI;

        namespace App;

        internal partial class Plain(IChatClient chat)
        {
            [LlmCall(Model.Gpt4o, Fallback = "claude-3-5-sonnet", Prompt = "Hi {name}")]
            public partial Task<string> GreetAsync(string name);
        }
        """;

    [Fact]
    public async Task ChatClientOnTheType_IsTheClient_ModelIdsGoInOptionsAndFallbacksApply()
    {
        var run = GeneratorHarness.Run(PlainChatClient, TestCatalogs.Defaults);
        Assert.Empty(run.GeneratorDiagnostics);
        Baseline.AssertMatches("LlmCall/PlainChatClient.g.cs", run.SourceStartingWith("LlmCall.App.Plain.GreetAsync."));
        using var stream = new MemoryStream();
        var emitted = run.Output.Emit(stream);
        Assert.True(emitted.Success, string.Join(Environment.NewLine, emitted.Diagnostics));
        var assembly = Assembly.Load(stream.ToArray());
        using var chat = new FlakyChatClient("gpt-4o");
        var plain = Activator.CreateInstance(assembly.GetType("App.Plain", throwOnError: true)!, chat)!;

        var answer = await (Task<string>)plain.GetType().GetMethod("GreetAsync")!.Invoke(plain, ["Ada"])!;

        Assert.Equal("claude-3-5-sonnet says hi to Ada", answer);
        Assert.Equal(["gpt-4o", "claude-3-5-sonnet"], chat.ModelIds);
    }

    /// <summary>An IChatClient that is "down" for one model id and answers for any other.</summary>
    private sealed class FlakyChatClient(string downModelId) : Microsoft.Extensions.AI.IChatClient
    {
        public List<string?> ModelIds { get; } = [];

        public Task<Microsoft.Extensions.AI.ChatResponse> GetResponseAsync(IEnumerable<Microsoft.Extensions.AI.ChatMessage> messages, Microsoft.Extensions.AI.ChatOptions? options = null, CancellationToken cancellationToken = default)
        {
            ModelIds.Add(options?.ModelId);
            if (options?.ModelId == downModelId)
            {
                throw new StratumProviderUnavailableException("down") { ModelId = downModelId };
            }

            var user = messages.Last().Text;
            return Task.FromResult(new Microsoft.Extensions.AI.ChatResponse(new Microsoft.Extensions.AI.ChatMessage(Microsoft.Extensions.AI.ChatRole.Assistant, options?.ModelId + " says hi to " + user[3..])));
        }

        public IAsyncEnumerable<Microsoft.Extensions.AI.ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<Microsoft.Extensions.AI.ChatMessage> messages, Microsoft.Extensions.AI.ChatOptions? options = null, CancellationToken cancellationToken = default)
            => throw new InvalidOperationException("The [LlmCall] text method must not stream.");

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }

    /// <summary>Answers 503 to the first request and an Anthropic Messages answer to the next.</summary>
    private sealed class SequenceHandler : HttpMessageHandler
    {
        public List<(string Path, string Body)> Requests { get; } = [];

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var body = request.Content is null ? string.Empty : await request.Content.ReadAsStringAsync(cancellationToken);
            Requests.Add((request.RequestUri!.AbsolutePath, body));
            if (Requests.Count == 1)
            {
                return new HttpResponseMessage(HttpStatusCode.ServiceUnavailable) { Content = new StringContent("overloaded", Encoding.UTF8, "text/plain") };
            }

            return new HttpResponseMessage(HttpStatusCode.OK)
            {
                Content = new StringContent(
                    """
                    {"id":"msg_1","type":"message","role":"assistant","model":"claude-3-5-sonnet",
                     "content":[{"type":"text","text":"From the fallback."}],"stop_reason":"end_turn",
                     "usage":{"input_tokens":10,"output_tokens":4}}
                    """,
                    Encoding.UTF8,
                    "application/json"),
            };
        }
    }
}

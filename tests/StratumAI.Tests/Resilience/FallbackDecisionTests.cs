using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using Polly.Timeout;
using StratumAI.Testing;
using static StratumAI.Tests.TestCatalog;

namespace StratumAI.Tests.Resilience;

/// <summary>
/// One fallback rule through both doors: for each class of failure, an <c>[LlmCall]</c> method (<see cref="LlmCallRunner"/>)
/// and the middleware (<see cref="FallbackChatClient"/>) make the same decision — for a whole response and for a stream —
/// and that decision is <see cref="FallbackPolicy.Default"/>'s. Provider failures go through the real HTTP stack against
/// <see cref="FakeProviderServer"/>, replaying recorded traffic where a recording exists; failures no provider sends (a
/// timeout, a schema mismatch, an argument error…) are thrown by a scripted client.
/// </summary>
public sealed class FallbackDecisionTests
{
    private const string AnswerFixture = "openai/chat__pydantic-ai__test_openai_instructions.yaml";
    private const string StreamFixture = "openai/stream__vercel-ai-openai__openai-text.chunks.txt";
    private const string Answer = "The capital of France is Paris.";

    private static readonly List<ChatMessage> Messages = [new(ChatRole.System, "You are a helpful assistant."), new(ChatRole.User, "What is the capital of France?")];

    private static readonly ModelInfo Primary = Model("gpt-4o", Provider("openai"), Gpt4oPricing);

    // A larger window than the primary's: after a context window exceeded, only a larger one may take over.
    private static readonly ModelInfo Backup = new("backup-llama", "MBackupLlama", Provider("backup"), null, 1_000_000, 16_384, GroqLlama70bPricing, ModelCapabilities.None);

    public enum Door
    {
        LlmCall,
        LlmCallStream,
        Middleware,
        MiddlewareStream,
    }

    /// <summary>Each provider failure: what the fake server sends, the class StratumAI maps it to, and whether it falls back.</summary>
    public static TheoryData<string, Door> ProviderCases()
    {
        var data = new TheoryData<string, Door>();
        foreach (var failure in ProviderFailures.Keys)
        {
            foreach (var door in Enum.GetValues<Door>())
            {
                // A 200 whose body cannot be read is a whole-response failure; a stream reads events, not one body.
                if (ProviderFailures[failure].WholeResponseOnly && door is Door.LlmCallStream or Door.MiddlewareStream)
                {
                    continue;
                }

                data.Add(failure, door);
            }
        }

        return data;
    }

    private static readonly Dictionary<string, (Func<FakeResponse> Send, Type Class, bool FallsBack, bool WholeResponseOnly)> ProviderFailures = new()
    {
        ["429 (recorded)"] = (() => FakeResponse.FromExchange(Recorded("openrouter/error__pydantic-ai__test_openrouter_errors_raised.yaml")), typeof(StratumRateLimitException), true, false),
        ["429 insufficient_quota"] = (() => FakeResponse.Json("""{"error":{"message":"You exceeded your current quota","type":"insufficient_quota","code":"insufficient_quota"}}""", 429), typeof(StratumRateLimitException), true, false),
        ["500"] = (() => FakeResponse.Json("""{"error":{"message":"The server had an error while processing your request. Sorry about that!","type":"server_error","param":null,"code":null}}""", 500), typeof(StratumServerErrorException), true, false),
        ["503"] = (() => FakeResponse.Status(503), typeof(StratumProviderUnavailableException), true, false),
        ["connection reset"] = (FakeResponse.Disconnect, typeof(StratumProviderUnavailableException), true, false),
        ["context window exceeded"] = (() => FakeResponse.Json("""{"error":{"message":"This model's maximum context length is 8192 tokens","type":"invalid_request_error","code":"context_length_exceeded"}}""", 400), typeof(StratumContextWindowExceededException), true, false),
        ["malformed JSON (recorded, cut)"] = (() => Cut(FakeResponse.FromExchange(Recorded(AnswerFixture))), typeof(StratumInvalidResponseException), true, true),
        ["empty 200 body"] = (() => FakeResponse.Json(string.Empty), typeof(StratumInvalidResponseException), true, true),
        // The only recorded refusals are Azure's, kept for issue 13's Azure dialect: this is OpenAI's documented error shape.
        ["content filtered"] = (() => FakeResponse.Json("""{"error":{"message":"Your request was rejected as a result of our safety system.","type":"invalid_request_error","param":null,"code":"content_policy_violation"}}""", 400), typeof(StratumContentFilteredException), false, false),
        ["400 (recorded)"] = (() => FakeResponse.FromExchange(Recorded("openai/error__vercel-ai-openai__reasoning-model-legacy-parameter-error.json")), typeof(StratumInvalidRequestException), false, false),
        ["401 (recorded)"] = (() => FakeResponse.FromExchange(Recorded("openrouter/error__crewai__test_agent_with_knowledge_with_no_crewai_knowledge.yaml")), typeof(StratumAuthenticationException), false, false),
        ["404 (recorded)"] = (() => FakeResponse.FromExchange(Recorded("openai/error__pydantic-ai__test_model_name_suggestion_openai-chat_.yaml")), typeof(StratumModelNotFoundException), false, false),
    };

    [Theory]
    [MemberData(nameof(ProviderCases))]
    public async Task ProviderFailure_SameDecisionThroughEveryDoor(string failure, Door door)
    {
        var (send, failureClass, fallsBack, _) = ProviderFailures[failure];
        await using var server = await FakeProviderServer.StartAsync();
        server.Enqueue(send());
        var streaming = door is Door.LlmCallStream or Door.MiddlewareStream;
        server.EnqueueFixture(Fixture(streaming ? StreamFixture : AnswerFixture));
        using var stratum = ClientFor(server, "openai", configure: options =>
        {
            var backup = options.Provider("backup");
            backup.ApiKey = CanaryKey;
            backup.BaseUrl = server.V1();
        });
        stratum.Models.Register([Primary, Backup]);

        // Below either door: records the failure each model's attempt ended with.
        var seen = new FailureRecorder(door is Door.LlmCall or Door.LlmCallStream ? LlmCallRunner.GetChatClient(stratum) : stratum.AsChatClient());
        var thrown = await Record(() => Call(door, seen, [Primary, Backup]));

        Assert.IsType(failureClass, seen.Errors[0]);
        Assert.Equal(fallsBack, FallbackPolicy.Default.ShouldFallBack(seen.Errors[0]));
        var models = server.ReceivedRequests.Select(r => (string)Json(r.Body)!["model"]!).ToArray();
        if (fallsBack)
        {
            Assert.Null(thrown);
            Assert.Equal(["gpt-4o", "backup-llama"], models);
        }
        else
        {
            Assert.Same(seen.Errors[0], thrown);
            Assert.Equal(["gpt-4o"], models);
        }
    }

    public static TheoryData<string, Door> ThrownCases()
    {
        var data = new TheoryData<string, Door>();
        foreach (var failure in ThrownFailures.Keys)
        {
            foreach (var door in Enum.GetValues<Door>())
            {
                data.Add(failure, door);
            }
        }

        return data;
    }

    private static readonly Dictionary<string, (Func<Exception> Create, bool FallsBack)> ThrownFailures = new()
    {
        ["timeout"] = (() => new StratumTimeoutException("slow"), true),
        ["open circuit"] = (() => new StratumCircuitOpenException("open"), true),
        ["raw HttpRequestException"] = (() => new HttpRequestException("reset"), true),
        ["raw IOException"] = (() => new IOException("reset"), true),
        ["Polly attempt timeout"] = (() => new TimeoutRejectedException(), true),
        ["unreadable response"] = (() => new StratumInvalidResponseException("not json"), true),
        ["schema mismatch"] = (() => new StratumSchemaMismatchException("not the type"), false),
        ["answer without text"] = (() => new StratumEmptyResponseException("tool call only"), false),
        ["budget exceeded"] = (() => new BudgetExceededException("over"), false),
        ["a whole chain failed below"] = (() => new AllFallbacksFailedException([new FallbackAttempt("a", null, Scripted.Unavailable(), TimeSpan.Zero), new FallbackAttempt("b", null, Scripted.Unavailable(), TimeSpan.Zero)]), false),
        ["cancelled below"] = (() => new OperationCanceledException(), false),
        ["argument error"] = (() => new ArgumentException("bug"), false),
    };

    [Theory]
    [MemberData(nameof(ThrownCases))]
    public async Task ThrownFailure_SameDecisionThroughEveryDoor(string failure, Door door)
    {
        var (create, fallsBack) = ThrownFailures[failure];
        var error = create();
        var inner = new ScriptedChatClient()
            .ThenThrow(error).ThenAnswer(Answer)
            .ThenStream((_, _) => Scripted.FailingStream(error)).ThenStream((_, token) => Scripted.Stream([Answer], cancellationToken: token));

        var thrown = await Record(() => Call(door, inner, ["gpt-4o", "backup-llama"]));

        Assert.Equal(fallsBack, FallbackPolicy.Default.ShouldFallBack(error));
        if (fallsBack)
        {
            Assert.Null(thrown);
            Assert.Equal(["gpt-4o", "backup-llama"], inner.Models);
        }
        else
        {
            Assert.Same(error, thrown);
            Assert.Equal(["gpt-4o"], inner.Models);
        }
    }

    [Theory]
    [InlineData(Door.LlmCall)]
    [InlineData(Door.Middleware)]
    public async Task SchemaMismatch_FallsBackWhenTheCallsPolicySaysSo(Door door)
    {
        var error = new StratumSchemaMismatchException("not the type");
        var inner = new ScriptedChatClient().ThenThrow(error).ThenAnswer(Answer);
        var policy = new FallbackPolicy { FallBackOnSchemaMismatch = true };

        var thrown = await Record(() => Call(door, inner, ["gpt-4o", "backup-llama"], new ChatOptions().WithFallbackPolicy(policy)));

        Assert.Null(thrown);
        Assert.Equal(["gpt-4o", "backup-llama"], inner.Models);
    }

    /// <summary>Calls through a door: the runner with <paramref name="models"/>, or the middleware whose fallback is the second model.</summary>
    private static async Task Call(Door door, IChatClient below, LlmCallTarget[] models, ChatOptions? options = null)
    {
        switch (door)
        {
            case Door.LlmCall:
                Assert.Equal(Answer, await LlmCallRunner.GetTextAsync(below, models, Messages, options, CancellationToken.None));
                break;
            case Door.LlmCallStream:
                Assert.NotEmpty(await ToListAsync(LlmCallRunner.StreamTextAsync(below, models, Messages, options, CancellationToken.None)));
                break;
            default:
                var registry = new ModelRegistry();
                registry.Register([Primary, Backup]);
                using (var middleware = new FallbackChatClient(below, new StratumFallbackOptions { Registry = registry }.Add(models[1].ToString())))
                {
                    var callOptions = options?.Clone() ?? new ChatOptions();
                    callOptions.ModelId = models[0].ToString();
                    if (door == Door.Middleware)
                    {
                        Assert.False(string.IsNullOrEmpty((await middleware.GetResponseAsync(Messages, callOptions)).Text));
                    }
                    else
                    {
                        Assert.NotEmpty(await Scripted.ReadAllAsync(middleware.GetStreamingResponseAsync(Messages, callOptions)));
                    }
                }

                break;
        }
    }

    private static async Task<Exception?> Record(Func<Task> call)
    {
        try
        {
            await call();
            return null;
        }
        catch (Exception ex) when (ex is not Xunit.Sdk.XunitException)
        {
            return ex;
        }
    }

    private static async Task<List<string>> ToListAsync(IAsyncEnumerable<string> texts)
    {
        var list = new List<string>();
        await foreach (var text in texts)
        {
            list.Add(text);
        }

        return list;
    }

    private static RecordedExchange Recorded(string fixture) => FixtureLoader.Load(Fixture(fixture))[0];

    private static FakeResponse Cut(FakeResponse recorded) => recorded with { Body = recorded.Body[..(recorded.Body.Length / 2)] };

    /// <summary>Passes every call through and records each failure on its way up.</summary>
    private sealed class FailureRecorder(IChatClient inner) : DelegatingChatClient(inner)
    {
        public List<Exception> Errors { get; } = [];

        public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        {
            try
            {
                return await base.GetResponseAsync(messages, options, cancellationToken);
            }
            catch (Exception ex)
            {
                Errors.Add(ex);
                throw;
            }
        }

        public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            var updates = base.GetStreamingResponseAsync(messages, options, cancellationToken).GetAsyncEnumerator(cancellationToken);
            await using (updates)
            {
                while (true)
                {
                    try
                    {
                        if (!await updates.MoveNextAsync())
                        {
                            yield break;
                        }
                    }
                    catch (Exception ex)
                    {
                        Errors.Add(ex);
                        throw;
                    }

                    yield return updates.Current;
                }
            }
        }
    }
}

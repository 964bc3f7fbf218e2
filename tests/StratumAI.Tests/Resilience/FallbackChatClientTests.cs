using System.Net;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging.Testing;
using Polly.CircuitBreaker;
using Polly.Timeout;
using static StratumAI.Tests.TestCatalog;

namespace StratumAI.Tests.Resilience;

public sealed class FallbackChatClientTests
{
    private static readonly ProviderInfo OpenAI = Provider("openai");
    private static readonly ProviderInfo Anthropic = Provider("anthropic", dialect: "anthropic");

    // Context windows: small 8k < medium 128k < large 200k < huge 1M.
    private static readonly ModelInfo Small = Sized("small-8k", OpenAI, 8_000);
    private static readonly ModelInfo Medium = Sized("gpt-4o", OpenAI, 128_000);
    private static readonly ModelInfo Large = Sized("claude-sonnet-4", Anthropic, 200_000);
    private static readonly ModelInfo Huge = Sized("huge-1m", Anthropic, 1_000_000);

    private static readonly ModelRegistry Registry = CreateRegistry();

    private static ModelInfo Sized(string id, ProviderInfo provider, int window) =>
        new(id, "M" + new string(id.Where(char.IsLetterOrDigit).ToArray()), provider, null, window, 4_096, Gpt4oPricing, ModelCapabilities.None);

    private static ModelRegistry CreateRegistry()
    {
        var registry = new ModelRegistry();
        registry.Register([Small, Medium, Large, Huge]);
        return registry;
    }

    private static (FallbackChatClient Client, ObservedTime Time) Create(ScriptedChatClient inner, Action<StratumFallbackOptions> configure)
    {
        var time = new ObservedTime();
        var options = new StratumFallbackOptions { Registry = Registry, TimeProvider = time };
        configure(options);
        return (new FallbackChatClient(inner, options), time);
    }

    [Fact]
    public async Task Fallback_AfterAFailureAFallbackCanFix_TheNextModelAnswersOnAClonedOptions()
    {
        var inner = new ScriptedChatClient().ThenThrow(Scripted.Unavailable()).ThenAnswer("from claude");
        var (client, _) = Create(inner, o => o.Add(Large));
        var options = new ChatOptions { ModelId = "gpt-4o", Temperature = 0.25f, AdditionalProperties = new() { ["stratum.caller"] = "alice" } };

        var response = await client.GetResponseAsync("hi", options);

        Assert.Equal("from claude", response.Text);
        Assert.Equal(["gpt-4o", "claude-sonnet-4"], inner.Models);
        Assert.Equal("gpt-4o", options.ModelId);
        var sent = inner.Options.ToArray();
        // The first attempt goes down on a copy carrying the call's context (resolved once here), the caller's options untouched.
        Assert.NotSame(options, sent[0]);
        Assert.Equal(0.25f, sent[0]!.Temperature);
        Assert.Equal("gpt-4o", sent[0].GetCallContext()!.Model.Id);
        Assert.Null(options.GetCallContext());
        Assert.NotSame(options, sent[1]);
        Assert.Equal(2, sent[1].GetCallContext()!.Attempt);
        Assert.Equal(0.25f, sent[1]!.Temperature);
        Assert.Equal("alice", sent[1]!.AdditionalProperties!["stratum.caller"]);
    }

    [Fact]
    public async Task Fallback_IsLoggedWithTheModelsAndTheError()
    {
        var logger = new FakeLogger();
        var inner = new ScriptedChatClient().ThenThrow(Scripted.Unavailable()).ThenAnswer();
        var (client, _) = Create(inner, o => { o.Add(Large); o.Logger = logger; });

        await client.GetResponseAsync("hi", new ChatOptions { ModelId = "gpt-4o" });

        var record = Assert.Single(logger.Collector.GetSnapshot());
        Assert.Equal(1011, record.Id.Id);
        Assert.Equal("Model gpt-4o failed with StratumProviderUnavailableException; falling back to model claude-sonnet-4.", record.Message);
    }

    [Fact]
    public async Task Fallback_FailureNoFallbackCanFix_SurfacesUnchangedWithoutTryingAnotherModel()
    {
        var bad = new StratumInvalidRequestException("bad parameter") { StatusCode = HttpStatusCode.BadRequest };
        var inner = new ScriptedChatClient().ThenThrow(bad).ThenAnswer();
        var (client, _) = Create(inner, o => o.Add("claude-sonnet-4"));

        var thrown = await Assert.ThrowsAsync<StratumInvalidRequestException>(() => client.GetResponseAsync("hi", new ChatOptions { ModelId = "gpt-4o" }));

        Assert.Same(bad, thrown);
        Assert.Equal(1, inner.Calls);
    }

    [Fact]
    public async Task Fallback_EveryModelFails_AllFallbacksFailedExceptionListsEachAttemptWithItsDuration()
    {
        var first = Scripted.RateLimited(TimeSpan.FromSeconds(90));
        var second = Scripted.Unavailable();
        var third = new StratumTimeoutException("slow");
        var time = new ObservedTime();
        var inner = new ScriptedChatClient()
            .Then((_, _) => { time.Advance(TimeSpan.FromSeconds(3)); return Task.FromException<ChatResponse>(first); })
            .Then((_, _) => { time.Advance(TimeSpan.FromMilliseconds(250)); return Task.FromException<ChatResponse>(second); })
            .Then((_, _) => { time.Advance(TimeSpan.FromSeconds(40)); return Task.FromException<ChatResponse>(third); });
        var client = new FallbackChatClient(inner, new StratumFallbackOptions { Registry = Registry, TimeProvider = time }.Add("claude-sonnet-4", "huge-1m"));

        var thrown = await Assert.ThrowsAsync<AllFallbacksFailedException>(() => client.GetResponseAsync("hi", new ChatOptions { ModelId = "gpt-4o" }));

        Assert.Collection(
            thrown.Attempts,
            a => Assert.Equal(("gpt-4o", "openai", (Exception)first, TimeSpan.FromSeconds(3)), (a.ModelId, a.ProviderId, a.Error, a.Duration)),
            a => Assert.Equal(("claude-sonnet-4", "anthropic", (Exception)second, TimeSpan.FromMilliseconds(250)), (a.ModelId, a.ProviderId, a.Error, a.Duration)),
            a => Assert.Equal(("huge-1m", "anthropic", (Exception)third, TimeSpan.FromSeconds(40)), (a.ModelId, a.ProviderId, a.Error, a.Duration)));
        Assert.Same(third, thrown.InnerException);
        Assert.Equal("huge-1m", thrown.ModelId);
        Assert.Contains("'gpt-4o' from 'openai' after 3 s", thrown.Message, StringComparison.Ordinal);
        Assert.Contains("'huge-1m' from 'anthropic' after 40 s", thrown.Message, StringComparison.Ordinal);
        Assert.True(thrown.IsRetryable);
    }

    [Fact]
    public async Task Fallback_ContextWindowExceeded_SkipsModelsWhoseWindowIsNotLarger()
    {
        var overflow = new StratumContextWindowExceededException("too long") { StatusCode = HttpStatusCode.BadRequest };
        var inner = new ScriptedChatClient().ThenThrow(overflow).ThenAnswer("fits");
        var (client, _) = Create(inner, o => o.Add(Small, Medium, Large));

        var response = await client.GetResponseAsync("long prompt", new ChatOptions { ModelId = "gpt-4o" });

        Assert.Equal("fits", response.Text);
        Assert.Equal(["gpt-4o", "claude-sonnet-4"], inner.Models);
    }

    [Fact]
    public async Task Fallback_ContextWindowExceededThenAnOutage_LaterModelsMustStillBeLarger()
    {
        var inner = new ScriptedChatClient()
            .ThenThrow(new StratumContextWindowExceededException("too long"))
            .ThenThrow(Scripted.Unavailable())
            .ThenAnswer("huge");
        var (client, _) = Create(inner, o => o.Add(Large, Small, Huge));

        var response = await client.GetResponseAsync("long prompt", new ChatOptions { ModelId = "gpt-4o" });

        Assert.Equal("huge", response.Text);
        Assert.Equal(["gpt-4o", "claude-sonnet-4", "huge-1m"], inner.Models);
    }

    [Fact]
    public async Task Fallback_ContextWindowExceededAndNoLargerFallback_TheOriginalErrorSurfaces()
    {
        var overflow = new StratumContextWindowExceededException("too long");
        var inner = new ScriptedChatClient().ThenThrow(overflow).ThenAnswer();
        var (client, _) = Create(inner, o => o.Add(Small).Add("not-in-the-catalog"));

        var thrown = await Assert.ThrowsAsync<StratumContextWindowExceededException>(() => client.GetResponseAsync("x", new ChatOptions { ModelId = "gpt-4o" }));

        Assert.Same(overflow, thrown);
        Assert.Equal(1, inner.Calls);
    }

    [Fact]
    public async Task Fallback_ContentFiltered_IsOffByDefault()
    {
        var refused = new StratumContentFilteredException("refused");
        var inner = new ScriptedChatClient().ThenThrow(refused).ThenAnswer();
        var (client, _) = Create(inner, o => o.Add(Large));

        Assert.Same(refused, await Assert.ThrowsAsync<StratumContentFilteredException>(() => client.GetResponseAsync("x", new ChatOptions { ModelId = "gpt-4o" })));
        Assert.Equal(1, inner.Calls);
    }

    [Fact]
    public async Task Fallback_ContentFilteredWhenEnabled_TheNextModelAnswers()
    {
        var inner = new ScriptedChatClient().ThenThrow(new StratumContentFilteredException("refused")).ThenAnswer("answered");
        var (client, _) = Create(inner, o => { o.Add(Large); o.FallBackOnContentFiltered = true; });

        Assert.Equal("answered", (await client.GetResponseAsync("x", new ChatOptions { ModelId = "gpt-4o" })).Text);
    }

    [Fact]
    public async Task Fallback_ModelsAlreadyTriedAreSkipped()
    {
        var inner = new ScriptedChatClient().ThenThrow(Scripted.Unavailable()).ThenThrow(Scripted.ServerError());
        var (client, _) = Create(inner, o => o.Add("gpt-4o", "claude-sonnet-4", "claude-sonnet-4"));

        var thrown = await Assert.ThrowsAsync<AllFallbacksFailedException>(() => client.GetResponseAsync("x", new ChatOptions { ModelId = "gpt-4o" }));

        Assert.Equal(["gpt-4o", "claude-sonnet-4"], inner.Models);
        Assert.Equal(2, thrown.Attempts.Count);
    }

    [Fact]
    public async Task Fallback_CallerCancellation_DoesNotFallBack()
    {
        using var cts = new CancellationTokenSource();
        var inner = new ScriptedChatClient().Then(async (_, ct) =>
        {
            await cts.CancelAsync();
            ct.ThrowIfCancellationRequested();
            return new ChatResponse();
        }).ThenAnswer();
        var (client, _) = Create(inner, o => o.Add(Large));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.GetResponseAsync("x", new ChatOptions { ModelId = "gpt-4o" }, cts.Token));
        Assert.Equal(1, inner.Calls);
    }

    [Fact]
    public async Task Streaming_FailureBeforeTheFirstUpdate_FallsBack()
    {
        var inner = new ScriptedChatClient()
            .ThenStream((_, _) => Scripted.FailingStream(Scripted.Unavailable()))
            .ThenStream((o, ct) => Scripted.Stream([o!.ModelId!, "done"], cancellationToken: ct));
        var (client, _) = Create(inner, o => o.Add(Large));

        var texts = await Scripted.ReadAllAsync(client.GetStreamingResponseAsync("hi", new ChatOptions { ModelId = "gpt-4o" }));

        Assert.Equal(["claude-sonnet-4", "done"], texts);
    }

    [Fact]
    public async Task Streaming_FailureAfterTheFirstUpdate_SurfacesAndNoOtherModelIsTried()
    {
        var cut = Scripted.Unavailable();
        var inner = new ScriptedChatClient()
            .ThenStream((_, ct) => Scripted.Stream(["partial"], cut, ct))
            .ThenStream((_, ct) => Scripted.Stream(["other model"], cancellationToken: ct));
        var (client, _) = Create(inner, o => o.Add(Large));
        var texts = new List<string>();

        var thrown = await Assert.ThrowsAsync<StratumProviderUnavailableException>(() =>
            Scripted.ReadAllAsync(client.GetStreamingResponseAsync("hi", new ChatOptions { ModelId = "gpt-4o" }), texts));

        Assert.Same(cut, thrown);
        Assert.Equal(["partial"], texts);
        Assert.Equal(1, inner.Calls);
    }

    [Fact]
    public async Task Streaming_EveryModelFailsBeforeItsFirstUpdate_AllFallbacksFailedException()
    {
        var inner = new ScriptedChatClient()
            .ThenStream((_, _) => Scripted.FailingStream(Scripted.Unavailable()))
            .ThenStream((_, _) => Scripted.FailingStream(Scripted.RateLimited()));
        var (client, _) = Create(inner, o => o.Add(Large));

        var thrown = await Assert.ThrowsAsync<AllFallbacksFailedException>(() => Scripted.ReadAllAsync(client.GetStreamingResponseAsync("hi", new ChatOptions { ModelId = "gpt-4o" })));

        Assert.Equal(["gpt-4o", "claude-sonnet-4"], thrown.Attempts.Select(a => a.ModelId));
    }

    public static TheoryData<string, bool> PolicyTable() => new()
    {
        { "429", true },
        { "quota", true },
        { "500", true },
        { "503", true },
        { "529", true },
        { "timeout", true },
        { "circuit", true },
        { "malformed", true },
        { "http", true },
        { "io", true },
        { "polly-timeout", true },
        { "polly-circuit", true },
        { "context", true },
        { "filtered", false },
        { "400", false },
        { "401", false },
        { "403", false },
        { "404", false },
        { "empty-text", false },
        { "schema", false },
        { "cancelled", false },
        { "argument", false },
        { "nested", false },
    };

    [Theory]
    [MemberData(nameof(PolicyTable))]
    public void FallbackPolicy_Default_DecidesByTheKindOfFailure(string kind, bool expected)
    {
        Exception failure = kind switch
        {
            "429" => Scripted.RateLimited(),
            "quota" => new StratumRateLimitException("quota") { ErrorCode = "insufficient_quota" },
            "500" => Scripted.ServerError(),
            "503" => new StratumProviderUnavailableException("down"),
            "529" => Scripted.Unavailable(),
            "timeout" => new StratumTimeoutException("slow"),
            "circuit" => new StratumCircuitOpenException("open"),
            "malformed" => new StratumInvalidResponseException("not json"),
            "http" => new HttpRequestException("reset"),
            "io" => new IOException("reset"),
            "polly-timeout" => new TimeoutRejectedException(),
            "polly-circuit" => new BrokenCircuitException(),
            "context" => new StratumContextWindowExceededException("long"),
            "filtered" => new StratumContentFilteredException("no"),
            "400" => new StratumInvalidRequestException("bad"),
            "401" => new StratumAuthenticationException("key"),
            "403" => new StratumPermissionException("denied"),
            "404" => new StratumModelNotFoundException("unknown"),
            "empty-text" => new StratumEmptyResponseException("tool call"),
            "schema" => new StratumSchemaMismatchException("not the type"),
            "cancelled" => new OperationCanceledException(),
            "argument" => new ArgumentException("bug"),
            _ => new AllFallbacksFailedException([new FallbackAttempt("a", null, Scripted.Unavailable(), TimeSpan.Zero)]),
        };

        Assert.Equal(expected, FallbackPolicy.Default.ShouldFallBack(failure));
        Assert.Equal(expected || kind == "filtered", new FallbackPolicy { FallBackOnContentFiltered = true }.ShouldFallBack(failure));
        Assert.Equal(expected || kind == "schema", new FallbackPolicy { FallBackOnSchemaMismatch = true }.ShouldFallBack(failure));
    }

    [Fact]
    public void FallbackPolicy_IsCandidate_AfterContextOverflowOnlyLargerKnownWindows()
    {
        var overflow = new StratumContextWindowExceededException("long");
        Assert.True(FallbackPolicy.IsCandidate(overflow, Medium, Large));
        Assert.False(FallbackPolicy.IsCandidate(overflow, Medium, Small));
        Assert.False(FallbackPolicy.IsCandidate(overflow, Medium, Sized("same", OpenAI, 128_000)));
        Assert.False(FallbackPolicy.IsCandidate(overflow, Medium, null));
        Assert.True(FallbackPolicy.IsCandidate(Scripted.Unavailable(), Medium, Small));
        Assert.True(FallbackPolicy.IsCandidate(Scripted.Unavailable(), Medium, null));
    }

    [Fact]
    public void AllFallbacksFailedException_NeedsAtLeastOneAttempt()
    {
        Assert.Throws<ArgumentException>(() => new AllFallbacksFailedException(Array.Empty<FallbackAttempt>()));
        Assert.Throws<ArgumentNullException>(() => new AllFallbacksFailedException((IReadOnlyList<FallbackAttempt>)null!));
        Assert.Throws<ArgumentException>(() => new AllFallbacksFailedException([new FallbackAttempt("a", null, null, TimeSpan.Zero)]));
    }
}

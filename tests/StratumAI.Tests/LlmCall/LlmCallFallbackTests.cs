using Microsoft.Extensions.AI;
using StratumAI.Testing;
using StratumAI.Tests.Resilience;
using static StratumAI.Tests.TestCatalog;

namespace StratumAI.Tests.LlmCall;

public sealed class LlmCallFallbackTests
{
    private const string Answer = "The capital of France is Paris.";

    private static readonly List<ChatMessage> Messages = [new(ChatRole.System, "You are a helpful assistant."), new(ChatRole.User, "What is the capital of France?")];

    /// <summary>Two providers on the same fake server: "openai" (primary) and "backup" (the fallback's).</summary>
    private static StratumClient TwoProviderClient(FakeProviderServer server)
        => ClientFor(server, "openai", configure: options =>
        {
            var backup = options.Provider("backup");
            backup.ApiKey = CanaryKey;
            backup.BaseUrl = server.V1();
        });

    private static ModelInfo Primary => Model("gpt-4o", Provider("openai"), Gpt4oPricing);

    private static ModelInfo Backup => Model("backup-llama", Provider("backup"), GroqLlama70bPricing);

    private static void EnqueueAnswer(FakeProviderServer server)
        => server.EnqueueFixture(Fixture("openai/chat__pydantic-ai__test_openai_instructions.yaml"));

    [Fact]
    public async Task GetTextAsync_PrimaryReturns503_AnswersFromTheFallback()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.Enqueue(FakeResponse.Status(503));
        EnqueueAnswer(server);
        using var client = TwoProviderClient(server);

        var text = await LlmCallRunner.GetTextAsync(LlmCallRunner.GetChatClient(client), [Primary, Backup], Messages, null, CancellationToken.None);

        Assert.Equal(Answer, text);
        Assert.Equal(["gpt-4o", "backup-llama"], server.ReceivedRequests.Select(r => (string)Json(r.Body)!["model"]!).ToArray());
    }

    [Fact]
    public async Task GetTextAsync_HungPrimaryBehindResilience_FallsBackAfterOneAttemptTimeout()
    {
        await using var server = await FakeProviderServer.StartAsync();
        var hung = FakeResponse.FromExchange(FixtureLoader.Load(Fixture("openai/chat__vercel-ai-openai__openai-text.json"))[0]);
        server.Enqueue(hung with { DelayBeforeHeaders = TimeSpan.FromMinutes(10) });
        EnqueueAnswer(server);
        var time = new ObservedTime();
        var attemptTimeout = TimeSpan.FromSeconds(30);
        using var client = ClientFor(server, "openai", configure: options =>
        {
            var backup = options.Provider("backup");
            backup.ApiKey = CanaryKey;
            backup.BaseUrl = server.V1();
            options.Pipeline = b => b.UseStratumResilience(o =>
            {
                o.TimeProvider = time;
                o.AttemptTimeout = attemptTimeout;
            });
        });
        var (primary, fallback) = (Primary, Backup);
        client.Models.Register([primary, fallback]);
        var start = time.GetUtcNow();

        var call = LlmCallRunner.GetTextAsync(LlmCallRunner.GetChatClient(client), [primary, fallback], Messages, null, CancellationToken.None);
        await time.TimerOfAsync(attemptTimeout);
        using (var guard = new CancellationTokenSource(TimeSpan.FromSeconds(10)))
        {
            while (server.ReceivedRequests.Count == 0)
            {
                await Task.Delay(10, guard.Token);
            }
        }

        time.Advance(attemptTimeout);
        var text = await call.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(Answer, text);
        Assert.Equal(attemptTimeout, time.GetUtcNow() - start);
        Assert.Equal(["gpt-4o", "backup-llama"], server.ReceivedRequests.Select(r => (string)Json(r.Body)!["model"]!).ToArray());
    }

    [Fact]
    public async Task GetTextAsync_RateLimitedThenContextExceeded_TriesEveryFallbackInOrder()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.Enqueue(FakeResponse.Json("""{"error":{"message":"Rate limit reached","type":"requests","code":"rate_limit_exceeded"}}""", 429));
        server.Enqueue(FakeResponse.Json("""{"error":{"message":"This model's maximum context length is 8192 tokens","type":"invalid_request_error","code":"context_length_exceeded"}}""", 400));
        EnqueueAnswer(server);
        using var client = TwoProviderClient(server);
        // After a context window exceeded only a larger window is tried (FallbackPolicy.IsCandidate): this one is 1M.
        client.Models.Register([new ModelInfo("gpt-4o-mini", "MGpt4oMini", Provider("openai"), null, 1_000_000, 16_384, Gpt41NanoPricing, ModelCapabilities.None)]);

        var text = await LlmCallRunner.GetTextAsync(LlmCallRunner.GetChatClient(client), [Primary, Backup, "gpt-4o-mini"], Messages, null, CancellationToken.None);

        Assert.Equal(Answer, text);
        Assert.Equal(["gpt-4o", "backup-llama", "gpt-4o-mini"], server.ReceivedRequests.Select(r => (string)Json(r.Body)!["model"]!).ToArray());
    }

    [Fact]
    public async Task GetTextAsync_EveryModelUnavailable_ThrowsListingEveryAttempt()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.Enqueue(FakeResponse.Status(503));
        server.Enqueue(FakeResponse.Status(503));
        using var client = TwoProviderClient(server);

        var ex = await Assert.ThrowsAsync<AllFallbacksFailedException>(() =>
            LlmCallRunner.GetTextAsync(LlmCallRunner.GetChatClient(client), [Primary, Backup], Messages, null, CancellationToken.None));

        Assert.Equal(["gpt-4o", "backup-llama"], ex.Attempts.Select(a => a.ModelId).ToArray());
        Assert.Equal(["openai", "backup"], ex.Attempts.Select(a => a.ProviderId ?? "(none)").ToArray());
        Assert.All(ex.Attempts, a => Assert.IsType<StratumProviderUnavailableException>(a.Error));
        Assert.Same(ex.Attempts[^1].Error, ex.InnerException);
        Assert.StartsWith("All 2 models of the [LlmCall] method failed: (1) 'gpt-4o' from 'openai' after ", ex.Message, StringComparison.Ordinal);
        Assert.Contains(": StratumProviderUnavailableException", ex.Message, StringComparison.Ordinal);
        Assert.Contains("(2) 'backup-llama' from 'backup'", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(CanaryKey, ex.ToString(), StringComparison.Ordinal);
        Assert.True(ex.IsRetryable);
    }

    [Fact]
    public async Task GetTextAsync_AuthenticationFailure_DoesNotFallBack()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.Enqueue(FakeResponse.Json("""{"error":{"message":"Incorrect API key provided","type":"invalid_request_error","code":"invalid_api_key"}}""", 401));
        EnqueueAnswer(server);
        using var client = TwoProviderClient(server);

        await Assert.ThrowsAsync<StratumAuthenticationException>(() =>
            LlmCallRunner.GetTextAsync(LlmCallRunner.GetChatClient(client), [Primary, Backup], Messages, null, CancellationToken.None));

        Assert.Single(server.ReceivedRequests);
    }

    [Fact]
    public async Task GetTextAsync_ServerError_FallsBackAsTheFallbackPolicyDoes()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.Enqueue(FakeResponse.Status(500));
        EnqueueAnswer(server);
        using var client = TwoProviderClient(server);

        var text = await LlmCallRunner.GetTextAsync(LlmCallRunner.GetChatClient(client), [Primary, Backup], Messages, null, CancellationToken.None);

        Assert.False(string.IsNullOrEmpty(text));
        Assert.Equal(2, server.ReceivedRequests.Count);
        Assert.True(FallbackPolicy.Default.ShouldFallBack(new StratumServerErrorException("boom")));
        Assert.False(FallbackPolicy.Default.ShouldFallBack(new StratumSchemaMismatchException("not the schema")));
    }

    [Fact]
    public async Task GetTextAsync_SingleModelUnavailable_ThrowsTheProvidersErrorItself()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.Enqueue(FakeResponse.Status(503));
        using var client = TwoProviderClient(server);

        await Assert.ThrowsAsync<StratumProviderUnavailableException>(() =>
            LlmCallRunner.GetTextAsync(LlmCallRunner.GetChatClient(client), [Primary], Messages, null, CancellationToken.None));
    }

    [Fact]
    public async Task GetTextAsync_Fallbacks_EachAttemptGetsTheCallersOptionsUnchanged()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.Enqueue(FakeResponse.Status(503));
        EnqueueAnswer(server);
        using var client = TwoProviderClient(server);
        var options = new ChatOptions { MaxOutputTokens = 77, AdditionalProperties = new() { [StratumOptionKeys.Tags] = new[] { "billing" } } };

        await LlmCallRunner.GetTextAsync(LlmCallRunner.GetChatClient(client), [Primary, Backup], Messages, options, CancellationToken.None);

        Assert.All(server.ReceivedRequests, r => Assert.Equal(77, (int)Json(r.Body)!["max_tokens"]!));
        // Tags are for StratumAI's own accounting; they never reach a provider.
        Assert.All(server.ReceivedRequests, r => Assert.DoesNotContain("billing", r.Body, StringComparison.Ordinal));
    }

    [Fact]
    public async Task GetTextAsync_UnknownFallbackId_ThrowsModelNotFoundBeforeCallingIt()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.Enqueue(FakeResponse.Status(503));
        using var client = TwoProviderClient(server);

        var ex = await Assert.ThrowsAsync<StratumModelNotFoundException>(() =>
            LlmCallRunner.GetTextAsync(LlmCallRunner.GetChatClient(client), [Primary, "no-such-model"], Messages, null, CancellationToken.None));

        Assert.Equal("no-such-model", ex.ModelId);
        Assert.Single(server.ReceivedRequests);
    }

    [Fact]
    public async Task GetResponseAsync_PrimaryReturns503_ReturnsTheFallbacksWholeResponse()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.Enqueue(FakeResponse.Status(503));
        EnqueueAnswer(server);
        using var client = TwoProviderClient(server);

        var response = await LlmCallRunner.GetResponseAsync(LlmCallRunner.GetChatClient(client), [Primary, Backup], Messages, null, CancellationToken.None);

        Assert.Equal(Answer, response.Text);
        Assert.NotNull(response.Usage);
        Assert.Equal("backup-llama", (string)Json(server.ReceivedRequests[1].Body)!["model"]!);
    }

    [Fact]
    public async Task GetResponseAsync_EveryModelRateLimited_ThrowsListingEveryAttempt()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.Enqueue(FakeResponse.Json("""{"error":{"message":"Rate limit reached","type":"requests","code":"rate_limit_exceeded"}}""", 429));
        server.Enqueue(FakeResponse.Status(503));
        using var client = TwoProviderClient(server);

        var ex = await Assert.ThrowsAsync<AllFallbacksFailedException>(() =>
            LlmCallRunner.GetResponseAsync(LlmCallRunner.GetChatClient(client), [Primary, Backup], Messages, null, CancellationToken.None));

        Assert.IsType<StratumRateLimitException>(ex.Attempts[0].Error);
        Assert.IsType<StratumProviderUnavailableException>(ex.Attempts[1].Error);
    }
}

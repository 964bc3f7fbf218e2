using System.Net;
using Microsoft.Extensions.AI;
using StratumAI.Testing;
using static StratumAI.Tests.TestCatalog;

namespace StratumAI.Tests.Errors;

/// <summary>Recorded provider errors and injected faults map to the right <see cref="StratumException"/> with parsed fields.</summary>
public sealed class ProviderErrorTests
{
    private static async Task<TException> CallExpecting<TException>(FakeProviderServer server, string providerId, string modelId)
        where TException : Exception
    {
        using var client = ClientFor(server, providerId);
        var model = Model(modelId, Provider(providerId), Gpt4oPricing);
        // Exact type: a subclass (say, context window exceeded for a plain invalid request) would be a wrong mapping.
        return typeof(TException) == typeof(StratumException)
            ? await Assert.ThrowsAnyAsync<TException>(() => client.GetResponseAsync(model, "This should fail"))
            : await Assert.ThrowsAsync<TException>(() => client.GetResponseAsync(model, "This should fail"));
    }

    [Fact]
    public async Task OpenAI404ModelNotFound_ThrowsModelNotFoundWithParsedFieldsAndRequestId()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.Enqueue(FixtureLoader.Load(Fixture("openai/error__crewai__test_llm_call_with_error.yaml"))[0]);

        var ex = await CallExpecting<StratumModelNotFoundException>(server, "openai", "non-existent-model");

        Assert.Equal("openai", ex.ProviderId);
        Assert.Equal("non-existent-model", ex.ModelId);
        Assert.Equal(HttpStatusCode.NotFound, ex.StatusCode);
        Assert.Equal("invalid_request_error", ex.ErrorType);
        Assert.Equal("model_not_found", ex.ErrorCode);
        Assert.Equal("The model `non-existent-model` does not exist or you do not have access to it.", ex.ProviderMessage);
        Assert.Equal("req_9441b7808a504cc8abfc6276fd5c7721", ex.RequestId);
        Assert.False(ex.IsRetryable);
        Assert.Contains("404", ex.Message);
        Assert.Contains("does not exist", ex.Message);
        Assert.Contains("req_9441b7808a504cc8abfc6276fd5c7721", ex.Message);
        Assert.DoesNotContain(CanaryKey, ex.ToString());
    }

    [Fact]
    public async Task Groq404ModelNotFound_ThrowsModelNotFound()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.EnqueueFixture(Fixture("groq/error__pydantic-ai__test_model_name_suggestion_groq_.yaml"));

        var ex = await CallExpecting<StratumModelNotFoundException>(server, "groq", "llama-3.3-70b-versatlie");

        Assert.Equal("groq", ex.ProviderId);
        Assert.Equal("model_not_found", ex.ErrorCode);
        Assert.Equal("The model `llama-3.3-70b-versatlie` does not exist or you do not have access to it.", ex.ProviderMessage);
    }

    [Fact]
    public async Task OpenAI400UnsupportedParameter_ThrowsInvalidRequestNamingTheParameter()
    {
        await using var server = await FakeProviderServer.StartAsync();
        var exchanges = FixtureLoader.Load(Fixture("openai/error__crewai__test_llm_call_when_stop_is_unsupported.yaml"));
        server.Enqueue(exchanges.First(e => e.Response.StatusCode == 400));

        var ex = await CallExpecting<StratumInvalidRequestException>(server, "openai", "o3");

        Assert.IsNotType<StratumContextWindowExceededException>(ex);
        Assert.Equal(HttpStatusCode.BadRequest, ex.StatusCode);
        Assert.Equal("invalid_request_error", ex.ErrorType);
        Assert.Equal("unsupported_parameter", ex.ErrorCode);
        Assert.Equal("stop", ex.Parameter);
        Assert.Contains("'stop'", ex.ProviderMessage);
        Assert.False(ex.IsRetryable);
    }

    [Fact]
    public async Task OpenAILegacyMaxTokensError_ThrowsInvalidRequestWithParameter()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.EnqueueFixture(Fixture("openai/error__vercel-ai-openai__reasoning-model-legacy-parameter-error.json"));

        var ex = await CallExpecting<StratumInvalidRequestException>(server, "openai", "o1");

        Assert.Equal(HttpStatusCode.BadRequest, ex.StatusCode);
        Assert.Equal("unsupported_parameter", ex.ErrorCode);
        Assert.Equal("max_tokens", ex.Parameter);
        Assert.Equal("Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.", ex.ProviderMessage);
    }

    [Fact]
    public async Task OpenRouter401_ThrowsAuthenticationWithNumericCode()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.Enqueue(FixtureLoader.Load(Fixture("openrouter/error__crewai__test_agent_with_knowledge_with_no_crewai_knowledge.yaml"))[0]);

        var ex = await CallExpecting<StratumAuthenticationException>(server, "openrouter", "openai/gpt-4o-mini");

        Assert.Equal(HttpStatusCode.Unauthorized, ex.StatusCode);
        Assert.Equal("401", ex.ErrorCode);
        Assert.Equal("No cookie auth credentials found", ex.ProviderMessage);
        Assert.Equal("openrouter", ex.ProviderId);
        Assert.False(ex.IsRetryable);
        Assert.DoesNotContain(CanaryKey, ex.ToString());
    }

    [Fact]
    public async Task OpenRouter429_ThrowsRateLimitWithUpstreamExplanation()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.Enqueue(FixtureLoader.Load(Fixture("openrouter/error__pydantic-ai__test_openrouter_errors_raised.yaml"))[0]);

        var ex = await CallExpecting<StratumRateLimitException>(server, "openrouter", "google/gemini-2.0-flash-exp:free");

        Assert.Equal((HttpStatusCode)429, ex.StatusCode);
        Assert.Equal("429", ex.ErrorCode);
        Assert.StartsWith("Provider returned error (Google): google/gemini-2.0-flash-exp:free is temporarily rate-limited upstream.", ex.ProviderMessage);
        Assert.Null(ex.RetryAfter);
        Assert.True(ex.IsRetryable);
    }

    [Fact]
    public async Task RateLimit_RetryAfterSeconds_IsParsed()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.Enqueue(FakeResponse.Json("""{"error":{"message":"Rate limit reached","type":"requests","code":"rate_limit_exceeded"}}""", 429)
            .WithHeader("Retry-After", "17"));

        var ex = await CallExpecting<StratumRateLimitException>(server, "openai", "gpt-4o");

        Assert.Equal(TimeSpan.FromSeconds(17), ex.RetryAfter);
        Assert.Equal("rate_limit_exceeded", ex.ErrorCode);
        Assert.True(ex.IsRetryable);
    }

    [Fact]
    public async Task RateLimit_RetryAfterMs_WinsOverRetryAfter()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.Enqueue(FakeResponse.Json("""{"error":{"message":"slow down"}}""", 429)
            .WithHeader("retry-after-ms", "1500")
            .WithHeader("Retry-After", "2"));

        var ex = await CallExpecting<StratumRateLimitException>(server, "openai", "gpt-4o");

        Assert.Equal(TimeSpan.FromMilliseconds(1500), ex.RetryAfter);
    }

    [Fact]
    public async Task RateLimit_RetryAfterHttpDate_IsMeasuredAgainstTheServersDateHeader()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.Enqueue(FakeResponse.Json("""{"error":{"message":"slow down"}}""", 429)
            .WithHeader("Date", "Wed, 21 Oct 2026 07:28:00 GMT")
            .WithHeader("Retry-After", "Wed, 21 Oct 2026 07:28:45 GMT"));

        var ex = await CallExpecting<StratumRateLimitException>(server, "openai", "gpt-4o");

        Assert.Equal(TimeSpan.FromSeconds(45), ex.RetryAfter);
    }

    [Fact]
    public async Task RateLimit_InsufficientQuota_IsNotRetryable()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.Enqueue(FakeResponse.Json("""{"error":{"message":"You exceeded your current quota","type":"insufficient_quota","code":"insufficient_quota"}}""", 429));

        var ex = await CallExpecting<StratumRateLimitException>(server, "openai", "gpt-4o");

        Assert.False(ex.IsRetryable);
    }

    [Theory]
    [InlineData(503, typeof(StratumProviderUnavailableException))]
    [InlineData(502, typeof(StratumProviderUnavailableException))]
    [InlineData(529, typeof(StratumProviderUnavailableException))]
    [InlineData(500, typeof(StratumServerErrorException))]
    public async Task ServerFailures_MapToRetryableExceptions(int status, Type expected)
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.Enqueue(FakeResponse.Json("""{"error":{"message":"The server had an error while processing your request.","type":"server_error"}}""", status)
            .WithHeader("x-request-id", "req_abc"));

        var ex = await CallExpecting<StratumException>(server, "openai", "gpt-4o");

        Assert.IsType(expected, ex);
        Assert.True(ex.IsRetryable);
        Assert.Equal(status, (int)ex.StatusCode!);
        Assert.Equal("server_error", ex.ErrorType);
        Assert.Equal("req_abc", ex.RequestId);
    }

    [Fact]
    public async Task ContextLengthExceeded_ThrowsContextWindowExceeded()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.Enqueue(FakeResponse.Json("""{"error":{"message":"This model's maximum context length is 128000 tokens.","type":"invalid_request_error","param":"messages","code":"context_length_exceeded"}}""", 400));

        var ex = await CallExpecting<StratumContextWindowExceededException>(server, "openai", "gpt-4o");

        Assert.Equal("messages", ex.Parameter);
        Assert.False(ex.IsRetryable);
    }

    [Fact]
    public async Task NonJsonErrorBody_KeepsTheBodyTextAsTheMessage()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.Enqueue(FakeResponse.Text("<html>Bad Gateway</html>", "text/html", 502));

        var ex = await CallExpecting<StratumProviderUnavailableException>(server, "openai", "gpt-4o");

        Assert.Equal("<html>Bad Gateway</html>", ex.ProviderMessage);
        Assert.Null(ex.ErrorCode);
    }

    [Fact]
    public async Task ErrorMessageEchoingTheKey_IsRedacted()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.Enqueue(FakeResponse.Json($$$"""{"error":{"message":"Incorrect API key provided: {{{CanaryKey}}}.","type":"invalid_request_error","code":"invalid_api_key"}}""", 401));

        var ex = await CallExpecting<StratumAuthenticationException>(server, "openai", "gpt-4o");

        Assert.Equal("Incorrect API key provided: ***.", ex.ProviderMessage);
        Assert.DoesNotContain(CanaryKey, ex.Message);
        Assert.DoesNotContain(CanaryKey, ex.ToString());
        Assert.Equal("invalid_api_key", ex.ErrorCode);
    }

    [Fact]
    public async Task SuccessWithMalformedBody_ThrowsInvalidResponseNotAnEmptyResult()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.Enqueue(FakeResponse.Json("""{"id":"chatcmpl-1","choices":[{"index":0,"message":{"role":"assistant","content":"Hel"""));

        var ex = await CallExpecting<StratumInvalidResponseException>(server, "openai", "gpt-4o");

        Assert.Equal("openai", ex.ProviderId);
        Assert.Contains("not valid chat completion JSON", ex.Message);
        Assert.IsAssignableFrom<System.Text.Json.JsonException>(ex.InnerException);
    }

    [Fact]
    public async Task SuccessWithoutChoices_ThrowsInvalidResponse()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.Enqueue(FakeResponse.Json("""{"id":"chatcmpl-1","object":"chat.completion","choices":[]}"""));

        var ex = await CallExpecting<StratumInvalidResponseException>(server, "openai", "gpt-4o");

        Assert.Contains("no choices", ex.Message);
    }

    [Fact]
    public async Task SuccessWithErrorObject_ThrowsInvalidResponseCarryingTheProviderMessage()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.Enqueue(FakeResponse.Json("""{"error":{"message":"Upstream provider timed out","code":502}}"""));

        var ex = await CallExpecting<StratumInvalidResponseException>(server, "openrouter", "some/model");

        Assert.Contains("Upstream provider timed out", ex.Message);
    }

    [Fact]
    public async Task DroppedConnection_ThrowsProviderUnavailable()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.Enqueue(FakeResponse.Disconnect());

        var ex = await CallExpecting<StratumProviderUnavailableException>(server, "openai", "gpt-4o");

        Assert.True(ex.IsRetryable);
        Assert.Null(ex.StatusCode);
        Assert.IsType<HttpRequestException>(ex.InnerException);
    }
}

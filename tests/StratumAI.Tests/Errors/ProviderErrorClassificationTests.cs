using System.Net;
using Microsoft.Extensions.AI;
using StratumAI.Testing;
using static StratumAI.Tests.TestCatalog;

namespace StratumAI.Tests.Errors;

/// <summary>
/// Every error category of the hierarchy, recognised from the status, the provider's error type or code, or its
/// wording (real messages from OpenAI, Anthropic, Gemini, DeepSeek, Groq, xAI, Mistral and OpenRouter), plus
/// rate-limit headers, proxy HTML pages, empty bodies and errors reported inside a stream.
/// </summary>
public sealed class ProviderErrorClassificationTests
{
    private static async Task<StratumException> CallAsync(FakeResponse response, string providerId = "openai")
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.Enqueue(response);
        using var client = ClientFor(server, providerId);
        var model = Model("some-model", Provider(providerId), Gpt4oPricing);
        return await Assert.ThrowsAnyAsync<StratumException>(() => client.GetResponseAsync(model, "hi"));
    }

    [Fact]
    public async Task Gemini403PermissionDenied_ThrowsPermissionWhichIsAnAuthenticationFailure()
    {
        var recorded = FixtureLoader.Load(Fixture("gemini/error__langchaingo__TestGoogleAIErrorHandling.httprr"))[0];

        var ex = await CallAsync(FakeResponse.FromExchange(recorded), "gemini");

        var permission = Assert.IsType<StratumPermissionException>(ex);
        Assert.IsAssignableFrom<StratumAuthenticationException>(permission);
        Assert.Equal(HttpStatusCode.Forbidden, ex.StatusCode);
        Assert.Equal("PERMISSION_DENIED", ex.ErrorType);
        Assert.Equal("403", ex.ErrorCode);
        Assert.StartsWith("Method doesn't allow unregistered callers", ex.ProviderMessage);
        Assert.False(ex.IsRetryable);
    }

    [Fact]
    public async Task Anthropic403PermissionError_ThrowsPermission()
    {
        var ex = await CallAsync(FakeResponse.Json("""{"type":"error","error":{"type":"permission_error","message":"Your API key does not have permission to use the specified resource."}}""", 403), "anthropic");

        Assert.IsType<StratumPermissionException>(ex);
        Assert.Equal("permission_error", ex.ErrorType);
    }

    [Theory]
    [InlineData("""{"error":{"message":"Your request was rejected as a result of our safety system.","type":"invalid_request_error","param":null,"code":"content_policy_violation"}}""", "content_policy_violation")]
    [InlineData("""{"error":{"message":"The response was filtered due to the prompt triggering Azure OpenAI's content management policy.","type":null,"param":"prompt","code":"content_filter","status":400}}""", "content_filter")]
    [InlineData("""{"error":{"message":"Invalid prompt: your prompt was flagged as potentially violating our usage policy.","type":"invalid_request_error","code":"invalid_prompt"}}""", "invalid_prompt")]
    public async Task ContentPolicyRefusal_ThrowsContentFiltered(string body, string code)
    {
        var ex = await CallAsync(FakeResponse.Json(body, 400));

        Assert.IsType<StratumContentFilteredException>(ex);
        Assert.Equal(code, ex.ErrorCode);
        Assert.False(ex.IsRetryable);
    }

    [Theory]
    [InlineData(529)]
    [InlineData(500)]
    public async Task AnthropicOverloaded_ThrowsRetryableProviderUnavailable(int status)
    {
        var ex = await CallAsync(FakeResponse.Json("""{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}""", status)
            .WithHeader("retry-after", "12").WithHeader("request-id", "req_011CWdepJvA2D819tdYYq4h7"), "anthropic");

        var unavailable = Assert.IsType<StratumProviderUnavailableException>(ex);
        Assert.True(unavailable.IsRetryable);
        Assert.Equal("overloaded_error", ex.ErrorType);
        Assert.Equal("Overloaded", ex.ProviderMessage);
        Assert.Equal(TimeSpan.FromSeconds(12), unavailable.RetryAfter);
        Assert.Equal("req_011CWdepJvA2D819tdYYq4h7", ex.RequestId);
        Assert.Equal(status, (int)ex.StatusCode!);
    }

    [Theory]
    [InlineData("openai", 400, """{"error":{"message":"This model's maximum context length is 128000 tokens. However, your messages resulted in 204308 tokens. Please reduce the length of the messages.","type":"invalid_request_error","param":"messages","code":"context_length_exceeded"}}""")]
    [InlineData("openai", 400, """{"error":{"message":"Your input exceeds the context window of this model. Please adjust your input and try again.","type":"invalid_request_error","param":"input","code":"context_length_exceeded"}}""")]
    [InlineData("anthropic", 400, """{"type":"error","error":{"type":"invalid_request_error","message":"prompt is too long: 208656 tokens > 200000 maximum"},"request_id":"req_011CWdepJvA2D819tdYYq4h7"}""")]
    [InlineData("anthropic", 400, """{"type":"error","error":{"type":"invalid_request_error","message":"input length and `max_tokens` exceed context limit: 198000 + 8192 > 200000, decrease input length or `max_tokens` and try again"}}""")]
    [InlineData("gemini", 400, """[{"error":{"code":400,"message":"The input token count (1054016) exceeds the maximum number of tokens allowed (1048576).","errors":[{"message":"The input token count (1054016) exceeds the maximum number of tokens allowed (1048576).","domain":"global","reason":"badRequest"}],"status":"INVALID_ARGUMENT"}}]""")]
    [InlineData("deepseek", 400, """{"error":{"message":"This model's maximum context length is 65536 tokens. However, you requested 70013 tokens (70013 in the messages, 0 in the completion). Please reduce the length of the messages or completion.","type":"invalid_request_error","param":null,"code":"invalid_request_error"}}""")]
    [InlineData("groq", 400, """{"error":{"message":"Please reduce the length of the messages or completion.","type":"invalid_request_error","param":"messages","code":"context_length_exceeded"}}""")]
    [InlineData("xai", 400, """{"code":"Client specified an invalid argument","error":"This model's maximum prompt length is 131072 but the request contains 136973 tokens."}""")]
    [InlineData("mistral", 400, """{"object":"error","message":"Prompt contains 40000 tokens and 0 draft tokens, too large for model with 32768 maximum context length","type":"invalid_request_error","param":null,"code":null}""")]
    [InlineData("openrouter", 400, """{"error":{"message":"This endpoint's maximum context length is 8192 tokens. However, you requested about 10240 tokens (10240 of text input). Please reduce the length of either one, or use the \"middle-out\" transform to compress your prompt automatically.","code":400}}""")]
    [InlineData("openai", 413, """{"error":{"message":"Request too large for gpt-4o: maximum context length exceeded","type":"invalid_request_error"}}""")]
    public async Task ContextWindowExceeded_IsRecognisedFromEachProvidersCodeOrText(string providerId, int status, string body)
    {
        var ex = await CallAsync(FakeResponse.Json(body, status), providerId);

        Assert.IsType<StratumContextWindowExceededException>(ex);
        Assert.False(ex.IsRetryable);
        Assert.Equal(providerId, ex.ProviderId);
        Assert.False(string.IsNullOrEmpty(ex.ProviderMessage));
        Assert.Contains(ex.ProviderMessage!, ex.Message);
    }

    [Fact]
    public async Task RateLimit_KeepsOpenAIRateLimitHeadersRecordedFromARealResponse()
    {
        var recorded = FixtureLoader.Load(Fixture("openai/chat__langchaingo__TestClient_CreateChatCompletion.httprr"))[0];
        var response = FakeResponse.Json("""{"error":{"message":"Rate limit reached for gpt-3.5-turbo","type":"requests","code":"rate_limit_exceeded"}}""", 429)
            with { Headers = recorded.Response.Headers };

        var ex = Assert.IsType<StratumRateLimitException>(await CallAsync(response));

        Assert.Equal("10000", ex.RateLimitHeaders["x-ratelimit-limit-requests"]);
        Assert.Equal("49999992", ex.RateLimitHeaders["x-ratelimit-remaining-tokens"]);
        Assert.Equal(9999, ex.RemainingRequests);
        Assert.Equal(49_999_992, ex.RemainingTokens);
        Assert.Equal(TimeSpan.FromMilliseconds(6), ex.RequestsResetAfter);
        Assert.Equal(TimeSpan.Zero, ex.TokensResetAfter);
        Assert.DoesNotContain(ex.RateLimitHeaders.Keys, k => k.Equals("date", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task RateLimit_KeepsAnthropicRateLimitHeadersAndMeasuresResetsAgainstTheServersDate()
    {
        var ex = Assert.IsType<StratumRateLimitException>(await CallAsync(
            FakeResponse.Json("""{"type":"error","error":{"type":"rate_limit_error","message":"Number of request tokens has exceeded your per-minute rate limit"}}""", 429)
                .WithHeader("Date", "Thu, 22 Jan 2026 20:40:26 GMT")
                .WithHeader("anthropic-ratelimit-requests-limit", "4000")
                .WithHeader("anthropic-ratelimit-requests-remaining", "3999")
                .WithHeader("anthropic-ratelimit-requests-reset", "2026-01-22T20:40:56Z")
                .WithHeader("anthropic-ratelimit-tokens-remaining", "ANTHROPIC-RATELIMIT-TOKENS-REMAINING-XXX")
                .WithHeader("retry-after", "30"),
            "anthropic"));

        Assert.Equal(3999, ex.RemainingRequests);
        Assert.Equal(TimeSpan.FromSeconds(30), ex.RequestsResetAfter);
        Assert.Equal(TimeSpan.FromSeconds(30), ex.RetryAfter);
        // A scrubbed (non-numeric) value is kept as text but is not a number.
        Assert.Equal("ANTHROPIC-RATELIMIT-TOKENS-REMAINING-XXX", ex.RateLimitHeaders["anthropic-ratelimit-tokens-remaining"]);
        Assert.Null(ex.RemainingTokens);
        Assert.Equal("rate_limit_error", ex.ErrorType);
        Assert.True(ex.IsRetryable);
    }

    [Fact]
    public async Task RateLimit_WithoutHeaders_HasAnEmptyHeaderDictionary()
    {
        var ex = Assert.IsType<StratumRateLimitException>(await CallAsync(FakeResponse.Json("""{"error":{"message":"slow down"}}""", 429)));

        Assert.Empty(ex.RateLimitHeaders);
        Assert.Null(ex.RemainingRequests);
        Assert.Null(ex.RequestsResetAfter);
    }

    [Theory]
    [InlineData("6ms", 6)]
    [InlineData("0s", 0)]
    [InlineData("1s", 1_000)]
    [InlineData("7.66s", 7_660)]
    [InlineData("6m0s", 360_000)]
    [InlineData("1h2m3.5s", 3_723_500)]
    [InlineData("2.5", 2_500)]
    [InlineData("2026-01-22T20:41:26Z", 60_000)]
    [InlineData("2026-01-22T20:40:00Z", 0)]
    public void ParseReset_ReadsDurationsSecondsAndDates(string value, long expectedMilliseconds)
    {
        var now = new DateTimeOffset(2026, 1, 22, 20, 40, 26, TimeSpan.Zero);

        Assert.Equal(TimeSpan.FromMilliseconds(expectedMilliseconds), ProviderErrorMapper.ParseReset(value, now));
    }

    [Theory]
    [InlineData("soon")]
    [InlineData("")]
    [InlineData("5x")]
    public void ParseReset_UnreadableValue_IsNull(string value)
    {
        Assert.Null(ProviderErrorMapper.ParseReset(value, DateTimeOffset.UnixEpoch));
    }

    [Fact]
    public async Task HtmlErrorPageFromAProxy_ThrowsByStatusWithTheTitleAndAHintInTheMessage()
    {
        const string page = """
            <!DOCTYPE html>
            <html><head><title>502 Bad Gateway</title></head>
            <body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx/1.25.3</center></body></html>
            """;

        var ex = await CallAsync(FakeResponse.Text(page, "text/html; charset=utf-8", 502));

        Assert.IsType<StratumProviderUnavailableException>(ex);
        Assert.Contains("HTML page ('502 Bad Gateway')", ex.Message);
        Assert.Contains("proxy", ex.Message);
        Assert.DoesNotContain("<center>", ex.Message);
        Assert.True(ex.IsRetryable);
    }

    [Fact]
    public async Task HtmlPageWithoutTitle_UsesItsTextAndTheStatusStillDecidesTheType()
    {
        var ex = await CallAsync(FakeResponse.Text("<html><body><p>Access denied &amp; logged</p></body></html>", "text/html", 403));

        Assert.IsType<StratumPermissionException>(ex);
        Assert.Contains("HTML page ('Access denied & logged')", ex.Message);
    }

    [Theory]
    [InlineData(503, typeof(StratumProviderUnavailableException))]
    [InlineData(400, typeof(StratumInvalidRequestException))]
    [InlineData(401, typeof(StratumAuthenticationException))]
    [InlineData(500, typeof(StratumServerErrorException))]
    public async Task EmptyErrorBody_ThrowsByStatusAndSaysTheBodyWasEmpty(int status, Type expected)
    {
        var ex = await CallAsync(FakeResponse.Status(status));

        Assert.IsType(expected, ex);
        Assert.Contains($"HTTP {status}", ex.Message);
        Assert.Contains("the response body was empty", ex.Message);
        Assert.Null(ex.ProviderMessage);
    }

    [Theory]
    [InlineData("overloaded_error", null, typeof(StratumProviderUnavailableException))]
    [InlineData(null, "rate_limit_exceeded", typeof(StratumRateLimitException))]
    [InlineData("rate_limit_error", null, typeof(StratumRateLimitException))]
    [InlineData("tokens", "rate_limit_exceeded", typeof(StratumRateLimitException))]
    [InlineData("invalid_request_error", "context_length_exceeded", typeof(StratumContextWindowExceededException))]
    [InlineData("invalid_request_error", null, typeof(StratumInvalidRequestException))]
    [InlineData(null, "content_filter", typeof(StratumContentFilteredException))]
    [InlineData("permission_error", null, typeof(StratumPermissionException))]
    [InlineData("authentication_error", null, typeof(StratumAuthenticationException))]
    [InlineData("not_found_error", null, typeof(StratumModelNotFoundException))]
    [InlineData("api_error", null, typeof(StratumServerErrorException))]
    [InlineData(null, "server_error", typeof(StratumServerErrorException))]
    [InlineData(null, null, typeof(StratumServerErrorException))]
    public void StreamError_IsClassifiedByTypeAndCodeAndCarriesTheUsageSoFar(string? type, string? code, Type expected)
    {
        var usage = new UsageDetails { InputTokenCount = 10, OutputTokenCount = 4 };

        var ex = ProviderErrorMapper.FromStreamError("anthropic", "claude", type, code, "Something happened", null, "req_1", usage, SecretRedactor.KeyShapedOnly);

        Assert.IsType(expected, ex);
        Assert.Same(usage, ex.UsageSoFar);
        Assert.Equal(type, ex.ErrorType);
        Assert.Equal(code, ex.ErrorCode);
        Assert.Equal("req_1", ex.RequestId);
        Assert.Null(ex.StatusCode);
        Assert.Contains("Something happened", ex.Message);
    }

    [Fact]
    public void StreamError_InsufficientQuota_IsARateLimitThatIsNotRetryable()
    {
        var ex = ProviderErrorMapper.FromStreamError("openai", "gpt-5-nano", "insufficient_quota", "insufficient_quota", "You exceeded your current quota", null, null, null, SecretRedactor.KeyShapedOnly);

        Assert.False(Assert.IsType<StratumRateLimitException>(ex).IsRetryable);
    }

    [Theory]
    [InlineData("openai")]
    [InlineData("openai-responses")]
    public async Task SuccessStatusWithAnHtmlPage_ThrowsInvalidResponseThatNamesTheProxy(string dialect)
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.Enqueue(FakeResponse.Text("<html><head><title>Hotel Wi-Fi Login</title></head><body>Please sign in</body></html>", "text/html"));
        using var client = ClientFor(server, "openai");
        var model = Model("gpt-4.1", Provider("openai"), Gpt4oPricing, dialect: dialect);

        var ex = await Assert.ThrowsAsync<StratumInvalidResponseException>(() => client.GetResponseAsync(model, "hi"));

        Assert.Contains("HTML page ('Hotel Wi-Fi Login')", ex.Message);
        Assert.Contains("proxy", ex.Message);
    }
}

using System.Net;
using Microsoft.Extensions.AI;
using StratumAI.Testing;
using static StratumAI.Tests.Dialects.Gemini.GeminiTestSupport;
using static StratumAI.Tests.TestCatalog;

namespace StratumAI.Tests.Dialects.Gemini;

/// <summary>Recorded and scripted Gemini failures mapped to the <see cref="StratumException"/> hierarchy.</summary>
public sealed class GeminiErrorTests
{
    [Fact]
    public async Task CrewAIStreamingWithInvalidKey_Http400ApiKeyInvalid_IsAnAuthenticationFailureEveryTime()
    {
        await using var server = await FakeProviderServer.StartAsync();
        var exchanges = server.EnqueueFixture(Fixture("gemini/error__crewai__test_google_streaming_returns_usage_metrics.yaml"));
        using var client = GeminiClient(server);
        var model = GeminiModel("gemini-2.0-flash-exp", Flash20);
        var recorded = RecordedRequestBody(exchanges[0])!;
        var system = (string)recorded["systemInstruction"]!["parts"]![0]!["text"]!;
        var user = (string)recorded["contents"]![0]!["parts"]![0]!["text"]!;

        Assert.Equal(3, exchanges.Count);
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var ex = await Assert.ThrowsAsync<StratumAuthenticationException>(async () =>
                await CollectAsync(client.GetStreamingResponseAsync(model,
                    [new ChatMessage(ChatRole.System, system), new ChatMessage(ChatRole.User, user)],
                    new ChatOptions { StopSequences = ["\nObservation:"] })));

            Assert.IsNotType<StratumPermissionException>(ex);
            Assert.Equal(HttpStatusCode.BadRequest, ex.StatusCode);
            Assert.Equal("INVALID_ARGUMENT", ex.ErrorType);
            Assert.Equal("API_KEY_INVALID", ex.ErrorCode);
            Assert.Equal("API key not valid. Please pass a valid API key.", ex.ProviderMessage);
            Assert.Equal("gemini", ex.ProviderId);
            Assert.Equal("gemini-2.0-flash-exp", ex.ModelId);
            Assert.False(ex.IsRetryable);
            Assert.DoesNotContain(CanaryKey, ex.Message, StringComparison.Ordinal);
        }

        Assert.Equal(3, server.ReceivedRequests.Count);
        var sent = server.ReceivedRequests[0];
        Assert.EndsWith(sent.PathAndQuery[3..], exchanges[0].Request!.PathAndQuery, StringComparison.Ordinal);
        var body = Json(sent.Body)!;
        AssertJsonEqual(recorded["contents"], body["contents"]);
        AssertJsonEqual(recorded["systemInstruction"], body["systemInstruction"]);
        AssertJsonEqual(recorded["generationConfig"], body["generationConfig"]);
    }

    [Fact]
    public async Task LangChainGoNoKey_Http403PermissionDenied_IsAPermissionFailure()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.EnqueueFixture(Fixture("gemini/error__langchaingo__TestGoogleAIErrorHandling.httprr"));
        using var client = GeminiClient(server);

        var ex = await Assert.ThrowsAsync<StratumPermissionException>(() => client.GetResponseAsync(GeminiModel("gemini-2.0-flash", Flash20), "Hello"));

        Assert.Equal(HttpStatusCode.Forbidden, ex.StatusCode);
        Assert.Equal("PERMISSION_DENIED", ex.ErrorType);
        Assert.Equal("PERMISSION_DENIED", ex.ErrorCode);
        Assert.StartsWith("Method doesn't allow unregistered callers", ex.ProviderMessage, StringComparison.Ordinal);
        Assert.Contains("HTTP 403", ex.Message, StringComparison.Ordinal);
        Assert.False(ex.IsRetryable);
    }

    [Fact]
    public async Task PydanticModelNameSuggestion_Http404NotFound_IsModelNotFound()
    {
        await using var server = await FakeProviderServer.StartAsync();
        var exchanges = server.EnqueueFixture(Fixture("gemini/error__pydantic-ai__test_model_name_suggestion_google_.yaml"));
        using var client = GeminiClient(server);

        var ex = await Assert.ThrowsAsync<StratumModelNotFoundException>(() => client.GetResponseAsync(GeminiModel("gemini-3.6-flahs", Flash25), "hello"));

        Assert.Equal(HttpStatusCode.NotFound, ex.StatusCode);
        Assert.Equal("NOT_FOUND", ex.ErrorType);
        Assert.Equal("gemini-3.6-flahs", ex.ModelId);
        Assert.StartsWith("models/gemini-3.6-flahs is not found for API version v1beta", ex.ProviderMessage, StringComparison.Ordinal);
        Assert.EndsWith(server.ReceivedRequests.Single().PathAndQuery[3..], exchanges[0].Request!.PathAndQuery, StringComparison.Ordinal);
    }

    [Fact]
    public async Task VercelRetryInfoBody_Http429_IsRateLimitWithRetryAfterFromTheBody()
    {
        await using var server = await FakeProviderServer.StartAsync();
        var exchanges = server.EnqueueFixture(Fixture("gemini/error__vercel-ai-google__google-429-retry-info.json"));
        Assert.Equal(429, exchanges[0].Response.StatusCode);
        Assert.Null(exchanges[0].Response.GetHeader("retry-after"));
        using var client = GeminiClient(server);

        var ex = await Assert.ThrowsAsync<StratumRateLimitException>(() => client.GetResponseAsync(GeminiModel("gemini-2.5-flash", Flash25), "hi"));

        Assert.Equal(TimeSpan.FromSeconds(34.4), ex.RetryAfter);
        Assert.Equal(HttpStatusCode.TooManyRequests, ex.StatusCode);
        Assert.Equal("RESOURCE_EXHAUSTED", ex.ErrorType);
        Assert.Equal("You exceeded your current quota, please check your plan.", ex.ProviderMessage);
        Assert.True(ex.IsRetryable);
    }

    [Fact]
    public async Task RateLimit_RetryAfterHeader_WinsOverTheBodyDelay()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.Enqueue(FakeResponse.Json(RetryInfoBody("20s"), 429).WithHeader("Retry-After", "7"));
        server.Enqueue(FakeResponse.Json(RetryInfoBody("20s"), 429));
        using var client = GeminiClient(server);
        var model = GeminiModel("gemini-2.5-flash", Flash25);

        var withHeader = await Assert.ThrowsAsync<StratumRateLimitException>(() => client.GetResponseAsync(model, "hi"));
        var bodyOnly = await Assert.ThrowsAsync<StratumRateLimitException>(() => client.GetResponseAsync(model, "hi"));

        Assert.Equal(TimeSpan.FromSeconds(7), withHeader.RetryAfter);
        Assert.Equal(TimeSpan.FromSeconds(20), bodyOnly.RetryAfter);
    }

    [Theory]
    [InlineData(400, "INVALID_ARGUMENT", "The input token count (1234567) exceeds the maximum number of tokens allowed (1048576).", typeof(StratumContextWindowExceededException), false)]
    [InlineData(400, "INVALID_ARGUMENT", "* GenerateContentRequest.contents: contents is not specified", typeof(StratumInvalidRequestException), false)]
    [InlineData(400, "FAILED_PRECONDITION", "User location is not supported for the API use.", typeof(StratumInvalidRequestException), false)]
    [InlineData(401, "UNAUTHENTICATED", "Request had invalid authentication credentials.", typeof(StratumAuthenticationException), false)]
    [InlineData(500, "INTERNAL", "An internal error has occurred.", typeof(StratumServerErrorException), true)]
    [InlineData(503, "UNAVAILABLE", "The model is overloaded. Please try again later.", typeof(StratumProviderUnavailableException), true)]
    [InlineData(504, "DEADLINE_EXCEEDED", "Deadline expired before operation could complete.", typeof(StratumProviderUnavailableException), true)]
    public async Task GoogleErrorBody_MapsStatusToTheMatchingException(int status, string googleStatus, string message, Type expected, bool retryable)
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.Enqueue(FakeResponse.Json($$$"""{"error":{"code":{{{status}}},"message":"{{{message}}}","status":"{{{googleStatus}}}"}}""", status));
        using var client = GeminiClient(server);

        var ex = await Assert.ThrowsAnyAsync<StratumException>(() => client.GetResponseAsync(GeminiModel("gemini-2.5-flash", Flash25), "hi"));

        Assert.Equal(expected, ex.GetType());
        Assert.Equal((HttpStatusCode)status, ex.StatusCode);
        Assert.Equal(googleStatus, ex.ErrorType);
        Assert.Equal(message, ex.ProviderMessage);
        Assert.Equal(retryable, ex.IsRetryable);
    }

    [Fact]
    public async Task PromptBlocked_NonStreaming_ThrowsContentFilteredWithThePromptUsage()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.Enqueue(FakeResponse.Json("""
            {"promptFeedback":{"blockReason":"PROHIBITED_CONTENT"},"usageMetadata":{"promptTokenCount":12,"totalTokenCount":12},"modelVersion":"gemini-2.5-flash","responseId":"blk1"}
            """));
        using var client = GeminiClient(server);

        var ex = await Assert.ThrowsAsync<StratumContentFilteredException>(() => client.GetResponseAsync(GeminiModel("gemini-2.5-flash", Flash25), "something bad"));

        Assert.Equal("PROHIBITED_CONTENT", ex.ErrorCode);
        Assert.Contains("blocked the prompt [PROHIBITED_CONTENT]", ex.Message, StringComparison.Ordinal);
        Assert.Equal(12, ex.UsageSoFar!.InputTokenCount);
        Assert.False(ex.IsRetryable);
    }

    [Fact]
    public async Task PromptBlocked_WhileStreaming_IntegerBlockReason_ThrowsContentFiltered()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.Enqueue(FakeResponse.Text("""
            data: {"promptFeedback":{"blockReason":1,"blockReasonMessage":"unsafe"},"usageMetadata":{"promptTokenCount":5,"totalTokenCount":5}}


            """, "text/event-stream"));
        using var client = GeminiClient(server);

        var ex = await Assert.ThrowsAsync<StratumContentFilteredException>(async () =>
            await CollectAsync(client.GetStreamingResponseAsync(GeminiModel("gemini-2.5-flash", Flash25), [new ChatMessage(ChatRole.User, "x")])));

        Assert.Equal("SAFETY", ex.ErrorCode);
        Assert.Equal("unsafe", ex.ProviderMessage);
        Assert.Equal(5, ex.UsageSoFar!.InputTokenCount);
    }

    [Fact]
    public async Task SafetyFinishReason_IsAContentFilterFinishNotAnException()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.Enqueue(FakeResponse.Json("""
            {"candidates":[{"content":{"parts":[{"text":"I can"}],"role":"model"},"finishReason":"SAFETY"}],"usageMetadata":{"promptTokenCount":4,"candidatesTokenCount":2,"totalTokenCount":6}}
            """));
        server.Enqueue(FakeResponse.Json("""
            {"candidates":[{"content":{"parts":[{"text":"Once upon"}],"role":"model"},"finishReason":"MAX_TOKENS"}],"usageMetadata":{"promptTokenCount":4,"candidatesTokenCount":2,"totalTokenCount":6}}
            """));
        server.Enqueue(FakeResponse.Json("""
            {"candidates":[{"content":{"parts":[{"text":"x"}],"role":"model"},"finishReason":"MALFORMED_FUNCTION_CALL"}]}
            """));
        using var client = GeminiClient(server);
        var model = GeminiModel("gemini-2.5-flash", Flash25);

        Assert.Equal(ChatFinishReason.ContentFilter, (await client.GetResponseAsync(model, "a")).FinishReason);
        Assert.Equal(ChatFinishReason.Length, (await client.GetResponseAsync(model, "b")).FinishReason);
        Assert.Equal(new ChatFinishReason("MALFORMED_FUNCTION_CALL"), (await client.GetResponseAsync(model, "c")).FinishReason);
    }

    [Fact]
    public async Task ErrorEventMidStream_ThrowsTheMappedExceptionWithUsageSoFar()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.Enqueue(FakeResponse.Text("""
            data: {"candidates":[{"content":{"parts":[{"text":"Hel"}],"role":"model"}}],"usageMetadata":{"promptTokenCount":3,"candidatesTokenCount":1,"totalTokenCount":4}}

            data: {"error":{"code":503,"message":"The model is overloaded.","status":"UNAVAILABLE"}}


            """, "text/event-stream"));
        using var client = GeminiClient(server);
        var received = new List<ChatResponseUpdate>();

        var ex = await Assert.ThrowsAsync<StratumProviderUnavailableException>(async () =>
        {
            await foreach (var update in client.GetStreamingResponseAsync(GeminiModel("gemini-2.5-flash", Flash25), [new ChatMessage(ChatRole.User, "x")]))
            {
                received.Add(update);
            }
        });

        Assert.Equal("Hel", Assert.Single(received).Text);
        Assert.Equal("UNAVAILABLE", ex.ErrorType);
        Assert.Contains("middle of the stream", ex.Message, StringComparison.Ordinal);
        Assert.Equal(3, ex.UsageSoFar!.InputTokenCount);
        Assert.Equal(1, ex.UsageSoFar.OutputTokenCount);
    }

    [Fact]
    public async Task StreamCutMidBody_ThrowsProviderUnavailableWithTheUsageSeen()
    {
        await using var server = await FakeProviderServer.StartAsync();
        var exchange = FixtureLoader.Load(Fixture("gemini/stream__pydantic-ai__test_google_model_stream.yaml"))[0];
        var body = exchange.Response.BodyText;
        var cut = body.IndexOf("data:", body.IndexOf("data:", 10, StringComparison.Ordinal) + 5, StringComparison.Ordinal) + 20;
        server.Enqueue(FakeResponse.FromExchange(exchange) with { AbortAfterBodyBytes = cut });
        using var client = GeminiClient(server);
        var received = new List<ChatResponseUpdate>();

        var ex = await Assert.ThrowsAsync<StratumProviderUnavailableException>(async () =>
        {
            await foreach (var update in client.GetStreamingResponseAsync(GeminiModel("gemini-2.0-flash-exp", Flash20), [new ChatMessage(ChatRole.User, "x")]))
            {
                received.Add(update);
            }
        });

        Assert.Equal("The capital of France", string.Concat(received.Select(u => u.Text)));
        Assert.True(ex.IsRetryable);
        Assert.Equal(15, ex.UsageSoFar!.InputTokenCount);
        Assert.Equal(HttpStatusCode.OK, ex.StatusCode);
    }

    [Fact]
    public async Task StreamEndingCleanlyWithoutFinishReason_IsNotASilentPartialSuccess()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.Enqueue(FakeResponse.Text("""
            data: {"candidates":[{"content":{"parts":[{"text":"The"}],"role":"model"}}],"usageMetadata":{"promptTokenCount":15,"totalTokenCount":15},"responseId":"r1"}


            """, "text/event-stream"));
        server.Enqueue(new FakeResponse { Body = "[{\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"C\"}]},\"finishReason\":\"STOP\"}]}"u8.ToArray(), ContentType = "application/json" });
        using var client = GeminiClient(server);
        var model = GeminiModel("gemini-2.5-flash", Flash25);

        var sse = await Assert.ThrowsAsync<StratumProviderUnavailableException>(async () => await CollectAsync(client.GetStreamingResponseAsync(model, [new ChatMessage(ChatRole.User, "x")])));
        var array = await Assert.ThrowsAsync<StratumProviderUnavailableException>(async () => await CollectAsync(client.GetStreamingResponseAsync(model, [new ChatMessage(ChatRole.User, "x")])));

        Assert.Equal(15, sse.UsageSoFar!.InputTokenCount);
        Assert.Contains("no finishReason", sse.Message, StringComparison.Ordinal);
        Assert.Null(array.UsageSoFar);
    }

    [Fact]
    public async Task UnspecifiedFinishReason_DoesNotEndTheStream()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.Enqueue(FakeResponse.Text("""
            data: {"candidates":[{"content":{"parts":[{"text":"Hi"}],"role":"model"},"finishReason":"FINISH_REASON_UNSPECIFIED"}],"usageMetadata":{"promptTokenCount":2,"totalTokenCount":2}}


            """, "text/event-stream"));
        using var client = GeminiClient(server);

        var ex = await Assert.ThrowsAsync<StratumProviderUnavailableException>(async () =>
            await CollectAsync(client.GetStreamingResponseAsync(GeminiModel("gemini-2.5-flash", Flash25), [new ChatMessage(ChatRole.User, "x")])));

        Assert.Equal(2, ex.UsageSoFar!.InputTokenCount);
    }

    [Fact]
    public async Task CallerCancellationMidStream_IsAnOperationCanceledException()
    {
        await using var server = await FakeProviderServer.StartAsync();
        var exchange = FixtureLoader.Load(Fixture("gemini/stream__pydantic-ai__test_google_model_stream.yaml"))[0];
        server.Enqueue(FakeResponse.FromExchange(exchange) with { ChunkSize = 40, DelayBetweenChunks = TimeSpan.FromMilliseconds(50) });
        using var client = GeminiClient(server);
        using var cancellation = new CancellationTokenSource();
        var received = 0;

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var update in client.GetStreamingResponseAsync(GeminiModel("gemini-2.0-flash-exp", Flash20), [new ChatMessage(ChatRole.User, "x")], cancellationToken: cancellation.Token))
            {
                received++;
                await cancellation.CancelAsync();
            }
        });

        Assert.Equal(1, received);
    }

    [Fact]
    public async Task MalformedBody_IsAnInvalidResponseThatNeverShowsTheKey()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.Enqueue(FakeResponse.Text($"not json {CanaryKey}", "application/json"));
        server.Enqueue(FakeResponse.Json("""{"candidates":[],"usageMetadata":{"promptTokenCount":2}}"""));
        using var client = GeminiClient(server);
        var model = GeminiModel("gemini-2.5-flash", Flash25);

        var malformed = await Assert.ThrowsAsync<StratumInvalidResponseException>(() => client.GetResponseAsync(model, "x"));
        var empty = await Assert.ThrowsAsync<StratumInvalidResponseException>(() => client.GetResponseAsync(model, "x"));

        Assert.DoesNotContain(CanaryKey, malformed.Message, StringComparison.Ordinal);
        Assert.Contains("***", malformed.Message, StringComparison.Ordinal);
        Assert.Contains("no candidates", empty.Message, StringComparison.Ordinal);
        Assert.Equal(2, empty.UsageSoFar!.InputTokenCount);
    }

    private static string RetryInfoBody(string delay) => $$$"""
        {"error":{"code":429,"message":"Resource has been exhausted (e.g. check quota).","status":"RESOURCE_EXHAUSTED",
          "details":[{"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"{{{delay}}}"}]}}
        """;
}

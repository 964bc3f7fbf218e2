using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using StratumAI.Dialects;
using StratumAI.Testing;
using static StratumAI.Tests.Dialects.Anthropic.AnthropicTestSupport;
using static StratumAI.Tests.TestCatalog;

namespace StratumAI.Tests.Dialects.Anthropic;

/// <summary>The Anthropic dialect's request shapes, options, errors and stream failures, against the fake server.</summary>
public sealed class AnthropicMessagesClientTests
{
    private const string OkBody = """
        {"id":"msg_1","type":"message","role":"assistant","model":"claude-sonnet-4-5-20250929","content":[{"type":"text","text":"ok"}],
         "stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":5,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":1}}
        """;

    private static readonly byte[] PngBytes = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    private static AnthropicMessagesClient Direct(FakeProviderServer server, HttpClient http, Uri? baseUri = null, IEnumerable<KeyValuePair<string, string>>? headers = null) =>
        new(http, baseUri ?? server.BaseUri, CanaryKey, "claude-sonnet-4-5", headers);

    private static string ErrorBody(string type, string message) =>
        $$"""{"type":"error","error":{"type":"{{type}}","message":"{{message}}"},"request_id":"req_body_1"}""";

    [Theory]
    [InlineData("", "/v1/messages")]
    [InlineData("v1", "/v1/messages")]
    [InlineData("v1/", "/v1/messages")]
    [InlineData("proxy/anthropic/", "/proxy/anthropic/v1/messages")]
    public async Task BaseUri_WithOrWithoutV1_PostsToV1Messages(string relative, string expectedPath)
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.Enqueue(FakeResponse.Json(OkBody));
        using var http = new HttpClient();
        using var client = Direct(server, http, new Uri(server.BaseUri, relative));

        var response = await client.GetResponseAsync("hi");

        Assert.Equal("ok", response.Text);
        Assert.Equal(expectedPath, server.ReceivedRequests.Single().Path);
        Assert.Equal(expectedPath, client.Endpoint.AbsolutePath);
    }

    [Fact]
    public async Task Request_NoOptions_SendsDefaultMaxTokensKeyAndVersionHeaders()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.Enqueue(FakeResponse.Json(OkBody));
        using var http = new HttpClient();
        using var client = Direct(server, http, headers: [new("anthropic-beta", "prompt-caching-2024-07-31")]);

        await client.GetResponseAsync("hi");

        var sent = server.ReceivedRequests.Single();
        Assert.Equal(CanaryKey, sent.GetHeader("x-api-key"));
        Assert.Equal("2023-06-01", sent.GetHeader("anthropic-version"));
        Assert.Equal("prompt-caching-2024-07-31", sent.GetHeader("anthropic-beta"));
        Assert.Equal("application/json", sent.GetHeader("Accept"));
        var body = SentBody(server);
        Assert.Equal(AnthropicMessagesClient.DefaultMaxOutputTokens, (int)body["max_tokens"]!);
        Assert.Equal(4096, AnthropicMessagesClient.DefaultMaxOutputTokens);
        Assert.Null(body["system"]);
        Assert.Null(body["tools"]);
        Assert.False((bool)body["stream"]!);
    }

    [Fact]
    public async Task Request_ExtraHeaderNamedLikeADefault_ReplacesTheDefault()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.Enqueue(FakeResponse.Json(OkBody));
        using var http = new HttpClient();
        using var client = Direct(server, http, headers: [new("anthropic-version", "2099-01-01")]);

        await client.GetResponseAsync("hi");

        Assert.Equal("2099-01-01", server.ReceivedRequests.Single().GetHeader("anthropic-version"));
    }

    [Fact]
    public async Task Request_AllOptions_MapToTheMessagesApiFields()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.Enqueue(FakeResponse.Json(OkBody));
        using var http = new HttpClient();
        using var client = Direct(server, http);
        var tool = AIFunctionFactory.Create((string city) => city, "get_weather", "Weather for a city");

        await client.GetResponseAsync(
            [new ChatMessage(ChatRole.System, "Be brief."), new ChatMessage(ChatRole.User, "hi")],
            new ChatOptions
            {
                ModelId = "claude-opus-4-5",
                Instructions = "You are terse.",
                MaxOutputTokens = 512,
                Temperature = 0.5f,
                TopP = 0.9f,
                TopK = 40,
                StopSequences = ["STOP"],
                Tools = [tool],
                ToolMode = ChatToolMode.RequireSpecific("get_weather"),
                AllowMultipleToolCalls = false,
                Reasoning = new ReasoningOptions { Effort = ReasoningEffort.Medium },
                AdditionalProperties = new() { ["thinking_budget_tokens"] = 2048, ["cache_control"] = "1h" },
            });

        var body = SentBody(server);
        Assert.Equal("claude-opus-4-5", (string?)body["model"]);
        Assert.Equal("You are terse.\n\nBe brief.", (string?)body["system"]);
        Assert.Equal(512, (int)body["max_tokens"]!);
        Assert.Equal(0.5, (double)body["temperature"]!);
        Assert.Equal(0.9, (double)body["top_p"]!, 5);
        Assert.Equal(40, (int)body["top_k"]!);
        Assert.Equal("STOP", (string?)body["stop_sequences"]![0]);
        AssertJsonEqual(Json("""{"type":"tool","name":"get_weather","disable_parallel_tool_use":true}"""), body["tool_choice"]);
        AssertJsonEqual(Json("""{"type":"enabled","budget_tokens":2048}"""), body["thinking"]);
        AssertJsonEqual(Json("""{"effort":"medium"}"""), body["output_config"]);
        AssertJsonEqual(Json("""{"type":"ephemeral","ttl":"1h"}"""), body["cache_control"]);
        var wireTool = body["tools"]![0]!;
        Assert.Equal("get_weather", (string?)wireTool["name"]);
        Assert.Equal("Weather for a city", (string?)wireTool["description"]);
        Assert.Equal("string", (string?)wireTool["input_schema"]!["properties"]!["city"]!["type"]);
        Assert.Null(wireTool["parameters"]);
        Assert.Single(body["messages"]!.AsArray());
    }

    [Theory]
    [InlineData("none", """{"type":"none"}""")]
    [InlineData("auto", """{"type":"auto"}""")]
    [InlineData("any", """{"type":"any"}""")]
    [InlineData("unset", null)]
    public async Task Request_ToolMode_MapsToToolChoice(string mode, string? expected)
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.Enqueue(FakeResponse.Json(OkBody));
        using var http = new HttpClient();
        using var client = Direct(server, http);
        var options = new ChatOptions
        {
            Tools = [AIFunctionFactory.Create(() => 1, "one")],
            ToolMode = mode switch { "none" => ChatToolMode.None, "auto" => ChatToolMode.Auto, "any" => ChatToolMode.RequireAny, _ => null },
        };

        await client.GetResponseAsync("hi", options);

        AssertJsonEqual(expected is null ? null : Json(expected), SentBody(server)["tool_choice"]);
    }

    [Fact]
    public async Task Request_EffortNone_DisablesThinking()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.Enqueue(FakeResponse.Json(OkBody));
        using var http = new HttpClient();
        using var client = Direct(server, http);

        await client.GetResponseAsync("hi", new ChatOptions { Reasoning = new ReasoningOptions { Effort = ReasoningEffort.None } });

        var body = SentBody(server);
        AssertJsonEqual(Json("""{"type":"disabled"}"""), body["thinking"]);
        Assert.Null(body["output_config"]);
    }

    [Fact]
    public async Task Request_ImagesAndPdf_AreBase64AndUrlSourceBlocks()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.Enqueue(FakeResponse.Json(OkBody));
        using var http = new HttpClient();
        using var client = Direct(server, http);

        await client.GetResponseAsync([new ChatMessage(ChatRole.User,
        [
            new TextContent("What is in these?"),
            new DataContent(PngBytes, "image/png"),
            new UriContent(new Uri("https://example.com/cat.jpg"), "image/jpeg"),
            new DataContent(Encoding.ASCII.GetBytes("%PDF-1.4"), "application/pdf"),
        ])]);

        var content = SentBody(server)["messages"]![0]!["content"]!;
        AssertJsonEqual(Json("""{"type":"text","text":"What is in these?"}"""), content[0]);
        AssertJsonEqual(Json($$$"""{"type":"image","source":{"type":"base64","media_type":"image/png","data":"{{{Convert.ToBase64String(PngBytes)}}}"}}"""), content[1]);
        AssertJsonEqual(Json("""{"type":"image","source":{"type":"url","url":"https://example.com/cat.jpg"}}"""), content[2]);
        AssertJsonEqual(Json("""{"type":"document","source":{"type":"base64","media_type":"application/pdf","data":"JVBERi0xLjQ="}}"""), content[3]);
    }

    [Fact]
    public async Task Request_UnsupportedDataContent_ThrowsNotSupportedBeforeSending()
    {
        await using var server = await FakeProviderServer.StartAsync();
        using var http = new HttpClient();
        using var client = Direct(server, http);

        var ex = await Assert.ThrowsAsync<NotSupportedException>(() =>
            client.GetResponseAsync([new ChatMessage(ChatRole.User, [new DataContent(new byte[] { 1 }, "audio/wav")])]));

        Assert.Contains("audio/wav", ex.Message, StringComparison.Ordinal);
        Assert.Empty(server.ReceivedRequests);
    }

    [Fact]
    public async Task Request_FailedToolResult_IsSentWithIsErrorTrue()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.Enqueue(FakeResponse.Json(OkBody));
        using var http = new HttpClient();
        using var client = Direct(server, http);

        await client.GetResponseAsync(
        [
            new ChatMessage(ChatRole.User, "Weather?"),
            new ChatMessage(ChatRole.Assistant, [new FunctionCallContent("toolu_1", "get_weather", new Dictionary<string, object?> { ["city"] = "Paris", ["days"] = 2 })]),
            new ChatMessage(ChatRole.Tool, [new FunctionResultContent("toolu_1", null) { Exception = new InvalidOperationException("service down") }]),
        ]);

        var messages = SentBody(server)["messages"]!;
        AssertJsonEqual(Json("""{"role":"assistant","content":[{"type":"tool_use","id":"toolu_1","name":"get_weather","input":{"city":"Paris","days":2}}]}"""), messages[1]);
        AssertJsonEqual(Json("""{"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1","content":"service down","is_error":true}]}"""), messages[2]);
    }

    [Fact]
    public async Task Response_ThinkingAndRedactedThinking_AreReasoningThatGoesBackUnchanged()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.Enqueue(FakeResponse.Json("""
            {"id":"msg_t","type":"message","role":"assistant","model":"claude-sonnet-4-5","stop_reason":"end_turn","usage":{"input_tokens":10,"output_tokens":20},
             "content":[{"type":"thinking","thinking":"Let me think.","signature":"sig-abc"},{"type":"redacted_thinking","data":"ENCRYPTED"},{"type":"text","text":"42"}]}
            """));
        server.Enqueue(FakeResponse.Json(OkBody));
        using var http = new HttpClient();
        using var client = Direct(server, http);

        var response = await client.GetResponseAsync("Answer?");

        Assert.Equal("42", response.Text);
        var reasoning = response.Messages.Single().Contents.OfType<TextReasoningContent>().ToList();
        Assert.Equal(2, reasoning.Count);
        Assert.Equal("Let me think.", reasoning[0].Text);
        Assert.Equal("sig-abc", reasoning[0].ProtectedData);
        Assert.Equal(string.Empty, reasoning[1].Text);
        Assert.Equal("ENCRYPTED", reasoning[1].ProtectedData);

        await client.GetResponseAsync([new ChatMessage(ChatRole.User, "Answer?"), .. response.Messages, new ChatMessage(ChatRole.User, "Why?")]);

        AssertJsonEqual(
            Json("""{"role":"assistant","content":[{"type":"thinking","thinking":"Let me think.","signature":"sig-abc"},{"type":"redacted_thinking","data":"ENCRYPTED"},{"type":"text","text":"42"}]}"""),
            SentBody(server, 1)["messages"]![1]);
    }

    [Theory]
    [InlineData("max_tokens", "length")]
    [InlineData("stop_sequence", "stop")]
    [InlineData("pause_turn", "pause_turn")]
    public async Task Response_StopReason_MapsToFinishReason(string stopReason, string expected)
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.Enqueue(FakeResponse.Json($$$"""{"id":"m","type":"message","role":"assistant","content":[{"type":"text","text":"x"}],"stop_reason":"{{{stopReason}}}","stop_sequence":"END","usage":{"input_tokens":1,"output_tokens":1}}"""));
        using var http = new HttpClient();
        using var client = Direct(server, http);

        var response = await client.GetResponseAsync("hi");

        Assert.Equal(expected, response.FinishReason?.Value);
        Assert.Equal("END", response.AdditionalProperties?["stop_sequence"]);
        Assert.Equal("claude-sonnet-4-5", response.ModelId);
    }

    [Fact]
    public async Task Error529Overloaded_IsRetryableProviderUnavailableWithRetryAfter()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.Enqueue(FakeResponse.Json(ErrorBody("overloaded_error", "Overloaded"), 529).WithHeader("retry-after", "7").WithHeader("request-id", "req_hdr_9"));
        using var client = ClientFor(server);

        var ex = await Assert.ThrowsAsync<StratumProviderUnavailableException>(() => client.GetResponseAsync(Model("claude-sonnet-4-5", Sonnet45Pricing), "hi"));

        Assert.True(ex.IsRetryable);
        Assert.Equal((HttpStatusCode)529, ex.StatusCode);
        Assert.Equal("overloaded_error", ex.ErrorType);
        Assert.Equal("Overloaded", ex.ProviderMessage);
        Assert.Equal(TimeSpan.FromSeconds(7), ex.RetryAfter);
        Assert.Equal("req_hdr_9", ex.RequestId);
        Assert.Equal("claude-sonnet-4-5", ex.ModelId);
    }

    [Fact]
    public async Task Error429RateLimit_CarriesRetryAfterAndTheRateLimitHeaders()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.Enqueue(FakeResponse.Json(ErrorBody("rate_limit_error", "Number of request tokens has exceeded your per-minute rate limit"), 429)
            .WithHeader("retry-after", "23")
            .WithHeader("anthropic-ratelimit-tokens-limit", "80000")
            .WithHeader("anthropic-ratelimit-tokens-remaining", "0")
            .WithHeader("anthropic-ratelimit-tokens-reset", "2026-11-25T18:00:23Z"));
        using var client = ClientFor(server);

        var ex = await Assert.ThrowsAsync<StratumRateLimitException>(() => client.GetResponseAsync(Model("claude-sonnet-4-5", Sonnet45Pricing), "hi"));

        Assert.True(ex.IsRetryable);
        Assert.Equal(HttpStatusCode.TooManyRequests, ex.StatusCode);
        Assert.Equal("rate_limit_error", ex.ErrorType);
        Assert.Equal(TimeSpan.FromSeconds(23), ex.RetryAfter);
        Assert.Equal("req_body_1", ex.RequestId);
        Assert.Equal("80000", ex.Data["anthropic-ratelimit-tokens-limit"]);
        Assert.Equal("0", ex.Data["anthropic-ratelimit-tokens-remaining"]);
        Assert.Equal("2026-11-25T18:00:23Z", ex.Data["anthropic-ratelimit-tokens-reset"]);
    }

    [Fact]
    public async Task Error400PromptTooLong_IsContextWindowExceeded()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.Enqueue(FakeResponse.Json(ErrorBody("invalid_request_error", "prompt is too long: 215061 tokens > 200000 maximum"), 400));
        using var client = ClientFor(server);

        var ex = await Assert.ThrowsAsync<StratumContextWindowExceededException>(() => client.GetResponseAsync(Model("claude-sonnet-4-5", Sonnet45Pricing), "hi"));

        Assert.False(ex.IsRetryable);
        Assert.Equal("invalid_request_error", ex.ErrorType);
        Assert.Contains("215061 tokens > 200000 maximum", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(401, "authentication_error", "invalid x-api-key")]
    [InlineData(403, "permission_error", "Your API key does not have permission to use the specified resource.")]
    public async Task ErrorAuthenticationOrPermission_IsAuthenticationWithoutTheKey(int status, string type, string message)
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.Enqueue(FakeResponse.Json(ErrorBody(type, message + " " + CanaryKey), status));
        using var client = ClientFor(server);

        var ex = await Assert.ThrowsAsync<StratumAuthenticationException>(() => client.GetResponseAsync(Model("claude-sonnet-4-5", Sonnet45Pricing), "hi"));

        Assert.Equal(type, ex.ErrorType);
        Assert.Equal((HttpStatusCode)status, ex.StatusCode);
        Assert.False(ex.IsRetryable);
        Assert.DoesNotContain(CanaryKey, ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(CanaryKey, ex.ProviderMessage!, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(500, "api_error", typeof(StratumServerErrorException))]
    [InlineData(413, "request_too_large", typeof(StratumInvalidRequestException))]
    [InlineData(503, null, typeof(StratumProviderUnavailableException))]
    public async Task ErrorOtherTypes_MapByTypeThenStatus(int status, string? type, Type expected)
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.Enqueue(type is null ? FakeResponse.Text("upstream connect error", statusCode: status) : FakeResponse.Json(ErrorBody(type, "failed"), status));
        using var client = ClientFor(server);

        var ex = await Assert.ThrowsAnyAsync<StratumException>(() => client.GetResponseAsync(Model("claude-sonnet-4-5", Sonnet45Pricing), "hi"));

        Assert.IsType(expected, ex);
        Assert.Equal(type, ex.ErrorType);
        Assert.Equal((HttpStatusCode)status, ex.StatusCode);
    }

    [Fact]
    public async Task StreamErrorEvent_Overloaded_ThrowsProviderUnavailableWithUsageSoFar()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.Enqueue(FakeResponse.Text(Encoding.UTF8.GetString(AnthropicSse.Build(
            """{"type":"message_start","message":{"id":"msg_e","model":"claude-sonnet-4-5-20250929","role":"assistant","content":[],"usage":{"input_tokens":30,"cache_read_input_tokens":10,"output_tokens":1}}}""",
            """{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}""",
            """{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Par"}}""",
            """{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}""")), "text/event-stream"));
        using var client = ClientFor(server);
        var received = new List<ChatResponseUpdate>();

        var ex = await Assert.ThrowsAsync<StratumProviderUnavailableException>(async () =>
        {
            await foreach (var update in client.GetStreamingResponseAsync(Model("claude-sonnet-4-5", Sonnet45Pricing), [new ChatMessage(ChatRole.User, "hi")]))
            {
                received.Add(update);
            }
        });

        Assert.Equal("Par", string.Concat(received.Select(u => u.Text)));
        Assert.Equal("overloaded_error", ex.ErrorType);
        Assert.Equal("Overloaded", ex.ProviderMessage);
        Assert.True(ex.IsRetryable);
        Assert.Equal(40, ex.UsageSoFar!.InputTokenCount);
        Assert.Equal(10, ex.UsageSoFar.CachedInputTokenCount);
        Assert.Equal(1, ex.UsageSoFar.OutputTokenCount);
    }

    [Fact]
    public async Task StreamWithoutMessageStop_ThrowsProviderUnavailableWithUsageSoFar()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.Enqueue(FakeResponse.Text(Encoding.UTF8.GetString(AnthropicSse.Build(
            """{"type":"message_start","message":{"id":"msg_c","model":"claude-sonnet-4-5-20250929","role":"assistant","content":[],"usage":{"input_tokens":12,"output_tokens":1}}}""",
            """{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}""",
            """{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hello"}}""",
            """{"type":"content_block_stop","index":0}""",
            """{"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":9}}""")), "text/event-stream"));
        using var client = ClientFor(server);

        var ex = await Assert.ThrowsAsync<StratumProviderUnavailableException>(() =>
            CollectAsync(client.GetStreamingResponseAsync(Model("claude-sonnet-4-5", Sonnet45Pricing), [new ChatMessage(ChatRole.User, "hi")])));

        Assert.Contains("message_stop", ex.Message, StringComparison.Ordinal);
        Assert.Equal(12, ex.UsageSoFar!.InputTokenCount);
        Assert.Equal(9, ex.UsageSoFar.OutputTokenCount);
    }

    [Fact]
    public async Task StreamConnectionCutMidBody_ThrowsProviderUnavailableWithUsageSoFar()
    {
        await using var server = await FakeProviderServer.StartAsync();
        var exchange = FixtureLoader.Load(Fixture("anthropic/stream__vercel-ai-anthropic__anthropic-text.chunks.txt"))[0];
        var firstEventEnd = exchange.Response.BodyText.IndexOf("\n\n", StringComparison.Ordinal) + 2;
        server.Enqueue(FakeResponse.FromExchange(exchange) with { AbortAfterBodyBytes = firstEventEnd + 40 });
        using var client = ClientFor(server);

        var ex = await Assert.ThrowsAsync<StratumProviderUnavailableException>(() =>
            CollectAsync(client.GetStreamingResponseAsync(Model("claude-sonnet-4-5", Sonnet45Pricing), [new ChatMessage(ChatRole.User, "hi")])));

        Assert.True(ex.IsRetryable);
        Assert.Equal(12, ex.UsageSoFar!.InputTokenCount);
        Assert.Equal(1, ex.UsageSoFar.OutputTokenCount);
    }

    [Fact]
    public async Task Stream_UpdatesArriveAsBytesArrive_BeforeTheStreamEnds()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var head = AnthropicSse.Build(
            """{"type":"message_start","message":{"id":"msg_live","model":"claude-sonnet-4-5","role":"assistant","content":[],"usage":{"input_tokens":3,"output_tokens":1}}}""",
            """{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}""",
            """{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"first"}}""");
        var tail = AnthropicSse.Build(
            """{"type":"content_block_stop","index":0}""",
            """{"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":2}}""",
            """{"type":"message_stop"}""");
        using var client = DirectClient(new GatedHandler(head, tail, gate.Task));

        await using var updates = client.GetStreamingResponseAsync([new ChatMessage(ChatRole.User, "hi")]).GetAsyncEnumerator();
        Assert.True(await updates.MoveNextAsync());
        Assert.Equal("msg_live", updates.Current.ResponseId);
        Assert.True(await updates.MoveNextAsync());
        Assert.Equal("first", updates.Current.Text);
        Assert.False(gate.Task.IsCompleted);

        gate.SetResult();
        Assert.True(await updates.MoveNextAsync());
        Assert.Equal(ChatFinishReason.Stop, updates.Current.FinishReason);
        Assert.Equal(2, Assert.Single(updates.Current.Contents.OfType<UsageContent>()).Details.OutputTokenCount);
        Assert.False(await updates.MoveNextAsync());
    }

    [Fact]
    public void Metadata_AndToString_NameProviderModelAndBaseButNeverTheKey()
    {
        using var http = new HttpClient();
        using var client = new AnthropicMessagesClient(http, new Uri("https://api.anthropic.com"), CanaryKey, "claude-haiku-4-5", providerId: "anthropic");

        var metadata = Assert.IsType<ChatClientMetadata>(client.GetService(typeof(ChatClientMetadata)));
        Assert.Equal("anthropic", metadata.ProviderName);
        Assert.Equal("claude-haiku-4-5", metadata.DefaultModelId);
        Assert.Same(client, client.GetService(typeof(AnthropicMessagesClient)));
        Assert.Null(client.GetService(typeof(AnthropicMessagesClient), "key"));
        Assert.Equal(new Uri("https://api.anthropic.com/v1/messages"), client.Endpoint);
        Assert.DoesNotContain(CanaryKey, client.ToString(), StringComparison.Ordinal);
        Assert.Contains("claude-haiku-4-5", client.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_RelativeBaseUri_IsRejected()
    {
        using var http = new HttpClient();
        Assert.Throws<ArgumentException>(() => new AnthropicMessagesClient(http, new Uri("v1", UriKind.Relative), null, "m"));
        Assert.Throws<ArgumentException>(() => new AnthropicMessagesClient(http, new Uri("https://api.anthropic.com"), null, ""));
    }

    /// <summary>Sends <c>head</c> at once, then <c>tail</c> only when the gate opens.</summary>
    private sealed class GatedHandler(byte[] head, byte[] tail, Task gate) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var content = new StreamContent(new GatedStream(head, tail, gate));
            content.Headers.TryAddWithoutValidation("Content-Type", "text/event-stream");
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = content, RequestMessage = request });
        }

        private sealed class GatedStream(byte[] head, byte[] tail, Task gate) : Stream
        {
            private int _headSent;
            private int _tailSent;

            public override bool CanRead => true;

            public override bool CanSeek => false;

            public override bool CanWrite => false;

            public override long Length => throw new NotSupportedException();

            public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

            public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("async only");

            public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
            {
                if (_headSent < head.Length)
                {
                    var n = Math.Min(buffer.Length, head.Length - _headSent);
                    head.AsMemory(_headSent, n).CopyTo(buffer);
                    _headSent += n;
                    return n;
                }

                await gate.WaitAsync(cancellationToken);
                var m = Math.Min(buffer.Length, tail.Length - _tailSent);
                tail.AsMemory(_tailSent, m).CopyTo(buffer);
                _tailSent += m;
                return m;
            }

            public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
                ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

            public override void Flush()
            {
            }

            public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

            public override void SetLength(long value) => throw new NotSupportedException();

            public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        }
    }
}

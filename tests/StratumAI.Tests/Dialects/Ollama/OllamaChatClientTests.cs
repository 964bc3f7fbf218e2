using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using StratumAI.Dialects;
using StratumAI.Testing;
using static StratumAI.Tests.Dialects.Ollama.OllamaTestSupport;
using static StratumAI.Tests.TestCatalog;

namespace StratumAI.Tests.Dialects.Ollama;

/// <summary>Streaming robustness, errors and request mapping of <see cref="OllamaChatClient"/>.</summary>
public sealed class OllamaChatClientTests
{
    /// <summary>Every recorded NDJSON stream, native API.</summary>
    public static TheoryData<string> StreamingFixtures => new()
    {
        "ollama/json__langchaingo__TestWithFormat.httprr",
        "ollama/stream-json__langchaingo__TestWithJSONSchema.httprr",
        "ollama/stream-tool__ollama-docs__docs_api-chat-stream-with-tools.ndjson",
        "ollama/stream__langchaingo__TestClient_GenerateChat.httprr",
        "ollama/stream__langchaingo__TestClient_GenerateChatStream.httprr",
        "ollama/stream__langchaingo__TestClient_GenerateChatWithThink.httprr",
        "ollama/stream__ollama-docs__docs_api-chat-stream.ndjson",
        "ollama/stream__semantic-kernel__chat_completion_test_response_stream.txt",
    };

    // Thinking, CJK and emoji text: every split inside a multi-byte character must change nothing.
    private const string ThinkingStream =
        "{\"model\":\"qwen3:0.6b\",\"created_at\":\"2025-08-20T13:48:26.432625Z\",\"message\":{\"role\":\"assistant\",\"content\":\"\",\"thinking\":\"考えて\"},\"done\":false}\n"
        + "{\"model\":\"qwen3:0.6b\",\"created_at\":\"2025-08-20T13:48:26.437779Z\",\"message\":{\"role\":\"assistant\",\"content\":\"\",\"thinking\":\"いる…\"},\"done\":false}\r\n"
        + "\n"
        + "{\"model\":\"qwen3:0.6b\",\"created_at\":\"2025-08-20T13:48:26.442987Z\",\"message\":{\"role\":\"assistant\",\"content\":\"日本語 \\ud83d\\ude0a\"},\"done\":false}\n"
        + "{\"model\":\"qwen3:0.6b\",\"created_at\":\"2025-08-20T13:48:26.448309Z\",\"message\":{\"role\":\"assistant\",\"content\":\" 😊 ünïcödé\"},\"done\":false}\n"
        + "{\"model\":\"qwen3:0.6b\",\"created_at\":\"2025-08-20T13:48:26.453458Z\",\"message\":{\"role\":\"assistant\",\"content\":\"\"},\"done_reason\":\"stop\",\"done\":true,\"prompt_eval_count\":11,\"eval_count\":7}";

    private static async Task<(string Description, List<int> Splits)> ParseSplitAsync(byte[] body, int seed, int maxChunk)
    {
        SplitReadStream? stream = null;
        using var handler = new StreamBodyHandler(() => stream = new SplitReadStream(body, seed, maxChunk));
        using var http = new HttpClient(handler);
        using var client = new OllamaChatClient(http, new Uri("http://127.0.0.1:11434"), null, "m");
        var updates = await CollectAsync(client.GetStreamingResponseAsync([new ChatMessage(ChatRole.User, "hi")]));
        return (Describe(updates), stream!.SplitOffsets);
    }

    private static bool IsInsideMultiByteCharacter(byte[] body, int offset) => offset < body.Length && (body[offset] & 0xC0) == 0x80;

    [Theory]
    [MemberData(nameof(StreamingFixtures))]
    public async Task RecordedStream_SplitAtRandomByteBoundaries_ParsesIdentically(string fixture)
    {
        var body = FixtureLoader.Load(Fixture(fixture))[0].Response.Body.ToArray();
        var (whole, _) = await ParseSplitAsync(body, seed: 0, maxChunk: body.Length);
        Assert.Contains("usage:", whole, StringComparison.Ordinal);

        foreach (var (seed, maxChunk) in new[] { (1, 1), (2, 2), (3, 3), (4, 7), (5, 16), (6, 64), (7, 257), (8, 1500) })
        {
            var (split, _) = await ParseSplitAsync(body, seed, maxChunk);
            Assert.Equal(whole, split);
        }
    }

    [Fact]
    public async Task GenerateChatRecording_SplitsInsideMultiByteCharacters_ParseIdentically()
    {
        var body = FixtureLoader.Load(Fixture("ollama/stream__langchaingo__TestClient_GenerateChat.httprr"))[0].Response.Body.ToArray();
        var (whole, _) = await ParseSplitAsync(body, seed: 0, maxChunk: body.Length);
        Assert.Contains("text:\u2019", whole, StringComparison.Ordinal);
        Assert.Contains("text: \U0001F60A", whole, StringComparison.Ordinal);

        var insideCharacter = 0;
        for (var seed = 100; seed < 130; seed++)
        {
            var (split, offsets) = await ParseSplitAsync(body, seed, maxChunk: 5);
            insideCharacter += offsets.Count(o => IsInsideMultiByteCharacter(body, o));
            Assert.Equal(whole, split);
        }

        Assert.True(insideCharacter > 10, $"Only {insideCharacter} splits fell inside a multi-byte character.");
    }

    [Fact]
    public async Task ThinkingAndUnicodeStream_EverySplit_ParsesIdenticallyWithReasoningContent()
    {
        var body = Encoding.UTF8.GetBytes(ThinkingStream);
        var (whole, _) = await ParseSplitAsync(body, seed: 0, maxChunk: body.Length);
        Assert.Equal(
            "[qwen3:0.6b|2025-08-20T13:48:26.4326250+00:00||think:考えて]\n"
            + "[qwen3:0.6b|2025-08-20T13:48:26.4377790+00:00||think:いる…]\n"
            + "[qwen3:0.6b|2025-08-20T13:48:26.4429870+00:00||text:日本語 😊]\n"
            + "[qwen3:0.6b|2025-08-20T13:48:26.4483090+00:00||text: 😊 ünïcödé]\n"
            + "[qwen3:0.6b|2025-08-20T13:48:26.4534580+00:00|stop|usage:11/7/18]\n",
            whole);

        // One byte at a time puts a boundary inside every multi-byte character.
        var (bytewise, offsets) = await ParseSplitAsync(body, seed: 1, maxChunk: 1);
        Assert.Equal(body.Length, offsets.Count);
        Assert.Equal(whole, bytewise);
        for (var seed = 10; seed < 40; seed++)
        {
            Assert.Equal(whole, (await ParseSplitAsync(body, seed, maxChunk: 4)).Description);
        }
    }

    [Fact]
    public async Task ThinkingStream_CollectedIntoAResponse_KeepsReasoningApartFromText()
    {
        var body = Encoding.UTF8.GetBytes(ThinkingStream);
        using var handler = new StreamBodyHandler(() => new MemoryStream(body));
        using var http = new HttpClient(handler);
        using var client = new OllamaChatClient(http, new Uri("http://127.0.0.1:11434"), null, "qwen3:0.6b");

        var response = await client.GetStreamingResponseAsync([new ChatMessage(ChatRole.User, "hi")]).ToChatResponseAsync();

        Assert.Equal("日本語 😊 😊 ünïcödé", response.Text);
        Assert.Equal("考えている…", string.Concat(response.Messages.SelectMany(m => m.Contents).OfType<TextReasoningContent>().Select(r => r.Text)));
    }

    [Fact]
    public async Task RecordedStream_ThroughTheFakeServerInOneByteChunks_ParsesIdentically()
    {
        var fixture = Fixture("ollama/stream__langchaingo__TestClient_GenerateChat.httprr");
        var exchange = FixtureLoader.Load(fixture)[0];
        await using var server = await FakeProviderServer.StartAsync();
        server.Enqueue(exchange);
        server.Enqueue(FakeResponse.FromExchange(exchange) with { ChunkSize = 1 });
        server.Enqueue(FakeResponse.FromExchange(exchange) with { ChunkSize = 3 });
        using var client = ClientFor(server);

        var whole = Describe(await CollectAsync(client.GetStreamingResponseAsync(Model("gemma3:1b"), [new ChatMessage(ChatRole.User, "Hello")])));
        var oneByte = Describe(await CollectAsync(client.GetStreamingResponseAsync(Model("gemma3:1b"), [new ChatMessage(ChatRole.User, "Hello")])));
        var threeBytes = Describe(await CollectAsync(client.GetStreamingResponseAsync(Model("gemma3:1b"), [new ChatMessage(ChatRole.User, "Hello")])));

        Assert.Equal(whole, oneByte);
        Assert.Equal(whole, threeBytes);
    }

    [Fact]
    public async Task Stream_FirstLineArrived_IsYieldedBeforeTheRestIsSent()
    {
        var lines = FixtureLoader.Load(Fixture("ollama/stream__semantic-kernel__chat_completion_test_response_stream.txt"))[0].Response.BodyText;
        var firstNewline = lines.IndexOf('\n', StringComparison.Ordinal);
        var gated = new GatedStream(Encoding.UTF8.GetBytes(lines[..(firstNewline + 1)]), Encoding.UTF8.GetBytes(lines[(firstNewline + 1)..]));
        using var handler = new StreamBodyHandler(() => gated);
        using var http = new HttpClient(handler);
        using var client = new OllamaChatClient(http, new Uri("http://127.0.0.1:11434"), null, "phi3");

        var enumerator = client.GetStreamingResponseAsync([new ChatMessage(ChatRole.User, "hi")]).GetAsyncEnumerator();
        Assert.True(await enumerator.MoveNextAsync());
        Assert.Equal("This ", enumerator.Current.Text);
        Assert.False(gated.RestServed);

        gated.Release();
        var rest = new List<ChatResponseUpdate>();
        while (await enumerator.MoveNextAsync())
        {
            rest.Add(enumerator.Current);
        }

        await enumerator.DisposeAsync();
        Assert.Equal("is test completion response", string.Concat(rest.Select(u => u.Text)));
        Assert.Equal(ChatFinishReason.Stop, rest[^1].FinishReason);
    }

    [Fact]
    public async Task Stream_ConnectionCutMidAnswer_ThrowsRetryableUnavailableAfterTheTextSoFar()
    {
        var exchange = FixtureLoader.Load(Fixture("ollama/stream__langchaingo__TestClient_GenerateChatStream.httprr"))[0];
        await using var server = await FakeProviderServer.StartAsync();
        server.Enqueue(FakeResponse.FromExchange(exchange) with { AbortAfterBodyBytes = 500 });
        using var client = ClientFor(server);
        var received = new List<ChatResponseUpdate>();

        var ex = await Assert.ThrowsAsync<StratumProviderUnavailableException>(async () =>
        {
            await foreach (var update in client.GetStreamingResponseAsync(Model("gemma3:1b"), [new ChatMessage(ChatRole.User, "Count")]))
            {
                received.Add(update);
            }
        });

        Assert.True(ex.IsRetryable);
        Assert.Equal("ollama", ex.ProviderId);
        Assert.Equal("gemma3:1b", ex.ModelId);
        Assert.Contains("done", ex.Message, StringComparison.Ordinal);
        // Ollama reports counts only on its last line, so nothing was billed visibly yet.
        Assert.Null(ex.UsageSoFar);
        Assert.NotEmpty(received);
        Assert.StartsWith("Okay", string.Concat(received.Select(u => u.Text)), StringComparison.Ordinal);
        Assert.DoesNotContain(received, u => u.FinishReason is not null);
    }

    [Fact]
    public async Task Stream_EndingCleanlyWithoutDoneLine_ThrowsInsteadOfAShortAnswer()
    {
        var text = FixtureLoader.Load(Fixture("ollama/stream__semantic-kernel__chat_completion_test_response_stream.txt"))[0].Response.BodyText;
        var withoutLastLine = text[..text.LastIndexOf("{\"model\"", StringComparison.Ordinal)];
        await using var server = await FakeProviderServer.StartAsync();
        server.Enqueue(FakeResponse.Text(withoutLastLine, "application/x-ndjson"));
        using var client = ClientFor(server);

        var ex = await Assert.ThrowsAsync<StratumProviderUnavailableException>(() =>
            CollectAsync(client.GetStreamingResponseAsync(Model("phi3"), [new ChatMessage(ChatRole.User, "hi")])));

        Assert.Contains("\"done\": true", ex.Message, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, ex.StatusCode);
        Assert.Null(ex.UsageSoFar);
    }

    [Fact]
    public async Task Stream_ErrorLineMidStream_ThrowsServerErrorWithTheMessage()
    {
        const string body =
            "{\"model\":\"llama3.2\",\"created_at\":\"2025-01-01T00:00:00Z\",\"message\":{\"role\":\"assistant\",\"content\":\"Hel\"},\"done\":false}\n"
            + "{\"error\":\"an error was encountered while running the model: unexpected EOF\"}\n";
        await using var server = await FakeProviderServer.StartAsync();
        server.Enqueue(FakeResponse.Text(body, "application/x-ndjson").WithHeader("x-request-id", "req-42"));
        using var client = ClientFor(server, apiKey: CanaryKey);
        var received = new List<ChatResponseUpdate>();

        var ex = await Assert.ThrowsAsync<StratumServerErrorException>(async () =>
        {
            await foreach (var update in client.GetStreamingResponseAsync(Model("llama3.2"), [new ChatMessage(ChatRole.User, "hi")]))
            {
                received.Add(update);
            }
        });

        Assert.Equal("an error was encountered while running the model: unexpected EOF", ex.ProviderMessage);
        Assert.Contains("in the middle of the stream", ex.Message, StringComparison.Ordinal);
        Assert.Equal("req-42", ex.RequestId);
        Assert.True(ex.IsRetryable);
        Assert.Null(ex.UsageSoFar);
        Assert.Equal("Hel", Assert.Single(received).Text);
        Assert.DoesNotContain(CanaryKey, ex.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stream_GarbageLine_ThrowsInvalidResponse()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.Enqueue(FakeResponse.Text("<html>proxy error</html>\n", "application/x-ndjson"));
        using var client = ClientFor(server);

        var ex = await Assert.ThrowsAsync<StratumInvalidResponseException>(() =>
            CollectAsync(client.GetStreamingResponseAsync(Model("llama3.2"), [new ChatMessage(ChatRole.User, "hi")])));

        Assert.Contains("<html>proxy error</html>", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NonStreaming_ErrorInsideA200Body_ThrowsServerError()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.Enqueue(FakeResponse.Json("""{"error":"llama runner process has terminated"}"""));
        using var client = ClientFor(server);

        var ex = await Assert.ThrowsAsync<StratumServerErrorException>(() => client.GetResponseAsync(Model("llama3.2"), "hi"));

        Assert.Equal("llama runner process has terminated", ex.ProviderMessage);
    }

    [Theory]
    [InlineData(404, """{"error":"model 'llama9' not found"}""", typeof(StratumModelNotFoundException), "model 'llama9' not found")]
    [InlineData(400, """{"error":"registry.ollama.ai/library/gemma3:1b does not support tools"}""", typeof(StratumInvalidRequestException), "registry.ollama.ai/library/gemma3:1b does not support tools")]
    [InlineData(401, """{"error":"unauthorized"}""", typeof(StratumAuthenticationException), "unauthorized")]
    [InlineData(503, """{"error":"server busy, please try again.  maximum pending requests exceeded"}""", typeof(StratumProviderUnavailableException), "server busy, please try again.  maximum pending requests exceeded")]
    [InlineData(500, """{"error":"the model failed to generate a response"}""", typeof(StratumServerErrorException), "the model failed to generate a response")]
    public async Task HttpError_OllamaErrorBody_MapsToTheMatchingException(int status, string body, Type expected, string providerMessage)
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.Enqueue(FakeResponse.Json(body, status));
        server.Enqueue(FakeResponse.Json(body, status));
        using var client = ClientFor(server, apiKey: CanaryKey);

        var plain = await Assert.ThrowsAnyAsync<StratumException>(() => client.GetResponseAsync(Model("llama9"), "hi"));
        var streamed = await Assert.ThrowsAnyAsync<StratumException>(() => CollectAsync(client.GetStreamingResponseAsync(Model("llama9"), [new ChatMessage(ChatRole.User, "hi")])));

        foreach (var ex in new[] { plain, streamed })
        {
            Assert.IsType(expected, ex);
            Assert.Equal((HttpStatusCode)status, ex.StatusCode);
            Assert.Equal(providerMessage, ex.ProviderMessage);
            Assert.Equal("ollama", ex.ProviderId);
            Assert.Equal("llama9", ex.ModelId);
            Assert.DoesNotContain(CanaryKey, ex.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task HttpError_RateLimitedCloud_CarriesRetryAfter()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.Enqueue(FakeResponse.Json("""{"error":"you have reached your hourly usage limit"}""", 429).WithHeader("retry-after", "30"));
        using var client = ClientFor(server, apiKey: CanaryKey);

        var ex = await Assert.ThrowsAsync<StratumRateLimitException>(() => client.GetResponseAsync(Model("gpt-oss:120b"), "hi"));

        Assert.Equal(TimeSpan.FromSeconds(30), ex.RetryAfter);
        Assert.Equal("you have reached your hourly usage limit", ex.ProviderMessage);
        Assert.True(ex.IsRetryable);
    }

    [Fact]
    public async Task ServerNotRunning_ThrowsUnavailableNamingTheEndpoint()
    {
        int port;
        using (var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0))
        {
            listener.Start();
            port = ((IPEndPoint)listener.LocalEndpoint).Port;
        }

        using var http = new HttpClient();
        using var client = new OllamaChatClient(http, new Uri($"http://127.0.0.1:{port}"), null, "llama3.2");

        var ex = await Assert.ThrowsAsync<StratumProviderUnavailableException>(() => client.GetResponseAsync("hi"));

        Assert.Contains($"http://127.0.0.1:{port}/api/chat", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Request_ToolHistoryImagesAndOptions_UseOllamaWireShapes()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.EnqueueFixture(Fixture("ollama/json__ollama-docs__docs_api-chat-structured-output.json"));
        using var client = ClientFor(server);
        var image = new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A };
        var weather = OllamaReplayTests.WeatherTool("city", "The name of the city");
        var calls = new ChatMessage(ChatRole.Assistant,
        [
            new TextReasoningContent("Two cities, two calls."),
            new FunctionCallContent("call_1", "get_weather", new Dictionary<string, object?> { ["city"] = "Paris" }),
            new FunctionCallContent("call_2", "get_weather", new Dictionary<string, object?> { ["city"] = "Tōkyō", ["days"] = 2 }),
        ]);
        var results = new ChatMessage(ChatRole.Tool,
        [
            new FunctionResultContent("call_1", "22 °C, sunny"),
            new FunctionResultContent("call_2", JsonDocument.Parse("""{"temp":18,"sky":"rain"}""").RootElement),
        ]);

        await client.GetResponseAsync(Model("llama3.2"),
        [
            new ChatMessage(ChatRole.System, "Be brief."),
            new ChatMessage(ChatRole.User, [new TextContent("What is in this picture, "), new TextContent("and the weather?"), new DataContent(image, "image/png")]),
            calls,
            results,
        ],
        new ChatOptions
        {
            Tools = [weather],
            Temperature = 0.5f,
            TopP = 0.9f,
            TopK = 40,
            MaxOutputTokens = 256,
            StopSequences = ["</end>"],
            Seed = 7,
            FrequencyPenalty = 0.1f,
            PresencePenalty = 0.2f,
            AdditionalProperties = new() { ["keep_alive"] = "5m", ["num_ctx"] = 8192 },
        });

        var body = Json(server.ReceivedRequests.Single().Body)!;
        var expectedMessages = JsonNode.Parse($$$$"""
            [
              {"role":"system","content":"Be brief."},
              {"role":"user","content":"What is in this picture, and the weather?","images":["{{{{Convert.ToBase64String(image)}}}}"]},
              {"role":"assistant","content":"","thinking":"Two cities, two calls.","tool_calls":[
                {"id":"call_1","function":{"name":"get_weather","arguments":{"city":"Paris"}}},
                {"id":"call_2","function":{"name":"get_weather","arguments":{"city":"Tōkyō","days":2}}}]},
              {"role":"tool","content":"22 °C, sunny","tool_name":"get_weather","tool_call_id":"call_1"},
              {"role":"tool","content":"{\"temp\":18,\"sky\":\"rain\"}","tool_name":"get_weather","tool_call_id":"call_2"}
            ]
            """);
        AssertJsonEqual(expectedMessages, body["messages"]);
        AssertJsonEqual(
            JsonNode.Parse("""{"temperature":0.5,"top_p":0.9,"top_k":40,"num_predict":256,"num_ctx":8192,"stop":["</end>"],"seed":7,"frequency_penalty":0.1,"presence_penalty":0.2}"""),
            body["options"]);
        Assert.Equal("5m", (string?)body["keep_alive"]);
        Assert.Equal("get_weather", (string?)body["tools"]![0]!["function"]!["name"]);
        Assert.Null(body["format"]);
        Assert.Null(body["think"]);
        Assert.False((bool)body["stream"]!);
        Assert.Null(server.ReceivedRequests.Single().GetHeader("Authorization"));
    }

    [Theory]
    [InlineData("gpt-oss:20b", ReasoningEffort.Low, "\"low\"")]
    [InlineData("gpt-oss:120b", ReasoningEffort.High, "\"high\"")]
    [InlineData("qwen3:0.6b", ReasoningEffort.High, "true")]
    [InlineData("qwen3:0.6b", ReasoningEffort.None, "false")]
    public async Task Request_ReasoningEffort_BecomesThinkInTheFormTheModelTakes(string modelId, ReasoningEffort effort, string expectedThink)
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.EnqueueFixture(Fixture("ollama/json__ollama-docs__docs_api-chat-structured-output.json"));
        using var client = ClientFor(server);

        await client.GetResponseAsync(Model(modelId), "hi", new ChatOptions { Reasoning = new ReasoningOptions { Effort = effort } });

        Assert.Equal(expectedThink, Json(server.ReceivedRequests.Single().Body)!["think"]!.ToJsonString());
    }

    [Fact]
    public async Task Request_ThinkInAdditionalProperties_OverridesTheReasoningEffort()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.EnqueueFixture(Fixture("ollama/json__ollama-docs__docs_api-chat-structured-output.json"));
        using var client = ClientFor(server);

        await client.GetResponseAsync(Model("qwen3:0.6b"), "hi", new ChatOptions
        {
            Reasoning = new ReasoningOptions { Effort = ReasoningEffort.High },
            AdditionalProperties = new() { ["think"] = false },
        });

        Assert.Equal("false", Json(server.ReceivedRequests.Single().Body)!["think"]!.ToJsonString());
    }

    [Fact]
    public async Task ToolCall_ArgumentsSentAsAJsonString_AreParsedToo()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.Enqueue(FakeResponse.Json("""{"model":"m","message":{"role":"assistant","content":"","tool_calls":[{"function":{"name":"f","arguments":"{\"a\":1}"}},{"function":{"name":"g"}}]},"done":true,"done_reason":"stop"}"""));
        using var client = ClientFor(server);

        var response = await client.GetResponseAsync(Model("m"), "hi");

        var calls = response.Messages.Single().Contents.OfType<FunctionCallContent>().ToList();
        Assert.Equal("{\"a\":1}", ArgumentsJson(calls[0]));
        Assert.Equal("{}", ArgumentsJson(calls[1]));
        Assert.Null(response.Usage);
    }

    [Fact]
    public async Task Request_ImageUrl_IsRejectedBeforeSending()
    {
        await using var server = await FakeProviderServer.StartAsync();
        using var client = ClientFor(server);

        var ex = await Assert.ThrowsAsync<NotSupportedException>(() => client.GetResponseAsync(Model("llava"),
            [new ChatMessage(ChatRole.User, [new TextContent("What is this?"), new UriContent(new Uri("https://example.com/cat.png"), "image/png")])]));

        Assert.Contains("base64", ex.Message, StringComparison.Ordinal);
        Assert.Empty(server.ReceivedRequests);
    }

    [Fact]
    public async Task Request_ToolModeNone_SendsNoTools()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.EnqueueFixture(Fixture("ollama/json__ollama-docs__docs_api-chat-structured-output.json"));
        using var client = ClientFor(server);

        await client.GetResponseAsync(Model("llama3.2"), "hi", new ChatOptions { Tools = [OllamaReplayTests.WeatherTool("city", "c")], ToolMode = ChatToolMode.None });

        Assert.Null(Json(server.ReceivedRequests.Single().Body)!["tools"]);
    }

    [Fact]
    public async Task ParallelToolCalls_InOneAnswer_BecomeDistinctFunctionCalls()
    {
        const string body = """
            {"model":"qwen3:8b","created_at":"2025-09-01T10:00:00.5Z","message":{"role":"assistant","content":"","tool_calls":[
              {"function":{"index":0,"name":"get_weather","arguments":{"city":"Paris"}}},
              {"function":{"index":1,"name":"get_weather","arguments":{"city":"Berlin","unit":"celsius","days":3,"detailed":true}}}]},
             "done_reason":"stop","done":true,"prompt_eval_count":120,"eval_count":40}
            """;
        await using var server = await FakeProviderServer.StartAsync();
        server.Enqueue(FakeResponse.Json(body));
        using var client = ClientFor(server);

        var response = await client.GetResponseAsync(Model("qwen3:8b"), "Weather in Paris and Berlin?");

        var calls = response.Messages.Single().Contents.OfType<FunctionCallContent>().ToList();
        Assert.Equal(2, calls.Count);
        Assert.NotEqual(calls[0].CallId, calls[1].CallId);
        Assert.Equal("{\"city\":\"Paris\"}", ArgumentsJson(calls[0]));
        Assert.Equal("{\"city\":\"Berlin\",\"unit\":\"celsius\",\"days\":3,\"detailed\":true}", ArgumentsJson(calls[1]));
        Assert.Equal(ChatFinishReason.ToolCalls, response.FinishReason);
    }

    [Fact]
    public async Task NonStreaming_AnswerNotMarkedDone_ThrowsInvalidResponse()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.Enqueue(FakeResponse.Json("""{"model":"llama3.2","message":{"role":"assistant","content":"Hi"},"done":false}"""));
        using var client = ClientFor(server);

        await Assert.ThrowsAsync<StratumInvalidResponseException>(() => client.GetResponseAsync(Model("llama3.2"), "hi"));
    }

    [Theory]
    [InlineData("2023-08-04T08:52:19.385406455-07:00", "2023-08-04T08:52:19.3854064-07:00")]
    [InlineData("2026-03-03T23:44:44.118089028Z", "2026-03-03T23:44:44.1180890+00:00")]
    [InlineData("2025-06-06T08:47:46.02758Z", "2025-06-06T08:47:46.0275800+00:00")]
    [InlineData("2025-06-06T08:47:46Z", "2025-06-06T08:47:46.0000000+00:00")]
    public void ParseCreatedAt_GoTimestamps_KeepSevenFractionalDigits(string wire, string expected)
    {
        Assert.Equal(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), OllamaChatClient.ParseCreatedAt(wire));
    }

    [Fact]
    public void ParseCreatedAt_NotATimestamp_IsNull()
    {
        Assert.Null(OllamaChatClient.ParseCreatedAt("yesterday"));
        Assert.Null(OllamaChatClient.ParseCreatedAt(null));
    }

    [Fact]
    public async Task LineReader_CrLfBlankLinesLongLinesAndNoFinalNewline_YieldsEachRecord()
    {
        var longValue = new string('x', 40_000);
        var text = "{\"a\":1}\r\n\r\n   \n{\"b\":\"" + longValue + "\"}\n{\"c\":3}";
        using var reader = new NdjsonLineReader(new SplitReadStream(Encoding.UTF8.GetBytes(text), seed: 3, maxChunk: 997));
        var lines = new List<string>();
        while (await reader.ReadLineAsync(CancellationToken.None) is { } line)
        {
            lines.Add(Encoding.UTF8.GetString(line.Span));
        }

        Assert.Equal(["{\"a\":1}", "{\"b\":\"" + longValue + "\"}", "{\"c\":3}"], lines);
        Assert.Equal(Encoding.UTF8.GetByteCount(text), reader.BytesRead);
    }

    [Fact]
    public async Task LineReader_LineOverTheLimit_Throws()
    {
        using var reader = new NdjsonLineReader(new MemoryStream(Encoding.UTF8.GetBytes(new string('x', 100_000))), maxLineBytes: 32 * 1024);

        await Assert.ThrowsAsync<InvalidDataException>(async () => await reader.ReadLineAsync(CancellationToken.None));
    }

    [Fact]
    public void Client_Metadata_NamesProviderEndpointAndModel()
    {
        using var http = new HttpClient();
        using var client = new OllamaChatClient(http, new Uri("https://ollama.com"), CanaryKey, "gpt-oss:120b");

        var metadata = Assert.IsType<ChatClientMetadata>(client.GetService(typeof(ChatClientMetadata)));
        Assert.Equal("ollama", metadata.ProviderName);
        Assert.Equal("gpt-oss:120b", metadata.DefaultModelId);
        Assert.Equal(new Uri("https://ollama.com/api/chat"), client.Endpoint);
        Assert.Same(client, client.GetService(typeof(OllamaChatClient)));
        Assert.DoesNotContain(CanaryKey, client.ToString(), StringComparison.Ordinal);
    }
}

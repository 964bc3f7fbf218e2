using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using StratumAI.Dialects;
using StratumAI.Testing;
using static StratumAI.Tests.TestCatalog;

namespace StratumAI.Tests.Dialects;

/// <summary>The dialect client on its own, against any OpenAI-compatible endpoint: request mapping and streaming.</summary>
public sealed class OpenAIChatCompletionsClientTests
{
    private const string OkBody = """{"id":"chatcmpl-ok","object":"chat.completion","created":1700000000,"model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"ok"},"finish_reason":"stop"}]}""";

    [Theory]
    [InlineData("o1", true)]
    [InlineData("o3-mini", true)]
    [InlineData("o4-mini-2025-04-16", true)]
    [InlineData("gpt-5", true)]
    [InlineData("gpt-5-mini", true)]
    [InlineData("gpt-4o", false)]
    [InlineData("gpt-4.1-nano", false)]
    [InlineData("deepseek-chat", false)]
    [InlineData("openai/o3", false)]
    [InlineData("omni-moderation", false)]
    public void UsesMaxCompletionTokens_FollowsTheDocumentedRule(string modelId, bool expected)
    {
        Assert.Equal(expected, OpenAIChatCompletionsClient.UsesMaxCompletionTokens(modelId));
    }

    [Fact]
    public async Task StandaloneClient_WithoutKey_SendsNoAuthorizationAndSendsExtraHeaders()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.Enqueue(FakeResponse.Json(OkBody));
        using var http = new HttpClient();
        using IChatClient client = new OpenAIChatCompletionsClient(http, new Uri(server.BaseUri, "v1/"), apiKey: null, "local-model",
            [new("X-Title", "StratumAI tests")], providerId: "local");

        var response = await client.GetResponseAsync("hi");

        Assert.Equal("ok", response.Text);
        var request = server.ReceivedRequests.Single();
        Assert.Equal("/v1/chat/completions", request.Path);
        Assert.Null(request.GetHeader("Authorization"));
        Assert.Equal("StratumAI tests", request.GetHeader("X-Title"));
        Assert.Equal("local", client.GetService<ChatClientMetadata>()!.ProviderName);
        Assert.Equal("local-model", client.GetService<ChatClientMetadata>()!.DefaultModelId);
    }

    [Fact]
    public async Task Options_AreMappedToTheirWireNames()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.Enqueue(FakeResponse.Json(OkBody));
        using var http = new HttpClient();
        using IChatClient client = new OpenAIChatCompletionsClient(http, server.V1(), CanaryKey, "gpt-4o");
        var tool = AIFunctionFactory.CreateDeclaration("lookup", "Looks things up", JsonDocument.Parse("""{"type":"object","properties":{"q":{"type":"string"}}}""").RootElement);

        await client.GetResponseAsync("hi", new ChatOptions
        {
            ModelId = "gpt-4o-mini",
            Temperature = 0.25f,
            TopP = 0.5f,
            MaxOutputTokens = 64,
            FrequencyPenalty = 0.5f,
            PresencePenalty = -0.5f,
            StopSequences = ["END", "STOP"],
            Seed = 42,
            Reasoning = new ReasoningOptions { Effort = ReasoningEffort.Low },
            Tools = [tool],
            ToolMode = ChatToolMode.RequireSpecific("lookup"),
            AllowMultipleToolCalls = false,
        });

        var body = Json(server.ReceivedRequests.Single().Body)!;
        Assert.Equal("gpt-4o-mini", (string?)body["model"]);
        Assert.Equal(0.25, (double)body["temperature"]!);
        Assert.Equal(0.5, (double)body["top_p"]!);
        Assert.Equal(64, (int)body["max_tokens"]!);
        Assert.Equal(0.5, (double)body["frequency_penalty"]!);
        Assert.Equal(-0.5, (double)body["presence_penalty"]!);
        AssertJsonEqual(JsonNode.Parse("""["END","STOP"]"""), body["stop"]);
        Assert.Equal(42, (long)body["seed"]!);
        Assert.Equal("low", (string?)body["reasoning_effort"]);
        AssertJsonEqual(JsonNode.Parse("""{"type":"function","function":{"name":"lookup"}}"""), body["tool_choice"]);
        Assert.False((bool)body["parallel_tool_calls"]!);
        AssertJsonEqual(
            JsonNode.Parse("""[{"type":"function","function":{"name":"lookup","description":"Looks things up","parameters":{"type":"object","properties":{"q":{"type":"string"}}}}}]"""),
            body["tools"]);
        Assert.Null(body["stream_options"]);
    }

    [Fact]
    public async Task ImageContent_IsSentAsContentParts()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.Enqueue(FakeResponse.Json(OkBody));
        using var http = new HttpClient();
        using IChatClient client = new OpenAIChatCompletionsClient(http, server.V1(), CanaryKey, "gpt-4o");

        await client.GetResponseAsync([new ChatMessage(ChatRole.User,
        [
            new TextContent("What is in this image?"),
            new UriContent(new Uri("https://example.com/cat.png"), "image/png"),
        ])]);

        var message = Json(server.ReceivedRequests.Single().Body)!["messages"]![0]!;
        AssertJsonEqual(
            JsonNode.Parse("""[{"type":"text","text":"What is in this image?"},{"type":"image_url","image_url":{"url":"https://example.com/cat.png"}}]"""),
            message["content"]);
    }

    [Fact]
    public async Task Streaming_ReplaysRecordedChunksIntoTheSameTextAndUsage()
    {
        await using var server = await FakeProviderServer.StartAsync();
        var path = Fixture("openai/stream__vercel-ai-openai__openai-text.chunks.txt");
        server.EnqueueFixture(path);
        var expectedText = new StringBuilder();
        foreach (var line in File.ReadLines(path))
        {
            foreach (var choice in JsonNode.Parse(line)!["choices"]!.AsArray())
            {
                expectedText.Append((string?)choice!["delta"]!["content"]);
            }
        }

        using var client = ClientFor(server, "openai");
        var model = Model("gpt-4.1-nano", Provider("openai"), Gpt41NanoPricing);

        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in client.GetStreamingResponseAsync(model, [new ChatMessage(ChatRole.User, "Invent a holiday")]))
        {
            updates.Add(update);
        }

        var response = updates.ToChatResponse();
        Assert.Equal(1724, expectedText.Length);
        Assert.Equal(expectedText.ToString(), response.Text);
        Assert.Equal("chatcmpl-D8Z5oo6uDh67AD85p73ksdT1KxhE0", response.ResponseId);
        Assert.Equal("gpt-4.1-nano-2025-04-14", response.ModelId);
        Assert.Equal(ChatFinishReason.Stop, response.FinishReason);
        Assert.Equal(16, response.Usage!.InputTokenCount);
        Assert.Equal(300, response.Usage.OutputTokenCount);
        Assert.Equal(316, response.Usage.TotalTokenCount);
        // 16 × 0.10 / 1M = 0.0000016; 300 × 0.40 / 1M = 0.00012.
        var costUpdate = Assert.Single(updates, u => u.AdditionalProperties?.ContainsKey(StratumUsageKeys.Cost) == true);
        Assert.Equal(0.0001216m, ((CallCost)costUpdate.AdditionalProperties![StratumUsageKeys.Cost]!).Total);
        // ToChatResponse moves update properties onto the message; GetCost and GetModelInfo look there too.
        Assert.Equal(new CallCost(0.0000016m, 0m, 0m, 0.00012m, 0m), response.GetCost());
        Assert.Same(model, response.GetModelInfo());

        var body = Json(server.ReceivedRequests.Single().Body)!;
        Assert.True((bool)body["stream"]!);
        Assert.True((bool)body["stream_options"]!["include_usage"]!);
        Assert.Equal("text/event-stream", server.ReceivedRequests.Single().GetHeader("Accept"));
    }

    [Fact]
    public async Task Streaming_ToolCallArgumentDeltas_AreAssembledIntoOneCall()
    {
        await using var server = await FakeProviderServer.StartAsync();
        var exchanges = server.EnqueueFixture(Fixture("openai/stream-tool__pydantic-ai__test_run_stream_sync_streams_real_model.yaml"));
        using var http = new HttpClient();
        using IChatClient client = new OpenAIChatCompletionsClient(http, server.V1(), CanaryKey, "gpt-4o-mini");
        var recorded = RecordedRequestBody(exchanges[0])!;
        var recordedTool = recorded["tools"]![0]!["function"]!;
        var tool = AIFunctionFactory.CreateDeclaration((string)recordedTool["name"]!, (string?)recordedTool["description"],
            JsonDocument.Parse(recordedTool["parameters"]!.ToJsonString()).RootElement.Clone());
        var options = new ChatOptions { Tools = [tool], ToolMode = ChatToolMode.Auto, AdditionalProperties = new() { ["strictJsonSchema"] = true } };
        var conversation = new List<ChatMessage> { new(ChatRole.User, "What is the capital of the UK? Use the tool, then answer.") };

        var first = await client.GetStreamingResponseAsync(conversation, options).ToChatResponseAsync();

        var call = Assert.Single(first.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>());
        Assert.Equal("call_ZR5UUuTt3pf61kjwAJIYdVMj", call.CallId);
        Assert.Equal("get_capital", call.Name);
        Assert.Equal("UK", call.Arguments!["country"]!.ToString());
        Assert.Equal(ChatFinishReason.ToolCalls, first.FinishReason);
        Assert.Equal(53, first.Usage!.InputTokenCount);
        Assert.Equal(15, first.Usage.OutputTokenCount);

        conversation.AddRange(first.Messages);
        conversation.Add(new ChatMessage(ChatRole.Tool, [new FunctionResultContent(call.CallId, "London")]));
        var second = await client.GetStreamingResponseAsync(conversation, options).ToChatResponseAsync();

        Assert.Equal("The capital of the UK is London.", second.Text);
        Assert.Equal(87, second.Usage!.TotalTokenCount);
        var sentFirst = Json(server.ReceivedRequests[0].Body)!;
        AssertJsonEqual(recorded["tools"], sentFirst["tools"]);
        AssertJsonEqual(recorded["stream_options"], sentFirst["stream_options"]);
        Assert.Equal("auto", (string?)sentFirst["tool_choice"]);
        var sentSecond = Json(server.ReceivedRequests[1].Body)!;
        AssertJsonEqual(RecordedRequestBody(exchanges[1])!["messages"], sentSecond["messages"]);
    }

    [Fact]
    public async Task Streaming_DeepSeekReasoningDeltas_BecomeReasoningContent()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.EnqueueFixture(Fixture("deepseek/stream__pydantic-ai__test_deepseek_model_thinking_stream.yaml"));
        using var http = new HttpClient();
        using IChatClient client = new OpenAIChatCompletionsClient(http, server.V1(), CanaryKey, "deepseek-reasoner", providerId: "deepseek");

        var response = await client.GetStreamingResponseAsync("How do I cross the street?").ToChatResponseAsync();

        var reasoning = string.Concat(response.Messages.SelectMany(m => m.Contents).OfType<TextReasoningContent>().Select(r => r.Text));
        Assert.False(string.IsNullOrWhiteSpace(reasoning));
        Assert.False(string.IsNullOrWhiteSpace(response.Text));
        Assert.DoesNotContain(reasoning[..20], response.Text);
        Assert.NotNull(response.Usage?.ReasoningTokenCount);
        Assert.Equal(ChatFinishReason.Stop, response.FinishReason);
    }

    [Fact]
    public async Task Streaming_MalformedEvent_ThrowsInvalidResponse()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.Enqueue(FakeResponse.Text("data: {\"id\":\"c1\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi\"}}]}\n\ndata: {not json\n\n", "text/event-stream"));
        using var http = new HttpClient();
        using IChatClient client = new OpenAIChatCompletionsClient(http, server.V1(), CanaryKey, "gpt-4o");

        var ex = await Assert.ThrowsAsync<StratumInvalidResponseException>(async () =>
        {
            await foreach (var update in client.GetStreamingResponseAsync("hi"))
            {
                Assert.Equal("Hi", update.Text);
            }
        });

        Assert.Contains("stream event", ex.Message);
    }

    [Fact]
    public async Task Streaming_HttpError_ThrowsTheMappedException()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.Enqueue(FakeResponse.Json("""{"error":{"message":"Rate limit reached","code":"rate_limit_exceeded"}}""", 429).WithHeader("Retry-After", "3"));
        using var http = new HttpClient();
        using IChatClient client = new OpenAIChatCompletionsClient(http, server.V1(), CanaryKey, "gpt-4o");

        var ex = await Assert.ThrowsAsync<StratumRateLimitException>(async () =>
        {
            await foreach (var update in client.GetStreamingResponseAsync("hi"))
            {
                Assert.Fail("No update expected, got: " + update);
            }
        });

        Assert.Equal(TimeSpan.FromSeconds(3), ex.RetryAfter);
    }

    [Fact]
    public async Task Streaming_ConnectionCutMidStream_ThrowsProviderUnavailable()
    {
        await using var server = await FakeProviderServer.StartAsync();
        var exchange = FixtureLoader.Load(Fixture("openai/stream__vercel-ai-openai__openai-text.chunks.txt"))[0];
        server.Enqueue(FakeResponse.FromExchange(exchange) with { AbortAfterBodyBytes = 2_000 });
        using var http = new HttpClient();
        using IChatClient client = new OpenAIChatCompletionsClient(http, server.V1(), CanaryKey, "gpt-4.1-nano");
        var received = new StringBuilder();

        var ex = await Assert.ThrowsAsync<StratumProviderUnavailableException>(async () =>
        {
            await foreach (var update in client.GetStreamingResponseAsync("hi"))
            {
                received.Append(update.Text);
            }
        });

        Assert.True(ex.IsRetryable);
        Assert.StartsWith("**Holiday", received.ToString());
        Assert.Contains("ended before the answer was complete", ex.Message);
    }

    [Fact]
    public async Task Streaming_CleanEndWithoutFinishOrDone_ThrowsProviderUnavailable()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.Enqueue(FakeResponse.Text("data: {\"id\":\"c1\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hel\"}}]}\n\n", "text/event-stream"));
        using var http = new HttpClient();
        using IChatClient client = new OpenAIChatCompletionsClient(http, server.V1(), CanaryKey, "gpt-4o");

        await Assert.ThrowsAsync<StratumProviderUnavailableException>(async () =>
        {
            await foreach (var update in client.GetStreamingResponseAsync("hi"))
            {
                Assert.Equal("Hel", update.Text);
            }
        });
    }

    [Fact]
    public async Task NonStreaming_TruncatedBody_ThrowsProviderUnavailable()
    {
        await using var server = await FakeProviderServer.StartAsync();
        var exchange = FixtureLoader.Load(Fixture("openai/chat__vercel-ai-openai__openai-text.json"))[0];
        server.Enqueue(FakeResponse.FromExchange(exchange) with { AbortAfterBodyBytes = 300 });
        using var http = new HttpClient();
        using IChatClient client = new OpenAIChatCompletionsClient(http, server.V1(), CanaryKey, "gpt-4.1-nano");

        var ex = await Assert.ThrowsAsync<StratumProviderUnavailableException>(() => client.GetResponseAsync("hi"));

        Assert.True(ex.IsRetryable);
        Assert.NotNull(ex.InnerException);
    }

    [Theory]
    [InlineData("{\"code\":502,\"message\":\"Provider disconnected\"}", typeof(StratumProviderUnavailableException))]
    [InlineData("{\"code\":429,\"message\":\"Rate limit exceeded upstream\"}", typeof(StratumRateLimitException))]
    [InlineData("{\"message\":\"The server had an error\",\"type\":\"server_error\"}", typeof(StratumServerErrorException))]
    public async Task Streaming_ErrorChunkMidStream_ThrowsTheClassifiedErrorWithTheRequestId(string error, Type expected)
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.Enqueue(FakeResponse.Text(
            "data: {\"id\":\"gen-1\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Par\"}}]}\n\n" +
            ": OPENROUTER PROCESSING\n\n" +
            "data: {\"id\":\"gen-1\",\"error\":" + error + ",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"\"},\"finish_reason\":\"error\"}]}\n\n",
            "text/event-stream").WithHeader("x-request-id", "req_mid"));
        using var http = new HttpClient();
        using IChatClient client = new OpenAIChatCompletionsClient(http, server.V1(), CanaryKey, "some/model", providerId: "openrouter");
        var text = new StringBuilder();

        var ex = await Assert.ThrowsAnyAsync<StratumException>(async () =>
        {
            await foreach (var update in client.GetStreamingResponseAsync("hi"))
            {
                text.Append(update.Text);
            }
        });

        Assert.IsType(expected, ex);
        Assert.Equal("Par", text.ToString());
        Assert.Equal("openrouter", ex.ProviderId);
        Assert.Equal("req_mid", ex.RequestId);
        Assert.Contains("in the middle of the stream", ex.Message);
        Assert.True(ex.IsRetryable);
    }

    [Fact]
    public async Task Streaming_EndsAfterUsageWithoutFinishOrDone_ThrowsWithTheUsageSoFar()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.Enqueue(FakeResponse.Text(
            "data: {\"id\":\"c1\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hel\"}}]}\n\n" +
            "data: {\"id\":\"c1\",\"choices\":[],\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":2,\"total_tokens\":11}}\n\n",
            "text/event-stream"));
        using var http = new HttpClient();
        using IChatClient client = new OpenAIChatCompletionsClient(http, server.V1(), CanaryKey, "gpt-4o");

        var ex = await Assert.ThrowsAsync<StratumProviderUnavailableException>(() => client.GetStreamingResponseAsync("hi").ToChatResponseAsync());

        Assert.Equal(9, ex.UsageSoFar!.InputTokenCount);
        Assert.Equal(2, ex.UsageSoFar.OutputTokenCount);
    }

    [Fact]
    public async Task SeveralTextParts_AreSentAsSeparatePartsNotGluedTogether()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.Enqueue(FakeResponse.Json(OkBody));
        using var http = new HttpClient();
        using IChatClient client = new OpenAIChatCompletionsClient(http, server.V1(), CanaryKey, "grok-4.5", providerId: "xai");

        await client.GetResponseAsync([new ChatMessage(ChatRole.User, [new TextContent("I'm a pomeranian"), new TextContent("What kind of mammal am I?")])]);

        AssertJsonEqual(
            JsonNode.Parse("""[{"type":"text","text":"I'm a pomeranian"},{"type":"text","text":"What kind of mammal am I?"}]"""),
            Json(server.ReceivedRequests.Single().Body)!["messages"]![0]!["content"]);
    }

    [Fact]
    public async Task Streaming_MalformedEvent_MessageShowsTheEventText()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.Enqueue(FakeResponse.Text("data: {\"id\":\"c1\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi\"}}]}\n\ndata: {\"id\":\"c1\",\"choices\":[oops]}\n\n", "text/event-stream"));
        using var http = new HttpClient();
        using IChatClient client = new OpenAIChatCompletionsClient(http, server.V1(), CanaryKey, "gpt-4o");

        var ex = await Assert.ThrowsAsync<StratumInvalidResponseException>(async () =>
        {
            await foreach (var update in client.GetStreamingResponseAsync("hi"))
            {
                Assert.Equal("Hi", update.Text);
            }
        });

        Assert.Contains("Event starts with: {\"id\":\"c1\",\"choices\":[oops]}", ex.Message);
        Assert.IsAssignableFrom<JsonException>(ex.InnerException);
    }

    [Fact]
    public async Task Streaming_NumbersSentAsStrings_AreStillReadIntoCreatedUsageAndToolCallIndex()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.Enqueue(FakeResponse.Text(
            "data: {\"id\":\"c1\",\"created\":\"1770933892\",\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":null}}]}\n\n" +
            "data: {\"id\":\"c1\",\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":\"0\",\"id\":\"call_1\",\"type\":\"function\",\"function\":{\"name\":\"f\",\"arguments\":\"{\\\"a\\\":1}\"}}]}}]}\n\n" +
            "data: {\"id\":\"c1\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"tool_calls\"}]}\n\n" +
            "data: {\"id\":\"c1\",\"choices\":[],\"usage\":{\"prompt_tokens\":\"9\",\"completion_tokens\":\"2\",\"total_tokens\":\"11\",\"completion_tokens_details\":{\"reasoning_tokens\":\"1\"}}}\n\n" +
            "data: [DONE]\n\n",
            "text/event-stream"));
        using var http = new HttpClient();
        using IChatClient client = new OpenAIChatCompletionsClient(http, server.V1(), CanaryKey, "gpt-4o");

        var response = await client.GetStreamingResponseAsync("hi").ToChatResponseAsync();

        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1770933892), response.CreatedAt);
        var call = Assert.Single(response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>());
        Assert.Equal("call_1", call.CallId);
        Assert.Equal("f", call.Name);
        Assert.Equal(9, response.Usage!.InputTokenCount);
        Assert.Equal(2, response.Usage.OutputTokenCount);
        Assert.Equal(1, response.Usage.ReasoningTokenCount);
        Assert.Equal(ChatFinishReason.ToolCalls, response.FinishReason);
    }

    [Fact]
    public async Task Streaming_ContentAsTextParts_IsJoinedAndContentOfAnotherKind_ThrowsInvalidResponse()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.Enqueue(FakeResponse.Text(
            "data: {\"id\":\"c1\",\"choices\":[{\"index\":0,\"delta\":{\"content\":[{\"type\":\"text\",\"text\":\"Hel\"},{\"type\":\"text\",\"text\":\"lo\"}]}}]}\n\n" +
            "data: {\"id\":\"c1\",\"choices\":[{\"index\":0,\"delta\":{\"content\":42}}]}\n\n" +
            "data: [DONE]\n\n",
            "text/event-stream"));
        using var http = new HttpClient();
        using IChatClient client = new OpenAIChatCompletionsClient(http, server.V1(), CanaryKey, "gpt-4o");

        var texts = new List<string>();
        var ex = await Assert.ThrowsAsync<StratumInvalidResponseException>(async () =>
        {
            await foreach (var update in client.GetStreamingResponseAsync("hi"))
            {
                texts.Add(update.Text);
            }
        });

        Assert.Equal(["Hello"], texts);
        Assert.Contains("Message content must be a string, an array or null", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Streaming_DoneWithSurroundingWhitespace_EndsTheStreamCleanly()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.Enqueue(FakeResponse.Text("data: {\"id\":\"c1\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi\"}}]}\n\ndata:\n\ndata:  [DONE] \n\n", "text/event-stream"));
        using var http = new HttpClient();
        using IChatClient client = new OpenAIChatCompletionsClient(http, server.V1(), CanaryKey, "gpt-4o");

        var response = await client.GetStreamingResponseAsync("hi").ToChatResponseAsync();

        Assert.Equal("Hi", response.Text);
    }

    [Fact]
    public async Task NonStreaming_InvalidJsonBody_MessageShowsTheStartOfTheBody()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.Enqueue(FakeResponse.Json("""{"id":"chatcmpl-x","choices":[oops]}"""));
        using var http = new HttpClient();
        using IChatClient client = new OpenAIChatCompletionsClient(http, server.V1(), CanaryKey, "gpt-4o");

        var ex = await Assert.ThrowsAsync<StratumInvalidResponseException>(() => client.GetResponseAsync("hi"));

        Assert.Contains("""not valid chat completion JSON""", ex.Message);
        Assert.Contains("""Body starts with: {"id":"chatcmpl-x","choices":[oops]}""", ex.Message);
        Assert.IsAssignableFrom<JsonException>(ex.InnerException);
    }

    [Fact]
    public async Task NonStreaming_NoChoices_MessageShowsTheBody()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.Enqueue(FakeResponse.Json("""{"id":"chatcmpl-empty","choices":[]}"""));
        using var http = new HttpClient();
        using IChatClient client = new OpenAIChatCompletionsClient(http, server.V1(), CanaryKey, "gpt-4o");

        var ex = await Assert.ThrowsAsync<StratumInvalidResponseException>(() => client.GetResponseAsync("hi"));

        Assert.Contains("""no choices. Body starts with: {"id":"chatcmpl-empty","choices":[]}""", ex.Message);
    }

    [Fact]
    public async Task NonStreaming_MagistralThinkingParts_BecomeReasoningContentBeforeTheAnswer()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.Enqueue(FakeResponse.Json("""
            {"id":"m1","object":"chat.completion","created":1764296393,"model":"magistral-medium-latest",
             "choices":[{"index":0,"message":{"role":"assistant","content":[
               {"type":"thinking","thinking":[{"type":"text","text":"Look left, "},{"type":"text","text":"then right."}]},
               {"type":"text","text":"Look both ways."}]},"finish_reason":"stop"}]}
            """).WithHeader("mistral-correlation-id", "019ab7c0-corr"));
        using var http = new HttpClient();
        using IChatClient client = new OpenAIChatCompletionsClient(http, server.V1(), CanaryKey, "magistral-medium-latest", providerId: "mistral");

        var response = await client.GetResponseAsync("How do I cross the street?");

        var contents = response.Messages.Single().Contents;
        Assert.Equal(2, contents.Count);
        Assert.Equal("Look left, then right.", Assert.IsType<TextReasoningContent>(contents[0]).Text);
        Assert.Equal("Look both ways.", Assert.IsType<TextContent>(contents[1]).Text);
        Assert.Equal("Look both ways.", response.Text);
        Assert.Equal("019ab7c0-corr", response.AdditionalProperties![StratumUsageKeys.RequestId]);
    }

    [Fact]
    public async Task HttpError_MistralCorrelationIdHeader_IsTheRequestId()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.Enqueue(FakeResponse.Json("""{"object":"error","message":"Unauthorized","type":"unauthorized","param":null,"code":null}""", 401)
            .WithHeader("mistral-correlation-id", "019ab7c0-err"));
        using var http = new HttpClient();
        using IChatClient client = new OpenAIChatCompletionsClient(http, server.V1(), CanaryKey, "mistral-small-latest", providerId: "mistral");

        var ex = await Assert.ThrowsAnyAsync<StratumException>(() => client.GetResponseAsync("hi"));

        Assert.IsType<StratumAuthenticationException>(ex);
        Assert.Equal("019ab7c0-err", ex.RequestId);
    }
}

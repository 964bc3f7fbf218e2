using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using StratumAI.Dialects;
using StratumAI.Testing;
using static StratumAI.Tests.TestCatalog;

namespace StratumAI.Tests.Dialects.OpenAIResponses;

/// <summary>The Responses dialect on its own: request mapping, tool turns, reasoning carried across turns, stream endings.</summary>
public sealed class OpenAIResponsesClientTests
{
    private const string ReasoningAndCallBody = """
        {"id":"resp_1","object":"response","created_at":1700000000,"status":"completed","model":"o4-mini-2025-04-16",
         "output":[
           {"id":"rs_1","type":"reasoning","summary":[{"type":"summary_text","text":"Need the weather."}],"encrypted_content":"gAAAA-secret"},
           {"id":"fc_1","type":"function_call","status":"completed","call_id":"call_1","name":"get_weather","arguments":"{\"city\":\"Paris\"}"}
         ],
         "usage":{"input_tokens":50,"input_tokens_details":{"cached_tokens":0},"output_tokens":30,"output_tokens_details":{"reasoning_tokens":20},"total_tokens":80}}
        """;

    private const string FinalBody = """
        {"id":"resp_2","object":"response","created_at":1700000001,"status":"completed","model":"o4-mini-2025-04-16",
         "output":[{"id":"msg_2","type":"message","role":"assistant","status":"completed","content":[{"type":"output_text","text":"It is sunny in Paris.","annotations":[]}]}],
         "usage":{"input_tokens":90,"input_tokens_details":{"cached_tokens":64},"output_tokens":8,"output_tokens_details":{"reasoning_tokens":0},"total_tokens":98}}
        """;

    private static AIFunctionDeclaration WeatherTool() => AIFunctionFactory.CreateDeclaration(
        "get_weather", "Gets the weather", JsonDocument.Parse("""{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}""").RootElement);

    [Fact]
    public async Task Options_AreMappedToTheResponsesWireShape()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.Enqueue(FakeResponse.Json(FinalBody));
        using var http = new HttpClient();
        using IChatClient client = new OpenAIResponsesClient(http, server.V1(), CanaryKey, "o4-mini", [new("OpenAI-Beta", "x")]);
        var schema = JsonDocument.Parse("""{"type":"object","properties":{"answer":{"type":"string"}},"required":["answer"],"additionalProperties":false}""").RootElement;

        await client.GetResponseAsync(
            [
                new ChatMessage(ChatRole.System, "Be brief."),
                new ChatMessage(ChatRole.User,
                [
                    new TextContent("What is in this image?"),
                    new UriContent(new Uri("https://example.com/cat.png"), "image/png"),
                    new DataContent(new byte[] { 1, 2, 3 }, "image/png"),
                    new DataContent(new byte[] { 37, 80, 68, 70 }, "application/pdf") { Name = "a.pdf" },
                ]),
            ],
            new ChatOptions
            {
                Instructions = "You are a helpful assistant.",
                ModelId = "o3",
                MaxOutputTokens = 256,
                Temperature = 0.5f,
                TopP = 0.9f,
                Reasoning = new ReasoningOptions { Effort = ReasoningEffort.High, Output = ReasoningOutput.Summary },
                ResponseFormat = ChatResponseFormat.ForJsonSchema(schema, "answer", "The answer"),
                Tools = [WeatherTool()],
                ToolMode = ChatToolMode.RequireSpecific("get_weather"),
                AllowMultipleToolCalls = false,
                ConversationId = "resp_prev",
                AdditionalProperties = new() { ["strictJsonSchema"] = true, ["store"] = false },
            });

        var sent = server.ReceivedRequests.Single();
        Assert.Equal("/v1/responses", sent.Path);
        Assert.Equal("x", sent.GetHeader("OpenAI-Beta"));
        AssertJsonEqual(JsonNode.Parse("""
            {
              "model":"o3",
              "instructions":"You are a helpful assistant.\n\nBe brief.",
              "previous_response_id":"resp_prev",
              "input":[{"role":"user","content":[
                {"type":"input_text","text":"What is in this image?"},
                {"type":"input_image","image_url":"https://example.com/cat.png"},
                {"type":"input_image","image_url":"data:image/png;base64,AQID"},
                {"type":"input_file","file_data":"data:application/pdf;base64,JVBERg==","filename":"a.pdf"}]}],
              "temperature":0.5,
              "top_p":0.9,
              "max_output_tokens":256,
              "reasoning":{"effort":"high","summary":"auto"},
              "text":{"format":{"type":"json_schema","name":"answer","description":"The answer","schema":{"type":"object","properties":{"answer":{"type":"string"}},"required":["answer"],"additionalProperties":false},"strict":true}},
              "tools":[{"type":"function","name":"get_weather","description":"Gets the weather","parameters":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]},"strict":true}],
              "tool_choice":{"type":"function","name":"get_weather"},
              "parallel_tool_calls":false,
              "store":false,
              "include":["reasoning.encrypted_content"],
              "stream":false
            }
            """), JsonNode.Parse(sent.Body));
    }

    [Fact]
    public async Task ToolTurn_ReasoningItemAndCallAreSentBackBeforeTheResult()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.Enqueue(FakeResponse.Json(ReasoningAndCallBody));
        server.Enqueue(FakeResponse.Json(FinalBody));
        using var http = new HttpClient();
        using IChatClient client = new OpenAIResponsesClient(http, server.V1(), CanaryKey, "o4-mini");
        var options = new ChatOptions { Tools = [WeatherTool()], ToolMode = ChatToolMode.Auto };
        var conversation = new List<ChatMessage> { new(ChatRole.User, "Weather in Paris?") };

        var first = await client.GetResponseAsync(conversation, options);

        Assert.Equal(ChatFinishReason.ToolCalls, first.FinishReason);
        var reasoning = Assert.IsType<TextReasoningContent>(first.Messages.Single().Contents[0]);
        Assert.Equal("Need the weather.", reasoning.Text);
        Assert.Equal("gAAAA-secret", reasoning.ProtectedData);
        Assert.Equal("rs_1", reasoning.AdditionalProperties![OpenAIResponsesClient.ItemIdKey]);
        var call = Assert.IsType<FunctionCallContent>(first.Messages.Single().Contents[1]);
        Assert.Equal("call_1", call.CallId);
        Assert.Equal("get_weather", call.Name);
        Assert.Equal("Paris", call.Arguments!["city"]!.ToString());
        Assert.Equal(30, first.Usage!.OutputTokenCount);
        Assert.Equal(20, first.Usage.ReasoningTokenCount);

        conversation.AddRange(first.Messages);
        conversation.Add(new ChatMessage(ChatRole.Tool, [new FunctionResultContent("call_1", "sunny, 24 °C")]));
        var second = await client.GetResponseAsync(conversation, options);

        Assert.Equal("It is sunny in Paris.", second.Text);
        Assert.Equal(ChatFinishReason.Stop, second.FinishReason);
        Assert.Equal(64, second.Usage!.CachedInputTokenCount);
        AssertJsonEqual(JsonNode.Parse("""
            [
              {"role":"user","content":"Weather in Paris?"},
              {"type":"reasoning","id":"rs_1","summary":[{"type":"summary_text","text":"Need the weather."}],"encrypted_content":"gAAAA-secret"},
              {"type":"function_call","id":"fc_1","call_id":"call_1","name":"get_weather","arguments":"{\"city\":\"Paris\"}"},
              {"type":"function_call_output","call_id":"call_1","output":"sunny, 24 °C"}
            ]
            """), JsonNode.Parse(server.ReceivedRequests[1].Body)!["input"]);
        Assert.Equal("auto", (string?)JsonNode.Parse(server.ReceivedRequests[1].Body)!["tool_choice"]);
    }

    private static string Sse(params string[] events)
    {
        var builder = new StringBuilder();
        foreach (var data in events)
        {
            var type = (string)JsonNode.Parse(data)!["type"]!;
            builder.Append("event: ").Append(type).Append('\n').Append("data: ").Append(data).Append("\n\n");
        }

        return builder.ToString();
    }

    private const string Created = """{"type":"response.created","response":{"id":"resp_s","object":"response","created_at":1700000000,"status":"in_progress","model":"o4-mini-2025-04-16","output":[]}}""";

    [Fact]
    public async Task Streaming_ToolCallArgumentDeltasAndReasoning_AreAssembledAndCarriedToTheNextTurn()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.Enqueue(FakeResponse.Text(Sse(
            Created,
            """{"type":"response.output_item.added","output_index":0,"item":{"id":"rs_9","type":"reasoning","summary":[]}}""",
            """{"type":"response.reasoning_summary_text.delta","item_id":"rs_9","output_index":0,"summary_index":0,"delta":"Look up "}""",
            """{"type":"response.reasoning_summary_text.delta","item_id":"rs_9","output_index":0,"summary_index":0,"delta":"both cities."}""",
            """{"type":"response.output_item.done","output_index":0,"item":{"id":"rs_9","type":"reasoning","summary":[{"type":"summary_text","text":"Look up both cities."}],"encrypted_content":"enc-9"}}""",
            """{"type":"response.output_item.added","output_index":1,"item":{"id":"fc_a","type":"function_call","call_id":"call_a","name":"get_weather","arguments":""}}""",
            """{"type":"response.function_call_arguments.delta","item_id":"fc_a","output_index":1,"delta":"{\"ci"}""",
            """{"type":"response.function_call_arguments.delta","item_id":"fc_a","output_index":1,"delta":"ty\":\"Paris\"}"}""",
            """{"type":"response.function_call_arguments.done","item_id":"fc_a","output_index":1,"arguments":"{\"city\":\"Paris\"}"}""",
            """{"type":"response.output_item.done","output_index":1,"item":{"id":"fc_a","type":"function_call","call_id":"call_a","name":"get_weather","arguments":"{\"city\":\"Paris\"}"}}""",
            """{"type":"response.output_item.added","output_index":2,"item":{"id":"fc_b","type":"function_call","call_id":"call_b","name":"get_weather","arguments":""}}""",
            """{"type":"response.function_call_arguments.delta","item_id":"fc_b","output_index":2,"delta":"{\"city\":"}""",
            """{"type":"response.function_call_arguments.delta","item_id":"fc_b","output_index":2,"delta":"\"Lyon\"}"}""",
            """{"type":"response.completed","response":{"id":"resp_s","object":"response","created_at":1700000000,"status":"completed","model":"o4-mini-2025-04-16","output":[],"usage":{"input_tokens":40,"input_tokens_details":{"cached_tokens":0},"output_tokens":60,"output_tokens_details":{"reasoning_tokens":32},"total_tokens":100}}}"""),
            "text/event-stream"));
        server.Enqueue(FakeResponse.Json(FinalBody));
        using var http = new HttpClient();
        using IChatClient client = new OpenAIResponsesClient(http, server.V1(), CanaryKey, "o4-mini");
        var options = new ChatOptions { Tools = [WeatherTool()] };
        var conversation = new List<ChatMessage> { new(ChatRole.User, "Paris and Lyon?") };

        var updates = await client.GetStreamingResponseAsync(conversation, options).ToListAsync();
        var first = updates.ToChatResponse();

        Assert.Equal(["Look up ", "both cities."], updates.SelectMany(u => u.Contents).OfType<TextReasoningContent>().Where(r => r.Text.Length > 0).Select(r => r.Text));
        var calls = first.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>().ToList();
        Assert.Equal(["call_a", "call_b"], calls.Select(c => c.CallId));
        Assert.Equal(["Paris", "Lyon"], calls.Select(c => c.Arguments!["city"]!.ToString()));
        Assert.Equal(ChatFinishReason.ToolCalls, first.FinishReason);
        Assert.Equal("resp_s", first.ResponseId);
        Assert.Equal(60, first.Usage!.OutputTokenCount);
        Assert.Equal(32, first.Usage.ReasoningTokenCount);

        conversation.AddRange(first.Messages);
        conversation.Add(new ChatMessage(ChatRole.Tool, [new FunctionResultContent("call_a", "sunny"), new FunctionResultContent("call_b", "rain")]));
        await client.GetResponseAsync(conversation, options);

        AssertJsonEqual(JsonNode.Parse("""
            [
              {"role":"user","content":"Paris and Lyon?"},
              {"type":"reasoning","id":"rs_9","summary":[{"type":"summary_text","text":"Look up both cities."}],"encrypted_content":"enc-9"},
              {"type":"function_call","id":"fc_a","call_id":"call_a","name":"get_weather","arguments":"{\"city\":\"Paris\"}"},
              {"type":"function_call","id":"fc_b","call_id":"call_b","name":"get_weather","arguments":"{\"city\":\"Lyon\"}"},
              {"type":"function_call_output","call_id":"call_a","output":"sunny"},
              {"type":"function_call_output","call_id":"call_b","output":"rain"}
            ]
            """), JsonNode.Parse(server.ReceivedRequests[1].Body)!["input"]);
    }

    [Fact]
    public async Task Streaming_Incomplete_FinishesWithLengthAndUsage()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.Enqueue(FakeResponse.Text(Sse(
            Created,
            """{"type":"response.output_text.delta","item_id":"msg_1","output_index":0,"content_index":0,"delta":"Once upon"}""",
            """{"type":"response.incomplete","response":{"id":"resp_s","status":"incomplete","incomplete_details":{"reason":"max_output_tokens"},"model":"o4-mini-2025-04-16","output":[],"usage":{"input_tokens":5,"output_tokens":16,"output_tokens_details":{"reasoning_tokens":14},"total_tokens":21}}}"""),
            "text/event-stream"));
        using var http = new HttpClient();
        using IChatClient client = new OpenAIResponsesClient(http, server.V1(), CanaryKey, "o4-mini");

        var response = await client.GetStreamingResponseAsync("Tell a story", new ChatOptions { MaxOutputTokens = 16 }).ToChatResponseAsync();

        Assert.Equal("Once upon", response.Text);
        Assert.Equal(ChatFinishReason.Length, response.FinishReason);
        Assert.Equal(16, response.Usage!.OutputTokenCount);
        Assert.Equal(16, (int)JsonNode.Parse(server.ReceivedRequests.Single().Body)!["max_output_tokens"]!);
    }

    [Fact]
    public async Task NonStreaming_IncompleteByContentFilter_FinishesWithContentFilter()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.Enqueue(FakeResponse.Json("""{"id":"resp_f","status":"incomplete","incomplete_details":{"reason":"content_filter"},"model":"gpt-4.1","output":[]}"""));
        using var http = new HttpClient();
        using IChatClient client = new OpenAIResponsesClient(http, server.V1(), CanaryKey, "gpt-4.1");

        var response = await client.GetResponseAsync("hi");

        Assert.Equal(ChatFinishReason.ContentFilter, response.FinishReason);
    }

    [Fact]
    public async Task Streaming_ResponseFailedAfterUsage_ThrowsServerErrorCarryingTheUsageSoFar()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.Enqueue(FakeResponse.Text(Sse(
            Created,
            """{"type":"response.output_text.delta","item_id":"msg_1","output_index":0,"content_index":0,"delta":"Partial"}""",
            """{"type":"response.failed","response":{"id":"resp_s","status":"failed","error":{"code":"server_error","message":"The model failed to generate a response."},"model":"o4-mini","output":[],"usage":{"input_tokens":12,"output_tokens":3,"total_tokens":15}}}"""),
            "text/event-stream"));
        using var http = new HttpClient();
        using IChatClient client = new OpenAIResponsesClient(http, server.V1(), CanaryKey, "o4-mini");
        var text = new StringBuilder();

        var ex = await Assert.ThrowsAsync<StratumServerErrorException>(async () =>
        {
            await foreach (var update in client.GetStreamingResponseAsync("hi"))
            {
                text.Append(update.Text);
            }
        });

        Assert.Equal("Partial", text.ToString());
        Assert.Equal("server_error", ex.ErrorCode);
        Assert.Equal("The model failed to generate a response.", ex.ProviderMessage);
        Assert.True(ex.IsRetryable);
        Assert.Equal(12, ex.UsageSoFar!.InputTokenCount);
        Assert.Equal(3, ex.UsageSoFar.OutputTokenCount);
    }

    [Fact]
    public async Task Streaming_EndsWithoutCompletedEvent_ThrowsProviderUnavailable()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.Enqueue(FakeResponse.Text(Sse(
            Created,
            """{"type":"response.output_text.delta","item_id":"msg_1","output_index":0,"content_index":0,"delta":"Hel"}"""),
            "text/event-stream"));
        using var http = new HttpClient();
        using IChatClient client = new OpenAIResponsesClient(http, server.V1(), CanaryKey, "o4-mini");

        var ex = await Assert.ThrowsAsync<StratumProviderUnavailableException>(() => client.GetStreamingResponseAsync("hi").ToChatResponseAsync());

        Assert.Contains("no response.completed", ex.Message);
        Assert.True(ex.IsRetryable);
    }

    [Fact]
    public async Task Streaming_ConnectionCutMidStream_ThrowsProviderUnavailable()
    {
        await using var server = await FakeProviderServer.StartAsync();
        var exchange = FixtureLoader.Load(Fixture("xai/stream__vercel-ai-xai-responses__xai-text-streaming.1.chunks.txt"))[0];
        server.Enqueue(FakeResponse.FromExchange(exchange) with { AbortAfterBodyBytes = 5_000 });
        using var http = new HttpClient();
        using IChatClient client = new OpenAIResponsesClient(http, server.V1(), CanaryKey, "grok-code-fast-1", providerId: "xai");

        var ex = await Assert.ThrowsAsync<StratumProviderUnavailableException>(() => client.GetStreamingResponseAsync("hi").ToChatResponseAsync());

        Assert.Equal("xai", ex.ProviderId);
        Assert.NotNull(ex.InnerException);
    }

    [Fact]
    public async Task NonStreaming_FailedStatus_ThrowsTheMappedError()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.Enqueue(FakeResponse.Json("""{"id":"resp_x","status":"failed","error":{"code":"rate_limit_exceeded","message":"Slow down"},"output":[]}"""));
        using var http = new HttpClient();
        using IChatClient client = new OpenAIResponsesClient(http, server.V1(), CanaryKey, "gpt-4.1");

        var ex = await Assert.ThrowsAsync<StratumRateLimitException>(() => client.GetResponseAsync("hi"));

        Assert.Equal("rate_limit_exceeded", ex.ErrorCode);
        Assert.True(ex.IsRetryable);
    }

    [Fact]
    public async Task NonStreaming_MalformedBody_ThrowsInvalidResponseWithoutTheKey()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.Enqueue(FakeResponse.Json("""{"id":"resp_x","output":[{"type":"message","content":[{"type":"output_text","text":"Hel"""));
        using var http = new HttpClient();
        using IChatClient client = new OpenAIResponsesClient(http, server.V1(), CanaryKey, "gpt-4.1");

        var ex = await Assert.ThrowsAsync<StratumInvalidResponseException>(() => client.GetResponseAsync("hi"));

        Assert.Contains("not valid Responses API JSON", ex.Message);
        Assert.DoesNotContain(CanaryKey, ex.ToString());
        Assert.DoesNotContain(CanaryKey, client.ToString());
    }

    [Fact]
    public async Task HttpError_IsMappedBeforeAnyStreaming()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.Enqueue(FakeResponse.Json("""{"error":{"message":"Your input exceeds the context window of this model. Please adjust your input and try again.","type":"invalid_request_error","param":"input","code":"context_length_exceeded"}}""", 400));
        using var http = new HttpClient();
        using IChatClient client = new OpenAIResponsesClient(http, server.V1(), CanaryKey, "gpt-4.1");

        var ex = await Assert.ThrowsAsync<StratumContextWindowExceededException>(() => client.GetStreamingResponseAsync("hi").ToChatResponseAsync());

        Assert.Equal("input", ex.Parameter);
    }

    [Fact]
    public async Task NonStreaming_FullReasoningTextAndRefusal_MapToReasoningAndErrorContent()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.Enqueue(FakeResponse.Json("""
            {"id":"resp_r","status":"completed","model":"gpt-oss-120b","created_at":1700000000,
             "output":[
               {"id":"rs_r","type":"reasoning","summary":[],"content":[{"type":"reasoning_text","text":"The user wants "},{"type":"reasoning_text","text":"something unsafe."}]},
               {"id":"msg_r","type":"message","role":"assistant","content":[{"type":"refusal","refusal":"I can't help with that."}]}
             ],
             "usage":{"input_tokens":10,"output_tokens":12,"output_tokens_details":{"reasoning_tokens":8},"total_tokens":22}}
            """));
        using var http = new HttpClient();
        using IChatClient client = new OpenAIResponsesClient(http, server.V1(), CanaryKey, "gpt-oss-120b");

        var response = await client.GetResponseAsync("hi");

        var reasoning = Assert.IsType<TextReasoningContent>(response.Messages.Single().Contents[0]);
        Assert.Equal("The user wants something unsafe.", reasoning.Text);
        Assert.Null(reasoning.ProtectedData);
        var refusal = Assert.IsType<ErrorContent>(response.Messages.Single().Contents[1]);
        Assert.Equal("refusal", refusal.ErrorCode);
        Assert.Equal("I can't help with that.", refusal.Message);
        Assert.Equal(string.Empty, response.Text);
        Assert.Equal(ChatFinishReason.Stop, response.FinishReason);
    }

    [Fact]
    public async Task UnsupportedMedia_ThrowsNotSupportedBeforeSending()
    {
        await using var server = await FakeProviderServer.StartAsync();
        using var http = new HttpClient();
        using IChatClient client = new OpenAIResponsesClient(http, server.V1(), CanaryKey, "gpt-4.1");

        var ex = await Assert.ThrowsAsync<NotSupportedException>(() => client.GetResponseAsync(
            [new ChatMessage(ChatRole.User, [new DataContent(new byte[] { 1 }, "audio/wav")])]));

        Assert.Contains("audio/wav", ex.Message);
        Assert.Empty(server.ReceivedRequests);
    }

    [Fact]
    public async Task ReasoningFromAnotherProvider_WithoutAnItemId_IsNotSentBackAndSeveralUserTextsStayParts()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.Enqueue(FakeResponse.Json(FinalBody));
        using var http = new HttpClient();
        using IChatClient client = new OpenAIResponsesClient(http, server.V1(), CanaryKey, "o4-mini");

        await client.GetResponseAsync(
        [
            new ChatMessage(ChatRole.User, "Hi"),
            new ChatMessage(ChatRole.Assistant, [new TextReasoningContent("thinking elsewhere"), new TextContent("Hello!")]),
            new ChatMessage(ChatRole.User, [new TextContent("Bye."), new TextContent("See you.")]),
        ]);

        AssertJsonEqual(
            JsonNode.Parse("""[{"role":"user","content":"Hi"},{"role":"assistant","content":"Hello!"},{"role":"user","content":[{"type":"input_text","text":"Bye."},{"type":"input_text","text":"See you."}]}]"""),
            JsonNode.Parse(server.ReceivedRequests.Single().Body)!["input"]);
    }
}

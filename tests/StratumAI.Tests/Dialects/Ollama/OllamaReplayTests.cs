using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using StratumAI.Dialects;
using StratumAI.Testing;
using static StratumAI.Tests.Dialects.Ollama.OllamaTestSupport;
using static StratumAI.Tests.TestCatalog;

namespace StratumAI.Tests.Dialects.Ollama;

/// <summary>
/// Replays every recorded Ollama exchange under <c>shared/fixtures/ollama/</c> through <see cref="StratumClient"/>
/// (native <c>/api/chat</c>) or, for the two recordings of Ollama's OpenAI-compatible <c>/v1</c> endpoint, through
/// <see cref="OpenAIChatCompletionsClient"/>, and checks every mapped field, the exact cost and the request sent.
/// </summary>
public sealed class OllamaReplayTests
{
    private static void AssertUsage(UsageDetails? usage, long input, long output)
    {
        Assert.NotNull(usage);
        Assert.Equal(input, usage!.InputTokenCount);
        Assert.Equal(output, usage.OutputTokenCount);
        Assert.Equal(input + output, usage.TotalTokenCount);
        Assert.Null(usage.CachedInputTokenCount);
        Assert.Null(usage.ReasoningTokenCount);
    }

    private static UsageDetails SingleUsage(IEnumerable<ChatResponseUpdate> updates) =>
        Assert.Single(updates.SelectMany(u => u.Contents).OfType<UsageContent>()).Details;

    private static JsonNode SentBody(FakeProviderServer server, int index = 0) => Json(server.ReceivedRequests[index].Body)!;

    private static void AssertNativeRequest(FakeProviderServer server, bool stream, string? apiKey = null)
    {
        var sent = server.ReceivedRequests.Single();
        Assert.Equal("POST", sent.Method);
        Assert.Equal("/api/chat", sent.Path);
        Assert.StartsWith("application/json", sent.GetHeader("Content-Type"));
        Assert.Equal(stream ? "application/x-ndjson" : "application/json", sent.GetHeader("Accept"));
        Assert.Equal(apiKey is null ? null : $"Bearer {apiKey}", sent.GetHeader("Authorization"));
        Assert.Equal(stream, (bool)SentBody(server)["stream"]!);
    }

    [Fact]
    public async Task DocsErrorBody_Status500_ThrowsRetryableServerErrorWithTheProviderMessage()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.EnqueueFixture(Fixture("ollama/error__ollama-docs__docs_errors-body.json"));
        using var client = ClientFor(server);

        var ex = await Assert.ThrowsAsync<StratumServerErrorException>(() => client.GetResponseAsync(Model("llama3.2"), "hi"));

        Assert.Equal(HttpStatusCode.InternalServerError, ex.StatusCode);
        Assert.Equal("the model failed to generate a response", ex.ProviderMessage);
        Assert.Equal("ollama", ex.ProviderId);
        Assert.Equal("llama3.2", ex.ModelId);
        Assert.True(ex.IsRetryable);
        Assert.Contains("the model failed to generate a response", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FormatJson_StreamedAnswer_SendsFormatJsonAndTemperatureAndAssemblesTheJsonText()
    {
        await using var server = await FakeProviderServer.StartAsync();
        var exchanges = server.EnqueueFixture(Fixture("ollama/json__langchaingo__TestWithFormat.httprr"));
        using var client = ClientFor(server);
        var model = Model("gemma3:1b");

        var updates = await CollectAsync(client.GetStreamingResponseAsync(model,
            [new ChatMessage(ChatRole.User, "How many feet are in a nautical mile? Respond with JSON containing the answer.")],
            new ChatOptions { ResponseFormat = ChatResponseFormat.Json, Temperature = 0 }));
        var response = updates.ToChatResponse();

        Assert.Equal("{\"answer\": \"600\"}", response.Text);
        Assert.Equal(9, updates.Count);
        Assert.All(updates, u => Assert.Equal("gemma3:1b", u.ModelId));
        Assert.Equal(ChatFinishReason.Stop, updates[^1].FinishReason);
        Assert.Equal(new DateTimeOffset(2025, 8, 20, 13, 47, 53, TimeSpan.Zero).AddTicks(3984650), updates[0].CreatedAt);
        var usage = SingleUsage(updates);
        AssertUsage(usage, input: 25, output: 9);
        Assert.Equal(246778792, usage.AdditionalCounts!["total_duration"]);
        Assert.Equal(39831125, usage.AdditionalCounts["load_duration"]);
        Assert.Equal(18102375, usage.AdditionalCounts["prompt_eval_duration"]);
        Assert.Equal(104431583, usage.AdditionalCounts["eval_duration"]);
        Assert.Equal(CallCost.Zero, Assert.Single(updates, u => u.FinishReason is not null).AdditionalProperties?[StratumUsageKeys.Cost]);

        AssertNativeRequest(server, stream: true);
        var body = SentBody(server);
        var recorded = RecordedRequestBody(exchanges[0])!;
        Assert.Equal((string?)recorded["model"], (string?)body["model"]);
        AssertJsonEqual(recorded["messages"], body["messages"]);
        AssertJsonEqual(recorded["format"], body["format"]);
        AssertJsonEqual(recorded["options"], body["options"]);
    }

    [Fact]
    public async Task DocsStructuredOutput_NonStreaming_SendsTheSchemaAsFormatAndMapsTextUsageAndTime()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.EnqueueFixture(Fixture("ollama/json__ollama-docs__docs_api-chat-structured-output.json"));
        using var client = ClientFor(server);
        var schema = JsonDocument.Parse("""{"type":"object","properties":{"age":{"type":"integer"},"available":{"type":"boolean"}},"required":["age","available"]}""").RootElement;

        var response = await client.GetResponseAsync(Model("llama3.1"),
            "Ollama is 22 years old and is busy saving the world. Respond using JSON",
            new ChatOptions { ResponseFormat = ChatResponseFormat.ForJsonSchema(schema, "Person"), Temperature = 0 });

        Assert.Equal("{\"age\": 22, \"available\": false}", response.Text);
        Assert.Equal("llama3.1", response.ModelId);
        Assert.Null(response.ResponseId);
        Assert.Equal(ChatFinishReason.Stop, response.FinishReason);
        Assert.Equal(new DateTimeOffset(2024, 12, 6, 0, 46, 58, TimeSpan.Zero).AddTicks(2657470), response.CreatedAt);
        AssertUsage(response.Usage, input: 34, output: 12);
        Assert.Equal(2254970291, response.Usage!.AdditionalCounts!["total_duration"]);
        Assert.Equal(CallCost.Zero, response.GetCost());

        AssertNativeRequest(server, stream: false);
        var body = SentBody(server);
        AssertJsonEqual(JsonNode.Parse(schema.GetRawText()), body["format"]);
        Assert.Equal(0d, (double)body["options"]!["temperature"]!);
        Assert.Equal("""[{"role":"user","content":"Ollama is 22 years old and is busy saving the world. Respond using JSON"}]""", body["messages"]!.ToJsonString());
    }

    [Fact]
    public async Task JsonSchema_StreamedAnswer_SendsTheRecordedSchemaAndAssemblesTheJson()
    {
        await using var server = await FakeProviderServer.StartAsync();
        var exchanges = server.EnqueueFixture(Fixture("ollama/stream-json__langchaingo__TestWithJSONSchema.httprr"));
        using var client = ClientFor(server);
        var recorded = RecordedRequestBody(exchanges[0])!;
        var schema = JsonDocument.Parse(recorded["format"]!.ToJsonString()).RootElement;

        var updates = await CollectAsync(client.GetStreamingResponseAsync(Model("gemma3:1b"),
            [new ChatMessage(ChatRole.User, "How many feet are in a nautical mile? Respond with JSON containing the answer.")],
            new ChatOptions { ResponseFormat = ChatResponseFormat.ForJsonSchema(schema), Temperature = 0 }));

        Assert.Equal("{\"feet\": 6076}", updates.ToChatResponse().Text);
        Assert.Equal(ChatFinishReason.Stop, updates[^1].FinishReason);
        AssertUsage(SingleUsage(updates), input: 25, output: 10);

        AssertNativeRequest(server, stream: true);
        var body = SentBody(server);
        AssertJsonEqual(recorded["messages"], body["messages"]);
        AssertJsonEqual(recorded["format"], body["format"]);
        AssertJsonEqual(recorded["options"], body["options"]);
    }

    [Fact]
    public async Task DocsStreamWithTools_ToolCallChunk_BecomesAFunctionCallWithObjectArgumentsAndFinishReasonToolCalls()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.EnqueueFixture(Fixture("ollama/stream-tool__ollama-docs__docs_api-chat-stream-with-tools.ndjson"));
        using var client = ClientFor(server);
        var tool = WeatherTool("city", "The name of the city");

        var updates = await CollectAsync(client.GetStreamingResponseAsync(Model("llama3.2"),
            [new ChatMessage(ChatRole.User, "What is the weather today in Tokyo?")], new ChatOptions { Tools = [tool] }));

        Assert.Equal(2, updates.Count);
        var call = Assert.IsType<FunctionCallContent>(Assert.Single(updates[0].Contents));
        Assert.Equal("get_weather", call.Name);
        Assert.Equal("{\"city\":\"Tokyo\"}", ArgumentsJson(call));
        Assert.Equal("Tokyo", ((JsonElement)call.Arguments!["city"]!).GetString());
        Assert.StartsWith("call_", call.CallId, StringComparison.Ordinal);
        Assert.Equal(ChatFinishReason.ToolCalls, updates[1].FinishReason);
        AssertUsage(SingleUsage(updates), input: 169, output: 15);

        var sentTools = SentBody(server)["tools"]!.AsArray();
        var sentTool = Assert.Single(sentTools)!;
        Assert.Equal("function", (string?)sentTool["type"]);
        Assert.Equal("get_weather", (string?)sentTool["function"]!["name"]);
        Assert.Equal("Get the current weather for a city", (string?)sentTool["function"]!["description"]);
        AssertJsonEqual(JsonNode.Parse(tool.JsonSchema.GetRawText()), sentTool["function"]!["parameters"]);
    }

    [Fact]
    public async Task DocsStream_FinalLineWithoutDoneReason_EndsWithStopAndUsage()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.EnqueueFixture(Fixture("ollama/stream__ollama-docs__docs_api-chat-stream.ndjson"));
        using var client = ClientFor(server);

        var updates = await CollectAsync(client.GetStreamingResponseAsync(Model("llama3.2"), [new ChatMessage(ChatRole.User, "why is the sky blue?")]));

        Assert.Equal("The", updates.ToChatResponse().Text);
        Assert.Equal(new DateTimeOffset(2023, 8, 4, 8, 52, 19, TimeSpan.FromHours(-7)).AddTicks(3854064), updates[0].CreatedAt);
        Assert.Equal(ChatFinishReason.Stop, updates[^1].FinishReason);
        AssertUsage(SingleUsage(updates), input: 26, output: 282);
    }

    [Fact]
    public async Task GenerateChat_CutByNumPredict_MapsLengthAndKeepsMultiByteCharacters()
    {
        await using var server = await FakeProviderServer.StartAsync();
        var exchanges = server.EnqueueFixture(Fixture("ollama/stream__langchaingo__TestClient_GenerateChat.httprr"));
        using var client = ClientFor(server);

        var updates = await CollectAsync(client.GetStreamingResponseAsync(Model("gemma3:1b"),
            [new ChatMessage(ChatRole.User, "Hello, how are you?")], new ChatOptions { MaxOutputTokens = 50, Temperature = 0 }));
        var response = updates.ToChatResponse();

        Assert.StartsWith("Hello there! I\u2019m doing well, thanks for asking. As an AI, I don\u2019t really *feel* in the same way humans do,", response.Text);
        Assert.EndsWith("need. \U0001F60A ", response.Text);
        Assert.Equal(ChatFinishReason.Length, response.FinishReason);
        AssertUsage(response.Usage, input: 15, output: 50);

        AssertNativeRequest(server, stream: true);
        var body = SentBody(server);
        var recorded = RecordedRequestBody(exchanges[0])!;
        AssertJsonEqual(recorded["messages"], body["messages"]);
        AssertJsonEqual(recorded["options"], body["options"]);
        // The recording's client sent "format": "" (no format); we leave the field out, which means the same.
        Assert.Null(body["format"]);
    }

    [Fact]
    public async Task GenerateChatStream_CountingAnswer_AssemblesTextAndUsage()
    {
        await using var server = await FakeProviderServer.StartAsync();
        var exchanges = server.EnqueueFixture(Fixture("ollama/stream__langchaingo__TestClient_GenerateChatStream.httprr"));
        using var client = ClientFor(server);

        var updates = await CollectAsync(client.GetStreamingResponseAsync(Model("gemma3:1b"),
            [new ChatMessage(ChatRole.User, "Count from 1 to 5")], new ChatOptions { MaxOutputTokens = 50, Temperature = 0 }));

        Assert.Equal("Okay, here we go!\n\n1, 2, 3, 4, 5\n", updates.ToChatResponse().Text);
        Assert.Equal(22, updates.Count);
        Assert.Equal(ChatFinishReason.Stop, updates[^1].FinishReason);
        AssertUsage(SingleUsage(updates), input: 16, output: 22);

        var body = SentBody(server);
        var recorded = RecordedRequestBody(exchanges[0])!;
        Assert.True((bool)recorded["stream"]!);
        Assert.True((bool)body["stream"]!);
        AssertJsonEqual(recorded["messages"], body["messages"]);
        AssertJsonEqual(recorded["options"], body["options"]);
    }

    [Fact]
    public async Task GenerateChatWithThink_ReasoningRequested_SendsTopLevelThinkAndMapsTheAnswer()
    {
        await using var server = await FakeProviderServer.StartAsync();
        var exchanges = server.EnqueueFixture(Fixture("ollama/stream__langchaingo__TestClient_GenerateChatWithThink.httprr"));
        using var client = ClientFor(server);

        var updates = await CollectAsync(client.GetStreamingResponseAsync(Model("gemma3:1b"),
            [new ChatMessage(ChatRole.User, "What is 2+2? Show your reasoning.")],
            new ChatOptions { MaxOutputTokens = 100, Temperature = 0, Reasoning = new ReasoningOptions { Effort = ReasoningEffort.Medium } }));
        var response = updates.ToChatResponse();

        // gemma3:1b has no thinking: the recorded server answered in plain content.
        Assert.StartsWith("2 + 2 = 4\n\n**Reasoning:**\n\nAddition is simply combining two things to get a total.", response.Text);
        Assert.EndsWith("2 + 2 equals 4.\n", response.Text);
        Assert.Empty(response.Messages.SelectMany(m => m.Contents).OfType<TextReasoningContent>());
        Assert.Equal(ChatFinishReason.Stop, response.FinishReason);
        AssertUsage(response.Usage, input: 20, output: 55);

        var body = SentBody(server);
        var recorded = RecordedRequestBody(exchanges[0])!;
        AssertJsonEqual(recorded["messages"], body["messages"]);
        // The recording's client put "think" inside options, where Ollama ignores it; the API reads it at the top level.
        Assert.True((bool)recorded["options"]!["think"]!);
        Assert.True((bool)body["think"]!);
        Assert.Null(body["options"]!["think"]);
        Assert.Equal(100, (int)body["options"]!["num_predict"]!);
        Assert.Equal(0d, (double)body["options"]!["temperature"]!);
    }

    [Fact]
    public async Task SemanticKernelStream_Phi3Tail_AssemblesTextAndUsage()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.EnqueueFixture(Fixture("ollama/stream__semantic-kernel__chat_completion_test_response_stream.txt"));
        using var client = ClientFor(server);

        var updates = await CollectAsync(client.GetStreamingResponseAsync(Model("phi3"), [new ChatMessage(ChatRole.User, "Say a test")]));

        Assert.Equal("This is test completion response", updates.ToChatResponse().Text);
        Assert.Equal(6, updates.Count);
        Assert.All(updates, u => Assert.Equal("phi3", u.ModelId));
        Assert.Equal(ChatFinishReason.Stop, updates[^1].FinishReason);
        var usage = SingleUsage(updates);
        AssertUsage(usage, input: 10, output: 239);
        Assert.Equal(55561676662, usage.AdditionalCounts!["load_duration"]);
    }

    [Fact]
    public async Task CloudToolCall_WithKeyThinkingAndCallId_MapsEverythingAndSendsTheRecordedRequest()
    {
        await using var server = await FakeProviderServer.StartAsync();
        var exchanges = server.EnqueueFixture(Fixture("ollama/tool__langchaingo__TestCloudToolCall.httprr"));
        using var client = ClientFor(server, apiKey: CanaryKey);
        var recorded = RecordedRequestBody(exchanges[0])!;
        var recordedFunction = recorded["tools"]![0]!["function"]!;
        var tool = AIFunctionFactory.CreateDeclaration((string)recordedFunction["name"]!, (string?)recordedFunction["description"],
            JsonDocument.Parse(recordedFunction["parameters"]!.ToJsonString()).RootElement);
        // Hypothetical cloud prices, to check the arithmetic on real counts: 0.5 in, 1.5 out per 1M.
        var model = Model("gpt-oss:120b", new ModelPricing(0.5m, 1.5m));

        var response = await client.GetResponseAsync(model, "What's the weather like in San Francisco?", new ChatOptions { Tools = [tool] });

        var contents = response.Messages.Single().Contents;
        Assert.Equal(2, contents.Count);
        Assert.Equal("User asks about weather in San Francisco. Use function getWeather.", Assert.IsType<TextReasoningContent>(contents[0]).Text);
        var call = Assert.IsType<FunctionCallContent>(contents[1]);
        Assert.Equal("call_mo1wm122", call.CallId);
        Assert.Equal("getWeather", call.Name);
        Assert.Equal("{\"location\":\"San Francisco, CA\"}", ArgumentsJson(call));
        Assert.Equal(string.Empty, response.Text);
        Assert.Equal("gpt-oss:120b", response.ModelId);
        Assert.Equal(ChatFinishReason.ToolCalls, response.FinishReason);
        Assert.Equal("9da05030-f8a3-4d49-b758-dcf3e5188e76", response.AdditionalProperties?[StratumUsageKeys.RequestId]);
        AssertUsage(response.Usage, input: 145, output: 44);
        Assert.Equal(603200867, response.Usage!.AdditionalCounts!["total_duration"]);
        // 145 × 0.5 / 1M = 0.0000725; 44 × 1.5 / 1M = 0.000066.
        Assert.Equal(new CallCost(0.0000725m, 0m, 0m, 0.000066m, 0m), response.GetCost());
        Assert.Equal(0.0001385m, response.GetCost()!.Total);

        AssertNativeRequest(server, stream: false, apiKey: CanaryKey);
        var body = SentBody(server);
        Assert.Equal("gpt-oss:120b", (string?)body["model"]);
        AssertJsonEqual(recorded["messages"], body["messages"]);
        AssertJsonEqual(recorded["tools"], body["tools"]);
        Assert.False((bool)recorded["stream"]!);
    }

    [Fact]
    public async Task DocsNoStreamWithTools_ToolCallWithoutId_GetsAGeneratedIdAndParsedArguments()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.EnqueueFixture(Fixture("ollama/tool__ollama-docs__docs_api-chat-nostream-with-tools.json"));
        using var client = ClientFor(server);

        var response = await client.GetResponseAsync(Model("llama3.2"), "What is the weather today in Tokyo?",
            new ChatOptions { Tools = [WeatherTool("city", "The name of the city")] });

        var call = Assert.IsType<FunctionCallContent>(Assert.Single(response.Messages.Single().Contents));
        Assert.Equal("get_weather", call.Name);
        Assert.Equal("{\"city\":\"Tokyo\"}", ArgumentsJson(call));
        Assert.Matches("^call_[0-9a-f]{12}$", call.CallId);
        Assert.Equal(ChatFinishReason.ToolCalls, response.FinishReason);
        Assert.Equal(new DateTimeOffset(2025, 7, 7, 20, 32, 53, TimeSpan.Zero).AddTicks(8441240), response.CreatedAt);
        AssertUsage(response.Usage, input: 169, output: 18);
        Assert.Equal(CallCost.Zero, response.GetCost());
        AssertNativeRequest(server, stream: false);
    }

    [Fact]
    public async Task SemanticKernelFunctionCall_SingleNdjsonObject_ParsesAsANonStreamingAnswer()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.EnqueueFixture(Fixture("ollama/tool__semantic-kernel__chat_completion_function_call_response.txt"));
        using var client = ClientFor(server);

        var response = await client.GetResponseAsync(Model("llama3.2"), "Call the test function",
            new ChatOptions { Tools = [AIFunctionFactory.CreateDeclaration("TestPlugin_TestFunction", "A test function", JsonDocument.Parse("""{"type":"object","properties":{"testInput":{"type":"string"}}}""").RootElement)] });

        var call = Assert.IsType<FunctionCallContent>(Assert.Single(response.Messages.Single().Contents));
        Assert.Equal("TestPlugin_TestFunction", call.Name);
        Assert.Equal("{\"testInput\":\"fake-text\"}", ArgumentsJson(call));
        Assert.Equal(ChatFinishReason.ToolCalls, response.FinishReason);
        AssertUsage(response.Usage, input: 152, output: 22);
    }

    [Fact]
    public async Task OpenAICompatibleLocalJsonSchema_ThroughOpenAIDialect_MapsReasoningAndSendsResponseFormat()
    {
        await using var server = await FakeProviderServer.StartAsync();
        var exchanges = server.EnqueueFixture(Fixture("ollama/json__pydantic-ai__test_ollama_local_native_output_uses_json_schema.yaml"));
        using var http = new HttpClient();
        using var client = new OpenAIChatCompletionsClient(http, server.V1(), null, "qwen3:0.6b", providerId: "ollama");
        var recorded = RecordedRequestBody(exchanges[0])!;
        var schema = JsonDocument.Parse(recorded["response_format"]!["json_schema"]!["schema"]!.ToJsonString()).RootElement;

        var response = await client.GetResponseAsync("What is the capital of France?",
            new ChatOptions { ResponseFormat = ChatResponseFormat.ForJsonSchema(schema, "CityLocation") });

        Assert.Equal("{ \"city\": \"Paris\", \"country\": \"France\" }", response.Text);
        var reasoning = Assert.IsType<TextReasoningContent>(response.Messages.Single().Contents[0]);
        Assert.StartsWith("Okay, the user is asking for the capital of France.", reasoning.Text);
        Assert.Equal("chatcmpl-150", response.ResponseId);
        Assert.Equal("qwen3:0.6b", response.ModelId);
        Assert.Equal(ChatFinishReason.Stop, response.FinishReason);
        Assert.Equal(136, response.Usage!.InputTokenCount);
        Assert.Equal(15, response.Usage.OutputTokenCount);
        Assert.Equal(151, response.Usage.TotalTokenCount);
        Assert.Equal("fp_ollama", response.AdditionalProperties?["system_fingerprint"]);

        var sent = server.ReceivedRequests.Single();
        Assert.Equal("/v1/chat/completions", sent.Path);
        Assert.Null(sent.GetHeader("Authorization"));
        var body = Json(sent.Body)!;
        AssertJsonEqual(recorded["messages"], body["messages"]);
        AssertJsonEqual(recorded["response_format"], body["response_format"]);
        Assert.Equal((string?)recorded["model"], (string?)body["model"]);
    }

    [Fact]
    public async Task OpenAICompatibleCloudToolOutput_ThroughOpenAIDialect_AnswersThenCallsTheTool()
    {
        await using var server = await FakeProviderServer.StartAsync();
        var exchanges = server.EnqueueFixture(Fixture("ollama/tool__pydantic-ai__test_ollama_cloud_tool_output.yaml"));
        using var http = new HttpClient();
        using var client = new OpenAIChatCompletionsClient(http, server.V1(), CanaryKey, "gpt-oss:20b", providerId: "ollama");
        var recorded = RecordedRequestBody(exchanges[0])!;
        var function = recorded["tools"]![0]!["function"]!;
        var tool = AIFunctionFactory.CreateDeclaration((string)function["name"]!, (string?)function["description"],
            JsonDocument.Parse(function["parameters"]!.ToJsonString()).RootElement);
        var options = new ChatOptions { Tools = [tool], ToolMode = ChatToolMode.Auto };
        List<ChatMessage> history = [new(ChatRole.User, "What is the capital of France?")];

        var first = await client.GetResponseAsync(history, options);

        Assert.Equal("Paris.", first.Text);
        Assert.StartsWith("We need to answer question: \"What is the capital of France?\"", Assert.IsType<TextReasoningContent>(first.Messages.Single().Contents[0]).Text);
        Assert.Equal("chatcmpl-395", first.ResponseId);
        Assert.Equal(ChatFinishReason.Stop, first.FinishReason);
        Assert.Equal((134L, 122L, 256L), (first.Usage!.InputTokenCount!.Value, first.Usage.OutputTokenCount!.Value, first.Usage.TotalTokenCount!.Value));

        history.AddRange(first.Messages);
        history.Add(new ChatMessage(ChatRole.User, (string)RecordedRequestBody(exchanges[1])!["messages"]![2]!["content"]!));
        var second = await client.GetResponseAsync(history, options);

        var call = Assert.Single(second.Messages.Single().Contents.OfType<FunctionCallContent>());
        Assert.Equal("call_o2vnpxrw", call.CallId);
        Assert.Equal("final_result", call.Name);
        Assert.Equal("{\"city\":\"Paris\",\"country\":\"France\"}", ArgumentsJson(call));
        Assert.Equal(ChatFinishReason.ToolCalls, second.FinishReason);
        Assert.Equal((206L, 194L, 400L), (second.Usage!.InputTokenCount!.Value, second.Usage.OutputTokenCount!.Value, second.Usage.TotalTokenCount!.Value));

        Assert.Equal(2, server.ReceivedRequests.Count);
        var firstBody = Json(server.ReceivedRequests[0].Body)!;
        Assert.Equal($"Bearer {CanaryKey}", server.ReceivedRequests[0].GetHeader("Authorization"));
        AssertJsonEqual(recorded["messages"], firstBody["messages"]);
        AssertJsonEqual(recorded["tools"], firstBody["tools"]);
        Assert.Equal("auto", (string?)firstBody["tool_choice"]);
        var secondBody = Json(server.ReceivedRequests[1].Body)!;
        var recordedSecond = RecordedRequestBody(exchanges[1])!;
        Assert.Equal(3, secondBody["messages"]!.AsArray().Count);
        // The recording's client sent the assistant's reasoning back; the openai dialect sends only its text.
        Assert.Equal((string?)recordedSecond["messages"]![1]!["content"], (string?)secondBody["messages"]![1]!["content"]);
        Assert.Equal((string?)recordedSecond["messages"]![2]!["content"], (string?)secondBody["messages"]![2]!["content"]);
    }

    internal static AIFunctionDeclaration WeatherTool(string parameter, string description) =>
        AIFunctionFactory.CreateDeclaration("get_weather", "Get the current weather for a city",
            JsonDocument.Parse($$$"""{"type":"object","properties":{"{{{parameter}}}":{"type":"string","description":"{{{description}}}"}},"required":["{{{parameter}}}"]}""").RootElement);
}

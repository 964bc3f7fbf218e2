using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using StratumAI.Dialects;
using StratumAI.Testing;
using static StratumAI.Tests.Dialects.Gemini.GeminiTestSupport;
using static StratumAI.Tests.TestCatalog;

namespace StratumAI.Tests.Dialects.Gemini;

/// <summary>What the Gemini dialect puts on the wire: parts, roles, options, tools, schemas, thought signatures.</summary>
public sealed class GeminiRequestTests
{
    private const string OkBody = """
        {"candidates":[{"content":{"parts":[{"text":"ok"}],"role":"model"},"finishReason":"STOP"}],"usageMetadata":{"promptTokenCount":1,"candidatesTokenCount":1,"totalTokenCount":2},"modelVersion":"gemini-2.5-flash","responseId":"r"}
        """;

    private static async Task<JsonNode> SendAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, string model = "gemini-2.5-flash")
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.Enqueue(FakeResponse.Json(OkBody));
        using var http = new HttpClient();
        using var client = new GeminiGenerateContentClient(http, server.V1(), CanaryKey, model);
        await client.GetResponseAsync(messages, options);
        return Json(server.ReceivedRequests.Single().Body)!;
    }

    [Fact]
    public async Task Images_DataContentIsInlineDataAndUriContentIsFileData()
    {
        byte[] png = [0x89, 0x50, 0x4E, 0x47, 1, 2, 3];
        var body = await SendAsync([new ChatMessage(ChatRole.User,
        [
            new TextContent("What is in these?"),
            new DataContent(png, "image/png"),
            new UriContent(new Uri("https://generativelanguage.googleapis.com/v1beta/files/abc123"), "image/jpeg"),
            new DataContent(new byte[] { 37, 80, 68, 70 }, "application/pdf"),
        ])]);

        AssertJsonEqual(Json($$$"""
            [{"role":"user","parts":[
              {"text":"What is in these?"},
              {"inlineData":{"mimeType":"image/png","data":"{{{Convert.ToBase64String(png)}}}"}},
              {"fileData":{"mimeType":"image/jpeg","fileUri":"https://generativelanguage.googleapis.com/v1beta/files/abc123"}},
              {"inlineData":{"mimeType":"application/pdf","data":"JVBERg=="}}]}]
            """), body["contents"]);
    }

    [Fact]
    public async Task Roles_SystemMessagesAndInstructionsGoToSystemInstructionAndAssistantIsModel()
    {
        var body = await SendAsync(
        [
            new ChatMessage(ChatRole.System, "Be brief."),
            new ChatMessage(ChatRole.User, "Hi"),
            new ChatMessage(ChatRole.Assistant, "Hello"),
            new ChatMessage(ChatRole.User, "Bye"),
            new ChatMessage(ChatRole.User, "Really."),
        ], new ChatOptions { Instructions = "You are terse." });

        AssertJsonEqual(Json("""{"role":"user","parts":[{"text":"You are terse."},{"text":"Be brief."}]}"""), body["systemInstruction"]);
        AssertJsonEqual(Json("""
            [{"role":"user","parts":[{"text":"Hi"}]},{"role":"model","parts":[{"text":"Hello"}]},{"role":"user","parts":[{"text":"Bye"},{"text":"Really."}]}]
            """), body["contents"]);
    }

    [Fact]
    public async Task Options_MapToGenerationConfig()
    {
        var body = await SendAsync([new ChatMessage(ChatRole.User, "x")], new ChatOptions
        {
            Temperature = 0.25f,
            TopP = 0.5f,
            TopK = 40,
            MaxOutputTokens = 300,
            StopSequences = ["END"],
            Seed = 42,
            PresencePenalty = 0.5f,
            FrequencyPenalty = 0.25f,
            AdditionalProperties = new() { ["safetySettings"] = JsonElementOf("""[{"category":"HARM_CATEGORY_HATE_SPEECH","threshold":"BLOCK_NONE"}]""") },
        });

        AssertJsonEqual(Json("""
            {"temperature":0.25,"topP":0.5,"topK":40,"maxOutputTokens":300,"stopSequences":["END"],"seed":42,"presencePenalty":0.5,"frequencyPenalty":0.25}
            """), body["generationConfig"]);
        AssertJsonEqual(Json("""[{"category":"HARM_CATEGORY_HATE_SPEECH","threshold":"BLOCK_NONE"}]"""), body["safetySettings"]);
    }

    [Theory]
    [InlineData("gemini-2.5-flash", ReasoningEffort.None, """{"thinkingBudget":0}""")]
    [InlineData("gemini-2.5-pro", ReasoningEffort.Low, """{"thinkingBudget":1024}""")]
    [InlineData("gemini-2.5-flash", ReasoningEffort.High, """{"thinkingBudget":24576}""")]
    [InlineData("gemini-3-pro-preview", ReasoningEffort.Low, """{"thinkingLevel":"low"}""")]
    [InlineData("gemini-3.1-pro-preview", ReasoningEffort.High, """{"thinkingLevel":"high"}""")]
    public async Task ReasoningEffort_IsABudgetForGemini25AndALevelForGemini3(string model, ReasoningEffort effort, string expected)
    {
        var body = await SendAsync([new ChatMessage(ChatRole.User, "x")], new ChatOptions { Reasoning = new ReasoningOptions { Effort = effort } }, model);

        AssertJsonEqual(Json(expected), body["generationConfig"]!["thinkingConfig"]);
    }

    [Fact]
    public async Task ToolModes_MapToFunctionCallingConfig()
    {
        var tools = new List<AITool>
        {
            AIFunctionFactory.CreateDeclaration("a", "A", JsonElementOf("""{"type":"object","properties":{}}""")),
            AIFunctionFactory.CreateDeclaration("b", "B", JsonElementOf("""{"type":"object","properties":{}}""")),
        };

        var none = await SendAsync([new ChatMessage(ChatRole.User, "x")], new ChatOptions { Tools = tools, ToolMode = ChatToolMode.None });
        var auto = await SendAsync([new ChatMessage(ChatRole.User, "x")], new ChatOptions { Tools = tools, ToolMode = ChatToolMode.Auto });
        var named = await SendAsync([new ChatMessage(ChatRole.User, "x")], new ChatOptions { Tools = tools, ToolMode = ChatToolMode.RequireSpecific("b") });

        AssertJsonEqual(Json("""{"functionCallingConfig":{"mode":"NONE"}}"""), none["toolConfig"]);
        AssertJsonEqual(Json("""{"functionCallingConfig":{"mode":"AUTO"}}"""), auto["toolConfig"]);
        AssertJsonEqual(Json("""{"functionCallingConfig":{"mode":"ANY","allowedFunctionNames":["b"]}}"""), named["toolConfig"]);
    }

    [Fact]
    public async Task RealAIFunction_SchemaIsConvertedToGeminisSubset()
    {
        var function = AIFunctionFactory.Create((string city, int? days, Unit unit = Unit.Celsius) => "sunny", "get_forecast", "Forecast for a city.");

        var body = await SendAsync([new ChatMessage(ChatRole.User, "x")], new ChatOptions { Tools = [function] });

        var declaration = body["tools"]![0]!["functionDeclarations"]![0]!;
        Assert.Equal("get_forecast", (string?)declaration["name"]);
        Assert.Equal("Forecast for a city.", (string?)declaration["description"]);
        var parameters = declaration["parameters"]!;
        Assert.Equal("OBJECT", (string?)parameters["type"]);
        Assert.Equal("STRING", (string?)parameters["properties"]!["city"]!["type"]);
        Assert.Equal("INTEGER", (string?)parameters["properties"]!["days"]!["type"]);
        Assert.True((bool)parameters["properties"]!["days"]!["nullable"]!);
        Assert.DoesNotContain("$schema", parameters.ToJsonString(), StringComparison.Ordinal);
        Assert.DoesNotContain("additionalProperties", parameters.ToJsonString(), StringComparison.Ordinal);
        AssertJsonEqual(Json("""["city","days"]"""), parameters["required"]);
    }

    [Fact]
    public void SchemaConverter_ConvertsNullablesRefsConstAndDropsWhatGeminiRejects()
    {
        var schema = JsonElementOf("""
            {"$schema":"https://json-schema.org/draft/2020-12/schema","type":"object","additionalProperties":false,
             "properties":{
               "name":{"type":["string","null"],"minLength":1,"format":"email"},
               "when":{"type":"string","format":"date-time"},
               "kind":{"const":"fixed"},
               "size":{"anyOf":[{"type":"integer","format":"int32"},{"type":"null"}]},
               "choice":{"oneOf":[{"type":"string","enum":["a","b"]},{"type":"number","exclusiveMinimum":0}]},
               "item":{"$ref":"#/$defs/Item"},
               "list":{"type":"array","items":{"$ref":"#/$defs/Item"},"minItems":1}},
             "required":["name"],
             "$defs":{"Item":{"type":"object","properties":{"id":{"type":"integer"},"child":{"$ref":"#/$defs/Item"}}}}}
            """);

        var converted = GeminiSchemaConverter.Convert(schema);

        AssertJsonEqual(Json("""
            {"type":"OBJECT",
             "properties":{
               "name":{"type":"STRING","nullable":true,"minLength":1},
               "when":{"type":"STRING","format":"date-time"},
               "kind":{"enum":["fixed"]},
               "size":{"anyOf":[{"type":"INTEGER","format":"int32"}],"nullable":true},
               "choice":{"anyOf":[{"type":"STRING","enum":["a","b"]},{"type":"NUMBER"}]},
               "item":{"type":"OBJECT","properties":{"id":{"type":"INTEGER"},"child":{"type":"OBJECT"}}},
               "list":{"type":"ARRAY","minItems":1,"items":{"type":"OBJECT","properties":{"id":{"type":"INTEGER"},"child":{"type":"OBJECT"}}}}},
             "required":["name"]}
            """), JsonNode.Parse(converted.GetRawText()));
    }

    [Fact]
    public async Task ThoughtSignaturesAndProviderIds_GoBackWithTheHistory()
    {
        var call = new FunctionCallContent("gemini_call_r_0", "weather", new Dictionary<string, object?> { ["location"] = "Paris" })
        {
            AdditionalProperties = new() { [GeminiGenerateContentClient.ThoughtSignatureKey] = "SIG1" },
        };
        var vertexCall = new FunctionCallContent("vertex-id-7", "weather", new Dictionary<string, object?> { ["location"] = "Rome" });
        var body = await SendAsync(
        [
            new ChatMessage(ChatRole.User, "Weather?"),
            new ChatMessage(ChatRole.Assistant, [new TextReasoningContent("thinking…") { ProtectedData = "SIG0" }, new TextReasoningContent("unsigned thought"), call, vertexCall]),
            new ChatMessage(ChatRole.Tool, [new FunctionResultContent("gemini_call_r_0", JsonElementOf("""{"temp":21}""")), new FunctionResultContent("vertex-id-7", 19)]),
        ]);

        AssertJsonEqual(Json("""
            [{"role":"user","parts":[{"text":"Weather?"}]},
             {"role":"model","parts":[
               {"text":"thinking…","thought":true,"thoughtSignature":"SIG0"},
               {"functionCall":{"name":"weather","args":{"location":"Paris"}},"thoughtSignature":"SIG1"},
               {"functionCall":{"id":"vertex-id-7","name":"weather","args":{"location":"Rome"}}}]},
             {"role":"user","parts":[
               {"functionResponse":{"name":"weather","response":{"temp":21}}},
               {"functionResponse":{"id":"vertex-id-7","name":"weather","response":{"result":19}}}]}]
            """), body["contents"]);
    }

    [Fact]
    public async Task ToolResultWithoutItsCall_ThrowsArgumentExceptionNamingTheCallId()
    {
        await using var server = await FakeProviderServer.StartAsync();
        using var http = new HttpClient();
        using var client = new GeminiGenerateContentClient(http, server.V1(), CanaryKey, "gemini-2.5-flash");

        var ex = await Assert.ThrowsAsync<ArgumentException>(() => client.GetResponseAsync([new ChatMessage(ChatRole.Tool, [new FunctionResultContent("lost-1", "x")])]));

        Assert.Contains("'lost-1'", ex.Message, StringComparison.Ordinal);
        Assert.Empty(server.ReceivedRequests);
    }

    [Fact]
    public async Task Endpoint_ModelOverrideTrailingSlashAndTunedModelsPrefix()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.Enqueue(FakeResponse.Json(OkBody));
        server.Enqueue(FakeResponse.Json(OkBody));
        using var http = new HttpClient();
        using var client = new GeminiGenerateContentClient(http, new Uri(server.BaseUri, "v1beta/"), null, "gemini-2.5-flash");

        await client.GetResponseAsync("x", new ChatOptions { ModelId = "gemini-2.5-pro" });
        await client.GetResponseAsync("x", new ChatOptions { ModelId = "tunedModels/my-model" });

        Assert.Equal("/v1beta/models/gemini-2.5-pro:generateContent", server.ReceivedRequests[0].PathAndQuery);
        Assert.Equal("/v1beta/tunedModels/my-model:generateContent", server.ReceivedRequests[1].PathAndQuery);
        Assert.Null(server.ReceivedRequests[0].GetHeader("x-goog-api-key"));
        Assert.Equal(new Uri(server.BaseUri, "v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse"), client.GetEndpoint("gemini-2.5-flash", stream: true));
    }

    [Fact]
    public async Task ExtraHeadersAndMetadata_AreSentAndReported()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.Enqueue(FakeResponse.Json(OkBody).WithHeader("x-goog-request-id", "req-9"));
        using var http = new HttpClient();
        using var client = new GeminiGenerateContentClient(http, server.V1(), CanaryKey, "gemini-2.5-flash", [new("x-goog-user-project", "proj-1")], "my-gemini");

        var response = await client.GetResponseAsync("x");

        Assert.Equal("proj-1", server.ReceivedRequests.Single().GetHeader("x-goog-user-project"));
        Assert.Equal("req-9", response.AdditionalProperties![StratumUsageKeys.RequestId]);
        var metadata = client.GetService<ChatClientMetadata>()!;
        Assert.Equal("my-gemini", metadata.ProviderName);
        Assert.Equal("gemini-2.5-flash", metadata.DefaultModelId);
        Assert.DoesNotContain(CanaryKey, client.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task LongPrompt_AboveTheTierThreshold_IsBilledAtTheHigherTierPrices()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.Enqueue(FakeResponse.Json("""
            {"candidates":[{"content":{"parts":[{"text":"Summary."}],"role":"model"},"finishReason":"STOP"}],
             "usageMetadata":{"promptTokenCount":250000,"cachedContentTokenCount":100000,"candidatesTokenCount":1000,"thoughtsTokenCount":500,"totalTokenCount":251500},
             "modelVersion":"gemini-2.5-pro","responseId":"big"}
            """));
        using var client = GeminiClient(server);

        var response = await client.GetResponseAsync(GeminiModel("gemini-2.5-pro", Pro25), "long document");

        AssertUsage(response.Usage, input: 250000, output: 1500, total: 251500, cached: 100000, reasoning: 500);
        // Above 200k prompt tokens: input 2.50, output 15, cached 0.25.
        // 150000 × 2.50 = 0.375; 100000 × 0.25 = 0.025; 1500 × 15 = 0.0225.
        Assert.Equal(new CallCost(0.375m, 0.025m, 0m, 0.0225m, 0m), response.GetCost());
        Assert.Equal(0.4225m, response.GetCost()!.Total);
    }

    [Fact]
    public async Task ToolUsePromptTokens_CountAsInput()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.Enqueue(FakeResponse.Json("""
            {"candidates":[{"content":{"parts":[{"text":"ok"}],"role":"model"},"finishReason":"STOP"}],
             "usageMetadata":{"promptTokenCount":100,"toolUsePromptTokenCount":40,"candidatesTokenCount":10,"totalTokenCount":150}}
            """));
        using var client = GeminiClient(server);

        var response = await client.GetResponseAsync(GeminiModel("gemini-2.0-flash", Flash20), "x");

        AssertUsage(response.Usage, input: 140, output: 10, total: 150, cached: null, reasoning: null);
        Assert.Equal(40, response.Usage!.AdditionalCounts!["toolUsePromptTokenCount"]);
        // 140 × 0.10 = 0.000014; 10 × 0.40 = 0.000004.
        Assert.Equal(0.000018m, response.GetCost()!.Total);
    }

    [Fact]
    public async Task ParallelCallsAndInlineImage_InOneResponse_GetDistinctStableIdsAndDataContent()
    {
        await using var server = await FakeProviderServer.StartAsync();
        var body = """
            {"candidates":[{"content":{"parts":[
               {"inlineData":{"mimeType":"image/png","data":"iVBORw=="}},
               {"functionCall":{"name":"weather","args":{"city":"Paris"}}},
               {"functionCall":{"name":"weather","args":{"city":"Rome","days":3}}}],"role":"model"},"finishReason":"STOP"}],
             "usageMetadata":{"promptTokenCount":10,"candidatesTokenCount":20,"totalTokenCount":30},"responseId":"par1"}
            """;
        server.Enqueue(FakeResponse.Json(body));
        server.Enqueue(FakeResponse.Json(body));
        using var http = new HttpClient();
        using var client = new GeminiGenerateContentClient(http, server.V1(), CanaryKey, "gemini-2.5-flash");

        var first = await client.GetResponseAsync("Weather in Paris and Rome?");
        var again = await client.GetResponseAsync("Weather in Paris and Rome?");

        var contents = first.Messages.Single().Contents;
        var image = Assert.IsType<DataContent>(contents[0]);
        Assert.Equal("image/png", image.MediaType);
        Assert.Equal(Convert.FromBase64String("iVBORw=="), image.Data.ToArray());
        var calls = contents.OfType<FunctionCallContent>().ToList();
        Assert.Equal(["gemini_call_par1_0", "gemini_call_par1_1"], calls.Select(c => c.CallId));
        Assert.Equal(calls.Select(c => c.CallId), again.Messages.Single().Contents.OfType<FunctionCallContent>().Select(c => c.CallId));
        Assert.Equal("Rome", calls[1].Arguments!["city"]?.ToString());
        Assert.Equal("3", calls[1].Arguments!["days"]?.ToString());
        Assert.Equal(ChatFinishReason.ToolCalls, first.FinishReason);
    }

    [Fact]
    public void FixtureFolder_HoldsExactlyTheGeminiFixturesTheseTestsReplay()
    {
        // Every file here is replayed by a test in this folder; a new fixture must get its test before this passes.
        string[] replayed =
        [
            "chat__crewai__test_gemini_cached_prompt_tokens.yaml", "chat__langchaingo__TestGoogleAIGenerateContent.httprr",
            "chat__pydantic-ai__test_google_model.yaml", "chat__pydantic-ai__test_google_model_cached_content.yaml",
            "chat__vercel-ai-google__google-text.json", "error__crewai__test_google_streaming_returns_usage_metrics.yaml",
            "error__langchaingo__TestGoogleAIErrorHandling.httprr", "error__pydantic-ai__test_model_name_suggestion_google_.yaml",
            "error__vercel-ai-google__google-429-retry-info.json", "json__langchaingo__TestGoogleAIWithJSONMode.httprr",
            "json__pydantic-ai__test_google_native_output.yaml", "stream-tool__vercel-ai-google__google-stream-tool-call-arguments.chunks.txt",
            "stream-tool__vercel-ai-google__google-tool-call.chunks.txt", "stream__langchaingo__TestGoogleAIWithStreaming.httprr",
            "stream__pydantic-ai__test_google_model_stream.yaml", "stream__pydantic-ai__test_google_model_thinking_part_iter.yaml",
            "stream__pydantic-ai__test_google_stream_usage_is_live_mid_stream.yaml", "stream__semantic-kernel__chat_stream_response.json",
            "stream__vercel-ai-google__google-text.chunks.txt", "tool__pydantic-ai__test_google_tool_output.yaml",
            "tool__vercel-ai-google__google-tool-call.json",
        ];

        // Recorded for features not built yet: listed here, in this one place, so a new gemini fixture still needs a
        // test, and a listed one that gets its replay test must leave this list.
        var awaiting = new Dictionary<string, string>(StringComparer.Ordinal);

        var present = Directory.GetFiles(Path.Combine(FixtureLoader.SharedFixturesDirectory(typeof(GeminiRequestTests).Assembly), "gemini"))
            .Select(f => Path.GetFileName(f));

        // The embeddings fixtures are replayed by Embeddings/EmbeddingFixtureTests.
        var embeddings = Embeddings.EmbeddingFixtureTests.Replayed.Where(f => f.StartsWith("gemini/", StringComparison.Ordinal)).Select(f => f["gemini/".Length..]);
        FixtureInventory.AssertExactly(present, replayed.Concat(embeddings), awaiting, "GeminiRequestTests.cs");
    }

    public enum Unit
    {
        Celsius,
        Fahrenheit,
    }
}

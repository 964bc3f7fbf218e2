using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using StratumAI.Dialects;
using StratumAI.Testing;
using static StratumAI.Tests.Dialects.Gemini.GeminiTestSupport;
using static StratumAI.Tests.TestCatalog;

namespace StratumAI.Tests.Dialects.Gemini;

/// <summary>
/// Replays every recorded non-streaming Gemini exchange under <c>../shared/fixtures/gemini/</c> through
/// <see cref="StratumClient"/> and checks text, calls, usage, finish reason, ids, the exact cost and the request sent.
/// Costs are worked out by hand in the comments: tokens × USD-per-1M ÷ 1,000,000, catalog prices (catalog/gemini.yaml).
/// </summary>
public sealed class GeminiReplayTests
{
    [Fact]
    public async Task GoogleModel_SystemAndUser_MapsTextUsageWithThoughtsAndCost()
    {
        await using var server = await FakeProviderServer.StartAsync();
        var exchanges = server.EnqueueFixture(Fixture("gemini/chat__pydantic-ai__test_google_model.yaml"));
        using var client = GeminiClient(server);
        var model = GeminiModel("gemini-2.5-flash", Flash25);

        var response = await client.GetResponseAsync(model, [new ChatMessage(ChatRole.System, "You are a chatbot."), new ChatMessage(ChatRole.User, "Hello!")]);

        Assert.Equal("Hello! How can I help you today?", response.Text);
        Assert.Equal("bzlXaa_EE_aHqtsPi_zw8Ao", response.ResponseId);
        Assert.Equal("bzlXaa_EE_aHqtsPi_zw8Ao", response.Messages.Single().MessageId);
        Assert.Equal("gemini-2.5-flash", response.ModelId);
        Assert.Equal(ChatFinishReason.Stop, response.FinishReason);
        Assert.Equal(ChatRole.Assistant, response.Messages.Single().Role);
        // output = candidates 9 + thoughts 34.
        AssertUsage(response.Usage, input: 9, output: 43, total: 52, cached: null, reasoning: 34);

        // 9 × 0.30 = 0.0000027 input; (43 − 34) × 2.50 = 0.0000225 output; 34 × 2.50 = 0.000085 reasoning.
        Assert.Equal(new CallCost(0.0000027m, 0m, 0m, 0.0000225m, 0.000085m), response.GetCost());
        Assert.Equal(0.0001102m, response.GetCost()!.Total);
        Assert.Same(model, response.GetModelInfo());

        var sent = server.ReceivedRequests.Single();
        var recordedRequest = exchanges[0].Request!;
        Assert.Equal("POST", sent.Method);
        Assert.Equal("/v1/models/gemini-2.5-flash:generateContent", sent.PathAndQuery);
        Assert.EndsWith(sent.PathAndQuery[3..], recordedRequest.PathAndQuery, StringComparison.Ordinal);
        Assert.Equal(CanaryKey, sent.GetHeader("x-goog-api-key"));
        Assert.Null(sent.GetHeader("Authorization"));
        Assert.DoesNotContain("key=", sent.PathAndQuery, StringComparison.Ordinal);
        Assert.StartsWith("application/json", sent.GetHeader("Content-Type"));
        var body = Json(sent.Body)!;
        var recorded = RecordedRequestBody(exchanges[0])!;
        AssertJsonEqual(recorded["contents"], body["contents"]);
        AssertJsonEqual(recorded["systemInstruction"], body["systemInstruction"]);
        Assert.Null(body["generationConfig"]);
        Assert.Null(body["model"]);
    }

    [Fact]
    public async Task CrewAICachedPromptTokens_TwoCallsWithoutCacheHit_BillEveryPromptTokenAtTheInputPrice()
    {
        await using var server = await FakeProviderServer.StartAsync();
        var exchanges = server.EnqueueFixture(Fixture("gemini/chat__crewai__test_gemini_cached_prompt_tokens.yaml"));
        using var client = GeminiClient(server);
        var model = GeminiModel("gemini-2.5-flash", Flash25);
        var system = (string)RecordedRequestBody(exchanges[0])!["systemInstruction"]!["parts"]![0]!["text"]!;

        var first = await client.GetResponseAsync(model, [new ChatMessage(ChatRole.System, system), new ChatMessage(ChatRole.User, "Say hello in one word.")]);
        var second = await client.GetResponseAsync(model, [new ChatMessage(ChatRole.System, system), new ChatMessage(ChatRole.User, "Say goodbye in one word.")]);

        Assert.Equal("Hello", first.Text);
        Assert.Equal("46GLaf60NYmY-8YP--PB6QE", first.ResponseId);
        Assert.Equal("gemini-2.5-flash", first.ModelId);
        Assert.Equal(ChatFinishReason.Stop, first.FinishReason);
        AssertUsage(first.Usage, input: 1135, output: 23, total: 1158, cached: null, reasoning: 22);
        // 1135 × 0.30 = 0.0003405; 1 × 2.50 = 0.0000025; 22 × 2.50 = 0.000055.
        Assert.Equal(new CallCost(0.0003405m, 0m, 0m, 0.0000025m, 0.000055m), first.GetCost());
        Assert.Equal(0.000398m, first.GetCost()!.Total);

        Assert.Equal("Farewell.", second.Text);
        Assert.Equal("5KGLafeeIv-G-8YP_MfPgAI", second.ResponseId);
        AssertUsage(second.Usage, input: 1135, output: 29, total: 1164, cached: null, reasoning: 26);
        // 1135 × 0.30 = 0.0003405; 3 × 2.50 = 0.0000075; 26 × 2.50 = 0.000065.
        Assert.Equal(new CallCost(0.0003405m, 0m, 0m, 0.0000075m, 0.000065m), second.GetCost());
        Assert.Equal(0.000413m, second.GetCost()!.Total);

        Assert.Equal(2, server.ReceivedRequests.Count);
        for (var i = 0; i < 2; i++)
        {
            var sent = server.ReceivedRequests[i];
            Assert.NotNull(exchanges[i].Request!.GetHeader("x-goog-api-key"));
            Assert.Equal(CanaryKey, sent.GetHeader("x-goog-api-key"));
            var body = Json(sent.Body)!;
            var recorded = RecordedRequestBody(exchanges[i])!;
            AssertJsonEqual(recorded["contents"], body["contents"]);
            AssertJsonEqual(recorded["systemInstruction"], body["systemInstruction"]);
        }
    }

    [Fact]
    public async Task CachedContent_ReadsCachedTokensAndBillsThemAtTheCachedPrice()
    {
        await using var server = await FakeProviderServer.StartAsync();
        var exchanges = FixtureLoader.Load(Fixture("gemini/chat__pydantic-ai__test_google_model_cached_content.yaml"));

        // The cassette also holds the cachedContents create and delete calls pydantic-ai made around the chat calls;
        // creating and deleting caches is not part of IChatClient, so only the two generateContent calls are replayed.
        Assert.Equal(4, exchanges.Count);
        Assert.Equal("POST", exchanges[0].Request!.Method);
        Assert.EndsWith("/v1beta/cachedContents", exchanges[0].Request!.PathAndQuery, StringComparison.Ordinal);
        Assert.Equal("DELETE", exchanges[3].Request!.Method);
        var cacheName = (string)Json(exchanges[0].Response.BodyText)!["name"]!;
        Assert.EndsWith("/v1beta/" + cacheName, exchanges[3].Request!.PathAndQuery, StringComparison.Ordinal);
        server.Enqueue(exchanges[1]);
        server.Enqueue(exchanges[2]);

        using var client = GeminiClient(server);
        var model = GeminiModel("gemini-2.5-flash", Flash25);
        var options = new ChatOptions { AdditionalProperties = new() { ["cachedContent"] = cacheName } };

        var first = await client.GetResponseAsync(model, "What is the capital of France?", options);
        var second = await client.GetResponseAsync(model, "Say the capital one more time.", options);

        Assert.Equal("Paris.", first.Text);
        Assert.Equal("_VQYaqvRGbW6qtsPg4TDoAg", first.ResponseId);
        AssertUsage(first.Usage, input: 3520, output: 44, total: 3564, cached: 3512, reasoning: 42);
        // (3520 − 3512) × 0.30 = 0.0000024; 3512 × 0.03 = 0.00010536; 2 × 2.50 = 0.000005; 42 × 2.50 = 0.000105.
        Assert.Equal(new CallCost(0.0000024m, 0.00010536m, 0m, 0.000005m, 0.000105m), first.GetCost());
        Assert.Equal(0.00021776m, first.GetCost()!.Total);

        Assert.Equal("Paris.", second.Text);
        AssertUsage(second.Usage, input: 3520, output: 53, total: 3573, cached: 3512, reasoning: 51);
        // 0.0000024 + 0.00010536 + 2 × 2.50 = 0.000005 + 51 × 2.50 = 0.0001275.
        Assert.Equal(0.00024026m, second.GetCost()!.Total);

        Assert.Equal(2, server.ReceivedRequests.Count);
        for (var i = 0; i < 2; i++)
        {
            var body = Json(server.ReceivedRequests[i].Body)!;
            var recorded = RecordedRequestBody(exchanges[i + 1])!;
            Assert.Equal(cacheName, (string?)body["cachedContent"]);
            Assert.Equal((string?)recorded["cachedContent"], (string?)body["cachedContent"]);
            AssertJsonEqual(recorded["contents"], body["contents"]);
            Assert.EndsWith(":generateContent", server.ReceivedRequests[i].PathAndQuery, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Gemini3TextBody_KeepsTheThoughtSignatureAndBillsThoughtsAsOutput()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.EnqueueFixture(Fixture("gemini/chat__vercel-ai-google__google-text.json"));
        using var client = GeminiClient(server);
        var model = GeminiModel("gemini-3-pro-preview", Pro3);

        var response = await client.GetResponseAsync(model, "How many r's are in strawberry?");

        Assert.Equal("There are **3** r's in strawberry.\n\nHere is the breakdown: st**r**awbe**rr**y.", response.Text);
        Assert.Equal("Un6LacrVMcjUxs0PmJfWoQc", response.ResponseId);
        Assert.Equal("gemini-3-pro-preview", response.ModelId);
        Assert.Equal(ChatFinishReason.Stop, response.FinishReason);
        var text = Assert.IsType<TextContent>(Assert.Single(response.Messages.Single().Contents));
        Assert.Equal(
            "EtoFCtcFAb4+9vtfe4MXRxQjw48U1WKrR/7lYsgFkVi/bepqsSPjY0VU7HEzkeCBIfy1fu5t9aUZ4IZ65aWagqbBrV45fc97olcg",
            text.AdditionalProperties![GeminiGenerateContentClient.ThoughtSignatureKey]);
        AssertUsage(response.Usage, input: 9, output: 272, total: 281, cached: null, reasoning: 244);
        // No reasoning price for gemini-3-pro-preview: thoughts are output. 9 × 2 = 0.000018; (28 + 244) × 12 = 0.003264.
        Assert.Equal(new CallCost(0.000018m, 0m, 0m, 0.003264m, 0m), response.GetCost());
        Assert.Equal(0.003282m, response.GetCost()!.Total);
    }

    [Fact]
    public async Task Gemini3ToolCallBody_MapsCallWithSyntheticIdSignatureAndToolCallsFinish()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.EnqueueFixture(Fixture("gemini/tool__vercel-ai-google__google-tool-call.json"));
        using var client = GeminiClient(server);
        var model = GeminiModel("gemini-3-pro-preview", Pro3);

        var response = await client.GetResponseAsync(model, "What is the weather in San Francisco?");

        var call = Assert.IsType<FunctionCallContent>(Assert.Single(response.Messages.Single().Contents));
        Assert.Equal("weather", call.Name);
        Assert.Equal("gemini_call_m36LaZGyCLz1xs0PtNSB-QU_0", call.CallId);
        Assert.Equal("San Francisco", call.Arguments!["location"]?.ToString());
        Assert.Single(call.Arguments);
        Assert.StartsWith("EskgCsYgAb4+9vtF7/", (string)call.AdditionalProperties![GeminiGenerateContentClient.ThoughtSignatureKey]!, StringComparison.Ordinal);
        Assert.Equal(ChatFinishReason.ToolCalls, response.FinishReason);
        Assert.Equal("Model generated function call(s).", response.AdditionalProperties!["finish_message"]);
        Assert.Equal("m36LaZGyCLz1xs0PtNSB-QU", response.ResponseId);
        AssertUsage(response.Usage, input: 29, output: 908, total: 937, cached: null, reasoning: 893);
        // 29 × 2 = 0.000058; (15 + 893) × 12 = 0.010896.
        Assert.Equal(new CallCost(0.000058m, 0m, 0m, 0.010896m, 0m), response.GetCost());
        Assert.Equal(0.010954m, response.GetCost()!.Total);
    }

    [Fact]
    public async Task LangChainGoGenerateContent_IntegerEnumFinishReasonAndSamplingOptions()
    {
        await using var server = await FakeProviderServer.StartAsync();
        var exchanges = server.EnqueueFixture(Fixture("gemini/chat__langchaingo__TestGoogleAIGenerateContent.httprr"));
        using var client = GeminiClient(server);
        var model = GeminiModel("gemini-2.0-flash", Flash20);
        var options = new ChatOptions { Temperature = 0.5f, TopP = 0.95f, TopK = 3, MaxOutputTokens = 2048 };

        var response = await client.GetResponseAsync(model, "What is the capital of France?", options);

        Assert.Equal("The capital of France is **Paris**.\n", response.Text);
        Assert.Equal("Sx-jaI-JN6bFnsEPv9TJkQU", response.ResponseId);
        Assert.Equal("gemini-2.0-flash", response.ModelId);
        Assert.Equal(ChatFinishReason.Stop, response.FinishReason); // "finishReason": 1
        AssertUsage(response.Usage, input: 7, output: 9, total: 16, cached: null, reasoning: null);
        // 7 × 0.10 = 0.0000007; 9 × 0.40 = 0.0000036.
        Assert.Equal(new CallCost(0.0000007m, 0m, 0m, 0.0000036m, 0m), response.GetCost());
        Assert.Equal(0.0000043m, response.GetCost()!.Total);

        var body = Json(server.ReceivedRequests.Single().Body)!;
        var recorded = RecordedRequestBody(exchanges[0])!;
        AssertJsonEqual(recorded["contents"], body["contents"]);
        foreach (var key in new[] { "maxOutputTokens", "temperature", "topP", "topK" })
        {
            Assert.Equal((double)recorded["generationConfig"]![key]!, (double)body["generationConfig"]![key]!, 5);
        }
    }

    [Fact]
    public async Task LangChainGoJsonMode_SendsResponseMimeTypeWithoutSchema()
    {
        await using var server = await FakeProviderServer.StartAsync();
        var exchanges = server.EnqueueFixture(Fixture("gemini/json__langchaingo__TestGoogleAIWithJSONMode.httprr"));
        using var client = GeminiClient(server);
        var model = GeminiModel("gemini-2.0-flash", Flash20);

        var response = await client.GetResponseAsync(model, "List three colors as a JSON array", new ChatOptions { ResponseFormat = ChatResponseFormat.Json });

        Assert.Equal("[\"red\", \"green\", \"blue\"]", response.Text);
        Assert.Equal(["red", "green", "blue"], JsonSerializer.Deserialize<string[]>(response.Text)!);
        Assert.Equal("Wh-jaPDONbyYkdUPreHaqQc", response.ResponseId);
        Assert.Equal(ChatFinishReason.Stop, response.FinishReason);
        AssertUsage(response.Usage, input: 7, output: 9, total: 16, cached: null, reasoning: null);
        Assert.Equal(0.0000043m, response.GetCost()!.Total);

        var body = Json(server.ReceivedRequests.Single().Body)!;
        var recorded = RecordedRequestBody(exchanges[0])!;
        Assert.Equal((string?)recorded["generationConfig"]!["responseMimeType"], (string?)body["generationConfig"]!["responseMimeType"]);
        Assert.Null(body["generationConfig"]!["responseJsonSchema"]);
        AssertJsonEqual(recorded["contents"], body["contents"]);
    }

    [Fact]
    public async Task NativeOutput_ForJsonSchema_SendsResponseJsonSchemaAsRecorded()
    {
        await using var server = await FakeProviderServer.StartAsync();
        var exchanges = server.EnqueueFixture(Fixture("gemini/json__pydantic-ai__test_google_native_output.yaml"));
        using var client = GeminiClient(server);
        var model = GeminiModel("gemini-2.0-flash", Flash20);
        var schema = JsonElementOf("""
            {"$schema":"https://json-schema.org/draft/2020-12/schema","title":"CityLocation","description":"A city and its country.","type":"object",
             "properties":{"city":{"type":"string"},"country":{"type":"string"}},"required":["city","country"]}
            """);

        var response = await client.GetResponseAsync(model, "What is the largest city in Mexico?",
            new ChatOptions { ResponseFormat = ChatResponseFormat.ForJsonSchema(schema, "CityLocation", "A city and its country.") });

        Assert.Equal("{\n  \"city\": \"Mexico City\",\n  \"country\": \"Mexico\"\n}", response.Text);
        var city = JsonDocument.Parse(response.Text).RootElement;
        Assert.Equal("Mexico City", city.GetProperty("city").GetString());
        Assert.Equal("EfsgaZT5JPbXz7IPqtGJkQ8", response.ResponseId);
        Assert.Equal(ChatFinishReason.Stop, response.FinishReason);
        AssertUsage(response.Usage, input: 8, output: 20, total: 28, cached: null, reasoning: null);
        // 8 × 0.10 = 0.0000008; 20 × 0.40 = 0.000008.
        Assert.Equal(new CallCost(0.0000008m, 0m, 0m, 0.000008m, 0m), response.GetCost());

        var body = Json(server.ReceivedRequests.Single().Body)!;
        var recorded = RecordedRequestBody(exchanges[0])!;
        Assert.Equal("application/json", (string?)body["generationConfig"]!["responseMimeType"]);
        AssertJsonEqual(recorded["generationConfig"]!["responseJsonSchema"], body["generationConfig"]!["responseJsonSchema"]);
        AssertJsonEqual(recorded["contents"], body["contents"]);
    }

    [Fact]
    public async Task ToolOutput_CallThenToolResultThenFinalCall_MatchesRecordedRequests()
    {
        await using var server = await FakeProviderServer.StartAsync();
        var exchanges = server.EnqueueFixture(Fixture("gemini/tool__pydantic-ai__test_google_tool_output.yaml"));
        using var client = GeminiClient(server);
        var model = GeminiModel("gemini-2.0-flash", Flash20);
        var options = new ChatOptions
        {
            Tools =
            [
                AIFunctionFactory.CreateDeclaration("get_user_country", "", JsonElementOf("""{"type":"object","properties":{},"additionalProperties":false}""")),
                AIFunctionFactory.CreateDeclaration("final_result", "The final response which ends this conversation", JsonElementOf("""
                    {"type":"object","properties":{"city":{"type":"string"},"country":{"type":"string"}},"required":["city","country"],"additionalProperties":false}
                    """)),
            ],
            ToolMode = ChatToolMode.RequireAny,
        };
        List<ChatMessage> history = [new(ChatRole.User, "What is the largest city in the user country?")];

        var first = await client.GetResponseAsync(model, history, options);

        var call = Assert.IsType<FunctionCallContent>(Assert.Single(first.Messages.Single().Contents));
        Assert.Equal("get_user_country", call.Name);
        Assert.Empty(call.Arguments!);
        Assert.Equal("gemini_call_LlteaIDvD9m7nvgPz5Sb0Aw_0", call.CallId);
        Assert.Equal(ChatFinishReason.ToolCalls, first.FinishReason);
        Assert.Equal("LlteaIDvD9m7nvgPz5Sb0Aw", first.ResponseId);
        AssertUsage(first.Usage, input: 33, output: 5, total: 38, cached: null, reasoning: null);
        // 33 × 0.10 = 0.0000033; 5 × 0.40 = 0.000002.
        Assert.Equal(0.0000053m, first.GetCost()!.Total);

        // pydantic-ai gave the call its own id and sent it back; a caller-made id is echoed, exactly as recorded.
        history.Add(new ChatMessage(ChatRole.Assistant, [new FunctionCallContent("pyd_ai_3fa5644dae1d4aad997ae39c70006fbd", "get_user_country", new Dictionary<string, object?>())]));
        history.Add(new ChatMessage(ChatRole.Tool, [new FunctionResultContent("pyd_ai_3fa5644dae1d4aad997ae39c70006fbd", JsonElementOf("""{"return_value":"Mexico"}"""))]));
        var second = await client.GetResponseAsync(model, history, options);

        var final = Assert.IsType<FunctionCallContent>(Assert.Single(second.Messages.Single().Contents));
        Assert.Equal("final_result", final.Name);
        Assert.Equal("Mexico City", final.Arguments!["city"]?.ToString());
        Assert.Equal("Mexico", final.Arguments["country"]?.ToString());
        Assert.Equal("gemini_call_LlteaOzCOPOdnvgPrJbnoQg_0", final.CallId);
        Assert.Equal(ChatFinishReason.ToolCalls, second.FinishReason);
        AssertUsage(second.Usage, input: 47, output: 8, total: 55, cached: null, reasoning: null);
        // 47 × 0.10 = 0.0000047; 8 × 0.40 = 0.0000032.
        Assert.Equal(new CallCost(0.0000047m, 0m, 0m, 0.0000032m, 0m), second.GetCost());

        for (var i = 0; i < 2; i++)
        {
            var body = Json(server.ReceivedRequests[i].Body)!;
            var recorded = RecordedRequestBody(exchanges[i])!;
            AssertJsonEqual(recorded["contents"], body["contents"]);
            AssertJsonEqual(recorded["tools"], body["tools"]);
            AssertJsonEqual(recorded["toolConfig"], body["toolConfig"]);
        }
    }

    [Fact]
    public async Task ToolOutput_SyntheticCallId_IsNotSentAndTheResultIsNamedByItsCall()
    {
        await using var server = await FakeProviderServer.StartAsync();
        var exchanges = server.EnqueueFixture(Fixture("gemini/tool__pydantic-ai__test_google_tool_output.yaml"));
        using var client = GeminiClient(server);
        var model = GeminiModel("gemini-2.0-flash", Flash20);
        var options = new ChatOptions { Tools = [AIFunctionFactory.CreateDeclaration("get_user_country", "", JsonElementOf("""{"type":"object","properties":{}}"""))] };
        List<ChatMessage> history = [new(ChatRole.User, "What is the largest city in the user country?")];

        var first = await client.GetResponseAsync(model, history, options);
        history.AddRange(first.Messages);
        var callId = first.Messages.Single().Contents.OfType<FunctionCallContent>().Single().CallId;
        history.Add(new ChatMessage(ChatRole.Tool, [new FunctionResultContent(callId, "Mexico")]));
        await client.GetResponseAsync(model, history, options);

        var contents = Json(server.ReceivedRequests[1].Body)!["contents"]!.AsArray();
        Assert.Equal(3, contents.Count);
        Assert.Equal("model", (string?)contents[1]!["role"]);
        AssertJsonEqual(Json("""{"name":"get_user_country","args":{}}"""), contents[1]!["parts"]![0]!["functionCall"]);
        Assert.Equal("user", (string?)contents[2]!["role"]);
        AssertJsonEqual(Json("""{"name":"get_user_country","response":{"result":"Mexico"}}"""), contents[2]!["parts"]![0]!["functionResponse"]);
        Assert.Null(Json(server.ReceivedRequests[0].Body)!["toolConfig"]);
        Assert.Equal(2, exchanges.Count);
    }
}

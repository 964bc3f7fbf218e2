using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using StratumAI.Testing;
using static StratumAI.Tests.TestCatalog;

namespace StratumAI.Tests.Dialects;

/// <summary>
/// Replays real recorded Chat Completions traffic (OpenAI, DeepSeek, Groq, xAI, OpenRouter) through
/// <see cref="StratumClient"/> and checks every mapped field and the exact cost. Expected costs are worked out by
/// hand in the comments: tokens × USD-per-1M ÷ 1,000,000.
/// </summary>
public sealed class OpenAIDialectReplayTests
{
    private static void AssertUsage(UsageDetails? usage, long input, long output, long total, long? cached, long? reasoning)
    {
        Assert.NotNull(usage);
        Assert.Equal(input, usage!.InputTokenCount);
        Assert.Equal(output, usage.OutputTokenCount);
        Assert.Equal(total, usage.TotalTokenCount);
        Assert.Equal(cached, usage.CachedInputTokenCount);
        Assert.Equal(reasoning, usage.ReasoningTokenCount);
    }

    [Fact]
    public async Task OpenAI_SystemAndUserMessages_MapsTextIdsUsageAndCost()
    {
        await using var server = await FakeProviderServer.StartAsync();
        var exchanges = server.EnqueueFixture(Fixture("openai/chat__pydantic-ai__test_openai_instructions.yaml"));
        using var client = ClientFor(server, "openai");
        var model = Model("gpt-4o", Provider("openai"), Gpt4oPricing);

        var response = await client.GetResponseAsync(model,
        [
            new ChatMessage(ChatRole.System, "You are a helpful assistant."),
            new ChatMessage(ChatRole.User, "What is the capital of France?"),
        ]);

        Assert.Equal("The capital of France is Paris.", response.Text);
        Assert.Equal("chatcmpl-BJjf61mLb9z5H45ClJzbx0UWKwjo1", response.ResponseId);
        Assert.Equal("gpt-4o-2024-08-06", response.ModelId);
        Assert.Equal(ChatFinishReason.Stop, response.FinishReason);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1744043456), response.CreatedAt);
        Assert.Equal(ChatRole.Assistant, response.Messages.Single().Role);
        AssertUsage(response.Usage, input: 24, output: 8, total: 32, cached: 0, reasoning: 0);
        Assert.Equal("fp_898ac29719", response.AdditionalProperties?["system_fingerprint"]);

        // 24 × 2.50 / 1M = 0.00006; 8 × 10 / 1M = 0.00008.
        var cost = response.GetCost();
        Assert.Equal(new CallCost(0.00006m, 0m, 0m, 0.00008m, 0m), cost);
        Assert.Equal(0.00014m, cost!.Total);
        Assert.Same(model, response.GetModelInfo());

        var sent = server.ReceivedRequests.Single();
        Assert.Equal("POST", sent.Method);
        Assert.Equal("/v1/chat/completions", sent.Path);
        Assert.Equal($"Bearer {CanaryKey}", sent.GetHeader("Authorization"));
        Assert.StartsWith("application/json", sent.GetHeader("Content-Type"));
        var body = Json(sent.Body)!;
        var recorded = RecordedRequestBody(exchanges[0])!;
        Assert.Equal("gpt-4o", (string?)body["model"]);
        AssertJsonEqual(recorded["messages"], body["messages"]);
        Assert.False((bool)body["stream"]!);
        Assert.Null(body["max_tokens"]);
        Assert.Null(body["temperature"]);
    }

    [Fact]
    public async Task OpenAI_ReasoningModelWithMaxTokens_SendsMaxCompletionTokensAndCountsReasoningWithinOutput()
    {
        await using var server = await FakeProviderServer.StartAsync();
        var exchanges = server.EnqueueFixture(Fixture("openai/chat__pydantic-ai__test_max_completion_tokens_o3-mini_.yaml"));
        using var client = ClientFor(server, "openai");
        var model = Model("o3-mini", Provider("openai"), O3MiniPricing);

        var response = await client.GetResponseAsync(model, "hello", new ChatOptions { MaxOutputTokens = 100 });

        Assert.Equal("Hello there! How can I help you today?", response.Text);
        Assert.Equal("chatcmpl-Dr3KNfXKBS1oDOrhqYDuLYdjX9PM4", response.ResponseId);
        Assert.Equal("o3-mini-2025-01-31", response.ModelId);
        AssertUsage(response.Usage, input: 7, output: 87, total: 94, cached: 0, reasoning: 64);

        // No reasoning price in the catalog: the 64 reasoning tokens are billed inside the 87 output tokens.
        // 7 × 1.10 / 1M = 0.0000077; 87 × 4.40 / 1M = 0.0003828.
        Assert.Equal(new CallCost(0.0000077m, 0m, 0m, 0.0003828m, 0m), response.GetCost());
        Assert.Equal(0.0003905m, response.GetCost()!.Total);

        var body = Json(server.ReceivedRequests.Single().Body)!;
        var recorded = RecordedRequestBody(exchanges[0])!;
        Assert.Equal(100, (int)body["max_completion_tokens"]!);
        Assert.Null(body["max_tokens"]);
        AssertJsonEqual(recorded["messages"], body["messages"]);
        Assert.Equal((int)recorded["max_completion_tokens"]!, (int)body["max_completion_tokens"]!);
    }

    [Fact]
    public async Task OpenAI_CachedPromptTokens_BillsCachedTokensAtTheCachedPrice()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.EnqueueFixture(Fixture("openai/chat__crewai__test_openai_completions_cached_prompt_tokens.yaml"));
        using var client = ClientFor(server, "openai");
        var model = Model("gpt-4.1", Provider("openai"), Gpt41Pricing);

        var first = await client.GetResponseAsync(model, "Say hello");
        var second = await client.GetResponseAsync(model, "Say farewell");

        Assert.Equal("Hello!", first.Text);
        Assert.Equal("chatcmpl-D7mVhCCkdWfellaSmcNLOuu87BsqI", first.ResponseId);
        Assert.Equal("gpt-4.1-2025-04-14", first.ModelId);
        AssertUsage(first.Usage, input: 1144, output: 2, total: 1146, cached: 1024, reasoning: 0);
        // (1144 − 1024) × 2 / 1M = 0.00024; 1024 × 0.50 / 1M = 0.000512; 2 × 8 / 1M = 0.000016.
        Assert.Equal(new CallCost(0.00024m, 0.000512m, 0m, 0.000016m, 0m), first.GetCost());
        Assert.Equal(0.000768m, first.GetCost()!.Total);

        Assert.Equal("Farewell.", second.Text);
        AssertUsage(second.Usage, input: 1144, output: 3, total: 1147, cached: 0, reasoning: 0);
        // 1144 × 2 / 1M = 0.002288; 3 × 8 / 1M = 0.000024.
        Assert.Equal(0.002312m, second.GetCost()!.Total);
        Assert.Equal(2, server.ReceivedRequests.Count);
    }

    [Fact]
    public async Task OpenAI_PromptCacheWriteThenRead_BillsCacheWriteAndCacheReadApart()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.EnqueueFixture(Fixture("openai/chat__pydantic-ai__test_openai_chat_prompt_cache_e2e.yaml"));
        using var client = ClientFor(server, "openai");
        // Test prices chosen so every component is distinct: input 5, output 40, cached 0.5, cache write 6.25.
        var model = Model("gpt-5.6-sol", Provider("openai"), new ModelPricing(5m, 40m, 0.5m, 6.25m));

        var write = await client.GetResponseAsync(model, "long prompt");
        var read = await client.GetResponseAsync(model, "long prompt");

        Assert.Equal("OK", write.Text);
        AssertUsage(write.Usage, input: 4020, output: 4, total: 4024, cached: 0, reasoning: 0);
        Assert.Equal(4012, write.Usage!.AdditionalCounts![StratumUsageKeys.CacheWriteInputTokens]);
        // (4020 − 4012) × 5 / 1M = 0.00004; 4012 × 6.25 / 1M = 0.025075; 4 × 40 / 1M = 0.00016.
        Assert.Equal(new CallCost(0.00004m, 0m, 0.025075m, 0.00016m, 0m), write.GetCost());

        AssertUsage(read.Usage, input: 4020, output: 4, total: 4024, cached: 4012, reasoning: 0);
        // (4020 − 4012) × 5 / 1M = 0.00004; 4012 × 0.5 / 1M = 0.002006; 4 × 40 / 1M = 0.00016.
        Assert.Equal(new CallCost(0.00004m, 0.002006m, 0m, 0.00016m, 0m), read.GetCost());
        Assert.Equal(0.002206m, read.GetCost()!.Total);
    }

    [Fact]
    public async Task OpenAI_BodyOnlyFixture_MapsLengthyAnswerAndCost()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.EnqueueFixture(Fixture("openai/chat__vercel-ai-openai__openai-text.json"));
        using var client = ClientFor(server, "openai");
        var model = Model("gpt-4.1-nano", Provider("openai"), Gpt41NanoPricing);

        var response = await client.GetResponseAsync(model, "Invent a new holiday and describe its traditions.");

        Assert.StartsWith("**Holiday Name:** Galaxy Day", response.Text);
        Assert.EndsWith("inspiring individuals to look up and dream beyond our world.", response.Text);
        Assert.Contains("darkness\u2014mirroring", response.Text);
        Assert.Equal("chatcmpl-D8Z5f52zQqikDBEKQMQoYcWMcWPeU", response.ResponseId);
        Assert.Equal("gpt-4.1-nano-2025-04-14", response.ModelId);
        AssertUsage(response.Usage, input: 16, output: 363, total: 379, cached: 0, reasoning: 0);
        // 16 × 0.10 / 1M = 0.0000016; 363 × 0.40 / 1M = 0.0001452.
        Assert.Equal(0.0001468m, response.GetCost()!.Total);
    }

    [Fact]
    public async Task OpenAI_RawHttpRecording_CarriesRequestIdAndMapsTemperatureAndMaxTokens()
    {
        await using var server = await FakeProviderServer.StartAsync();
        var exchanges = server.EnqueueFixture(Fixture("openai/chat__langchaingo__TestClient_CreateChatCompletion.httprr"));
        using var client = ClientFor(server, "openai");
        var model = Model("gpt-3.5-turbo", Provider("openai"), Gpt35TurboPricing);

        var response = await client.GetResponseAsync(model, "Hello, how are you?", new ChatOptions { Temperature = 0, MaxOutputTokens = 50 });

        Assert.Equal("Hello! I'm just a computer program, so I don't have feelings, but I'm here to help you. How can I assist you today?", response.Text);
        Assert.Equal("chatcmpl-C6bhxDl79vlojU2DYKbzyDh0FmLZY", response.ResponseId);
        Assert.Equal("gpt-3.5-turbo-0125", response.ModelId);
        AssertUsage(response.Usage, input: 13, output: 31, total: 44, cached: 0, reasoning: 0);
        Assert.Equal("req_7997c69c86b744538a2884c8d777754b", response.AdditionalProperties?[StratumUsageKeys.RequestId]);
        // 13 × 0.50 / 1M = 0.0000065; 31 × 1.50 / 1M = 0.0000465.
        Assert.Equal(0.000053m, response.GetCost()!.Total);

        var body = Json(server.ReceivedRequests.Single().Body)!;
        var recorded = RecordedRequestBody(exchanges[0])!;
        AssertJsonEqual(recorded["messages"], body["messages"]);
        Assert.Equal(0d, (double)body["temperature"]!);
        // Not a reasoning model, so max_tokens (the recording's client sent max_completion_tokens; both are accepted).
        Assert.Equal(50, (int)body["max_tokens"]!);
    }

    [Fact]
    public async Task OpenAI_RawHttpRecording_StreamCarriesTheRequestIdToo()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.EnqueueFixture(Fixture("openai/stream__langchaingo__TestClient_CreateChatCompletionStream.httprr"));
        using var client = ClientFor(server, "openai");
        var model = Model("gpt-3.5-turbo", Provider("openai"), Gpt35TurboPricing);

        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in client.GetStreamingResponseAsync(model, [new ChatMessage(ChatRole.User, "Hello, how are you?")]))
        {
            updates.Add(update);
        }

        // On the first update, so a caller that stops reading early has it, and once only.
        Assert.Equal("req_87b8e5a94cce414688e29d59b127eb67", updates[0].AdditionalProperties?[StratumUsageKeys.RequestId]);
        Assert.Single(updates, u => u.AdditionalProperties?.ContainsKey(StratumUsageKeys.RequestId) == true);
        Assert.Equal("req_87b8e5a94cce414688e29d59b127eb67", updates.ToChatResponse().GetRequestId());
    }

    [Fact]
    public async Task OpenAI_JsonObjectResponseFormat_SendsJsonObjectAndReturnsJsonText()
    {
        await using var server = await FakeProviderServer.StartAsync();
        var exchanges = server.EnqueueFixture(Fixture("openai/json__langchaingo__TestClient_WithResponseFormat.httprr"));
        using var client = ClientFor(server, "openai");
        var model = Model("gpt-3.5-turbo", Provider("openai"), Gpt35TurboPricing);

        var response = await client.GetResponseAsync(
            model,
            "Return a JSON object with a 'greeting' field that says hello",
            new ChatOptions { ResponseFormat = ChatResponseFormat.Json, Temperature = 0, MaxOutputTokens = 50 });

        Assert.Equal("hello", (string?)JsonNode.Parse(response.Text)!["greeting"]);
        AssertUsage(response.Usage, input: 21, output: 10, total: 31, cached: 0, reasoning: 0);
        var body = Json(server.ReceivedRequests.Single().Body)!;
        AssertJsonEqual(RecordedRequestBody(exchanges[0])!["response_format"], body["response_format"]);
    }

    [Fact]
    public async Task OpenAI_JsonSchemaResponseFormat_SendsTheSchemaLikeTheRecordedRequest()
    {
        await using var server = await FakeProviderServer.StartAsync();
        var exchanges = server.EnqueueFixture(Fixture("openai/json__crewai__test_openai_response_format_with_pydantic_model.yaml"));
        using var client = ClientFor(server, "openai");
        var model = Model("gpt-4o", Provider("openai"), Gpt4oPricing);
        var recorded = RecordedRequestBody(exchanges[0])!;
        var recordedFormat = recorded["response_format"]!["json_schema"]!;
        var schema = System.Text.Json.JsonDocument.Parse(recordedFormat["schema"]!.ToJsonString()).RootElement.Clone();

        var options = new ChatOptions
        {
            ResponseFormat = ChatResponseFormat.ForJsonSchema(schema, (string?)recordedFormat["name"]),
            AdditionalProperties = new() { ["strictJsonSchema"] = true },
        };
        var messages = recorded["messages"]!.AsArray().Select(m => new ChatMessage(new ChatRole((string)m!["role"]!), (string?)m["content"])).ToList();
        var response = await client.GetResponseAsync(model, messages, options);

        var answer = JsonNode.Parse(response.Text)!;
        Assert.Equal("Paris", (string?)answer["answer"]);
        Assert.Equal(0.99, (double)answer["confidence"]!);
        AssertUsage(response.Usage, input: 94, output: 11, total: 105, cached: 0, reasoning: 0);
        // 94 × 2.50 / 1M = 0.000235; 11 × 10 / 1M = 0.00011.
        Assert.Equal(0.000345m, response.GetCost()!.Total);

        var body = Json(server.ReceivedRequests.Single().Body)!;
        AssertJsonEqual(recorded["response_format"], body["response_format"]);
        AssertJsonEqual(recorded["messages"], body["messages"]);
    }

    [Fact]
    public async Task OpenAI_ToolRoundTrip_MapsToolCallsAndSendsToolResultsLikeTheRecording()
    {
        await using var server = await FakeProviderServer.StartAsync();
        var exchanges = server.EnqueueFixture(Fixture("openai/tool__pydantic-ai__test_openai_tool_output.yaml"));
        using var client = ClientFor(server, "openai");
        var model = Model("gpt-4o", Provider("openai"), Gpt4oPricing);
        var recorded = RecordedRequestBody(exchanges[0])!;
        var tools = recorded["tools"]!.AsArray()
            .Select(t => (AITool)AIFunctionFactory.CreateDeclaration(
                (string)t!["function"]!["name"]!,
                (string?)t["function"]!["description"],
                System.Text.Json.JsonDocument.Parse(t["function"]!["parameters"]!.ToJsonString()).RootElement.Clone()))
            .ToList();
        var options = new ChatOptions { Tools = tools, ToolMode = ChatToolMode.RequireAny };
        var conversation = new List<ChatMessage> { new(ChatRole.User, "What is the largest city in the user country?") };

        var first = await client.GetResponseAsync(model, conversation, options);

        Assert.Equal(ChatFinishReason.ToolCalls, first.FinishReason);
        Assert.Equal(string.Empty, first.Text);
        var call = Assert.IsType<FunctionCallContent>(first.Messages.Single().Contents.Single());
        Assert.Equal("call_iXFttys57ap0o16JSlC8yhYo", call.CallId);
        Assert.Equal("get_user_country", call.Name);
        Assert.Empty(call.Arguments!);
        AssertUsage(first.Usage, input: 68, output: 12, total: 80, cached: 0, reasoning: 0);

        conversation.AddRange(first.Messages);
        conversation.Add(new ChatMessage(ChatRole.Tool, [new FunctionResultContent(call.CallId, "Mexico")]));
        var second = await client.GetResponseAsync(model, conversation, options);

        var final = Assert.IsType<FunctionCallContent>(second.Messages.Single().Contents.Single());
        Assert.Equal("final_result", final.Name);
        Assert.Equal("call_gmD2oUZUzSoCkmNmp3JPUF7R", final.CallId);
        Assert.Equal("Mexico City", final.Arguments!["city"]!.ToString());
        Assert.Equal("Mexico", final.Arguments!["country"]!.ToString());
        // 89 × 2.50 / 1M = 0.0002225; 36 × 10 / 1M = 0.00036.
        Assert.Equal(0.0005825m, second.GetCost()!.Total);

        var sentFirst = Json(server.ReceivedRequests[0].Body)!;
        AssertJsonEqual(recorded["tools"], sentFirst["tools"]);
        Assert.Equal("required", (string?)sentFirst["tool_choice"]);
        var sentSecond = Json(server.ReceivedRequests[1].Body)!;
        AssertJsonEqual(RecordedRequestBody(exchanges[1])!["messages"], sentSecond["messages"]);
    }

    [Fact]
    public async Task DeepSeek_ReasonerAnswer_MapsReasoningContentAndCacheMissCounts()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.EnqueueFixture(Fixture("deepseek/chat__pydantic-ai__test_deepseek_model_thinking_part.yaml"));
        using var client = ClientFor(server, "deepseek");
        var model = Model("deepseek-reasoner", Provider("deepseek"), DeepSeekPricing);

        var response = await client.GetResponseAsync(model, "How do I cross the street?");

        Assert.StartsWith("Crossing the street safely involves careful observation", response.Text);
        var reasoning = Assert.Single(response.Messages.Single().Contents.OfType<TextReasoningContent>());
        Assert.StartsWith("Okay, the user is asking how to cross the street.", reasoning.Text);
        Assert.DoesNotContain("Okay, the user", response.Text);
        Assert.Equal("181d9669-2b3a-445e-bd13-2ebff2c378f6", response.ResponseId);
        Assert.Equal("deepseek-reasoner", response.ModelId);
        AssertUsage(response.Usage, input: 12, output: 789, total: 801, cached: 0, reasoning: 415);
        Assert.Equal(0, response.Usage!.AdditionalCounts!["prompt_cache_hit_tokens"]);
        Assert.Equal(12, response.Usage.AdditionalCounts["prompt_cache_miss_tokens"]);
        // 12 × 0.28 / 1M = 0.00000336; 789 × 0.42 / 1M = 0.00033138.
        Assert.Equal(new CallCost(0.00000336m, 0m, 0m, 0.00033138m, 0m), response.GetCost());
        Assert.Equal("/v1/chat/completions", server.ReceivedRequests.Single().Path);
    }

    [Fact]
    public async Task DeepSeek_ToolCallWithCacheHit_MapsCallAndBillsCachedTokens()
    {
        await using var server = await FakeProviderServer.StartAsync();
        var exchanges = server.EnqueueFixture(Fixture("deepseek/tool__langchaingo__TestFunctionCall-synchronous-deepseek.httprr"));
        using var client = ClientFor(server, "deepseek");
        var model = Model("deepseek-chat", Provider("deepseek"), DeepSeekPricing);
        var recordedTool = RecordedRequestBody(exchanges[0])!["tools"]![0]!["function"]!;
        var tool = AIFunctionFactory.CreateDeclaration(
            (string)recordedTool["name"]!, (string?)recordedTool["description"],
            System.Text.Json.JsonDocument.Parse(recordedTool["parameters"]!.ToJsonString()).RootElement.Clone());

        var response = await client.GetResponseAsync(model, "What is the weather like in Boston, MA?", new ChatOptions { Tools = [tool] });

        Assert.Equal("I can help you check the weather in Boston, MA. Let me get that information for you.", response.Text);
        var call = Assert.Single(response.Messages.Single().Contents.OfType<FunctionCallContent>());
        Assert.Equal("call_00_I9iZGv2R1xo1fdR7AsWc18Fr", call.CallId);
        Assert.Equal("getCurrentWeather", call.Name);
        Assert.Equal("Boston, MA", call.Arguments!["location"]!.ToString());
        Assert.Equal("fahrenheit", call.Arguments!["unit"]!.ToString());
        Assert.Equal(ChatFinishReason.ToolCalls, response.FinishReason);
        AssertUsage(response.Usage, input: 347, output: 82, total: 429, cached: 320, reasoning: null);
        // (347 − 320) × 0.28 / 1M = 0.00000756; 320 × 0.028 / 1M = 0.00000896; 82 × 0.42 / 1M = 0.00003444.
        Assert.Equal(new CallCost(0.00000756m, 0.00000896m, 0m, 0.00003444m, 0m), response.GetCost());

        var body = Json(server.ReceivedRequests.Single().Body)!;
        AssertJsonEqual(RecordedRequestBody(exchanges[0])!["tools"], body["tools"]);
        AssertJsonEqual(RecordedRequestBody(exchanges[0])!["messages"], body["messages"]);
    }

    [Fact]
    public async Task DeepSeek_LengthFinish_MapsToLength()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.EnqueueFixture(Fixture("deepseek/chat__vercel-ai-deepseek__deepseek-text.json"));
        using var client = ClientFor(server, "deepseek");
        var model = Model("deepseek-chat", Provider("deepseek"), DeepSeekPricing);

        var response = await client.GetResponseAsync(model, "Invent a holiday");

        Assert.Equal(ChatFinishReason.Length, response.FinishReason);
        Assert.StartsWith("## **Holiday Name: Gratitude of Small Things Day (GST Day)**", response.Text);
        AssertUsage(response.Usage, input: 13, output: 300, total: 313, cached: 0, reasoning: null);
        // 13 × 0.28 / 1M = 0.00000364; 300 × 0.42 / 1M = 0.000126.
        Assert.Equal(0.00012964m, response.GetCost()!.Total);
    }

    [Fact]
    public async Task Groq_PlainAnswer_MapsTextUsageAndCost()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.EnqueueFixture(Fixture("groq/chat__vercel-ai-groq__groq-text.json"));
        using var client = ClientFor(server, "groq");
        var model = Model("llama-3.3-70b-versatile", Provider("groq"), GroqLlama70bPricing);

        var response = await client.GetResponseAsync(model, "Invent a holiday");

        Assert.StartsWith("I'd like to introduce \"Luminaria\"", response.Text);
        Assert.Equal("chatcmpl-09d64d2a-ed1c-4473-829f-78db43f45d13", response.ResponseId);
        Assert.Equal("llama-3.3-70b-versatile", response.ModelId);
        AssertUsage(response.Usage, input: 45, output: 607, total: 652, cached: null, reasoning: null);
        // 45 × 0.59 / 1M = 0.00002655; 607 × 0.79 / 1M = 0.00047953.
        Assert.Equal(0.00050608m, response.GetCost()!.Total);
    }

    [Fact]
    public async Task Groq_ReasoningField_MapsToReasoningContent()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.EnqueueFixture(Fixture("groq/chat__vercel-ai-groq__groq-reasoning.json"));
        using var client = ClientFor(server, "groq");
        var model = Model("qwen/qwen3-32b", Provider("groq"), new ModelPricing(0.29m, 0.59m));

        var response = await client.GetResponseAsync(model, "How many r in strawberry?");

        Assert.StartsWith("The word \"strawberry\" contains **3** instances", response.Text);
        Assert.StartsWith("Okay, so the user is asking how many times", response.Messages.Single().Contents.OfType<TextReasoningContent>().Single().Text);
        AssertUsage(response.Usage, input: 17, output: 649, total: 666, cached: null, reasoning: 570);
        // 17 × 0.29 / 1M = 0.00000493; 649 × 0.59 / 1M = 0.00038291.
        Assert.Equal(0.00038784m, response.GetCost()!.Total);
    }

    [Fact]
    public async Task XAI_ReasoningCountedOutsideCompletionTokens_IsAddedToOutputAndCostMatchesXaisOwnTicks()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.EnqueueFixture(Fixture("xai/chat__vercel-ai-xai__xai-text.json"));
        using var client = ClientFor(server, "xai");
        var model = Model("grok-3-mini", Provider("xai"), Grok3MiniPricing);

        var response = await client.GetResponseAsync(model, "Say a single word.");

        Assert.Equal("Hello", response.Text);
        Assert.Equal("2af5c888-e886-6dcb-7844-95f8fe010b00", response.ResponseId);
        // completion_tokens 1 + reasoning_tokens 228: xAI's total_tokens (241) = 12 + 1 + 228.
        AssertUsage(response.Usage, input: 12, output: 229, total: 241, cached: 2, reasoning: 228);
        // (12 − 2) × 0.30 / 1M = 0.000003; 2 × 0.075 / 1M = 0.00000015; 229 × 0.50 / 1M = 0.0001145.
        Assert.Equal(new CallCost(0.000003m, 0.00000015m, 0m, 0.0001145m, 0m), response.GetCost());
        // xAI reports 1,176,500 ticks of 1e-10 USD: the same 0.00011765.
        Assert.Equal(1_176_500, response.Usage!.AdditionalCounts!["cost_in_usd_ticks"]);
        Assert.Equal(response.Usage.AdditionalCounts["cost_in_usd_ticks"] / 10_000_000_000m, response.GetCost()!.Total);
    }

    [Fact]
    public async Task XAI_ToolCallWithReasoning_MapsCallAndCostMatchesXaisOwnTicks()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.EnqueueFixture(Fixture("xai/tool__vercel-ai-xai__xai-tool-call.json"));
        using var client = ClientFor(server, "xai");
        var model = Model("grok-3-mini", Provider("xai"), Grok3MiniPricing);

        var response = await client.GetResponseAsync(model, "What is the weather in San Francisco?");

        var call = Assert.Single(response.Messages.Single().Contents.OfType<FunctionCallContent>());
        Assert.Equal("call_93562515", call.CallId);
        Assert.Equal("weather", call.Name);
        Assert.Equal("San Francisco", call.Arguments!["location"]!.ToString());
        AssertUsage(response.Usage, input: 291, output: 215, total: 506, cached: 244, reasoning: 189);
        // 47 × 0.30 / 1M = 0.0000141; 244 × 0.075 / 1M = 0.0000183; 215 × 0.50 / 1M = 0.0001075 → 0.0001399 = 1,399,000 ticks.
        Assert.Equal(0.0001399m, response.GetCost()!.Total);
        Assert.Equal(1_399_000, response.Usage!.AdditionalCounts!["cost_in_usd_ticks"]);
    }

    [Fact]
    public async Task OpenRouter_AnthropicCacheWriteThenRead_CostEqualsOpenRoutersReportedCost()
    {
        await using var server = await FakeProviderServer.StartAsync();
        var exchanges = server.EnqueueFixture(Fixture("openrouter/chat__pydantic-ai__test_openrouter_cache_messages_anthropic_real_api.yaml"));
        using var client = ClientFor(server, "openrouter");
        var model = Model("anthropic/claude-sonnet-4.6", Provider("openrouter"), ClaudeSonnetPricing);

        var first = await client.GetResponseAsync(model, "Explain distributed databases", new ChatOptions { MaxOutputTokens = 100 });
        var second = await client.GetResponseAsync(model, "Summarize in one sentence", new ChatOptions { MaxOutputTokens = 100 });

        Assert.Equal(ChatFinishReason.Length, first.FinishReason);
        Assert.Equal("anthropic/claude-4.6-sonnet-20260217", first.ModelId);
        Assert.Equal("gen-1773011155-RKj29WPs25kxzvCwOntV", first.ResponseId);
        Assert.Equal("Anthropic", first.AdditionalProperties?["provider"]);
        AssertUsage(first.Usage, input: 3214, output: 100, total: 3314, cached: 0, reasoning: 0);
        Assert.Equal(3211, first.Usage!.AdditionalCounts![StratumUsageKeys.CacheWriteInputTokens]);
        // (3214 − 0 − 3211) × 3 / 1M = 0.000009; 3211 × 3.75 / 1M = 0.01204125; 100 × 15 / 1M = 0.0015.
        Assert.Equal(new CallCost(0.000009m, 0m, 0.01204125m, 0.0015m, 0m), first.GetCost());
        Assert.Equal(0.01355025m, first.AdditionalProperties?[StratumUsageKeys.ProviderReportedCost]);
        Assert.Equal(0.01355025m, first.GetCost()!.Total);

        Assert.Equal(ChatFinishReason.Stop, second.FinishReason);
        AssertUsage(second.Usage, input: 3329, output: 53, total: 3382, cached: 3211, reasoning: 0);
        // (3329 − 3211 − 115) × 3 / 1M = 0.000009; 3211 × 0.30 / 1M = 0.0009633; 115 × 3.75 / 1M = 0.00043125; 53 × 15 / 1M = 0.000795.
        Assert.Equal(new CallCost(0.000009m, 0.0009633m, 0.00043125m, 0.000795m, 0m), second.GetCost());
        Assert.Equal(0.00219855m, second.GetCost()!.Total);
        Assert.Equal(second.AdditionalProperties?[StratumUsageKeys.ProviderReportedCost], second.GetCost()!.Total);

        // Vendor-prefixed id: max_tokens, which OpenRouter translates for the upstream provider.
        var body = Json(server.ReceivedRequests[0].Body)!;
        Assert.Equal("anthropic/claude-sonnet-4.6", (string?)body["model"]);
        Assert.Equal(100, (int)body["max_tokens"]!);
        Assert.Equal(2, exchanges.Count);
    }

    [Fact]
    public async Task OpenRouter_ToolCallWithEmptyContent_MapsCallAndLeavesNoText()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.EnqueueFixture(Fixture("openrouter/tool__pydantic-ai__test_openrouter_tool_calling.yaml"));
        using var client = ClientFor(server, "openrouter");
        var model = Model("mistralai/mistral-small", Provider("openrouter"), new ModelPricing(0.1m, 0.3m));

        var response = await client.GetResponseAsync(model, "What is 123 / 456?");

        Assert.Equal(string.Empty, response.Text);
        var call = Assert.Single(response.Messages.Single().Contents.OfType<FunctionCallContent>());
        Assert.Equal("3sniiMddS", call.CallId);
        Assert.Equal("divide", call.Name);
        Assert.Equal("123", call.Arguments!["numerator"]!.ToString());
        Assert.Equal("infinity", call.Arguments!["on_inf"]!.ToString());
        AssertUsage(response.Usage, input: 134, output: 43, total: 177, cached: null, reasoning: null);
        // 134 × 0.10 / 1M = 0.0000134; 43 × 0.30 / 1M = 0.0000129.
        Assert.Equal(0.0000263m, response.GetCost()!.Total);
    }
}

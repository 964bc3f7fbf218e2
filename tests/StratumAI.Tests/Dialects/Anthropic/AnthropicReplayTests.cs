using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using StratumAI.Dialects;
using StratumAI.Testing;
using static StratumAI.Tests.Dialects.Anthropic.AnthropicTestSupport;
using static StratumAI.Tests.TestCatalog;

namespace StratumAI.Tests.Dialects.Anthropic;

/// <summary>
/// Replays every recorded Anthropic exchange under <c>../shared/fixtures/anthropic/</c> through the fake server and
/// checks every mapped field, the request that was sent and the exact cost. Costs are worked out by hand in the
/// comments from the default catalog's prices: tokens × USD-per-1M ÷ 1,000,000.
/// </summary>
public sealed class AnthropicReplayTests
{
    private static ChatMessage User(string text) => new(ChatRole.User, text);

    private static void AssertAnthropicHeaders(ReceivedRequest sent)
    {
        Assert.Equal("POST", sent.Method);
        Assert.Equal("/v1/messages", sent.Path);
        Assert.Equal(CanaryKey, sent.GetHeader("x-api-key"));
        Assert.Equal("2023-06-01", sent.GetHeader("anthropic-version"));
        Assert.StartsWith("application/json", sent.GetHeader("Content-Type"));
        Assert.Null(sent.GetHeader("Authorization"));
    }

    [Fact]
    public async Task VercelText_PlainAnswer_MapsTextIdModelUsageAndCost()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.EnqueueFixture(Fixture("anthropic/chat__vercel-ai-anthropic__anthropic-text.json"));
        using var client = ClientFor(server);
        var model = Model("claude-sonnet-4-5", Sonnet45Pricing);

        var response = await client.GetResponseAsync(model, "Hello, how are you?");

        Assert.Equal("Hello! I'm doing well, thanks for asking. How are you doing today? Is there anything I can help you with?", response.Text);
        Assert.Equal("msg_01VdEjxAP5ahtHKrrRdNBteQ", response.ResponseId);
        Assert.Equal("msg_01VdEjxAP5ahtHKrrRdNBteQ", response.Messages.Single().MessageId);
        Assert.Equal("claude-sonnet-4-5-20250929", response.ModelId);
        Assert.Equal(ChatFinishReason.Stop, response.FinishReason);
        Assert.Equal(ChatRole.Assistant, response.Messages.Single().Role);
        AssertUsage(response.Usage, input: 12, output: 29, cached: 0, cacheWrite: 0);
        Assert.Equal("standard", response.AdditionalProperties?["service_tier"]);

        // 12 × 3 / 1M = 0.000036; 29 × 15 / 1M = 0.000435.
        Assert.Equal(new CallCost(0.000036m, 0m, 0m, 0.000435m, 0m), response.GetCost());
        Assert.Equal(0.000471m, response.GetCost()!.Total);

        var sent = server.ReceivedRequests.Single();
        AssertAnthropicHeaders(sent);
        AssertJsonEqual(
            Json("""{"model":"claude-sonnet-4-5","max_tokens":4096,"messages":[{"role":"user","content":[{"type":"text","text":"Hello, how are you?"}]}],"stream":false}"""),
            SentBody(server));
    }

    [Fact]
    public async Task VercelRefusal_EmptyContent_IsContentFilterWithTheExplanation()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.EnqueueFixture(Fixture("anthropic/chat__vercel-ai-anthropic__anthropic-refusal.json"));
        using var client = ClientFor(server);
        var model = Model("claude-fable-5", Fable5Pricing);

        var response = await client.GetResponseAsync(model, "Write malware");

        Assert.Equal(string.Empty, response.Text);
        Assert.Equal(ChatFinishReason.ContentFilter, response.FinishReason);
        Assert.Equal("msg_01RefusalExampleAbcdefghijk", response.ResponseId);
        Assert.Equal("claude-fable-5", response.ModelId);
        var refusal = Assert.IsType<ErrorContent>(Assert.Single(response.Messages.Single().Contents));
        Assert.Equal("refusal", refusal.ErrorCode);
        Assert.Equal("cyber", refusal.Details);
        Assert.StartsWith("This request triggered restrictions on violative cyber content", refusal.Message);
        AssertUsage(response.Usage, input: 18, output: 5, cached: 0, cacheWrite: 0);

        // 18 × 10 / 1M = 0.00018; 5 × 50 / 1M = 0.00025.
        Assert.Equal(0.00043m, response.GetCost()!.Total);
    }

    [Fact]
    public async Task VercelJsonOutputFormat_SchemaAnswer_IsTheJsonText()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.EnqueueFixture(Fixture("anthropic/json__vercel-ai-anthropic__anthropic-json-output-format.1.json"));
        using var client = ClientFor(server);
        var model = Model("claude-sonnet-4-5", Sonnet45Pricing);

        var response = await client.GetResponseAsync(model, "Generate a lasagna recipe.");

        var recipe = JsonNode.Parse(response.Text)!["recipe"]!;
        Assert.Equal("Classic Lasagna", (string?)recipe["name"]);
        Assert.Equal(18, recipe["ingredients"]!.AsArray().Count);
        Assert.Equal("Preheat oven to 375°F (190°C)", (string?)recipe["steps"]![4]);
        Assert.Equal(ChatFinishReason.Stop, response.FinishReason);
        Assert.Equal("msg_015rVfxqGkwrrRARo3Uv3C9K", response.ResponseId);
        AssertUsage(response.Usage, input: 371, output: 629, cached: 0, cacheWrite: 0);

        // 371 × 3 / 1M = 0.001113; 629 × 15 / 1M = 0.009435.
        Assert.Equal(new CallCost(0.001113m, 0m, 0m, 0.009435m, 0m), response.GetCost());
        Assert.Equal(0.010548m, response.GetCost()!.Total);
    }

    [Fact]
    public async Task VercelToolNoArgs_TextThenToolUseWithEmptyInput_IsAFunctionCallWithNoArguments()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.EnqueueFixture(Fixture("anthropic/tool__vercel-ai-anthropic__anthropic-tool-no-args.json"));
        using var client = ClientFor(server);
        var model = Model("claude-3-opus-20240229", Opus3Pricing);

        var response = await client.GetResponseAsync(model, "Update the issue list");

        Assert.StartsWith("<thinking>\nThe updateIssueList tool was provided", response.Text);
        Assert.EndsWith("Okay, I will update the current issue list:", response.Text);
        var call = Assert.Single(response.Messages.Single().Contents.OfType<FunctionCallContent>());
        Assert.Equal("toolu_01LRmxn9vGM1d2DZSDBowdZ1", call.CallId);
        Assert.Equal("updateIssueList", call.Name);
        Assert.NotNull(call.Arguments);
        Assert.Empty(call.Arguments!);
        Assert.Equal(ChatFinishReason.ToolCalls, response.FinishReason);
        AssertUsage(response.Usage, input: 602, output: 93, cached: 0, cacheWrite: 0);

        // 602 × 15 / 1M = 0.00903; 93 × 75 / 1M = 0.006975.
        Assert.Equal(0.016005m, response.GetCost()!.Total);
    }

    [Fact]
    public async Task LangchaingoCreateMessage_MaxTokensAndTemperature_MatchTheRecordedRequest()
    {
        await using var server = await FakeProviderServer.StartAsync();
        var exchanges = server.EnqueueFixture(Fixture("anthropic/chat__langchaingo__TestClient_CreateMessage.httprr"));
        using var client = ClientFor(server);
        var model = Model("claude-3-opus-20240229", Opus3Pricing);

        var response = await client.GetResponseAsync(model, "Hello, how are you?", new ChatOptions { MaxOutputTokens = 100, Temperature = 0 });

        Assert.Equal("Hello! As an AI language model, I don't have feelings, but I'm functioning properly and ready to assist you. How can I help you today?", response.Text);
        Assert.Equal("msg_014pVpaDLxzAdWjwpuN7rQQX", response.ResponseId);
        Assert.Equal("claude-3-opus-20240229", response.ModelId);
        Assert.Equal(ChatFinishReason.Stop, response.FinishReason);
        Assert.Equal("req_011CSFCDzbeWe2qGKAeNMhfZ", response.AdditionalProperties?[StratumUsageKeys.RequestId]);
        AssertUsage(response.Usage, input: 13, output: 35, cached: 0, cacheWrite: 0);

        // 13 × 15 / 1M = 0.000195; 35 × 75 / 1M = 0.002625.
        Assert.Equal(0.00282m, response.GetCost()!.Total);

        var sent = server.ReceivedRequests.Single();
        AssertAnthropicHeaders(sent);
        Assert.Equal(exchanges[0].Request!.GetHeader("Anthropic-Version"), sent.GetHeader("anthropic-version"));
        var recorded = RecordedBody(exchanges[0]);
        var body = SentBody(server);
        Assert.Equal((string?)recorded["model"], (string?)body["model"]);
        Assert.Equal((int)recorded["max_tokens"]!, (int)body["max_tokens"]!);
        Assert.Equal((double)recorded["temperature"]!, (double)body["temperature"]!);
        // langchaingo sends the text as a plain string; StratumAI always sends content blocks (same meaning).
        Assert.Equal((string?)recorded["messages"]![0]!["content"], (string?)body["messages"]![0]!["content"]![0]!["text"]);
    }

    [Fact]
    public async Task PydanticInstructions_InstructionsBecomeTheTopLevelSystem_AndTheAliasModelIsBilled()
    {
        await using var server = await FakeProviderServer.StartAsync();
        var exchanges = server.EnqueueFixture(Fixture("anthropic/chat__pydantic-ai__test_anthropic_model_instructions.yaml"));
        using var client = ClientFor(server);
        var model = Model("claude-3-opus-latest", Opus3Pricing);

        var response = await client.GetResponseAsync(model, "What is the capital of France?", new ChatOptions { Instructions = RecordedSystem(exchanges[0]) });

        Assert.Equal("The capital of France is Paris.", response.Text);
        Assert.Equal("msg_01Fg1JVgvCYUHWsxrj9GkpEv", response.ResponseId);
        Assert.Equal("claude-3-opus-20240229", response.ModelId);
        AssertUsage(response.Usage, input: 20, output: 10, cached: 0, cacheWrite: 0);

        // 20 × 15 / 1M = 0.0003; 10 × 75 / 1M = 0.00075.
        Assert.Equal(new CallCost(0.0003m, 0m, 0m, 0.00075m, 0m), response.GetCost());
        AssertJsonEqual(RecordedBody(exchanges[0]), SentBody(server));
    }

    [Fact]
    public async Task PydanticCacheRealApi_CacheReadsAndWrites_AreCountedInTheInputAndBilledAtTheirPrices()
    {
        await using var server = await FakeProviderServer.StartAsync();
        var exchanges = server.EnqueueFixture(Fixture("anthropic/chat__pydantic-ai__test_anthropic_cache_real_api.yaml"));
        using var client = ClientFor(server);
        var model = Model("claude-sonnet-4-5", Sonnet45Pricing);
        var first = RecordedBody(exchanges[0]);
        var options = new ChatOptions { AdditionalProperties = new() { ["cache_control"] = "5m" } };

        var response1 = await client.GetResponseAsync(model,
            [new ChatMessage(ChatRole.System, (string)first["system"]!), User((string)first["messages"]![0]!["content"]![0]!["text"]!)],
            options);

        AssertUsage(response1.Usage, input: 3 + 0 + 1111, output: 406, cached: 1111, cacheWrite: 0);
        Assert.Equal(ChatFinishReason.Stop, response1.FinishReason);
        // 3 × 3 / 1M = 0.000009; 1111 × 0.30 / 1M = 0.0003333; 406 × 15 / 1M = 0.00609.
        Assert.Equal(new CallCost(0.000009m, 0.0003333m, 0m, 0.00609m, 0m), response1.GetCost());
        Assert.Equal(0.0064323m, response1.GetCost()!.Total);
        AssertJsonEqual(first, SentBody(server, 0));

        var second = RecordedBody(exchanges[1]);
        var history = new List<ChatMessage> { new(ChatRole.System, (string)second["system"]!) };
        foreach (var message in second["messages"]!.AsArray())
        {
            history.Add(new ChatMessage(
                (string)message!["role"]! == "assistant" ? ChatRole.Assistant : ChatRole.User,
                (string)message["content"]![0]!["text"]!));
        }

        var response2 = await client.GetResponseAsync(model, history, options);

        AssertUsage(response2.Usage, input: 3 + 418 + 1111, output: 33, cached: 1111, cacheWrite: 418);
        Assert.Equal(418, response2.Usage!.AdditionalCounts!["ephemeral_5m_input_tokens"]);
        Assert.Equal(0, response2.Usage.AdditionalCounts["ephemeral_1h_input_tokens"]);
        // 3 × 3 = 0.000009; 1111 × 0.30 = 0.0003333; 418 × 3.75 / 1M = 0.0015675; 33 × 15 / 1M = 0.000495.
        Assert.Equal(new CallCost(0.000009m, 0.0003333m, 0.0015675m, 0.000495m, 0m), response2.GetCost());
        Assert.Equal(0.0024048m, response2.GetCost()!.Total);
        AssertJsonEqual(second, SentBody(server, 1));
    }

    [Fact]
    public async Task CrewAICachedPromptTokens_BlockCacheControl_IsSentAndCacheReadsAreBilledCached()
    {
        await using var server = await FakeProviderServer.StartAsync();
        var exchanges = server.EnqueueFixture(Fixture("anthropic/chat__crewai__test_anthropic_cached_prompt_tokens.yaml"));
        using var client = ClientFor(server);
        var model = Model("claude-sonnet-4-5-20250929", Sonnet45Pricing);

        foreach (var (exchange, index, word, expected) in new[] { (exchanges[0], 0, "hello", "Hello!"), (exchanges[1], 1, "goodbye", "Goodbye") })
        {
            var prompt = new TextContent($"Say {word} in one word.") { AdditionalProperties = new() { ["cache_control"] = "ephemeral" } };
            var response = await client.GetResponseAsync(model, [new ChatMessage(ChatRole.System, RecordedSystem(exchange)), new ChatMessage(ChatRole.User, [prompt])]);

            Assert.Equal(expected, response.Text);
            AssertUsage(response.Usage, input: 3 + 1217, output: 5, cached: 1217, cacheWrite: 0);
            // 3 × 3 / 1M = 0.000009; 1217 × 0.30 / 1M = 0.0003651; 5 × 15 / 1M = 0.000075.
            Assert.Equal(new CallCost(0.000009m, 0.0003651m, 0m, 0.000075m, 0m), response.GetCost());
            Assert.Equal(0.0004491m, response.GetCost()!.Total);
            // The rate-limit header names are kept (crewAI scrubbed their values).
            Assert.Equal("ANTHROPIC-RATELIMIT-INPUT-TOKENS-LIMIT-XXX", response.AdditionalProperties?["anthropic-ratelimit-input-tokens-limit"]);
            AssertJsonEqual(RecordedBody(exchange), SentBody(server, index));
            Assert.Equal(exchange.Request!.GetHeader("anthropic-version"), server.ReceivedRequests[index].GetHeader("anthropic-version"));
        }
    }

    [Fact]
    public async Task PydanticEffortError_400InvalidRequest_IsAnInvalidRequestWithTheBodyRequestId()
    {
        await using var server = await FakeProviderServer.StartAsync();
        var exchanges = server.EnqueueFixture(Fixture("anthropic/error__pydantic-ai__test_anthropic_explicit_effort_xhigh_unsupported_model_errors.yaml"));
        using var client = ClientFor(server);
        var model = Model("claude-opus-4-6", Opus46Pricing);

        var ex = await Assert.ThrowsAsync<StratumInvalidRequestException>(() =>
            client.GetResponseAsync(model, "What is 2+2?", new ChatOptions { Reasoning = new ReasoningOptions { Effort = ReasoningEffort.ExtraHigh } }));

        Assert.IsNotType<StratumContextWindowExceededException>(ex);
        Assert.Equal(HttpStatusCode.BadRequest, ex.StatusCode);
        Assert.Equal("invalid_request_error", ex.ErrorType);
        Assert.Equal("This model does not support effort level 'xhigh'. Supported levels: high, low, max, medium.", ex.ProviderMessage);
        Assert.Equal("req_011Ca7jT9AHpgXgdv8igm4z9", ex.RequestId);
        Assert.Equal("anthropic", ex.ProviderId);
        Assert.False(ex.IsRetryable);
        Assert.DoesNotContain(CanaryKey, ex.Message, StringComparison.Ordinal);
        AssertJsonEqual(RecordedBody(exchanges[0]), SentBody(server));
    }

    [Fact]
    public async Task PydanticModelNameSuggestion_404NotFound_IsModelNotFound()
    {
        await using var server = await FakeProviderServer.StartAsync();
        var exchanges = server.EnqueueFixture(Fixture("anthropic/error__pydantic-ai__test_model_name_suggestion_anthropic_.yaml"));
        using var client = ClientFor(server);
        var model = Model("claude-sonet-4-5", Sonnet45Pricing);

        var ex = await Assert.ThrowsAsync<StratumModelNotFoundException>(() => client.GetResponseAsync(model, "hello"));

        Assert.Equal(HttpStatusCode.NotFound, ex.StatusCode);
        Assert.Equal("not_found_error", ex.ErrorType);
        Assert.Equal("model: claude-sonet-4-5", ex.ProviderMessage);
        Assert.Equal("req_011CdufXo8Y2LVfY2veyuQWG", ex.RequestId);
        Assert.False(ex.IsRetryable);
        Assert.Contains("not_found_error", ex.Message, StringComparison.Ordinal);
        AssertJsonEqual(RecordedBody(exchanges[0]), SentBody(server));
    }

    [Fact]
    public async Task PydanticNativeOutputStrict_JsonSchemaFormat_IsSentAsOutputConfigFormat()
    {
        await using var server = await FakeProviderServer.StartAsync();
        var exchanges = server.EnqueueFixture(Fixture("anthropic/json__pydantic-ai__test_no_tools_native_output_strict_true.yaml"));
        using var client = ClientFor(server);
        var model = Model("claude-sonnet-4-5", Sonnet45Pricing);
        var recorded = RecordedBody(exchanges[0]);
        var schema = System.Text.Json.JsonSerializer.SerializeToElement(recorded["output_config"]!["format"]!["schema"], AIJsonUtilities.DefaultOptions.GetTypeInfo(typeof(JsonNode)));

        var response = await client.GetResponseAsync(model, "Tell me about London",
            new ChatOptions { ResponseFormat = ChatResponseFormat.ForJsonSchema(schema, "CityLocation") });

        Assert.Equal("""{"city":"London","country":"United Kingdom","population":9002488}""", response.Text);
        Assert.Equal("msg_01Hfgh959WDWjL5jkM2FQXTL", response.ResponseId);
        Assert.Equal(ChatFinishReason.Stop, response.FinishReason);
        AssertUsage(response.Usage, input: 196, output: 19, cached: 0, cacheWrite: 0);
        // 196 × 3 / 1M = 0.000588; 19 × 15 / 1M = 0.000285.
        Assert.Equal(0.000873m, response.GetCost()!.Total);
        AssertJsonEqual(recorded, SentBody(server));
    }

    [Fact]
    public async Task CrewAINativeToolCalling_ToolCallThenToolResult_RoundTripsAndMatchesTheRecordedRequests()
    {
        await using var server = await FakeProviderServer.StartAsync();
        var exchanges = server.EnqueueFixture(Fixture("anthropic/tool__crewai__TestAnthropicNativeToolCalling.test_anthropic_agent_with_native_tool_calling.yaml"));
        using var http = new HttpClient();
        // claude-3-5-haiku-20241022 is not in the default catalog, so this replay checks the dialect without a price.
        using var client = new AnthropicMessagesClient(http, server.BaseUri, CanaryKey, "claude-3-5-haiku-20241022");
        var first = RecordedBody(exchanges[0]);
        var options = new ChatOptions
        {
            StopSequences = ["\nObservation:"],
            Tools = [ToolFrom(first["tools"]![0]!)],
        };
        var history = new List<ChatMessage>
        {
            new(ChatRole.System, (string)first["system"]!),
            User((string)first["messages"]![0]!["content"]!),
        };

        var response1 = await client.GetResponseAsync(history, options);

        Assert.Equal("I'll help you calculate 15 * 8 using the calculator tool.", response1.Text);
        var call = Assert.Single(response1.Messages.Single().Contents.OfType<FunctionCallContent>());
        Assert.Equal("toolu_012QnA8xTpf27BLo6rkdvpoe", call.CallId);
        Assert.Equal("calculator", call.Name);
        Assert.Equal("15 * 8", call.Arguments!["expression"]?.ToString());
        Assert.Equal(ChatFinishReason.ToolCalls, response1.FinishReason);
        AssertUsage(response1.Usage, input: 430, output: 73, cached: 0, cacheWrite: 0);
        Assert.Equal("4000", response1.AdditionalProperties?["anthropic-ratelimit-requests-limit"]);
        Assert.Equal("3999", response1.AdditionalProperties?["anthropic-ratelimit-requests-remaining"]);
        Assert.Equal("2026-01-22T20:40:56Z", response1.AdditionalProperties?["anthropic-ratelimit-requests-reset"]);
        AssertJsonEqual(BlocksForStrings(first), SentBody(server, 0));

        // The recorded assistant turn kept only the tool call; the result goes back as a user tool_result.
        history.Add(new ChatMessage(ChatRole.Assistant, [call]));
        history.Add(new ChatMessage(ChatRole.Tool, [new FunctionResultContent(call.CallId, "The result of 15 * 8 is 120")]));
        history.Add(User("Analyze the tool result. If requirements are met, provide the Final Answer. Otherwise, call the next tool. Deliver only the answer without meta-commentary."));
        var response2 = await client.GetResponseAsync(history, options);

        Assert.Equal("120", response2.Text);
        Assert.Equal(ChatFinishReason.Stop, response2.FinishReason);
        AssertUsage(response2.Usage, input: 549, output: 5, cached: 0, cacheWrite: 0);
        var expected = BlocksForStrings(RecordedBody(exchanges[1]));
        // StratumAI states is_error on every tool result; crewAI left it out (false is the default).
        expected["messages"]![2]!["content"]![0]!["is_error"] = false;
        AssertJsonEqual(expected, SentBody(server, 1));
    }

    /// <summary>crewAI sends user text as a plain string; StratumAI sends the same text as one text block.</summary>
    private static JsonNode BlocksForStrings(JsonNode body)
    {
        var copy = body.DeepClone();
        foreach (var message in copy["messages"]!.AsArray())
        {
            if (message!["content"] is JsonValue value && value.TryGetValue<string>(out var text))
            {
                message["content"] = new JsonArray(new JsonObject { ["type"] = "text", ["text"] = text });
            }
        }

        return copy;
    }

    [Fact]
    public async Task PydanticToolOutput_RequiredToolModeAndEmptyArguments_MatchTheRecordedRequests()
    {
        await using var server = await FakeProviderServer.StartAsync();
        var exchanges = server.EnqueueFixture(Fixture("anthropic/tool__pydantic-ai__test_anthropic_tool_output.yaml"));
        using var client = ClientFor(server);
        var model = Model("claude-sonnet-4-5", Sonnet45Pricing);
        var first = RecordedBody(exchanges[0]);
        var options = new ChatOptions
        {
            ToolMode = ChatToolMode.RequireAny,
            Tools = [.. first["tools"]!.AsArray().Select(t => ToolFrom(t!))],
        };
        var history = new List<ChatMessage> { User("What is the largest city in the user country?") };

        var response1 = await client.GetResponseAsync(model, history, options);

        var call = Assert.Single(response1.Messages.Single().Contents.OfType<FunctionCallContent>());
        Assert.Equal("toolu_01X9wcHKKAZD9tBC711xipPa", call.CallId);
        Assert.Equal("get_user_country", call.Name);
        Assert.Empty(call.Arguments!);
        Assert.Equal(ChatFinishReason.ToolCalls, response1.FinishReason);
        AssertUsage(response1.Usage, input: 445, output: 23, cached: 0, cacheWrite: 0);
        // 445 × 3 / 1M = 0.001335; 23 × 15 / 1M = 0.000345.
        Assert.Equal(0.00168m, response1.GetCost()!.Total);
        AssertJsonEqual(first, SentBody(server, 0));

        history.AddRange(response1.Messages);
        history.Add(new ChatMessage(ChatRole.Tool, [new FunctionResultContent(call.CallId, "Mexico")]));
        var response2 = await client.GetResponseAsync(model, history, options);

        var final = Assert.Single(response2.Messages.Single().Contents.OfType<FunctionCallContent>());
        Assert.Equal("final_result", final.Name);
        Assert.Equal("Mexico City", final.Arguments!["city"]?.ToString());
        Assert.Equal("Mexico", final.Arguments["country"]?.ToString());
        AssertUsage(response2.Usage, input: 497, output: 56, cached: 0, cacheWrite: 0);
        // 497 × 3 / 1M = 0.001491; 56 × 15 / 1M = 0.00084.
        Assert.Equal(0.002331m, response2.GetCost()!.Total);
        AssertJsonEqual(RecordedBody(exchanges[1]), SentBody(server, 1));
    }

    [Fact]
    public async Task PydanticParallelToolCalls_FourToolUses_AreFourCallsAndTheirResultsGoBackInOneUserTurn()
    {
        await using var server = await FakeProviderServer.StartAsync();
        var exchanges = server.EnqueueFixture(Fixture("anthropic/tool__pydantic-ai__test_multiple_parallel_tool_calls.yaml"));
        using var client = ClientFor(server);
        var model = Model("claude-haiku-4-5", Haiku45Pricing);
        var first = RecordedBody(exchanges[0]);
        var options = new ChatOptions { ToolMode = ChatToolMode.Auto, Tools = [ToolFrom(first["tools"]![0]!)] };
        var history = new List<ChatMessage>
        {
            new(ChatRole.System, (string)first["system"]!),
            User("Alice, Bob, Charlie and Daisy are a family. Who is the youngest?"),
        };

        var response1 = await client.GetResponseAsync(model, history, options);

        var calls = response1.Messages.Single().Contents.OfType<FunctionCallContent>().ToList();
        Assert.Equal(["Alice", "Bob", "Charlie", "Daisy"], calls.Select(c => c.Arguments!["name"]?.ToString()));
        Assert.Equal(["toolu_0167cfEnoQaPviGdVXA95zcu", "toolu_01EEe2V5HD1Ac4rKiUR4HD2T", "toolu_01XFyAjstT3966qvRynZyVPo", "toolu_013mnQZbgtK2oe3Mo3XKJsx3"], calls.Select(c => c.CallId));
        Assert.All(calls, c => Assert.Equal("retrieve_entity_info", c.Name));
        Assert.Equal(ChatFinishReason.ToolCalls, response1.FinishReason);
        AssertUsage(response1.Usage, input: 423, output: 202, cached: 0, cacheWrite: 0);
        // 423 × 1 / 1M = 0.000423; 202 × 5 / 1M = 0.00101.
        Assert.Equal(0.001433m, response1.GetCost()!.Total);
        AssertJsonEqual(first, SentBody(server, 0));

        history.AddRange(response1.Messages);
        string[] answers = ["alice is bob's wife", "bob is alice's husband", "charlie is alice's son", "daisy is bob's daughter and charlie's younger sister"];
        // One tool message per result: they still go back together in one user turn.
        history.AddRange(calls.Select((c, i) => new ChatMessage(ChatRole.Tool, [new FunctionResultContent(c.CallId, answers[i])])));
        var response2 = await client.GetResponseAsync(model, history, options);

        Assert.EndsWith("she is the youngest among the four family members.", response2.Text);
        Assert.Equal(ChatFinishReason.Stop, response2.FinishReason);
        AssertUsage(response2.Usage, input: 771, output: 77, cached: 0, cacheWrite: 0);
        // 771 × 1 / 1M = 0.000771; 77 × 5 / 1M = 0.000385.
        Assert.Equal(0.001156m, response2.GetCost()!.Total);
        AssertJsonEqual(RecordedBody(exchanges[1]), SentBody(server, 1));
    }
}

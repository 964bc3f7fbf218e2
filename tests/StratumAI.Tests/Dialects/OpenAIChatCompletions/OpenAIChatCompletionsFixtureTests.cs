using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using StratumAI.Testing;
using static StratumAI.Tests.TestCatalog;

namespace StratumAI.Tests.Dialects;

/// <summary>
/// Every Chat Completions fixture of OpenAI, DeepSeek, Groq, xAI and OpenRouter replayed through <see cref="StratumClient"/>:
/// the request is rebuilt from the recorded one and the body we send is compared with it; the answer is compared field
/// by field with the recorded body read independently (text, reasoning, tool calls and arguments, finish reason, id,
/// model, every usage number) and the exact cost with the value worked out by hand from the recorded usage and the
/// catalog prices (uncached input × input price + cached × cached price + cache writes × write price + output × output
/// price, per million). Errors are checked for status, type and the provider's message.
/// </summary>
public sealed class OpenAIChatCompletionsFixtureTests
{
    private sealed record Case(string Provider, string Model, ModelPricing Pricing, decimal?[] Costs);

    private static readonly Dictionary<string, Case> Cases = new(StringComparer.Ordinal)
    {
        ["openai/chat__crewai__test_openai_completions_cached_prompt_tokens.yaml"] = new("openai", "gpt-4.1", new ModelPricing(2m, 8m, 0.5m), [0.000768m, 0.002312m]),
        ["openai/chat__langchaingo__TestClient_CreateChatCompletion.httprr"] = new("openai", "gpt-3.5-turbo", new ModelPricing(0.5m, 1.5m), [0.000053m]),
        ["openai/chat__pydantic-ai__test_max_completion_tokens_o3-mini_.yaml"] = new("openai", "o3-mini", new ModelPricing(1.1m, 4.4m, 0.55m), [0.0003905m]),
        ["openai/chat__pydantic-ai__test_openai_chat_prompt_cache_e2e.yaml"] = new("openai", "gpt-5.6-sol", new ModelPricing(5m, 40m, 0.5m, 6.25m), [0.025275m, 0.002206m]),
        ["openai/chat__pydantic-ai__test_openai_instructions.yaml"] = new("openai", "gpt-4o", new ModelPricing(2.5m, 10m, 1.25m), [0.00014m]),
        ["openai/chat__vercel-ai-openai__openai-text.json"] = new("openai", "gpt-4.1-nano", new ModelPricing(0.1m, 0.4m, 0.025m), [0.0001468m]),
        ["openai/error__crewai__test_llm_call_when_stop_is_unsupported.yaml"] = new("openai", "o1-mini", new ModelPricing(1.1m, 4.4m, 0.55m), [null, 0.000385m]),
        ["openai/error__crewai__test_llm_call_with_error.yaml"] = new("openai", "non-existent-model", new ModelPricing(2.5m, 10m), [null]),
        ["openai/error__pydantic-ai__test_model_name_suggestion_openai-chat_.yaml"] = new("openai", "gpt-5.2-proo", new ModelPricing(2.5m, 10m), [null]),
        ["openai/error__pydantic-ai__test_openai_web_search_tool_model_not_supported.yaml"] = new("openai", "gpt-4o", new ModelPricing(2.5m, 10m, 1.25m), [null]),
        ["openai/error__vercel-ai-openai__reasoning-model-legacy-parameter-error.json"] = new("openai", "o1", new ModelPricing(15m, 60m, 7.5m), [null]),
        ["openai/json__crewai__test_openai_response_format_with_pydantic_model.yaml"] = new("openai", "gpt-4o", new ModelPricing(2.5m, 10m, 1.25m), [0.000345m]),
        ["openai/json__langchaingo__TestClient_WithResponseFormat.httprr"] = new("openai", "gpt-3.5-turbo", new ModelPricing(0.5m, 1.5m), [0.0000255m]),
        ["openai/json__pydantic-ai__test_openai_native_output.yaml"] = new("openai", "gpt-4o", new ModelPricing(2.5m, 10m, 1.25m), [0.0002975m, 0.00038m]),
        ["openai/stream-tool__pydantic-ai__test_run_stream_sync_streams_real_model.yaml"] = new("openai", "gpt-4o-mini", new ModelPricing(0.15m, 0.6m, 0.075m), [0.00001695m, 0.0000171m]),
        ["openai/stream__crewai__test_openai_streaming_returns_usage_metrics.yaml"] = new("openai", "gpt-4o-mini", new ModelPricing(0.15m, 0.6m, 0.075m), [0.0001074m]),
        ["openai/stream__langchaingo__TestClient_CreateChatCompletionStream.httprr"] = new("openai", "gpt-3.5-turbo", new ModelPricing(0.5m, 1.5m), [0.0000265m]),
        ["openai/stream__vercel-ai-openai__openai-text.chunks.txt"] = new("openai", "gpt-4.1-nano", new ModelPricing(0.1m, 0.4m, 0.025m), [0.0001216m]),
        ["openai/tool__langchaingo__TestFunctionCall.httprr"] = new("openai", "gpt-3.5-turbo", new ModelPricing(0.5m, 1.5m), [0.0000615m]),
        ["openai/tool__pydantic-ai__test_openai_tool_output.yaml"] = new("openai", "gpt-4o", new ModelPricing(2.5m, 10m, 1.25m), [0.00029m, 0.0005825m]),
        ["deepseek/chat__pydantic-ai__test_deepseek_model_thinking_part.yaml"] = new("deepseek", "deepseek-reasoner", new ModelPricing(0.28m, 0.42m, 0.028m), [0.00033474m]),
        ["deepseek/chat__vercel-ai-deepseek__deepseek-reasoning.json"] = new("deepseek", "deepseek-reasoner", new ModelPricing(0.28m, 0.42m, 0.028m), [0.00014994m]),
        ["deepseek/chat__vercel-ai-deepseek__deepseek-text.json"] = new("deepseek", "deepseek-chat", new ModelPricing(0.28m, 0.42m, 0.028m), [0.00012964m]),
        ["deepseek/json__vercel-ai-deepseek__deepseek-json.json"] = new("deepseek", "deepseek-reasoner", new ModelPricing(0.28m, 0.42m, 0.028m), [0.00011844m]),
        ["deepseek/stream__pydantic-ai__test_deepseek_model_thinking_stream.yaml"] = new("deepseek", "deepseek-reasoner", new ModelPricing(0.28m, 0.42m, 0.028m), [0.00009072m]),
        ["deepseek/stream__vercel-ai-deepseek__deepseek-text.chunks.txt"] = new("deepseek", "deepseek-chat", new ModelPricing(0.28m, 0.42m, 0.028m), [0.00017164m]),
        ["deepseek/tool__langchaingo__TestFunctionCall-synchronous-deepseek.httprr"] = new("deepseek", "deepseek-chat", new ModelPricing(0.28m, 0.42m, 0.028m), [0.00005096m]),
        ["deepseek/tool__vercel-ai-deepseek__deepseek-tool-call.json"] = new("deepseek", "deepseek-reasoner", new ModelPricing(0.28m, 0.42m, 0.028m), [0.00005292m]),
        ["groq/chat__pydantic-ai__test_groq_model_instructions.yaml"] = new("groq", "llama-3.3-70b-versatile", new ModelPricing(0.59m, 0.79m), [0.00003464m]),
        ["groq/chat__pydantic-ai__test_groq_model_thinking_part.yaml"] = new("groq", "deepseek-r1-distill-llama-70b", new ModelPricing(0.75m, 0.99m), [0.00141561m, 0.0019671m]),
        ["groq/chat__vercel-ai-groq__groq-reasoning.json"] = new("groq", "qwen/qwen3-32b", new ModelPricing(0.29m, 0.59m), [0.00038784m]),
        ["groq/chat__vercel-ai-groq__groq-text.json"] = new("groq", "llama-3.3-70b-versatile", new ModelPricing(0.59m, 0.79m), [0.00050608m]),
        ["groq/error-tool__pydantic-ai__test_tool_use_failed_error.yaml"] = new("groq", "openai/gpt-oss-120b", new ModelPricing(0.15m, 0.6m, 0.075m), [null, 0.00007635m, 0.0000888m]),
        ["groq/error__pydantic-ai__test_model_name_suggestion_groq_.yaml"] = new("groq", "llama-3.3-70b-versatlie", new ModelPricing(0.59m, 0.79m), [null]),
        ["groq/json__pydantic-ai__test_groq_native_output.yaml"] = new("groq", "openai/gpt-oss-120b", new ModelPricing(0.15m, 0.6m, 0.075m), [0.0000831m]),
        ["groq/json__pydantic-ai__test_groq_prompted_output.yaml"] = new("groq", "openai/gpt-oss-120b", new ModelPricing(0.15m, 0.6m, 0.075m), [0.00007875m]),
        ["groq/stream__vercel-ai-groq__groq-text.chunks.txt"] = new("groq", "llama-3.3-70b-versatile", new ModelPricing(0.59m, 0.79m), [0.00054953m]),
        ["groq/tool__vercel-ai-groq__groq-tool-call.json"] = new("groq", "llama-3.3-70b-versatile", new ModelPricing(0.59m, 0.79m), [0.00014047m]),
        ["xai/chat__langchaingo__TestMultiContentText-xai-grok-4.5.httprr"] = new("xai", "grok-4.5", new ModelPricing(2m, 6m, 0.5m), [0.000832m]),
        ["xai/chat__vercel-ai-openai-compatible__xai-text.json"] = new("xai", "grok-3-mini", new ModelPricing(0.3m, 0.5m, 0.075m), [0.00016415m]),
        ["xai/chat__vercel-ai-xai__xai-text.json"] = new("xai", "grok-3-mini", new ModelPricing(0.3m, 0.5m, 0.075m), [0.00011765m]),
        ["xai/stream__vercel-ai-openai-compatible__xai-text.chunks.txt"] = new("xai", "grok-3-mini", new ModelPricing(0.3m, 0.5m, 0.075m), [0.000172125m]),
        ["xai/stream__vercel-ai-xai__xai-text.chunks.txt"] = new("xai", "grok-3-mini", new ModelPricing(0.3m, 0.5m, 0.075m), [0.000146625m]),
        ["xai/tool__langchaingo__TestFunctionCall-synchronous-xai-grok-4.5.httprr"] = new("xai", "grok-4.5", new ModelPricing(2m, 6m, 0.5m), [0.000712m]),
        ["xai/tool__vercel-ai-openai-compatible__xai-tool-call.json"] = new("xai", "grok-3-mini", new ModelPricing(0.3m, 0.5m, 0.075m), [0.0001777m]),
        ["xai/tool__vercel-ai-xai__xai-tool-call.json"] = new("xai", "grok-3-mini", new ModelPricing(0.3m, 0.5m, 0.075m), [0.0001399m]),
        ["openrouter/chat__langchaingo__TestOpenRouterWithHTTPRR.httprr"] = new("openrouter", "meta-llama/llama-3.2-3b-instruct:free", new ModelPricing(0m, 0m), [0m]),
        ["openrouter/chat__pydantic-ai__test_openrouter_cache_messages_anthropic_real_api.yaml"] = new("openrouter", "anthropic/claude-sonnet-4.6", new ModelPricing(3m, 15m, 0.3m, 3.75m), [0.01355025m, 0.00219855m]),
        ["openrouter/chat__pydantic-ai__test_openrouter_usage.yaml"] = new("openrouter", "openai/gpt-5-mini", new ModelPricing(0.25m, 2m, 0.025m), [0.00303425m, 0.00435825m]),
        ["openrouter/chat__pydantic-ai__test_openrouter_with_preset.yaml"] = new("openrouter", "google/gemini-2.5-flash-lite", new ModelPricing(0.1m, 0.4m), [0.0000115m]),
        ["openrouter/error__crewai__test_agent_with_knowledge_with_no_crewai_knowledge.yaml"] = new("openrouter", "openai/gpt-4o-mini", new ModelPricing(0.15m, 0.6m, 0.075m), [null, null]),
        ["openrouter/error__pydantic-ai__test_openrouter_errors_raised.yaml"] = new("openrouter", "google/gemini-2.0-flash-exp:free", new ModelPricing(0m, 0m), [null, null, null]),
        ["openrouter/stream__pydantic-ai__test_openrouter_cache_streaming_e2e.yaml"] = new("openrouter", "anthropic/claude-sonnet-4.6", new ModelPricing(3m, 15m, 0.3m, 3.75m), [0.000837m]),
        ["openrouter/stream__pydantic-ai__test_openrouter_streaming_reasoning.yaml"] = new("openrouter", "anthropic/claude-sonnet-4.5", new ModelPricing(3m, 15m, 0.3m, 3.75m), [0.000669m]),
        ["openrouter/tool__pydantic-ai__test_openrouter_tool_calling.yaml"] = new("openrouter", "mistralai/mistral-small", new ModelPricing(0.1m, 0.3m), [0.0000263m]),
    };

    internal static IEnumerable<string> FixturePaths => Cases.Keys;

    public static TheoryData<string> Fixtures()
    {
        var data = new TheoryData<string>();
        foreach (var path in Cases.Keys)
        {
            data.Add(path);
        }

        return data;
    }

    /// <summary>
    /// Fixtures of these folders recorded for features not built yet, in this one place: a new fixture still needs a
    /// case, and a listed one that gets its replay test must leave this list.
    /// </summary>
    private static readonly Dictionary<string, string> Awaiting = new(StringComparer.Ordinal)
    {
    };

    [Fact]
    public void EveryChatCompletionsFixtureOfTheFiveProviders_HasACaseOrAwaitsIssue13()
    {
        var root = FixtureLoader.SharedFixturesDirectory();
        // Responses API fixtures belong to the Responses dialect's tests; an awaiting fixture is never dropped by
        // that filter (the ruby_llm batch cassette mentions /v1/responses), so its listing is checked too.
        // Azure OpenAI's fixtures have their own guard (AzureOpenAIFixtureInventoryTests).
        var all = new[] { "openai", "deepseek", "groq", "xai", "openrouter" }
            .SelectMany(p => Directory.GetFiles(Path.Combine(root, p)).Select(f => p + "/" + Path.GetFileName(f)))
            .Where(f => Awaiting.ContainsKey(f)
                || (!File.ReadAllText(Path.Combine(root, f)).Contains("/responses", StringComparison.Ordinal) && !f.Contains("-responses__", StringComparison.Ordinal)));

        // The batch fixtures are replayed by Batches/BatchReplayTests (the ruby_llm lifecycle is a Responses batch, filtered above),
        // the embeddings fixtures by Embeddings/EmbeddingFixtureTests.
        var embeddings = Embeddings.EmbeddingFixtureTests.Replayed.Where(f => all.Contains(f, StringComparer.Ordinal));
        FixtureInventory.AssertExactly(all, Cases.Keys.Concat(Batches.BatchReplayTests.ChatCompletionsFolderFixtures).Concat([Batches.EmbeddingBatchTests.EmbeddingResults]).Concat(embeddings), Awaiting, "OpenAIChatCompletionsFixtureTests.cs");
    }

    [Theory]
    [MemberData(nameof(Fixtures))]
    public async Task Fixture_ReplaysFieldByFieldWithExactCostAndSendsTheRecordedRequest(string fixture)
    {
        var c = Cases[fixture];
        var exchanges = FixtureLoader.Load(Fixture(fixture))
            .Where(e => e.Request is null || e.Request.PathAndQuery.EndsWith("chat/completions", StringComparison.Ordinal))
            .ToList();
        Assert.Equal(c.Costs.Length, exchanges.Count);
        await using var server = await FakeProviderServer.StartAsync();
        using var client = ClientFor(server, c.Provider);
        var model = Model(c.Model, Provider(c.Provider), c.Pricing);

        for (var i = 0; i < exchanges.Count; i++)
        {
            var exchange = exchanges[i];
            server.Enqueue(exchange);
            var recordedRequest = exchange.Request?.Body is { } requestBody ? JsonNode.Parse(requestBody) : null;
            var (messages, options) = FromRecordedRequest(recordedRequest, c.Model);
            var stream = exchange.Response.ContentType?.StartsWith("text/event-stream", StringComparison.Ordinal) == true;

            if (exchange.Response.StatusCode >= 400)
            {
                var ex = await Assert.ThrowsAnyAsync<StratumException>(() => client.GetResponseAsync(model, messages, options));
                var error = ExpectedError(exchange.Response);
                Assert.Equal(exchange.Response.StatusCode, (int)ex.StatusCode!);
                Assert.Equal(c.Provider, ex.ProviderId);
                Assert.StartsWith(error.Message, ex.ProviderMessage);
                Assert.Equal(error.Code, ex.ErrorCode);
                Assert.IsType(exchange.Response.StatusCode switch
                {
                    401 => typeof(StratumAuthenticationException),
                    404 => typeof(StratumModelNotFoundException),
                    429 => typeof(StratumRateLimitException),
                    _ => typeof(StratumInvalidRequestException),
                }, ex);
                Assert.Null(c.Costs[i]);
            }
            else
            {
                var response = stream
                    ? await client.GetStreamingResponseAsync(model, messages, options).ToChatResponseAsync()
                    : await client.GetResponseAsync(model, messages, options);
                AssertMatchesRecording(Expected(exchange.Response), response);
                Assert.Equal(c.Costs[i], response.GetCost()!.Total);
                Assert.Same(model, response.GetModelInfo());
                if (ReportedCost(response) is > 0m and var reported)
                {
                    // OpenRouter's own bill for the call agrees with ours to the last digit.
                    Assert.Equal(reported, response.GetCost()!.Total);
                }
            }

            var sent = server.ReceivedRequests[i];
            Assert.Equal("POST", sent.Method);
            Assert.Equal("/v1/chat/completions", sent.Path);
            Assert.Equal($"Bearer {CanaryKey}", sent.GetHeader("Authorization"));
            Assert.StartsWith("application/json", sent.GetHeader("Content-Type"));
            var body = JsonNode.Parse(sent.Body)!;
            Assert.Equal(stream || (bool?)recordedRequest?["stream"] == true, (bool)body["stream"]!);
            if ((bool)body["stream"]!)
            {
                Assert.Equal("text/event-stream", sent.GetHeader("Accept"));
                Assert.True((bool)body["stream_options"]!["include_usage"]!);
            }
            else
            {
                Assert.Null(body["stream_options"]);
            }

            if (recordedRequest is not null)
            {
                AssertSameRequest(recordedRequest, body);
            }
        }
    }

    private sealed record ExpectedCall(string Id, string Name, JsonNode? Arguments);

    private sealed record ExpectedAnswer(
        string? Id, string? Model, long? Created, string Text, string Reasoning, List<ExpectedCall> Calls, string? Finish,
        long Input, long Output, long Total, long? Cached, long? Reasoned, long? CacheWrite, decimal? ReportedCost);

    /// <summary>Reads the recorded body on its own terms, without the dialect's types.</summary>
    private static ExpectedAnswer Expected(RecordedResponse response)
    {
        var body = response.BodyText;
        var chunks = body.TrimStart().StartsWith('{')
            ? [JsonNode.Parse(body)!]
            : body.Split('\n')
                .Select(l => l.TrimEnd('\r'))
                .Where(l => l.StartsWith("data:", StringComparison.Ordinal) && l[5..].Trim() != "[DONE]")
                .Select(l => JsonNode.Parse(l[5..])!)
                .ToList();
        string? id = null, model = null, finish = null;
        long? created = null;
        var text = new StringBuilder();
        var reasoning = new StringBuilder();
        var calls = new SortedDictionary<int, (string Id, string Name, StringBuilder Args)>();
        JsonNode? usage = null;
        foreach (var chunk in chunks)
        {
            id ??= (string?)chunk["id"];
            model ??= (string?)chunk["model"];
            created ??= (long?)chunk["created"];
            usage = chunk["usage"] ?? usage;
            foreach (var choice in chunk["choices"]?.AsArray() ?? [])
            {
                var delta = choice!["delta"] ?? choice["message"]!;
                text.Append((string?)delta["content"]);
                reasoning.Append((string?)delta["reasoning_content"] ?? (string?)delta["reasoning"]);
                foreach (var call in delta["tool_calls"]?.AsArray() ?? [])
                {
                    var index = (int?)call!["index"] ?? calls.Count;
                    if (!calls.TryGetValue(index, out var builder))
                    {
                        builder = ((string?)call["id"] ?? string.Empty, (string?)call["function"]!["name"] ?? string.Empty, new StringBuilder());
                        calls[index] = builder;
                    }

                    builder.Args.Append((string?)call["function"]!["arguments"]);
                }

                finish = (string?)choice["finish_reason"] ?? finish;
            }
        }

        Assert.NotNull(usage);
        long prompt = (long)usage!["prompt_tokens"]!, completion = (long)usage["completion_tokens"]!, total = (long)usage["total_tokens"]!;
        var reasoned = (long?)usage["completion_tokens_details"]?["reasoning_tokens"];
        return new ExpectedAnswer(
            id, model, created, text.ToString(), reasoning.ToString(),
            calls.Values.Select(v => new ExpectedCall(v.Id, v.Name, JsonNode.Parse(v.Args.Length == 0 ? "{}" : v.Args.ToString()))).ToList(),
            finish,
            prompt,
            // xAI bills reasoning outside completion_tokens (its total says so); the output count always includes it.
            reasoned is > 0 && total == prompt + completion + reasoned && total != prompt + completion ? completion + reasoned.Value : completion,
            total,
            (long?)usage["prompt_tokens_details"]?["cached_tokens"] ?? (long?)usage["prompt_cache_hit_tokens"],
            reasoned,
            (long?)usage["prompt_tokens_details"]?["cache_write_tokens"],
            (decimal?)usage["cost"]);
    }

    private static void AssertMatchesRecording(ExpectedAnswer expected, ChatResponse response)
    {
        Assert.Equal(expected.Text, response.Text);
        var contents = response.Messages.SelectMany(m => m.Contents).ToList();
        Assert.Equal(expected.Reasoning, string.Concat(contents.OfType<TextReasoningContent>().Select(r => r.Text)));
        var calls = contents.OfType<FunctionCallContent>().ToList();
        Assert.Equal(expected.Calls.Count, calls.Count);
        for (var i = 0; i < calls.Count; i++)
        {
            Assert.Equal(expected.Calls[i].Id, calls[i].CallId);
            Assert.Equal(expected.Calls[i].Name, calls[i].Name);
            AssertJsonEqual(expected.Calls[i].Arguments, JsonSerializer.SerializeToNode(calls[i].Arguments, AIJsonUtilities.DefaultOptions));
        }

        Assert.Equal(expected.Id, response.ResponseId);
        Assert.Equal(expected.Model, response.ModelId);
        Assert.Equal(expected.Created is { } created ? DateTimeOffset.FromUnixTimeSeconds(created) : null, response.CreatedAt);
        Assert.Equal(expected.Finish switch
        {
            null => (ChatFinishReason?)null,
            "stop" => ChatFinishReason.Stop,
            "length" => ChatFinishReason.Length,
            "tool_calls" => ChatFinishReason.ToolCalls,
            "content_filter" => ChatFinishReason.ContentFilter,
            var other => new ChatFinishReason(other),
        }, response.FinishReason);
        var usage = response.Usage!;
        Assert.Equal(expected.Input, usage.InputTokenCount);
        Assert.Equal(expected.Output, usage.OutputTokenCount);
        Assert.Equal(expected.Total, usage.TotalTokenCount);
        Assert.Equal(expected.Cached, usage.CachedInputTokenCount);
        Assert.Equal(expected.Reasoned, usage.ReasoningTokenCount);
        Assert.Equal(expected.CacheWrite, usage.AdditionalCounts?.TryGetValue(StratumUsageKeys.CacheWriteInputTokens, out var written) == true ? written : null);
        Assert.Equal(expected.ReportedCost, ReportedCost(response));
    }

    /// <summary>The provider's own cost: on the response, or on its message when coalesced from a stream.</summary>
    private static decimal? ReportedCost(ChatResponse response)
    {
        foreach (var properties in new[] { response.AdditionalProperties }.Concat(response.Messages.Select(m => m.AdditionalProperties)))
        {
            if (properties?.TryGetValue(StratumUsageKeys.ProviderReportedCost, out var cost) == true)
            {
                return (decimal?)cost;
            }
        }

        return null;
    }

    private static (string Message, string? Code) ExpectedError(RecordedResponse response)
    {
        var error = JsonNode.Parse(response.BodyText)!["error"]!;
        return ((string)error["message"]!, error["code"] is JsonValue code ? code.ToJsonString().Trim('"') : null);
    }

    /// <summary>Rebuilds the caller's messages and options from a recorded request body.</summary>
    private static (List<ChatMessage> Messages, ChatOptions Options) FromRecordedRequest(JsonNode? request, string modelId)
    {
        var options = new ChatOptions();
        if (request is null)
        {
            return ([new ChatMessage(ChatRole.User, "Hello")], options);
        }

        var messages = new List<ChatMessage>();
        foreach (var m in request["messages"]!.AsArray())
        {
            var role = (string)m!["role"]!;
            if (role == "tool")
            {
                messages.Add(new ChatMessage(ChatRole.Tool, [new FunctionResultContent((string)m["tool_call_id"]!, (string?)m["content"])]));
                continue;
            }

            var message = new ChatMessage { Role = new ChatRole(role) };
            switch (m["content"])
            {
                case JsonValue value:
                    message.Contents.Add(new TextContent((string)value!));
                    break;
                case JsonArray parts:
                    foreach (var part in parts)
                    {
                        message.Contents.Add((string?)part!["type"] == "image_url"
                            ? new UriContent(new Uri((string)part["image_url"]!["url"]!), "image/*")
                            : new TextContent((string?)part["text"]));
                    }

                    break;
            }

            foreach (var call in m["tool_calls"]?.AsArray() ?? [])
            {
                var arguments = JsonSerializer.Deserialize<Dictionary<string, object?>>((string)call!["function"]!["arguments"]!, AIJsonUtilities.DefaultOptions);
                message.Contents.Add(new FunctionCallContent((string)call["id"]!, (string)call["function"]!["name"]!, arguments));
            }

            messages.Add(message);
        }

        if ((string?)request["model"] is { } recordedModel && recordedModel != modelId)
        {
            options.ModelId = recordedModel;
        }

        options.Temperature = (float?)(double?)request["temperature"];
        options.MaxOutputTokens = (int?)request["max_tokens"] ?? (int?)request["max_completion_tokens"];
        if (request["stop"] is JsonArray stop)
        {
            options.StopSequences = stop.Select(s => (string)s!).ToList();
        }

        bool? strict = null;
        if (request["tools"] is JsonArray tools)
        {
            options.Tools = tools.Select(t => (AITool)AIFunctionFactory.CreateDeclaration(
                (string)t!["function"]!["name"]!,
                (string?)t["function"]!["description"],
                JsonSerializer.SerializeToElement(t["function"]!["parameters"]))).ToList();
            strict = (bool?)tools[0]!["function"]!["strict"];
        }

        options.ToolMode = request["tool_choice"] switch
        {
            JsonValue v when (string?)v == "auto" => ChatToolMode.Auto,
            JsonValue v when (string?)v == "none" => ChatToolMode.None,
            JsonValue v when (string?)v == "required" => ChatToolMode.RequireAny,
            JsonObject o => ChatToolMode.RequireSpecific((string)o["function"]!["name"]!),
            _ => null,
        };

        var format = request["response_format"];
        options.ResponseFormat = (string?)format?["type"] switch
        {
            "json_object" => ChatResponseFormat.Json,
            "json_schema" => ChatResponseFormat.ForJsonSchema(
                JsonSerializer.SerializeToElement(format!["json_schema"]!["schema"]),
                (string?)format["json_schema"]!["name"],
                (string?)format["json_schema"]!["description"]),
            _ => null,
        };
        strict ??= (bool?)format?["json_schema"]?["strict"];
        if (strict is { } isStrict)
        {
            options.AdditionalProperties = new() { ["strictJsonSchema"] = isStrict };
        }

        return (messages, options);
    }

    /// <summary>The parts of the recorded request a caller controls through <see cref="ChatOptions"/> match what we sent.</summary>
    private static void AssertSameRequest(JsonNode recorded, JsonNode sent)
    {
        Assert.Equal((string?)recorded["model"], (string?)sent["model"]);
        var recordedMessages = Normalize(recorded["messages"]!.DeepClone())!.AsArray();
        if (recordedMessages.Any(m => m!["content"] is JsonArray parts && parts.Any(p => p!.AsObject().Any(kv => kv.Key is not ("type" or "text" or "image_url")))))
        {
            // Cache markers on parts (Anthropic cache_control through OpenRouter, prompt_cache_breakpoint) have no
            // ChatMessage equivalent: compare the text of each message instead.
            Assert.Equal(
                recordedMessages.Select(m => m!["content"] is JsonArray parts ? string.Concat(parts.Select(p => (string?)p!["text"])) : (string?)m["content"]),
                sent["messages"]!.AsArray().Select(m => m!["content"] is JsonArray parts ? string.Concat(parts.Select(p => (string?)p!["text"])) : (string?)m["content"]));
        }
        else
        {
            AssertJsonEqual(recordedMessages, Normalize(sent["messages"]!.DeepClone()));
        }

        AssertJsonEqual(recorded["response_format"], sent["response_format"]);
        AssertJsonEqual(WithoutFalseStrict(recorded["tools"]), WithoutFalseStrict(sent["tools"]));
        AssertJsonEqual(recorded["tool_choice"], sent["tool_choice"]);
        AssertJsonEqual(recorded["stop"], sent["stop"]);
        Assert.Equal((double?)recorded["temperature"], (double?)sent["temperature"]);
        Assert.Equal((int?)recorded["max_tokens"] ?? (int?)recorded["max_completion_tokens"], (int?)sent["max_tokens"] ?? (int?)sent["max_completion_tokens"]);
    }

    /// <summary>Tool-call arguments are JSON inside a string: compare them as JSON, not as spelled.</summary>
    private static JsonNode? Normalize(JsonNode? messages)
    {
        foreach (var message in messages!.AsArray())
        {
            foreach (var call in message!["tool_calls"]?.AsArray() ?? [])
            {
                var function = call!["function"]!;
                function["arguments"] = JsonNode.Parse((string)function["arguments"]!);
            }
        }

        return messages;
    }

    private static JsonNode? WithoutFalseStrict(JsonNode? tools)
    {
        var copy = tools?.DeepClone();
        foreach (var tool in copy?.AsArray() ?? [])
        {
            if ((bool?)tool!["function"]!["strict"] == false)
            {
                tool["function"]!.AsObject().Remove("strict");
            }
        }

        return copy;
    }
}

using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace StratumAI.Testing.Tests;

public class FixtureLoaderTests
{
    public static TheoryData<string> AllFixtures() => new(FixtureFiles().Where(f => !IsBatchOutputFile(f)));

    public static TheoryData<string> BatchOutputFiles() => new(FixtureFiles().Where(IsBatchOutputFile));

    /// <summary>Batch output files (JSON Lines) are the only fixtures that are not HTTP recordings.</summary>
    private static bool IsBatchOutputFile(string relativePath) => relativePath.EndsWith(".jsonl", StringComparison.Ordinal);

    private static IEnumerable<string> FixtureFiles()
    {
        var directory = FixtureLoader.SharedFixturesDirectory();
        return Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories)
            .Where(f => !f.EndsWith("MANIFEST.md", StringComparison.Ordinal))
            .Select(f => Path.GetRelativePath(directory, f).Replace('\\', '/'))
            .Order(StringComparer.Ordinal)
            .ToList();
    }

    [Fact]
    public void SharedFixturesDirectory_HoldsExactlyTheFilesTheManifestLists()
    {
        var directory = FixtureLoader.SharedFixturesDirectory();
        var manifest = File.ReadAllLines(Path.Combine(directory, "MANIFEST.md"));
        var listed = manifest
            .Where(l => l.StartsWith("| `fixtures/", StringComparison.Ordinal))
            .Select(l => l["| `fixtures/".Length..l.IndexOf('`', "| `".Length)])
            .Order(StringComparer.Ordinal)
            .ToList();

        // The count the manifest states ("164 files under `fixtures/<provider>/`"), the sum of its per-provider count
        // tables (the original set plus each "Added" section), its file rows and the folder must all agree: a fixture
        // added, dropped or renamed without its manifest entry and counts fails here.
        var stated = Assert.Single(manifest.Select(l => Regex.Match(l, @"^(\d+) files under `fixtures/<provider>/`")), m => m.Success);
        var countRows = manifest
            .Select(l => Regex.Match(l, @"^\| ([a-z-]+) \| (\d+) \|"))
            .Where(m => m.Success)
            .Sum(m => int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture));
        Assert.Equal(int.Parse(stated.Groups[1].Value, CultureInfo.InvariantCulture), listed.Count);
        Assert.Equal(listed.Count, countRows);
        Assert.Equal(listed.Distinct().Count(), listed.Count);
        Assert.Equal(listed, FixtureFiles());
    }

    [Theory]
    [MemberData(nameof(AllFixtures))]
    public void Load_EveryFixture_ParsesWithFormatInvariants(string relativePath)
    {
        var exchanges = FixtureLoader.Load(FixtureLoader.GetFixturePath(relativePath));

        Assert.NotEmpty(exchanges);
        for (var i = 0; i < exchanges.Count; i++)
        {
            var exchange = exchanges[i];
            Assert.Equal(i, exchange.Index);
            Assert.InRange(exchange.Response.StatusCode, 200, 599);
            Assert.False(exchange.Response.Body.IsEmpty, $"exchange {i} has an empty body");
            if (IsBodyOnly(relativePath))
            {
                Assert.Null(exchange.Request);
            }
            else
            {
                Assert.NotNull(exchange.Request);
                Assert.Matches("^(GET|POST|DELETE|PUT|PATCH)$", exchange.Request.Method);
                Assert.StartsWith("/", exchange.Request.PathAndQuery, StringComparison.Ordinal);
                Assert.False(string.IsNullOrEmpty(exchange.Request.Host));
            }

            if (exchange.Response.ContentType is null)
            {
                // Only a recording whose response really had no Content-Type (Azure's 404 DeploymentNotFound) has none:
                // it is replayed without one, as the provider sent it.
                Assert.NotNull(exchange.Request);
                Assert.Null(exchange.Response.GetHeader("content-type"));
                JsonDocument.Parse(exchange.Response.Body).Dispose();
            }
            else
            {
                AssertBodyMatchesContentType(exchange.Response);
            }
        }
    }

    /// <summary>Cassettes, raw HTTP traces and test-framework session records (<c>{"Entries":[…]}</c>) keep the request; other files are a body only.</summary>
    private static bool IsBodyOnly(string relativePath)
    {
        if (relativePath.EndsWith(".yaml", StringComparison.Ordinal) || relativePath.EndsWith(".yml", StringComparison.Ordinal)
            || relativePath.EndsWith(".httprr", StringComparison.Ordinal))
        {
            return false;
        }

        if (!relativePath.EndsWith(".json", StringComparison.Ordinal))
        {
            return true;
        }

        var bytes = File.ReadAllBytes(FixtureLoader.GetFixturePath(relativePath));
        using var document = JsonDocument.Parse(bytes.AsSpan().StartsWith("\uFEFF"u8) ? bytes.AsMemory(3) : bytes.AsMemory());
        return !(document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("Entries", out _));
    }

    private static void AssertBodyMatchesContentType(RecordedResponse response)
    {
        var contentType = response.ContentType!;
        var text = response.BodyText;
        if (IsJsonLinesDownload(response))
        {
            // A batch results download: Anthropic labels it application/x-jsonl (2026) or text/html (2024),
            // OpenAI's file content endpoint application/octet-stream. Every line is one JSON object.
            var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            Assert.NotEmpty(lines);
            foreach (var line in lines)
            {
                using var result = JsonDocument.Parse(line);
                Assert.True(result.RootElement.TryGetProperty("custom_id", out _), "a batch result line without custom_id");
            }
        }
        else if (contentType.Contains("event-stream", StringComparison.OrdinalIgnoreCase))
        {
            var dataLines = SseData(text).ToList();
            // A 400 sent as text/event-stream (Gemini) carries a plain JSON error body instead of events.
            if (dataLines.Count == 0)
            {
                Assert.True(response.StatusCode >= 400, "a 2xx event stream without data lines");
                JsonDocument.Parse(text).Dispose();
                return;
            }

            foreach (var data in dataLines.Where(d => d != "[DONE]"))
            {
                JsonDocument.Parse(data).Dispose();
            }
        }
        else if (contentType.Contains("ndjson", StringComparison.OrdinalIgnoreCase))
        {
            var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            Assert.True(lines.Length > 1, "NDJSON body with a single line");
            foreach (var line in lines)
            {
                JsonDocument.Parse(line).Dispose();
            }
        }
        else if (contentType.Contains("json", StringComparison.OrdinalIgnoreCase))
        {
            if (response.StatusCode == 200 && text.TrimStart().StartsWith("[", StringComparison.Ordinal))
            {
                Assert.Equal(JsonValueKind.Array, JsonDocument.Parse(text).RootElement.ValueKind);
            }
            else
            {
                // Gemini's streamGenerateContent without alt=sse sends a JSON array with content-type application/json.
                JsonDocument.Parse(text).Dispose();
            }
        }
        else if (contentType == "application/octet-stream")
        {
            // DeepSeek's /responses endpoint really labels its JSON error this way; the recording keeps it.
            JsonDocument.Parse(text).Dispose();
        }
        else
        {
            Assert.Fail($"unexpected content type '{contentType}'");
        }
    }

    private static bool IsJsonLinesDownload(RecordedResponse response)
        => response.StatusCode == 200
            && (response.ContentType!.Contains("jsonl", StringComparison.OrdinalIgnoreCase)
                || response.GetHeader("content-disposition")?.Contains(".jsonl", StringComparison.Ordinal) == true
                || (response.ContentType == "application/octet-stream"
                    && response.BodyText.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Length > 1));

    internal static IEnumerable<string> SseData(string body)
        => body.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.StartsWith("data:", StringComparison.Ordinal)).Select(l => l[5..].Trim());

    private static JsonElement Json(RecordedExchange exchange) => JsonDocument.Parse(exchange.Response.Body).RootElement;

    private static IReadOnlyList<RecordedExchange> Load(string relativePath) => FixtureLoader.Load(FixtureLoader.GetFixturePath(relativePath));

    [Theory]
    [InlineData("anthropic/error__pydantic-ai__test_model_name_suggestion_anthropic_.yaml", 0, 404)]
    [InlineData("anthropic/error__pydantic-ai__test_anthropic_explicit_effort_xhigh_unsupported_model_errors.yaml", 0, 400)]
    [InlineData("openai/error__crewai__test_llm_call_with_error.yaml", 0, 404)]
    [InlineData("openai/error__crewai__test_llm_call_with_error.yaml", 1, 401)]
    [InlineData("openai/error__crewai__test_llm_call_when_stop_is_unsupported.yaml", 0, 400)]
    [InlineData("openai/error__crewai__test_llm_call_when_stop_is_unsupported.yaml", 1, 200)]
    [InlineData("openai/error__pydantic-ai__test_model_name_suggestion_openai-chat_.yaml", 0, 404)]
    [InlineData("openai/error__pydantic-ai__test_openai_web_search_tool_model_not_supported.yaml", 0, 400)]
    [InlineData("openrouter/error__crewai__test_agent_with_knowledge_with_no_crewai_knowledge.yaml", 0, 401)]
    [InlineData("openrouter/error__pydantic-ai__test_openrouter_errors_raised.yaml", 0, 429)]
    [InlineData("groq/error-tool__pydantic-ai__test_tool_use_failed_error.yaml", 0, 400)]
    [InlineData("groq/error__pydantic-ai__test_model_name_suggestion_groq_.yaml", 0, 404)]
    [InlineData("deepseek/error__pydantic-ai__test_deepseek_responses_rejects_interleaved_function_calls.yaml", 0, 400)]
    [InlineData("gemini/error__crewai__test_google_streaming_returns_usage_metrics.yaml", 0, 400)]
    [InlineData("gemini/error__pydantic-ai__test_model_name_suggestion_google_.yaml", 0, 404)]
    [InlineData("gemini/error__langchaingo__TestGoogleAIErrorHandling.httprr", 0, 403)]
    [InlineData("gemini/error__vercel-ai-google__google-429-retry-info.json", 0, 429)]
    [InlineData("openai/error__vercel-ai-openai__reasoning-model-legacy-parameter-error.json", 0, 400)]
    [InlineData("ollama/error__ollama-docs__docs_errors-body.json", 0, 500)]
    [InlineData("openai/chat__vercel-ai-openai__openai-text.json", 0, 200)]
    [InlineData("openai/embed-error__pydantic-ai__TestOpenAI.test_embed_error.yaml", 0, 404)]
    [InlineData("gemini/embed-error__pydantic-ai__TestGoogle.test_embed_error.yaml", 0, 404)]
    [InlineData("anthropic/batch-error__anthropic-rb__batch_results.yml", 1, 404)]
    [InlineData("azure-openai/error__mirascope__test_model_not_found-azure_openai_gpt_5_mini.yaml", 0, 400)]
    [InlineData("azure-openai/error-filter__mirascope__test_refusal-azure_openai_gpt_5_mini-sync.yaml", 0, 400)]
    [InlineData("azure-openai/chat-error__openllmetry__test_chat_reasoning.yaml", 0, 200)]
    [InlineData("azure-openai/chat-error__openllmetry__test_chat_reasoning.yaml", 3, 404)]
    [InlineData("azure-openai/embed-error__openllmetry__test_azure_openai_embeddings.yaml", 3, 401)]
    public void Load_ErrorFixture_HasRecordedOrImpliedStatus(string relativePath, int index, int expectedStatus)
    {
        Assert.Equal(expectedStatus, Load(relativePath)[index].Response.StatusCode);
    }

    [Fact]
    public void Load_PydanticParsedBody_RoundTripsIntsStringsAndNulls()
    {
        var exchange = Assert.Single(Load("openai/chat__pydantic-ai__test_openai_instructions.yaml"));
        var body = Json(exchange);

        Assert.Equal("gpt-4o-2024-08-06", body.GetProperty("model").GetString());
        Assert.Equal(24, body.GetProperty("usage").GetProperty("prompt_tokens").GetInt32());
        Assert.Equal(8, body.GetProperty("usage").GetProperty("completion_tokens").GetInt32());
        Assert.Equal(1744043456, body.GetProperty("created").GetInt64());
        var choice = body.GetProperty("choices")[0];
        Assert.Equal(JsonValueKind.Null, choice.GetProperty("logprobs").ValueKind);
        Assert.Equal(JsonValueKind.Null, choice.GetProperty("message").GetProperty("refusal").ValueKind);
        Assert.Equal(JsonValueKind.Array, choice.GetProperty("message").GetProperty("annotations").ValueKind);
        Assert.Equal("The capital of France is Paris.", choice.GetProperty("message").GetProperty("content").GetString());
        // Quoted numbers in YAML ('2020-10-01', '320') stay strings in headers.
        Assert.Equal("320", exchange.Response.GetHeader("openai-processing-ms"));
    }

    [Fact]
    public void Load_PydanticParsedBody_KeepsRequestBodyTypes()
    {
        var exchange = Assert.Single(Load("openai/chat__pydantic-ai__test_openai_instructions.yaml"));
        var request = exchange.Request!;

        Assert.Equal("POST", request.Method);
        Assert.Equal("/v1/chat/completions", request.PathAndQuery);
        Assert.Equal("api.openai.com", request.Host);
        using var body = JsonDocument.Parse(request.Body!);
        Assert.Equal(JsonValueKind.False, body.RootElement.GetProperty("stream").ValueKind);
        Assert.Equal(1, body.RootElement.GetProperty("n").GetInt32());
        Assert.Equal("system", body.RootElement.GetProperty("messages")[0].GetProperty("role").GetString());
    }

    [Fact]
    public void Load_PydanticParsedBody_RoundTripsFloatsAndBools()
    {
        var usage = Json(Load("openrouter/chat__pydantic-ai__test_openrouter_usage.yaml")[1]).GetProperty("usage");

        Assert.Equal(0.00435825m, usage.GetProperty("cost").GetDecimal());
        Assert.Equal(4.25e-06, usage.GetProperty("cost_details").GetProperty("upstream_inference_prompt_cost").GetDouble());
        Assert.Equal(JsonValueKind.Null, usage.GetProperty("cost_details").GetProperty("upstream_inference_cost").ValueKind);
        Assert.Equal(JsonValueKind.False, usage.GetProperty("is_byok").ValueKind);
        Assert.Equal(960, usage.GetProperty("completion_tokens_details").GetProperty("reasoning_tokens").GetInt32());

        var groq = Json(Assert.Single(Load("groq/chat__pydantic-ai__test_groq_model_instructions.yaml"))).GetProperty("usage");
        Assert.Equal(0.100731848m, groq.GetProperty("queue_time").GetDecimal());
    }

    [Fact]
    public void Load_PydanticCassettes_KeepUsageDetailsPerExchange()
    {
        var o3 = Json(Assert.Single(Load("openai/chat__pydantic-ai__test_max_completion_tokens_o3-mini_.yaml")));
        Assert.Equal(64, o3.GetProperty("usage").GetProperty("completion_tokens_details").GetProperty("reasoning_tokens").GetInt32());

        var cache = Load("openai/chat__pydantic-ai__test_openai_chat_prompt_cache_e2e.yaml");
        Assert.Equal(2, cache.Count);
        Assert.Equal(0, Json(cache[0]).GetProperty("usage").GetProperty("prompt_tokens_details").GetProperty("cached_tokens").GetInt32());
        Assert.Equal(4012, Json(cache[1]).GetProperty("usage").GetProperty("prompt_tokens_details").GetProperty("cached_tokens").GetInt32());
    }

    [Fact]
    public void Load_PydanticErrorCassette_KeepsErrorBody()
    {
        var body = Json(Assert.Single(Load("anthropic/error__pydantic-ai__test_model_name_suggestion_anthropic_.yaml")));

        Assert.Equal("error", body.GetProperty("type").GetString());
        Assert.Equal("not_found_error", body.GetProperty("error").GetProperty("type").GetString());
        Assert.Equal("req_011CdufXo8Y2LVfY2veyuQWG", body.GetProperty("request_id").GetString());
    }

    [Fact]
    public void Load_PydanticStreamCassette_KeepsSseBodyVerbatim()
    {
        var exchange = Assert.Single(Load("openai/stream__pydantic-ai__test_openai_instructions_with_responses_logprobs_streaming.yaml"));
        var text = exchange.Response.BodyText;

        Assert.Equal("/v1/responses", exchange.Request!.PathAndQuery);
        Assert.StartsWith("event: response.created\ndata: {\"type\":\"response.created\"", text, StringComparison.Ordinal);
        Assert.Equal(17, SseData(text).Count());
        Assert.EndsWith("\"sequence_number\":16}\n\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_CrewAiFoldedStreamBody_IsOneSseStreamEndingInDone()
    {
        var exchange = Assert.Single(Load("openai/stream__crewai__test_openai_streaming_returns_usage_metrics.yaml"));
        var data = SseData(exchange.Response.BodyText).ToList();

        Assert.Equal(141, data.Count);
        Assert.Equal("[DONE]", data[^1]);
        using var usageChunk = JsonDocument.Parse(data[^2]);
        Assert.True(usageChunk.RootElement.GetProperty("usage").GetProperty("total_tokens").GetInt32() > 0);
        Assert.StartsWith("{\"messages\":", exchange.Request!.Body!.Replace(" ", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Fact]
    public void Load_CrewAiErrorCassette_KeepsHeadersAndRawBody()
    {
        var exchange = Load("openai/error__crewai__test_llm_call_with_error.yaml")[0];

        Assert.Equal("req_9441b7808a504cc8abfc6276fd5c7721", exchange.Response.GetHeader("x-request-id"));
        Assert.Equal(2, exchange.Response.Headers.Count(h => h.Key == "Set-Cookie"));
        Assert.Equal("model_not_found", Json(exchange).GetProperty("error").GetProperty("code").GetString());
        Assert.Contains("\n    \"error\": {", exchange.Response.BodyText, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_HttprrChunkedBody_IsDecodedToNdjson()
    {
        var exchange = Assert.Single(Load("ollama/stream__langchaingo__TestClient_GenerateChat.httprr"));
        var lines = exchange.Response.BodyText.Split('\n', StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal("chunked", exchange.Response.GetHeader("transfer-encoding"));
        Assert.Equal("application/x-ndjson", exchange.Response.ContentType);
        Assert.DoesNotContain("19b2", exchange.Response.BodyText, StringComparison.Ordinal);
        using var first = JsonDocument.Parse(lines[0]);
        Assert.Equal("Hello", first.RootElement.GetProperty("message").GetProperty("content").GetString());
        using var last = JsonDocument.Parse(lines[^1]);
        Assert.True(last.RootElement.GetProperty("done").GetBoolean());
        Assert.Equal("/api/chat", exchange.Request!.PathAndQuery);
        Assert.Equal("gemma3:1b", JsonDocument.Parse(exchange.Request.Body!).RootElement.GetProperty("model").GetString());
    }

    [Fact]
    public void Load_HttprrBody_MatchesRecordedContentLength()
    {
        var exchange = Assert.Single(Load("openai/chat__langchaingo__TestClient_CreateChatCompletion.httprr"));

        Assert.Equal(int.Parse(exchange.Response.GetHeader("content-length")!), exchange.Response.Body.Length);
        Assert.StartsWith("req_", exchange.Response.GetHeader("x-request-id"), StringComparison.Ordinal);
        Assert.Equal("Bearer REDACTED", exchange.Request!.GetHeader("authorization"));
        Assert.Equal("langchaingo-httprr", exchange.Request.GetHeader("user-agent"));
        Assert.Equal("chat.completion", Json(exchange).GetProperty("object").GetString());
    }

    [Fact]
    public void Load_HttprrGeminiUrl_KeepsEscapedQuery()
    {
        var exchange = Assert.Single(Load("gemini/chat__langchaingo__TestGoogleAIGenerateContent.httprr"));

        Assert.StartsWith("/v1beta/models/gemini-2.0-flash:generateContent?%24alt", exchange.Request!.PathAndQuery, StringComparison.Ordinal);
        Assert.Equal("generativelanguage.googleapis.com", exchange.Request.Host);
    }

    [Fact]
    public void Load_OpenAiChunks_ReframesAsSseWithDone()
    {
        var path = FixtureLoader.GetFixturePath("openai/stream__vercel-ai-openai__openai-text.chunks.txt");
        var lines = File.ReadAllLines(path).Where(l => l.Length > 0).ToList();
        var exchange = Assert.Single(FixtureLoader.Load(path));
        var data = SseData(exchange.Response.BodyText).ToList();

        Assert.Equal(303, lines.Count);
        Assert.Equal(lines.Count + 1, data.Count);
        Assert.Equal(lines, data.Take(lines.Count));
        Assert.Equal("[DONE]", data[^1]);
        Assert.Equal("text/event-stream", exchange.Response.ContentType);
        Assert.DoesNotContain("event:", exchange.Response.BodyText, StringComparison.Ordinal);
        Assert.StartsWith("data: {", exchange.Response.BodyText, StringComparison.Ordinal);
        Assert.EndsWith("}\n\ndata: [DONE]\n\n", exchange.Response.BodyText, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_AnthropicChunks_KeepEventNamesAndNoDone()
    {
        var exchange = Assert.Single(Load("anthropic/stream__vercel-ai-anthropic__anthropic-text.chunks.txt"));
        var text = exchange.Response.BodyText;
        var events = text.Split("\n\n", StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal(12, events.Length);
        Assert.StartsWith("event: message_start\ndata: {\"type\":\"message_start\"", events[0], StringComparison.Ordinal);
        Assert.StartsWith("event: message_stop\n", events[^1], StringComparison.Ordinal);
        foreach (var sseEvent in events)
        {
            var lines = sseEvent.Split('\n');
            Assert.Equal(2, lines.Length);
            using var payload = JsonDocument.Parse(lines[1]["data: ".Length..]);
            Assert.Equal("event: " + payload.RootElement.GetProperty("type").GetString(), lines[0]);
        }

        Assert.DoesNotContain("[DONE]", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_GeminiChunks_UseCrlfSeparatedDataEvents()
    {
        var exchange = Assert.Single(Load("gemini/stream__vercel-ai-google__google-text.chunks.txt"));

        Assert.Equal(3, SseData(exchange.Response.BodyText).Count());
        Assert.EndsWith("}\r\n\r\n", exchange.Response.BodyText, StringComparison.Ordinal);
        Assert.DoesNotContain("event:", exchange.Response.BodyText, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_GeminiJsonArrayWithBom_DropsBomAndParsesAsArray()
    {
        var exchange = Assert.Single(Load("gemini/stream__semantic-kernel__chat_stream_response.json"));

        Assert.Equal((byte)'[', exchange.Response.Body.Span[0]);
        using var document = JsonDocument.Parse(exchange.Response.Body);
        Assert.Equal(JsonValueKind.Array, document.RootElement.ValueKind);
        Assert.True(document.RootElement.GetArrayLength() > 1);
        Assert.Equal("application/json", exchange.Response.ContentType);
    }

    [Fact]
    public void Load_JsonBody_IsByteForByteTheFile()
    {
        var path = FixtureLoader.GetFixturePath("openai/chat__vercel-ai-openai__openai-text.json");
        var exchange = Assert.Single(FixtureLoader.Load(path));

        Assert.Equal(File.ReadAllBytes(path), exchange.Response.Body.ToArray());
        Assert.Equal(200, exchange.Response.StatusCode);
    }

    [Theory]
    [InlineData("ollama/stream__ollama-docs__docs_api-chat-stream.ndjson", "application/x-ndjson", 2)]
    [InlineData("ollama/stream__semantic-kernel__chat_completion_test_response_stream.txt", "application/x-ndjson", 6)]
    [InlineData("ollama/tool__semantic-kernel__chat_completion_function_call_response.txt", "application/json", 1)]
    public void Load_OllamaNdjson_KeepsEveryObject(string relativePath, string contentType, int objects)
    {
        var exchange = Assert.Single(Load(relativePath));

        Assert.Equal(contentType, exchange.Response.ContentType);
        Assert.Equal(objects, exchange.Response.BodyText.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
    }

    [Fact]
    public void Load_SseFile_IsServedVerbatim()
    {
        var path = FixtureLoader.GetFixturePath("anthropic/stream-tool__vercel-ai-openai-compatible__anthropic-fallback-tool-call.sse");
        var exchange = Assert.Single(FixtureLoader.Load(path));

        Assert.Equal(File.ReadAllBytes(path), exchange.Response.Body.ToArray());
        Assert.Equal("text/event-stream", exchange.Response.ContentType);
    }

    [Fact]
    public void Load_RelativePath_IsResolvedUnderSharedFixtures()
    {
        var exchange = Assert.Single(FixtureLoader.Load("xai/chat__vercel-ai-xai__xai-text.json"));

        Assert.EndsWith("xai-text.json", exchange.SourcePath, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_MissingFile_ThrowsFileNotFound()
    {
        Assert.Throws<FileNotFoundException>(() => FixtureLoader.Load("openai/does-not-exist.json"));
    }

    [Fact]
    public void Load_UnknownExtension_ThrowsNotSupported()
    {
        var path = Path.Combine(Path.GetTempPath(), $"stratum-{Guid.NewGuid():N}.bin");
        File.WriteAllText(path, "{}");
        try
        {
            Assert.Throws<NotSupportedException>(() => FixtureLoader.Load(path));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Load_TruncatedHttprr_ThrowsInvalidData()
    {
        var path = Path.Combine(Path.GetTempPath(), $"stratum-{Guid.NewGuid():N}.httprr");
        File.WriteAllText(path, "httprr trace v1\n100 200\nPOST / HTTP/1.1\r\n");
        try
        {
            var error = Assert.Throws<InvalidDataException>(() => FixtureLoader.Load(path));
            Assert.Contains("file ends first", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Load_RubyVcrCassette_ReadsHttpInteractionsWithListHeadersAndNoEmptyRequestBody()
    {
        var exchanges = Load("anthropic/batch-error__anthropic-rb__batch_results.yml");

        Assert.Equal(2, exchanges.Count);
        var request = exchanges[0].Request!;
        Assert.Equal("GET", request.Method);
        Assert.Equal("/v1/messages/batches/msgbatch_01AHxNhUeZwskhx38tGz1QVj/results", request.PathAndQuery);
        Assert.Equal("api.anthropic.com", request.Host);
        Assert.Equal("REDACTED", request.GetHeader("x-api-key"));
        Assert.Equal("message-batches-2024-09-24", request.GetHeader("anthropic-beta"));
        Assert.Null(request.Body);
        Assert.Equal("false", exchanges[0].Response.GetHeader("x-should-retry"));
        Assert.Equal("not_found_error", Json(exchanges[0]).GetProperty("error").GetProperty("type").GetString());
    }

    [Fact]
    public void Load_RubyVcrCassette_KeepsEveryValueOfAListHeaderAndTheRawBody()
    {
        var exchange = Assert.Single(Load("gemini/embed__ruby-llm__embedding_multimodal_embeddings_gemini_gemini-embedding-2_embeds_text_with_custom_dimensions.yml"));

        Assert.Equal(["Origin", "Referer", "X-Origin"], exchange.Response.Headers.Where(h => h.Key == "Vary").Select(h => h.Value));
        Assert.Equal("/v1beta/models/gemini-embedding-2:batchEmbedContents", exchange.Request!.PathAndQuery);
        using var requestBody = JsonDocument.Parse(exchange.Request.Body!);
        Assert.Equal(768, requestBody.RootElement.GetProperty("requests")[0].GetProperty("outputDimensionality").GetInt32());
        Assert.Equal(768, Json(exchange).GetProperty("embeddings")[0].GetProperty("values").GetArrayLength());
    }

    [Fact]
    public void Load_RubyVcrBatchLifecycle_EndsWithTheResultsDownload()
    {
        var exchanges = Load("anthropic/batch__ruby-llm__batch_with_anthropic_claude-haiku-4-5_answers_staged_chats_and_appends_the_answers_to_their_conversations.yml");

        Assert.Equal(("POST", "/v1/messages/batches"), (exchanges[0].Request!.Method, exchanges[0].Request!.PathAndQuery));
        var download = exchanges[^1];
        Assert.EndsWith("/results", download.Request!.PathAndQuery, StringComparison.Ordinal);
        Assert.Equal("application/x-jsonl", download.Response.ContentType);
        Assert.Equal(["0", "1"], download.Response.BodyText.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => JsonDocument.Parse(l).RootElement.GetProperty("custom_id").GetString()).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Load_SessionRecord_IsOneExchangePerEntryWithJsonBodiesAndDecodedMultipartSegments()
    {
        var exchanges = Load("openai/batch__openai-dotnet__CreateGetAndCancelBatchProtocol.json");

        Assert.Equal(3, exchanges.Count);
        Assert.Equal(["/v1/files", "/v1/batches", "/v1/batches/batch_690467101b488190972cdce590a00ae3/cancel"], exchanges.Select(e => e.Request!.PathAndQuery));
        Assert.All(exchanges, e => Assert.Equal("api.openai.com", e.Request!.Host));

        // The upload: text segments as they are, the b64: segment decoded to the batch input JSONL.
        var upload = exchanges[0].Request!;
        Assert.StartsWith("--aiAapPx5LzRfNg", upload.Body, StringComparison.Ordinal);
        Assert.Contains("filename=test-batch-file", upload.Body, StringComparison.Ordinal);
        Assert.DoesNotContain("b64:", upload.Body, StringComparison.Ordinal);
        var inputLine = upload.Body!.Split("\r\n").Single(l => l.StartsWith("{\"custom_id\"", StringComparison.Ordinal));
        Assert.Equal("/v1/chat/completions", JsonDocument.Parse(inputLine).RootElement.GetProperty("url").GetString());
        Assert.EndsWith("--\r\n", upload.Body, StringComparison.Ordinal);

        using var create = JsonDocument.Parse(exchanges[1].Request!.Body!);
        Assert.Equal("24h", create.RootElement.GetProperty("completion_window").GetString());
        Assert.Null(exchanges[2].Request!.Body);
        Assert.Equal("cancelling", Json(exchanges[2]).GetProperty("status").GetString());
        Assert.Equal("application/json", exchanges[2].Response.ContentType);
        Assert.Equal("Sanitized", exchanges[2].Response.GetHeader("x-request-id"));
        Assert.Equal(200, exchanges[2].Response.StatusCode);
    }

    [Fact]
    public void Load_SessionRecordEmbeddings_KeepsTheRequestAndTheBase64Vectors()
    {
        var exchange = Assert.Single(Load("openai/embed__openai-dotnet__GenerateMultipleEmbeddings(UsingStrings).json"));

        Assert.Equal(("POST", "/v1/embeddings"), (exchange.Request!.Method, exchange.Request.PathAndQuery));
        using var request = JsonDocument.Parse(exchange.Request.Body!);
        Assert.Equal(456, request.RootElement.GetProperty("dimensions").GetInt32());
        var data = Json(exchange).GetProperty("data");
        Assert.Equal(3, data.GetArrayLength());
        Assert.Equal(456 * sizeof(float), Convert.FromBase64String(data[0].GetProperty("embedding").GetString()!).Length);
    }

    [Fact]
    public void Load_SseTxt_IsServedVerbatimAsAnEventStream()
    {
        var path = FixtureLoader.GetFixturePath("azure-openai/stream-filter__semantic-kernel__chat_completion_streaming_async_filter_response.txt");
        var exchange = Assert.Single(FixtureLoader.Load(path));

        Assert.Equal("text/event-stream", exchange.Response.ContentType);
        Assert.Equal(File.ReadAllBytes(path), exchange.Response.Body.ToArray());
        Assert.Equal("[DONE]", SseData(exchange.Response.BodyText).Last());
    }

    [Theory]
    [MemberData(nameof(BatchOutputFiles))]
    public void Load_BatchOutputFile_IsRefusedAsNotAnHttpRecordingAndNamesTheLoaderThatFits(string relativePath)
    {
        var error = Assert.Throws<NotAnHttpRecordingException>(() => Load(relativePath));

        Assert.Contains(Path.GetFileName(relativePath), error.Message, StringComparison.Ordinal);
        Assert.Contains("batch output file", error.Message, StringComparison.Ordinal);
        Assert.Contains(nameof(FixtureLoader.LoadBatchResults), error.Message, StringComparison.Ordinal);
        Assert.IsAssignableFrom<NotSupportedException>(error);
    }

    [Theory]
    [MemberData(nameof(BatchOutputFiles))]
    public void LoadBatchResults_EveryBatchOutputFile_HasOneResultPerLineAndKeepsTheBytes(string relativePath)
    {
        var path = FixtureLoader.GetFixturePath(relativePath);
        var batch = FixtureLoader.LoadBatchResults(path);

        var lines = File.ReadAllLines(path).Where(l => l.Trim().Length > 0).ToList();
        Assert.Equal(File.ReadAllBytes(path), batch.Content.ToArray());
        Assert.Equal(lines, batch.Results.Select(r => r.Json));
        Assert.Equal(Enumerable.Range(0, lines.Count), batch.Results.Select(r => r.Index));
        Assert.Equal(batch.Results.Count, batch.Results.Select(r => r.CustomId).Distinct().Count());
        Assert.Equal(path, batch.SourcePath);
    }

    [Fact]
    public void LoadBatchResults_ChatCompletionResults_KeepSuccessesAndErrorsByCustomId()
    {
        var batch = FixtureLoader.LoadBatchResults("openai/batch__langbatch__chat_completion_batch_results.jsonl");

        Assert.Equal(["req-1", "req-2", "req-3", "req-4"], batch.Results.Select(r => r.CustomId).Order(StringComparer.Ordinal));
        using var first = JsonDocument.Parse(batch.Results.Single(r => r.CustomId == "req-1").Json);
        var response = first.RootElement.GetProperty("response");
        Assert.Equal(200, response.GetProperty("status_code").GetInt32());
        Assert.Equal(56, response.GetProperty("body").GetProperty("usage").GetProperty("total_tokens").GetInt32());
        Assert.Equal(2, batch.Results.Count(r => JsonDocument.Parse(r.Json).RootElement.GetProperty("response").ValueKind == JsonValueKind.Null));
    }

    [Fact]
    public void LoadBatchResults_LineWithoutCustomId_ThrowsInvalidDataNamingTheLine()
    {
        var path = Path.Combine(Path.GetTempPath(), $"stratum-{Guid.NewGuid():N}.jsonl");
        File.WriteAllText(path, "{\"custom_id\":\"a\",\"result\":{}}\n\n{\"id\":\"chatcmpl-1\"}\n");
        try
        {
            var error = Assert.Throws<InvalidDataException>(() => FixtureLoader.LoadBatchResults(path));
            Assert.Contains("line 3", error.Message, StringComparison.Ordinal);
            Assert.Contains("custom_id", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }
}

using System.Collections;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Reflection;
using System.Text;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using StratumAI.Testing;
using static StratumAI.Tests.TestCatalog;

namespace StratumAI.Tests.Security;

/// <summary>
/// Sets a distinctive API key for a provider, runs successful and failing calls through the whole pipeline
/// (dependency injection, response cache, telemetry with content recording on, fallbacks, retries, budget, cost tracking and ledger), and
/// proves the key reached the provider yet shows up in no log line, exception, span, metric or ToString().
/// </summary>
public sealed class SecretCanaryTests
{
    /// <summary>The part of every canary key searched for; unique to this file so no other test can produce it.</summary>
    private const string CanaryCore = "q7Zc4n4ryX9f8e7d6";

    public static TheoryData<string, string, string, string, string, string> Providers() => new()
    {
        // provider, dialect, model, recorded response, recorded stream, key source
        { "openai", "openai", "gpt-4.1-nano", "openai/chat__vercel-ai-openai__openai-text.json", "openai/stream__vercel-ai-openai__openai-text.chunks.txt", "options" },
        { "openai", "openai-responses", "gpt-4.1-nano", "openai/chat__pydantic-ai__test_openai_instructions_with_responses_logprobs.yaml", "openai/stream__pydantic-ai__test_openai_instructions_with_responses_logprobs_streaming.yaml", "environment" },
        { "anthropic", "anthropic", "claude-sonnet-4-5", "anthropic/chat__vercel-ai-anthropic__anthropic-text.json", "anthropic/stream__vercel-ai-anthropic__anthropic-text.chunks.txt", "options" },
        { "anthropic", "anthropic", "claude-sonnet-4-5", "anthropic/chat__vercel-ai-anthropic__anthropic-text.json", "anthropic/stream__vercel-ai-anthropic__anthropic-text.chunks.txt", "environment" },
        { "gemini", "gemini", "gemini-2.5-flash", "gemini/chat__vercel-ai-google__google-text.json", "gemini/stream__vercel-ai-google__google-text.chunks.txt", "options" },
        { "gemini", "gemini", "gemini-2.5-flash", "gemini/chat__vercel-ai-google__google-text.json", "gemini/stream__vercel-ai-google__google-text.chunks.txt", "environment" },
        { "deepseek", "openai", "deepseek-chat", "deepseek/chat__vercel-ai-deepseek__deepseek-text.json", "deepseek/stream__vercel-ai-deepseek__deepseek-text.chunks.txt", "options" },
        { "deepseek", "openai", "deepseek-chat", "deepseek/chat__vercel-ai-deepseek__deepseek-text.json", "deepseek/stream__vercel-ai-deepseek__deepseek-text.chunks.txt", "environment" },
        { "groq", "openai", "llama-3.3-70b-versatile", "groq/chat__vercel-ai-groq__groq-text.json", "groq/stream__vercel-ai-groq__groq-text.chunks.txt", "options" },
        { "groq", "openai", "llama-3.3-70b-versatile", "groq/chat__vercel-ai-groq__groq-text.json", "groq/stream__vercel-ai-groq__groq-text.chunks.txt", "environment" },
        { "xai", "openai", "grok-3-mini", "xai/chat__vercel-ai-xai__xai-text.json", "xai/stream__vercel-ai-xai__xai-text.chunks.txt", "options" },
        { "xai", "openai", "grok-3-mini", "xai/chat__vercel-ai-xai__xai-text.json", "xai/stream__vercel-ai-xai__xai-text.chunks.txt", "environment" },
        { "mistral", "openai", "mistral-small-latest", "mistral/chat__vercel-ai-mistral__mistral-text.json", "mistral/stream__vercel-ai-mistral__mistral-text.chunks.txt", "options" },
        { "mistral", "openai", "mistral-small-latest", "mistral/chat__vercel-ai-mistral__mistral-text.json", "mistral/stream__vercel-ai-mistral__mistral-text.chunks.txt", "environment" },
        { "openrouter", "openai", "openai/gpt-4o-mini", "openrouter/chat__pydantic-ai__test_openrouter_usage.yaml", "openrouter/stream__pydantic-ai__test_openrouter_streaming_reasoning.yaml", "options" },
        { "openrouter", "openai", "openai/gpt-4o-mini", "openrouter/chat__pydantic-ai__test_openrouter_usage.yaml", "openrouter/stream__pydantic-ai__test_openrouter_streaming_reasoning.yaml", "environment" },
        { "ollama", "ollama", "llama3.2", "ollama/tool__ollama-docs__docs_api-chat-nostream-with-tools.json", "ollama/stream__ollama-docs__docs_api-chat-stream.ndjson", "options" },
        { "ollama", "ollama", "llama3.2", "ollama/tool__ollama-docs__docs_api-chat-nostream-with-tools.json", "ollama/stream__ollama-docs__docs_api-chat-stream.ndjson", "environment" },
        { "azure", "azure-openai", "gpt-4o", "azure-openai/chat__pydantic-ai__test_azure_provider_call.yaml", "azure-openai/stream__crewai__test_azure_streaming_completion.yaml", "options" },
        { "azure", "azure-openai", "gpt-4o", "azure-openai/chat__pydantic-ai__test_azure_provider_call.yaml", "azure-openai/stream__crewai__test_azure_streaming_completion.yaml", "environment" },

        // A Microsoft Entra ID token from ProviderOptions.UseAccessToken instead of a key: a JWT-shaped canary.
        { "azure", "azure-openai", "gpt-4o", "azure-openai/chat__pydantic-ai__test_azure_provider_call.yaml", "azure-openai/stream__crewai__test_azure_streaming_completion.yaml", "token" },
        { "azure", "azure-openai-responses", "gpt-5.1", "azure-openai/chat-filter__vercel-ai-azure__azure-text.1.json", "azure-openai/stream-tool__vercel-ai-azure__azure-tool-call.1.chunks.txt", "token" },
    };

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task CanaryKey_ReachesTheProviderButAppearsInNoLogExceptionSpanMetricOrToString(
        string providerId, string dialect, string modelId, string recorded, string recordedStream, string keySource)
    {
        var canary = keySource == "token" ? $"eyJ0eXAiOiJKV1Qi.eyJ{CanaryCore}{dialect.Replace("-", string.Empty)}.c2lnbmF0dXJl" : $"sk-{providerId}-{CanaryCore}-{dialect}";
        var variable = $"STRATUM_CANARY_{providerId.ToUpperInvariant()}_{dialect.Replace('-', '_').ToUpperInvariant()}_KEY";
        await using var server = await FakeProviderServer.StartAsync();
        using var capture = new Capture();
        var model = Model(modelId, Provider(providerId, server.V1(), apiKeyEnv: variable, dialect: dialect), Gpt41NanoPricing);
        var tracker = new CostTracker();
        var ledger = new InMemoryCostLedger();
        var fallback = Model(modelId + "-fallback", model.Provider, Gpt41NanoPricing);
        var registry = new ModelRegistry();
        registry.Register([model, fallback]);
        var budgets = new BudgetManager([BudgetPolicy.Daily(1_000m), new BudgetPolicy(BudgetScope.Tag("tiny"), BudgetPeriod.Day, 0.0000001m)]);
        var services = new ServiceCollection()
            .AddDistributedMemoryCache()
            .AddLogging(logging => logging.SetMinimumLevel(LogLevel.Trace).AddProvider(new FakeLoggerProvider(capture.Logs)))
            .AddStratumAI(options =>
            {
                options.Models = registry;
                var provider = options.Provider(providerId);
                provider.BaseUrl = server.V1();
                provider.Headers["X-Canary-Probe"] = "header-values-are-not-secret-but-are-hidden";
                if (keySource == "options")
                {
                    provider.ApiKey = canary;
                }
                else if (keySource == "token")
                {
                    provider.UseAccessToken(_ => ValueTask.FromResult(canary));
                }

                options.Pipeline = pipeline => pipeline
                    .UseStratumCache(cache => cache.CacheEveryCall = true)
                    .UseStratumTelemetry(telemetry => telemetry.EnableSensitiveData = true)
                    .UseStratumFallbacks(fallbacks => fallbacks.Models.Add(fallback.Id))
                    .UseStratumResilience(resilience =>
                    {
                        // One immediate retry; no breaker, so every scenario reaches the provider as planned.
                        resilience.MaxRetryAttempts = 1;
                        resilience.BaseDelay = TimeSpan.Zero;
                        resilience.MaxDelay = TimeSpan.Zero;
                        resilience.EnableCircuitBreaker = false;
                    })
                    .UseStratumBudget(budgets, budget => budget.Models = registry)
                    .UseStratumCostTracking(tracker, o => o.Ledger = ledger);
            });
        Environment.SetEnvironmentVariable(variable, keySource == "environment" ? canary : null);
        try
        {
            await using var container = services.BuildServiceProvider();
            var stratum = container.GetRequiredService<StratumClient>();
            await RunScenariosAsync(server, stratum, modelId, recorded, recordedStream, canary, capture);

            capture.Texts.Add(stratum.ToString());
            capture.Texts.Add(stratum.Options.ToString());
            capture.Texts.AddRange(stratum.Options.Providers.Select(p => p.Value.ToString()));
            var chat = stratum.GetChatClient(modelId);
            capture.Texts.Add(chat.ToString() ?? string.Empty);
            capture.Texts.AddRange(MiddlewareIn(chat).Select(m => m.ToString() ?? string.Empty));
            capture.Texts.AddRange(tracker.History.Select(r => r.ToString()));
            capture.Texts.AddRange((await ledger.GetRecordsAsync()).Select(r => r.ToString()));
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, null);
        }

        // The key was really in use: every request carried it to the provider.
        Assert.NotEmpty(server.ReceivedRequests);
        Assert.All(server.ReceivedRequests, request => Assert.Contains(request.Headers, h => h.Value.Contains(canary, StringComparison.Ordinal)));
        Assert.True(capture.Logs.GetSnapshot().Count > 20, "the pipeline should have logged every call at Trace level");
        Assert.NotEmpty(capture.Spans);

        var leaks = capture.Everything().Where(text => text.Contains(CanaryCore, StringComparison.Ordinal)).ToList();
        Assert.True(leaks.Count == 0, "The API key leaked into:\n" + string.Join("\n---\n", leaks));
    }

    public static TheoryData<string, string, string, string> Dialects() => new()
    {
        // provider, dialect, model, recorded response
        { "openai", "openai", "gpt-4.1-nano", "openai/chat__vercel-ai-openai__openai-text.json" },
        { "openai", "openai-responses", "gpt-4.1-nano", "openai/chat__pydantic-ai__test_openai_instructions_with_responses_logprobs.yaml" },
        { "anthropic", "anthropic", "claude-sonnet-4-5", "anthropic/chat__vercel-ai-anthropic__anthropic-text.json" },
        { "gemini", "gemini", "gemini-2.5-flash", "gemini/chat__vercel-ai-google__google-text.json" },
        { "ollama", "ollama", "llama3.2", "ollama/tool__ollama-docs__docs_api-chat-nostream-with-tools.json" },
    };

    /// <summary>
    /// Hand-written hostile answers (no provider records a key in a page title or an error code): every place a provider
    /// or a proxy can put text — an HTML page's title on a 200, error type, code, param and message, the request-id and
    /// rate-limit headers, stream error events, Gemini's errors and block messages — carries the key exactly, in upper
    /// case, URL-encoded, and cut to a part of it. None of it may reach an exception (message, ToString, any property,
    /// inner exceptions), a log record, a span tag or status, or the response's properties.
    /// </summary>
    [Theory]
    [MemberData(nameof(Dialects))]
    public async Task KeyEchoedByAHostileProvider_IsRedactedFromEveryExceptionLogAndSpan(string providerId, string dialect, string modelId, string recorded)
    {
        // Not shaped like any well-known key (no sk-, AIza, …), so only the configured-key rule can find it; '/', '+' and
        // '=' make its URL-encoded form differ from it.
        var key = $"Ck{CanaryCore}/{dialect}+Zz=";
        var echo = $"{key} {key.ToUpperInvariant()} {Uri.EscapeDataString(key)} {CanaryCore}";
        await using var server = await FakeProviderServer.StartAsync();
        using var capture = new Capture();
        var model = Model(modelId, Provider(providerId, server.V1(), dialect: dialect), Gpt41NanoPricing);
        var registry = new ModelRegistry();
        registry.Register([model]);
        var services = new ServiceCollection()
            .AddLogging(logging => logging.SetMinimumLevel(LogLevel.Trace).AddProvider(new FakeLoggerProvider(capture.Logs)))
            .AddStratumAI(options =>
            {
                options.Models = registry;
                options.Provider(providerId).BaseUrl = server.V1();
                options.Provider(providerId).ApiKey = key;
                options.Pipeline = pipeline => pipeline.UseStratumTelemetry(telemetry => telemetry.EnableSensitiveData = true);
            });
        await using var container = services.BuildServiceProvider();
        var stratum = container.GetRequiredService<StratumClient>();

        var probes = HostileProbes(dialect, echo, FixtureLoader.Load(Fixture(recorded))[0]);
        foreach (var (name, streaming, response) in probes)
        {
            server.ClearQueue();
            server.Enqueue(response);
            try
            {
                if (streaming)
                {
                    await foreach (var update in stratum.GetStreamingResponseAsync(modelId, [new ChatMessage(ChatRole.User, name)]))
                    {
                        capture.Texts.AddRange((update.AdditionalProperties ?? []).Select(p => p.Key + "=" + p.Value));
                    }
                }
                else
                {
                    var answer = await stratum.GetResponseAsync(modelId, [new ChatMessage(ChatRole.User, name)]);
                    capture.Texts.AddRange((answer.AdditionalProperties ?? []).Select(p => p.Key + "=" + p.Value));
                }

                Assert.True(name.StartsWith("success", StringComparison.Ordinal), $"probe '{name}' should have failed");
            }
            catch (StratumException ex)
            {
                // The hostile answer itself was read: not the fake server's "nothing queued" error.
                Assert.NotEqual((System.Net.HttpStatusCode)FakeProviderServer.QueueEmptyStatusCode, ex.StatusCode);
                capture.Exceptions.Add(ex);
            }

            Assert.Equal(0, server.PendingResponseCount);
        }

        Assert.All(server.ReceivedRequests, request => Assert.Contains(request.Headers, h => h.Value.Contains(key, StringComparison.Ordinal)));
        Assert.Equal(probes.Count - probes.Count(p => p.Name.StartsWith("success", StringComparison.Ordinal)), capture.Exceptions.Count);
        Assert.NotEmpty(capture.Spans);
        Assert.Contains(capture.Logs.GetSnapshot(), record => record.Id.Name == "ChatRequestFailed");

        // The key's core in any case: what every echo above (exact, upper case, URL-encoded, partial) holds.
        var leaks = capture.Everything().Where(text => text.Contains(CanaryCore, StringComparison.OrdinalIgnoreCase)).Distinct().ToList();
        Assert.True(leaks.Count == 0, $"The API key leaked ({dialect}) into:\n" + string.Join("\n---\n", leaks));
    }

    [Fact]
    public void OptionsTypes_NeverShowAKeyInToString()
    {
        var canary = $"sk-options-{CanaryCore}";
        var options = new StratumClientOptions();
        options.Provider("openai").ApiKey = canary;
        options.Provider("anthropic").ApiKey = canary;
        options.Provider("openai").Headers["Authorization"] = "Bearer " + canary;
        options.Provider("azure").UseAccessToken(_ => ValueTask.FromResult(canary));
        using var client = new StratumClient(options);
        var texts = new List<string> { options.ToString(), client.ToString() };
        texts.AddRange(options.Providers.Values.Select(p => p.ToString()));

        // Every public options type of the library, with every key-like string property set to the canary.
        var optionsTypes = typeof(StratumClient).Assembly.GetExportedTypes()
            .Where(t => t.Name.EndsWith("Options", StringComparison.Ordinal) && !t.IsAbstract && t.GetConstructor(Type.EmptyTypes) is not null)
            .ToList();
        Assert.Contains(typeof(StratumTelemetryOptions), optionsTypes);
        foreach (var type in optionsTypes)
        {
            var instance = Activator.CreateInstance(type)!;
            foreach (var property in type.GetProperties().Where(p => p.PropertyType == typeof(string) && p.CanWrite && IsKeyLike(p.Name)))
            {
                property.SetValue(instance, canary);
            }

            texts.Add(instance.ToString() ?? string.Empty);
        }

        Assert.DoesNotContain(texts, text => text.Contains(CanaryCore, StringComparison.Ordinal));
    }

    [Fact]
    public async Task CredentialsInABaseUrl_AppearInNoToStringOrTransportErrorMessage()
    {
        var secret = "url-" + CanaryCore;
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop(); // a closed loopback port: the call fails at once with a transport error naming the endpoint
        var baseUrl = new Uri($"http://proxyuser:{secret}@127.0.0.1:{port}/v1/?token={secret}");
        var options = new StratumClientOptions();
        options.Provider("openai").BaseUrl = baseUrl;
        using var http = new HttpClient();
        using var client = new StratumAI.Dialects.OpenAIChatCompletionsClient(http, baseUrl, apiKey: null, "gpt-4o");

        var error = await Assert.ThrowsAnyAsync<Exception>(() => client.GetResponseAsync("hi"));

        Assert.Contains($"127.0.0.1:{port}/v1/", error.Message, StringComparison.Ordinal);
        Assert.Contains($"127.0.0.1:{port}/v1/", options.Provider("openai").ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(CanaryCore, error.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(CanaryCore, client.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(CanaryCore, options.Provider("openai").ToString(), StringComparison.Ordinal);
    }

    /// <summary>The hostile answers for one dialect: (name, streaming, response); a name starting "success" expects no exception.</summary>
    private static List<(string Name, bool Streaming, FakeResponse Response)> HostileProbes(string dialect, string echo, RecordedExchange success)
    {
        var html = $"<!DOCTYPE html><html><head><title>Welcome {echo}</title></head><body><h1>{echo}</h1><p>{echo}</p></body></html>";
        var (errorBody, streamError, errorIn200) = dialect switch
        {
            "anthropic" => (
                $$$"""{"type":"error","error":{"type":"{{{echo}}}","message":"bad key {{{echo}}}"},"request_id":"{{{echo}}}"}""",
                $$$"""event: error{{{"\n"}}}data: {"type":"error","error":{"type":"{{{echo}}}","message":"bad key {{{echo}}}"}}{{{"\n\n"}}}""",
                $$$"""{"type":"error","error":{"type":"{{{echo}}}","message":"bad key {{{echo}}}"}}"""),
            "gemini" => (
                $$$"""{"error":{"code":400,"message":"bad key {{{echo}}}","status":"{{{echo}}}","details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"{{{echo}}}"}]}}""",
                $$$"""data: {"error":{"code":500,"message":"bad key {{{echo}}}","status":"{{{echo}}}"}}{{{"\n\n"}}}""",
                $$$"""{"error":{"code":429,"message":"bad key {{{echo}}}","status":"{{{echo}}}","details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"{{{echo}}}"}]}}"""),
            "ollama" => (
                $$$"""{"error":{"message":"bad key {{{echo}}}","type":"{{{echo}}}","code":"{{{echo}}}","param":"{{{echo}}}"}}""",
                $$$"""{"error":"bad key {{{echo}}}"}{{{"\n"}}}""",
                $$$"""{"error":{"message":"bad key {{{echo}}}","type":"{{{echo}}}","code":"{{{echo}}}"}}"""),
            "openai-responses" => (
                $$$"""{"error":{"message":"bad key {{{echo}}}","type":"{{{echo}}}","code":"{{{echo}}}","param":"{{{echo}}}"}}""",
                $$$"""event: error{{{"\n"}}}data: {"type":"error","code":"{{{echo}}}","message":"bad key {{{echo}}}","param":"{{{echo}}}"}{{{"\n\n"}}}""",
                $$$"""{"id":"resp_1","status":"failed","error":{"type":"{{{echo}}}","code":"{{{echo}}}","message":"bad key {{{echo}}}","param":"{{{echo}}}"}}"""),
            _ => (
                $$$"""{"error":{"message":"bad key {{{echo}}}","type":"{{{echo}}}","code":"{{{echo}}}","param":"{{{echo}}}"}}""",
                $$$"""data: {"error":{"message":"bad key {{{echo}}}","type":"{{{echo}}}","code":"{{{echo}}}","param":"{{{echo}}}"}}{{{"\n\n"}}}""",
                $$$"""{"error":{"message":"bad key {{{echo}}}","type":"{{{echo}}}","code":"{{{echo}}}","param":"{{{echo}}}"}}"""),
        };
        var streamType = dialect == "ollama" ? "application/x-ndjson" : "text/event-stream";

        FakeResponse Echoing(FakeResponse response) => response
            .WithHeader("x-request-id", echo)
            .WithHeader("request-id", echo)
            .WithHeader("x-ratelimit-remaining-requests", echo)
            .WithHeader("anthropic-ratelimit-requests-remaining", echo);

        var probes = new List<(string, bool, FakeResponse)>
        {
            ("html title, 200 text/html", false, FakeResponse.Text(html, "text/html; charset=utf-8")),
            ("html title, 200 application/json", false, FakeResponse.Text(html, "application/json")),
            ("html title, 200 text/html, streamed", true, FakeResponse.Text(html, "text/html; charset=utf-8")),
            ("html title, 502 text/html", false, FakeResponse.Text(html, "text/html", 502)),
            ("error fields, 400", false, Echoing(FakeResponse.Json(errorBody, 400))),
            ("error fields, 429", false, Echoing(FakeResponse.Json(errorBody, 429)).WithHeader("retry-after", "0")),
            ("error fields, 401, streamed", true, Echoing(FakeResponse.Json(errorBody, 401))),
            ("error in a 200 body", false, Echoing(FakeResponse.Json(errorIn200))),
            ("stream error event", true, Echoing(FakeResponse.Text(streamError, streamType))),
            ("invalid JSON quoting the key", false, FakeResponse.Json($$$"""{"id":"{{{echo}}}", "choices": [{ {{{echo}}} """)),
            ("success with a request id holding the key", false, Echoing(FakeResponse.FromExchange(success) with
            {
                Headers = [.. success.Response.Headers.Where(h => !h.Key.Contains("request", StringComparison.OrdinalIgnoreCase))],
            })),
            ("success whose id and model hold the key", false, FakeResponse.FromExchange(success) with { Body = WithIdAndModel(success, echo) }),
        };

        if (dialect == "gemini")
        {
            probes.Add(("prompt blocked with the key in its reason and message", false, Echoing(FakeResponse.Json(
                $$$"""{"promptFeedback":{"blockReason":"{{{echo}}}","blockReasonMessage":"bad key {{{echo}}}"}}"""))));
        }

        return probes;
    }

    /// <summary>The recorded answer with its response id and model name (whichever of each the dialect uses) set to <paramref name="value"/>.</summary>
    private static byte[] WithIdAndModel(RecordedExchange exchange, string value)
    {
        var body = System.Text.Json.Nodes.JsonNode.Parse(exchange.Response.Body.Span)!.AsObject();
        foreach (var name in (string[])["id", "model", "responseId", "modelVersion"])
        {
            if (body.ContainsKey(name))
            {
                body[name] = value;
            }
        }

        return Encoding.UTF8.GetBytes(body.ToJsonString());
    }

    private static bool IsKeyLike(string name) =>
        name.Contains("Key", StringComparison.Ordinal) || name.Contains("Secret", StringComparison.Ordinal)
        || name.Contains("Token", StringComparison.Ordinal) || name.Contains("Password", StringComparison.Ordinal);

    private static async Task RunScenariosAsync(FakeProviderServer server, StratumClient stratum, string modelId, string recorded, string recordedStream, string canary, Capture capture)
    {
        // Each call asks something new, so the response cache (which caches every call here) answers only the repeat.
        var asked = 0;
        ChatMessage[] Next() => [new ChatMessage(ChatRole.User, $"Say hello, #{++asked}.")];
        var streamExchange = FixtureLoader.Load(Fixture(recordedStream))[0];

        // Successful calls, from recorded provider traffic, and a repeat the cache serves.
        var first = Next();
        var answered = FixtureLoader.Load(Fixture(recorded))[0];
        server.Enqueue(answered);
        var answer = await stratum.GetResponseAsync(modelId, first);
        server.ClearQueue();
        server.Enqueue(answered);
        var repeat = await stratum.GetResponseAsync(modelId, first);

        // The cache keeps only complete answers (a recorded one cut by its length limit is asked again).
        Assert.Equal(answer.FinishReason == ChatFinishReason.Stop || answer.FinishReason == ChatFinishReason.ToolCalls, repeat.IsCacheHit());
        await Run(() => Drain(stratum.GetStreamingResponseAsync(modelId, Next())), server, s => s.Enqueue(streamExchange), capture);

        // Failures, some of which echo the key back as a misbehaving provider or proxy might.
        var echoed = $"{{\"error\":{{\"message\":\"Incorrect API key provided: {canary}.\",\"type\":\"invalid_request_error\",\"code\":\"invalid_api_key\"}}}}";
        await Run(() => stratum.GetResponseAsync(modelId, Next()), server, s => s.Enqueue(FakeResponse.Json(echoed, 401)), capture);
        await Run(() => Drain(stratum.GetStreamingResponseAsync(modelId, Next())), server, s => s.Enqueue(FakeResponse.Json(echoed, 401)), capture);
        await Run(() => stratum.GetResponseAsync(modelId, Next()), server, s => s.Enqueue(FakeResponse.Json(echoed.Replace("invalid_api_key", "rate_limit_exceeded", StringComparison.Ordinal), 429).WithHeader("retry-after", "0")), capture);
        await Run(() => stratum.GetResponseAsync(modelId, Next()), server, s => s.Enqueue(FakeResponse.Text($"<html><head><title>502 Bad Gateway: upstream refused key {canary}</title></head><body>key {canary}</body></html>", "text/html", 500)), capture);
        await Run(() => stratum.GetResponseAsync(modelId, Next()), server, s => s.Enqueue(FakeResponse.Text($"upstream refused Authorization: Bearer {canary}", "text/plain", 503)), capture);
        await Run(() => stratum.GetResponseAsync(modelId, Next()), server, s => s.Enqueue(FakeResponse.Json($"{{\"id\":\"{canary}\",\"choices\":[{{\"message\":", 200)), capture);
        await Run(() => stratum.GetResponseAsync(modelId, Next()), server, s => s.Enqueue(FakeResponse.Disconnect()), capture);
        await Run(() => Drain(stratum.GetStreamingResponseAsync(modelId, Next())), server, s => s.Enqueue(FakeResponse.FromExchange(streamExchange) with { AbortAfterBodyBytes = streamExchange.Response.Body.Length / 2 }), capture);
        await Run(() => Drain(stratum.GetStreamingResponseAsync(modelId, Next())), server, s => s.Enqueue(FakeResponse.Text($"data: {{\"error\":{{\"message\":\"bad key {canary}\"}}}}\n\ndata: {{not json\n\n", "text/event-stream")), capture);

        // A budget refuses the call before anything is sent.
        var tiny = new ChatOptions { AdditionalProperties = new() { [StratumOptionKeys.Tags] = new[] { "tiny" } } };
        await Run(() => stratum.GetResponseAsync(modelId, Next(), tiny), server, _ => { }, capture);
        Assert.Contains(capture.Exceptions, ex => ex is BudgetExceededException);
        Assert.Contains(capture.Exceptions, ex => ex is AllFallbacksFailedException);
    }

    private static async Task Run(Func<Task> call, FakeProviderServer server, Action<FakeProviderServer> enqueue, Capture capture)
    {
        server.ClearQueue();
        enqueue(server);
        try
        {
            await call();
        }
        catch (Exception ex) when (ex is StratumException or HttpRequestException or OperationCanceledException or InvalidOperationException or System.Text.Json.JsonException)
        {
            capture.Exceptions.Add(ex);
        }
    }

    private static async Task Drain(IAsyncEnumerable<ChatResponseUpdate> updates)
    {
        await foreach (var update in updates)
        {
            Assert.NotNull(update);
        }
    }

    /// <summary>Every StratumAI middleware in a pipeline: each public <see cref="DelegatingChatClient"/> type the client can hand out.</summary>
    private static IEnumerable<object> MiddlewareIn(IChatClient chat) =>
        typeof(StratumClient).Assembly.GetExportedTypes()
            .Where(t => typeof(DelegatingChatClient).IsAssignableFrom(t))
            .Select(t => chat.GetService(t))
            .OfType<object>();

    /// <summary>Collects every text the pipeline produced: log records, spans of every source, metric tags, exceptions.</summary>
    private sealed class Capture : IDisposable
    {
        private readonly ActivityListener _activities;
        private readonly MeterListener _meters;

        public Capture()
        {
            _activities = new ActivityListener
            {
                ShouldListenTo = _ => true,
                Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
                ActivityStopped = Spans.Add,
            };
            ActivitySource.AddActivityListener(_activities);
            _meters = new MeterListener { InstrumentPublished = (instrument, listener) => listener.EnableMeasurementEvents(instrument) };
            _meters.SetMeasurementEventCallback<long>((_, _, tags, _) => RecordTags(tags));
            _meters.SetMeasurementEventCallback<double>((_, _, tags, _) => RecordTags(tags));
            _meters.SetMeasurementEventCallback<int>((_, _, tags, _) => RecordTags(tags));
            _meters.Start();
        }

        public FakeLogCollector Logs { get; } = new();

        public ConcurrentBag<Activity> Spans { get; } = [];

        public ConcurrentBag<string> MetricTags { get; } = [];

        public List<Exception> Exceptions { get; } = [];

        public List<string> Texts { get; } = [];

        public IEnumerable<string> Everything()
        {
            foreach (var record in Logs.GetSnapshot())
            {
                yield return record.ToString();
                yield return record.Message;
                yield return record.Category ?? string.Empty;
                yield return record.Exception?.ToString() ?? string.Empty;
                foreach (var pair in record.StructuredState ?? [])
                {
                    yield return pair.Key + "=" + pair.Value;
                }

                foreach (var scope in record.Scopes)
                {
                    yield return Describe(scope);
                }
            }

            foreach (var exception in Exceptions)
            {
                for (var current = exception; current is not null; current = current.InnerException)
                {
                    yield return current.ToString();
                    yield return current.Message;
                    foreach (DictionaryEntry entry in current.Data)
                    {
                        yield return Describe(entry.Key) + "=" + Describe(entry.Value);
                    }

                    foreach (var property in current.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.GetIndexParameters().Length == 0))
                    {
                        yield return property.Name + "=" + Describe(property.GetValue(current));
                    }
                }
            }

            foreach (var span in Spans)
            {
                yield return span.DisplayName + " " + span.OperationName + " " + span.StatusDescription;
                foreach (var tag in span.TagObjects)
                {
                    yield return tag.Key + "=" + Describe(tag.Value);
                }

                foreach (var e in span.Events)
                {
                    yield return e.Name + " " + string.Join(",", e.Tags.Select(t => t.Key + "=" + Describe(t.Value)));
                }

                foreach (var baggage in span.Baggage)
                {
                    yield return baggage.Key + "=" + baggage.Value;
                }
            }

            foreach (var tags in MetricTags)
            {
                yield return tags;
            }

            foreach (var text in Texts)
            {
                yield return text;
            }
        }

        public void Dispose()
        {
            _activities.Dispose();
            _meters.Dispose();
        }

        private static string Describe(object? value) => value switch
        {
            null => string.Empty,
            string text => text,
            IEnumerable items => string.Join(",", items.Cast<object?>().Select(item => item is IEnumerable and not string ? Describe(item) : item?.ToString())),
            _ => value.ToString() ?? string.Empty,
        };

        private void RecordTags(ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            var text = new StringBuilder();
            foreach (var tag in tags)
            {
                text.Append(tag.Key).Append('=').Append(Describe(tag.Value)).Append(';');
            }

            MetricTags.Add(text.ToString());
        }
    }
}

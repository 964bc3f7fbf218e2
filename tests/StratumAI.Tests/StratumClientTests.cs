using Microsoft.Extensions.AI;
using StratumAI.Testing;
using static StratumAI.Tests.TestCatalog;

namespace StratumAI.Tests;

public sealed class StratumClientTests
{
    private const string OkBody = """{"id":"chatcmpl-ok","object":"chat.completion","created":1700000000,"model":"gpt-4o-2024-08-06","choices":[{"index":0,"message":{"role":"assistant","content":"ok"},"finish_reason":"stop"}],"usage":{"prompt_tokens":10,"completion_tokens":2,"total_tokens":12}}""";

    private static string UniqueEnvVar() => "STRATUM_TEST_KEY_" + Guid.NewGuid().ToString("N").ToUpperInvariant();

    [Fact]
    public async Task MissingKey_ThrowsAuthenticationNamingTheEnvVarBeforeAnyRequest()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.Enqueue(FakeResponse.Json(OkBody));
        var variable = UniqueEnvVar();
        using var client = ClientFor(server, "openai", apiKey: null);
        var model = Model("gpt-4o", Provider("openai", apiKeyEnv: variable), Gpt4oPricing);

        var ex = await Assert.ThrowsAsync<StratumAuthenticationException>(() => client.GetResponseAsync(model, "hi"));

        Assert.Contains(variable, ex.Message);
        Assert.Contains("openai", ex.Message);
        Assert.Equal(variable, ex.ApiKeyEnvironmentVariable);
        Assert.Equal("openai", ex.ProviderId);
        Assert.Null(ex.StatusCode);
        Assert.Empty(server.ReceivedRequests);
    }

    [Fact]
    public async Task KeyFromTheEnvironmentVariableTheCatalogNames_IsSentAsBearer()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.Enqueue(FakeResponse.Json(OkBody));
        var variable = UniqueEnvVar();
        Environment.SetEnvironmentVariable(variable, "sk-from-env-123");
        try
        {
            using var client = ClientFor(server, "openai", apiKey: null);
            var model = Model("gpt-4o", Provider("openai", apiKeyEnv: variable), Gpt4oPricing);

            var response = await client.GetResponseAsync(model, "hi");

            Assert.Equal("ok", response.Text);
            Assert.Equal("Bearer sk-from-env-123", server.ReceivedRequests.Single().GetHeader("Authorization"));
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, null);
        }
    }

    [Fact]
    public async Task OptionsKey_WinsOverTheEnvironmentVariable()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.Enqueue(FakeResponse.Json(OkBody));
        var variable = UniqueEnvVar();
        Environment.SetEnvironmentVariable(variable, "sk-from-env-123");
        try
        {
            using var client = ClientFor(server, "openai", apiKey: "sk-from-options");
            var model = Model("gpt-4o", Provider("openai", apiKeyEnv: variable), Gpt4oPricing);

            await client.GetResponseAsync(model, "hi");

            Assert.Equal("Bearer sk-from-options", server.ReceivedRequests.Single().GetHeader("Authorization"));
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, null);
        }
    }

    [Fact]
    public async Task ProviderWithoutKeyVariable_SendsNoAuthorizationHeader()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.Enqueue(FakeResponse.Json(OkBody));
        using var client = new StratumClient(new StratumClientOptions { Models = new ModelRegistry() });
        var model = Model("llama3.2", Provider("local", baseUrl: server.V1(), apiKeyEnv: null), ModelPricing.Free);

        var response = await client.GetResponseAsync(model, "hi");

        Assert.Equal(CallCost.Zero, response.GetCost());
        Assert.Null(server.ReceivedRequests.Single().GetHeader("Authorization"));
    }

    [Fact]
    public async Task CatalogBaseUrl_IsUsedWhenOptionsDoNotOverrideIt()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.Enqueue(FakeResponse.Json(OkBody));
        var options = new StratumClientOptions { Models = new ModelRegistry() };
        options.Provider("acme").ApiKey = CanaryKey;
        using var client = new StratumClient(options);
        var model = Model("acme-1", Provider("acme", baseUrl: new Uri(server.BaseUri, "openai/v1/")), Gpt4oPricing);

        await client.GetResponseAsync(model, "hi");

        Assert.Equal("/openai/v1/chat/completions", server.ReceivedRequests.Single().Path);
    }

    [Fact]
    public async Task OwnedHttpClient_RenewsPooledConnections_AndStillCalls()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.Enqueue(FakeResponse.Json(OkBody));
        var options = new StratumClientOptions { Models = new ModelRegistry() };
        options.Provider("acme").ApiKey = CanaryKey;
        using var client = new StratumClient(options);
        var model = Model("acme-1", Provider("acme", baseUrl: new Uri(server.BaseUri, "openai/v1/")), Gpt4oPricing);

        await client.GetResponseAsync(model, "hi");

        // An infinite lifetime (HttpClient's default) keeps a connection to an address DNS no longer gives.
        Assert.Equal(TimeSpan.FromMinutes(5), client.OwnedHandler?.PooledConnectionLifetime);
        Assert.Single(server.ReceivedRequests);
    }

    [Fact]
    public void HttpClientPassedIn_IsUsedAsItIs()
    {
        using var http = new HttpClient();
        using var client = new StratumClient(new StratumClientOptions { Models = new ModelRegistry() }, http);

        Assert.Null(client.OwnedHandler);
    }

    [Fact]
    public async Task OptionsBaseUrlAndHeaders_OverrideTheCatalog()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.Enqueue(FakeResponse.Json(OkBody));
        var options = new StratumClientOptions { Models = new ModelRegistry() };
        var acme = options.Provider("acme");
        acme.ApiKey = CanaryKey;
        acme.BaseUrl = new Uri(server.BaseUri, "proxy/v1");
        acme.Headers["OpenAI-Project"] = "proj_42";
        using var client = new StratumClient(options);
        var model = Model("acme-1", Provider("acme", baseUrl: new Uri("https://unreachable.invalid/v1")), Gpt4oPricing);

        await client.GetResponseAsync(model, "hi");

        var request = server.ReceivedRequests.Single();
        Assert.Equal("/proxy/v1/chat/completions", request.Path);
        Assert.Equal("proj_42", request.GetHeader("OpenAI-Project"));
    }

    [Fact]
    public void NoBaseUrlAnywhere_ThrowsInvalidOperationNamingTheConfigurationKey()
    {
        var options = new StratumClientOptions { Models = new ModelRegistry() };
        options.Provider("acme").ApiKey = CanaryKey;
        using var client = new StratumClient(options);
        var model = Model("acme-1", Provider("acme", baseUrl: null), Gpt4oPricing);

        var ex = Assert.Throws<InvalidOperationException>(() => client.GetChatClient(model));

        Assert.Contains("StratumAI:Providers:acme:BaseUrl", ex.Message);
    }

    [Fact]
    public void UnknownDialect_ThrowsNotSupportedNamingTheDialect()
    {
        using var client = new StratumClient(new StratumClientOptions { Models = new ModelRegistry() });
        var model = Model("x-1", Provider("acme", baseUrl: new Uri("https://llm.acme.example/v1"), dialect: "klingon"), Gpt4oPricing);

        var ex = Assert.Throws<NotSupportedException>(() => client.GetChatClient(model));

        Assert.Contains("'klingon'", ex.Message);
        Assert.Contains("openai, openai-responses, anthropic, gemini, ollama", ex.Message);
    }

    [Fact]
    public void GetChatClient_CachesOneClientPerModel()
    {
        var options = new StratumClientOptions { Models = new ModelRegistry() };
        options.Provider("openai").ApiKey = CanaryKey;
        using var client = new StratumClient(options);
        var provider = Provider("openai", baseUrl: new Uri("http://127.0.0.1:9/v1"));
        var a = Model("gpt-4o", provider, Gpt4oPricing);
        var b = Model("gpt-4o-mini", provider, Gpt4oPricing);

        var clients = Enumerable.Range(0, 16).AsParallel().Select(_ => client.GetChatClient(a)).Distinct().ToList();

        Assert.Single(clients);
        Assert.NotSame(clients[0], client.GetChatClient(b));
        Assert.Same(a, clients[0].GetService<ModelInfo>());
    }

    [Fact]
    public async Task ModelIdOrAlias_ResolvesThroughTheRegistry()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.Enqueue(FakeResponse.Json(OkBody));
        using var client = ClientFor(server, "openai");
        var model = Model("gpt-4o", Provider("openai"), Gpt4oPricing, aliases: ["gpt-4o-2024-08-06"]);
        client.Models.Register([model]);

        var response = await client.GetResponseAsync("gpt-4o-2024-08-06", [new ChatMessage(ChatRole.User, "hi")]);

        Assert.Same(model, response.GetModelInfo());
        Assert.Equal("gpt-4o", (string?)Json(server.ReceivedRequests.Single().Body)!["model"]);
        // 10 × 2.50 / 1M = 0.000025; 2 × 10 / 1M = 0.00002.
        Assert.Equal(0.000045m, response.GetCost()!.Total);
    }

    [Fact]
    public void UnknownModelId_ThrowsModelNotFoundNamingTheId()
    {
        using var client = new StratumClient(new StratumClientOptions { Models = new ModelRegistry() });

        var ex = Assert.Throws<StratumModelNotFoundException>(() => client.GetChatClient("gpt-7-ultra"));

        Assert.Contains("'gpt-7-ultra'", ex.Message);
        Assert.Equal("gpt-7-ultra", ex.ModelId);
    }

    [Fact]
    public async Task Cancellation_IsHonouredWhileWaitingForTheProvider()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.Enqueue(FakeResponse.Json(OkBody) with { DelayBeforeHeaders = TimeSpan.FromSeconds(30) });
        using var client = ClientFor(server, "openai");
        var model = Model("gpt-4o", Provider("openai"), Gpt4oPricing);
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        var started = System.Diagnostics.Stopwatch.StartNew();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.GetResponseAsync(model, "hi", cancellationToken: cts.Token));

        Assert.True(started.Elapsed < TimeSpan.FromSeconds(10), $"Cancellation took {started.Elapsed}.");
    }

    [Fact]
    public async Task AlreadyCancelledToken_SendsNothing()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.Enqueue(FakeResponse.Json(OkBody));
        using var client = ClientFor(server, "openai");
        var model = Model("gpt-4o", Provider("openai"), Gpt4oPricing);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.GetResponseAsync(model, "hi", cancellationToken: new CancellationToken(true)));

        Assert.Empty(server.ReceivedRequests);
    }

    [Fact]
    public async Task Timeout_ThrowsStratumTimeoutNotCancellation()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.Enqueue(FakeResponse.Json(OkBody) with { DelayBeforeHeaders = TimeSpan.FromSeconds(30) });
        using var client = ClientFor(server, "openai", configure: o => o.Timeout = TimeSpan.FromMilliseconds(200));
        var model = Model("gpt-4o", Provider("openai"), Gpt4oPricing);

        var ex = await Assert.ThrowsAsync<StratumTimeoutException>(() => client.GetResponseAsync(model, "hi"));

        Assert.Equal(TimeSpan.FromMilliseconds(200), ex.Timeout);
        Assert.True(ex.IsRetryable);
        Assert.Equal("gpt-4o", ex.ModelId);
    }

    [Fact]
    public void OptionsToString_ShowsNeitherKeysNorHeaderValues()
    {
        var options = new StratumClientOptions();
        options.Provider("openai").ApiKey = CanaryKey;
        options.Provider("openai").Headers["X-Secret-Header"] = "header-secret-value";
        options.Provider("deepseek").BaseUrl = new Uri("https://api.deepseek.com/v1");
        using var client = new StratumClient(options);

        var text = options.ToString();

        Assert.DoesNotContain(CanaryKey, text);
        Assert.DoesNotContain("header-secret-value", text);
        Assert.Contains("X-Secret-Header", text);
        Assert.Contains("openai", text);
        Assert.Contains("https://api.deepseek.com/v1", text);
        Assert.DoesNotContain(CanaryKey, client.ToString());
        Assert.DoesNotContain(CanaryKey, options.Provider("openai").ToString());
    }

    [Fact]
    public async Task CanaryKey_NeverAppearsInAnyExceptionOrClientText()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.Enqueue(FakeResponse.Json("""{"error":{"message":"bad key","code":"invalid_api_key"}}""", 401));
        server.Enqueue(FakeResponse.Json("not json at all"));
        server.Enqueue(FakeResponse.Disconnect());
        using var client = ClientFor(server, "openai");
        var model = Model("gpt-4o", Provider("openai"), Gpt4oPricing);
        var chat = client.GetChatClient(model);

        var errors = new List<Exception>();
        for (var i = 0; i < 3; i++)
        {
            errors.Add(await Assert.ThrowsAnyAsync<StratumException>(() => client.GetResponseAsync(model, "hi")));
        }

        Assert.Collection(errors,
            e => Assert.IsType<StratumAuthenticationException>(e),
            e => Assert.IsType<StratumInvalidResponseException>(e),
            e => Assert.IsType<StratumProviderUnavailableException>(e));
        Assert.All(errors, e => Assert.DoesNotContain(CanaryKey, e.ToString()));
        Assert.DoesNotContain(CanaryKey, chat.ToString());
        Assert.DoesNotContain(CanaryKey, chat.GetService<ChatClientMetadata>()!.ProviderUri!.ToString());
    }

    [Fact]
    public void Dispose_MakesLaterCallsFailWithObjectDisposed()
    {
        var client = new StratumClient(new StratumClientOptions { Models = new ModelRegistry() });
        client.Dispose();
        var model = Model("gpt-4o", Provider("openai", baseUrl: new Uri("http://127.0.0.1:9/v1")), Gpt4oPricing);

        Assert.Throws<ObjectDisposedException>(() => client.GetChatClient(model));
    }

    [Fact]
    public async Task InstructionsOption_IsSentAsALeadingSystemMessage()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.Enqueue(FakeResponse.Json(OkBody));
        using var client = ClientFor(server, "openai");
        var model = Model("gpt-4o", Provider("openai"), Gpt4oPricing);

        await client.GetResponseAsync(model, "hi", new ChatOptions { Instructions = "Be brief." });

        var messages = Json(server.ReceivedRequests.Single().Body)!["messages"]!.AsArray();
        Assert.Equal("system", (string?)messages[0]!["role"]);
        Assert.Equal("Be brief.", (string?)messages[0]!["content"]);
        Assert.Equal("user", (string?)messages[1]!["role"]);
    }

    [Fact]
    public async Task ConcurrentCalls_ShareOneModelClientAndEachGetItsOwnAnswer()
    {
        await using var server = await FakeProviderServer.StartAsync();
        for (var i = 0; i < 8; i++)
        {
            server.Enqueue(FakeResponse.Json(OkBody.Replace("\"content\":\"ok\"", $"\"content\":\"answer {i}\"")));
        }

        using var client = ClientFor(server, "openai");
        var model = Model("gpt-4o", Provider("openai"), Gpt4oPricing);

        var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => client.GetResponseAsync(model, $"question {i}")));

        Assert.Equal(Enumerable.Range(0, 8).Select(i => $"answer {i}").Order(), responses.Select(r => r.Text).Order());
        Assert.All(responses, r => Assert.Equal(0.000045m, r.GetCost()!.Total));
        Assert.Equal(8, server.ReceivedRequests.Count);
    }

    [Fact]
    public async Task StreamingByModelId_ResolvesThroughTheRegistryAndCarriesCost()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.Enqueue(FakeResponse.Text(
            "data: {\"id\":\"c1\",\"model\":\"gpt-4o\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"Hi\"}}]}\n\n" +
            "data: {\"id\":\"c1\",\"model\":\"gpt-4o\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n" +
            "data: {\"id\":\"c1\",\"model\":\"gpt-4o\",\"choices\":[],\"usage\":{\"prompt_tokens\":10,\"completion_tokens\":2,\"total_tokens\":12}}\n\n" +
            "data: [DONE]\n\n",
            "text/event-stream"));
        using var client = ClientFor(server, "openai");
        client.Models.Register([Model("gpt-4o", Provider("openai"), Gpt4oPricing)]);

        var response = await client.GetStreamingResponseAsync("gpt-4o", [new ChatMessage(ChatRole.User, "hi")]).ToChatResponseAsync();

        Assert.Equal("Hi", response.Text);
        Assert.Equal(ChatFinishReason.Stop, response.FinishReason);
        // 10 × 2.50 / 1M = 0.000025; 2 × 10 / 1M = 0.00002.
        Assert.Equal(0.000045m, response.GetCost()!.Total);
    }
}

using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace StratumAI.Testing.Tests;

public class FakeProviderServerTests
{
    [Fact]
    public async Task EnqueueFixture_OpenAiChatJson_ReplaysBodyByteForByte()
    {
        await using var server = await FakeProviderServer.StartAsync();
        var path = FixtureLoader.GetFixturePath("openai/chat__vercel-ai-openai__openai-text.json");
        server.EnqueueFixture(path);
        using var http = new HttpClient { BaseAddress = server.BaseUri };

        using var response = await http.PostAsync("v1/chat/completions", new StringContent("{\"model\":\"gpt-4.1-nano\"}", Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(File.ReadAllBytes(path), await response.Content.ReadAsByteArrayAsync());
        Assert.Equal(0, server.PendingResponseCount);
    }

    [Fact]
    public async Task BatchOutputFile_IsRefusedByEnqueueFixtureAndServedAsTheDownloadBody()
    {
        await using var server = await FakeProviderServer.StartAsync();
        const string fixture = "openai/batch__langbatch__embedding_batch_results.jsonl";
        Assert.Throws<NotAnHttpRecordingException>(() => server.EnqueueFixture(fixture));
        Assert.Equal(0, server.PendingResponseCount);

        var batch = FixtureLoader.LoadBatchResults(fixture);
        server.Enqueue(FakeResponse.Text(batch.Text, "application/octet-stream"), pathEndsWith: "/content");
        using var http = new HttpClient { BaseAddress = server.BaseUri };

        var downloaded = await http.GetByteArrayAsync("v1/files/file-abc/content");

        Assert.Equal(File.ReadAllBytes(FixtureLoader.GetFixturePath(fixture)), downloaded);
    }

    [Fact]
    public async Task ReceivedRequests_RecordsMethodPathHeadersAndPostedBody()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.EnqueueFixture("openai/chat__vercel-ai-openai__openai-text.json");
        using var http = new HttpClient { BaseAddress = server.BaseUri };
        using var request = new HttpRequestMessage(HttpMethod.Post, "v1/chat/completions?api-version=2024-10-21")
        {
            Content = new StringContent("{\"messages\":[{\"role\":\"user\",\"content\":\"héllo\"}]}", Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "test-key");

        using var response = await http.SendAsync(request);

        var received = Assert.Single(server.ReceivedRequests);
        Assert.Equal("POST", received.Method);
        Assert.Equal("/v1/chat/completions?api-version=2024-10-21", received.PathAndQuery);
        Assert.Equal("/v1/chat/completions", received.Path);
        Assert.Equal("{\"messages\":[{\"role\":\"user\",\"content\":\"héllo\"}]}", received.Body);
        Assert.Equal("Bearer test-key", received.GetHeader("authorization"));
        Assert.StartsWith("application/json", received.GetHeader("content-type"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task EmptyQueue_Answers599WithJsonErrorNamingTheRequest()
    {
        await using var server = await FakeProviderServer.StartAsync();
        using var http = new HttpClient { BaseAddress = server.BaseUri };

        using var response = await http.PostAsync("v1/messages", new StringContent("{}"));

        Assert.Equal(599, (int)response.StatusCode);
        using var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var message = error.RootElement.GetProperty("error").GetProperty("message").GetString();
        Assert.Contains("no response was queued for POST /v1/messages", message, StringComparison.Ordinal);
        Assert.Equal("fake_server_queue_empty", error.RootElement.GetProperty("error").GetProperty("type").GetString());
        Assert.Single(server.ReceivedRequests);
    }

    [Fact]
    public async Task StartAsync_BindsLoopbackOnly()
    {
        await using var server = await FakeProviderServer.StartAsync();

        Assert.Equal("127.0.0.1", server.BaseUri.Host);
        Assert.EndsWith("/", server.BaseUri.AbsoluteUri, StringComparison.Ordinal);
        Assert.True(IPAddress.IsLoopback(server.ListeningEndPoint.Address));
        Assert.Equal(server.BaseUri.Port, server.ListeningEndPoint.Port);
        Assert.NotEqual(0, server.BaseUri.Port);
    }

    [Fact]
    public async Task EnqueueFixture_HttprrStream_PassesRecordedHeadersThroughAndDropsFraming()
    {
        await using var server = await FakeProviderServer.StartAsync();
        var exchange = Assert.Single(server.EnqueueFixture("openai/stream__langchaingo__TestClient_CreateChatCompletionStream.httprr"));
        using var http = new HttpClient { BaseAddress = server.BaseUri };

        using var response = await http.PostAsync("v1/chat/completions", new StringContent("{}"));
        var body = await response.Content.ReadAsByteArrayAsync();

        Assert.Equal("req_87b8e5a94cce414688e29d59b127eb67", response.Headers.GetValues("x-request-id").Single());
        Assert.Equal("9999", response.Headers.GetValues("x-ratelimit-remaining-requests").Single());
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(exchange.Response.Body.ToArray(), body);
        Assert.Equal(body.Length, response.Content.Headers.ContentLength);
    }

    [Fact]
    public async Task EnqueueFixture_PydanticJsonBody_SendsContentLengthOfReencodedBody()
    {
        await using var server = await FakeProviderServer.StartAsync();
        var exchange = Assert.Single(server.EnqueueFixture("openai/chat__pydantic-ai__test_openai_instructions.yaml"));
        using var http = new HttpClient { BaseAddress = server.BaseUri };

        using var response = await http.PostAsync("v1/chat/completions", new StringContent("{}"));
        var body = await response.Content.ReadAsStringAsync();

        // The cassette recorded content-length 832 for the provider's own formatting; the replay must not lie about its body.
        Assert.Equal("832", exchange.Response.GetHeader("content-length"));
        Assert.Equal(Encoding.UTF8.GetByteCount(body), response.Content.Headers.ContentLength);
        Assert.Equal("pydantic-28gund", response.Headers.GetValues("openai-organization").Single());
        using var json = JsonDocument.Parse(body);
        Assert.Equal(32, json.RootElement.GetProperty("usage").GetProperty("total_tokens").GetInt32());
    }

    [Fact]
    public async Task EnqueueFixture_MultiExchangeCassette_ServesExchangesInRecordedOrder()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.EnqueueFixture("openai/error__crewai__test_llm_call_with_error.yaml");
        using var http = new HttpClient { BaseAddress = server.BaseUri };

        using var first = await http.PostAsync("v1/chat/completions", new StringContent("{}"));
        using var second = await http.PostAsync("v1/chat/completions", new StringContent("{}"));

        Assert.Equal(HttpStatusCode.NotFound, first.StatusCode);
        Assert.Equal("req_9441b7808a504cc8abfc6276fd5c7721", first.Headers.GetValues("x-request-id").Single());
        Assert.Equal(HttpStatusCode.Unauthorized, second.StatusCode);
        Assert.Equal(2, server.ReceivedRequests.Count);
    }

    [Fact]
    public async Task Enqueue_RateLimitWithRetryAfter_ClientSeesStatusAndHeader()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.Enqueue(FakeResponse.Json("{\"error\":{\"type\":\"rate_limit_error\"}}", 429).WithHeader("retry-after", "2"));
        using var http = new HttpClient { BaseAddress = server.BaseUri };

        using var response = await http.PostAsync("v1/messages", new StringContent("{}"));

        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(2), response.Headers.RetryAfter?.Delta);
    }

    [Fact]
    public async Task AbortAfterBodyBytes_ClientReadsExactlyThoseBytesThenGetsAnIOException()
    {
        await using var server = await FakeProviderServer.StartAsync();
        var exchange = FixtureLoader.Load("openai/stream__langchaingo__TestClient_CreateChatCompletionStream.httprr")[0];
        server.Enqueue(FakeResponse.FromExchange(exchange) with { AbortAfterBodyBytes = 100 });
        using var http = new HttpClient { BaseAddress = server.BaseUri };
        using var request = new HttpRequestMessage(HttpMethod.Post, "v1/chat/completions") { Content = new StringContent("{}") };

        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        await using var stream = await response.Content.ReadAsStreamAsync();
        var received = new MemoryStream();
        var buffer = new byte[16];
        var error = await Assert.ThrowsAnyAsync<IOException>(async () =>
        {
            int read;
            while ((read = await stream.ReadAsync(buffer)) > 0)
            {
                received.Write(buffer, 0, read);
            }
        });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(exchange.Response.Body.Length, response.Content.Headers.ContentLength);
        Assert.Equal(exchange.Response.Body[..100].ToArray(), received.ToArray());
        Assert.NotNull(error);
    }

    [Fact]
    public async Task AbortAfterBodyBytes_BufferedClientGetsHttpRequestException()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.Enqueue(FakeResponse.Json("{\"choices\":[{\"message\":{\"content\":\"truncated\"}}]}") with { AbortAfterBodyBytes = 10 });
        using var http = new HttpClient { BaseAddress = server.BaseUri };

        await Assert.ThrowsAsync<HttpRequestException>(() => http.PostAsync("v1/chat/completions", new StringContent("{}")));
    }

    [Fact]
    public async Task DelayBeforeHeaders_HoldsTheResponseBack()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.Enqueue(FakeResponse.Json("{}") with { DelayBeforeHeaders = TimeSpan.FromMilliseconds(400) });
        using var http = new HttpClient { BaseAddress = server.BaseUri };
        var clock = System.Diagnostics.Stopwatch.StartNew();

        using var response = await http.PostAsync("v1/chat/completions", new StringContent("{}"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(380), $"answered after {clock.Elapsed}");
    }

    [Fact]
    public async Task DelayBeforeHeaders_ClientCancellationEndsTheCallPromptly()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.Enqueue(FakeResponse.Json("{}") with { DelayBeforeHeaders = TimeSpan.FromSeconds(30) });
        using var http = new HttpClient { BaseAddress = server.BaseUri };
        using var cancellation = new CancellationTokenSource();
        var call = http.PostAsync("v1/chat/completions", new StringContent("{}"), cancellation.Token);

        // Cancel only once the server holds the request, so a slow machine cannot cancel before it is sent.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (server.ReceivedRequests.Count == 0 && DateTime.UtcNow < deadline && !call.IsCompleted)
        {
            await Task.Delay(10);
        }

        Assert.Single(server.ReceivedRequests);
        Assert.False(call.IsCompleted, "the server answered although its headers were held back for 30 s");
        var clock = System.Diagnostics.Stopwatch.StartNew();
        cancellation.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"cancelled after {clock.Elapsed}");
    }

    [Fact]
    public async Task Disconnect_ClientGetsHttpRequestException()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.Enqueue(FakeResponse.Disconnect());
        using var http = new HttpClient { BaseAddress = server.BaseUri };

        await Assert.ThrowsAsync<HttpRequestException>(() => http.PostAsync("v1/chat/completions", new StringContent("{}")));
        Assert.Single(server.ReceivedRequests);
    }

    [Fact]
    public async Task ChunkSize_StreamsBodyInPiecesWithDelays()
    {
        await using var server = await FakeProviderServer.StartAsync();
        var exchange = FixtureLoader.Load("anthropic/stream__vercel-ai-anthropic__anthropic-text.chunks.txt")[0];
        var half = (exchange.Response.Body.Length / 2) + 1;
        server.Enqueue(FakeResponse.FromExchange(exchange) with { ChunkSize = half, DelayBetweenChunks = TimeSpan.FromMilliseconds(1000) });
        using var http = new HttpClient { BaseAddress = server.BaseUri };
        using var request = new HttpRequestMessage(HttpMethod.Post, "v1/messages") { Content = new StringContent("{}") };
        var clock = System.Diagnostics.Stopwatch.StartNew();

        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        await using var stream = await response.Content.ReadAsStreamAsync();
        var first = new byte[half];
        var firstRead = await stream.ReadAtLeastAsync(first, half);
        var firstAt = clock.Elapsed;
        var rest = new MemoryStream();
        await stream.CopyToAsync(rest);
        var doneAt = clock.Elapsed;

        Assert.Equal(half, firstRead);
        Assert.True(response.Headers.TransferEncodingChunked);
        Assert.Equal(exchange.Response.Body.ToArray(), first.Concat(rest.ToArray()).ToArray());
        Assert.True(doneAt - firstAt >= TimeSpan.FromMilliseconds(500), $"first piece at {firstAt}, end at {doneAt}");
    }

    [Fact]
    public async Task PathEndsWith_ServesQueuedResponseOnlyToMatchingPath()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.Enqueue(FakeResponse.Json("{\"kind\":\"embeddings\"}"), pathEndsWith: "/embeddings");
        server.Enqueue(FakeResponse.Json("{\"kind\":\"chat\"}"));
        using var http = new HttpClient { BaseAddress = server.BaseUri };

        using var chat = await http.PostAsync("v1/chat/completions", new StringContent("{}"));
        using var unmatched = await http.PostAsync("v1/responses", new StringContent("{}"));
        using var embeddings = await http.PostAsync("v1/embeddings?x=1", new StringContent("{}"));

        Assert.Equal("{\"kind\":\"chat\"}", await chat.Content.ReadAsStringAsync());
        Assert.Equal(599, (int)unmatched.StatusCode);
        Assert.Equal("{\"kind\":\"embeddings\"}", await embeddings.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task ConcurrentRequests_EachQueuedResponseIsServedExactlyOnce()
    {
        await using var server = await FakeProviderServer.StartAsync();
        const int count = 24;
        for (var i = 0; i < count; i++)
        {
            server.Enqueue(FakeResponse.Json($"{{\"n\":{i}}}"));
        }

        using var http = new HttpClient { BaseAddress = server.BaseUri };
        var bodies = await Task.WhenAll(Enumerable.Range(0, count).Select(async i =>
        {
            using var response = await http.PostAsync("v1/chat/completions", new StringContent($"{{\"request\":{i}}}"));
            return await response.Content.ReadAsStringAsync();
        }));

        Assert.Equal(Enumerable.Range(0, count).Select(i => $"{{\"n\":{i}}}").Order(StringComparer.Ordinal), bodies.Order(StringComparer.Ordinal));
        Assert.Equal(count, server.ReceivedRequests.Count);
        Assert.Equal(count, server.ReceivedRequests.Select(r => r.Body).Distinct().Count());
        Assert.Equal(0, server.PendingResponseCount);
    }

    [Fact]
    public async Task DisposeAsync_WhileAResponseIsDelayed_StopsPromptly()
    {
        var server = await FakeProviderServer.StartAsync();
        server.Enqueue(FakeResponse.Json("{}") with { DelayBeforeHeaders = TimeSpan.FromSeconds(60) });
        using var http = new HttpClient { BaseAddress = server.BaseUri };
        var pending = http.PostAsync("v1/chat/completions", new StringContent("{}"));
        while (server.ReceivedRequests.Count == 0)
        {
            await Task.Delay(10);
        }

        var clock = System.Diagnostics.Stopwatch.StartNew();
        await server.DisposeAsync();

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"stopped after {clock.Elapsed}");
        await Assert.ThrowsAsync<HttpRequestException>(() => pending);
        Assert.Throws<ObjectDisposedException>(() => server.Enqueue(FakeResponse.Json("{}")));
    }

    [Fact]
    public async Task Enqueue_InvalidFault_ThrowsArgumentOutOfRange()
    {
        await using var server = await FakeProviderServer.StartAsync();

        Assert.Throws<ArgumentOutOfRangeException>(() => server.Enqueue(FakeResponse.Json("{}") with { ChunkSize = -1 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => server.Enqueue(FakeResponse.Json("{}") with { AbortAfterBodyBytes = -5 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => server.Enqueue(FakeResponse.Status(42)));
        Assert.Equal(0, server.PendingResponseCount);
    }

    [Fact]
    public async Task StartAsync_NonLoopbackAddressesRefuseConnections()
    {
        await using var server = await FakeProviderServer.StartAsync();
        var others = System.Net.NetworkInformation.NetworkInterface.GetAllNetworkInterfaces()
            .SelectMany(n => n.GetIPProperties().UnicastAddresses)
            .Select(a => a.Address)
            .Where(a => !IPAddress.IsLoopback(a) && a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork)
            .ToList();

        foreach (var address in others)
        {
            using var client = new System.Net.Sockets.TcpClient();
            await Assert.ThrowsAsync<System.Net.Sockets.SocketException>(() => client.ConnectAsync(address, server.ListeningEndPoint.Port));
        }

        using var loopback = new System.Net.Sockets.TcpClient();
        await loopback.ConnectAsync(IPAddress.Loopback, server.ListeningEndPoint.Port);
        Assert.True(loopback.Connected);
    }

    [Fact]
    public async Task EnqueueRecordedExchange_AnthropicSseStream_ArrivesAsRecordedEvents()
    {
        await using var server = await FakeProviderServer.StartAsync();
        var exchange = FixtureLoader.Load("anthropic/stream__pydantic-ai__test_anthropic_model_thinking_part_stream.yaml")[0];
        server.Enqueue(exchange, pathEndsWith: "/v1/messages");
        using var http = new HttpClient { BaseAddress = server.BaseUri };

        using var response = await http.PostAsync("v1/messages", new StringContent("{}"));
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(exchange.Response.BodyText, text);
        Assert.Contains("thinking_delta", text, StringComparison.Ordinal);
        Assert.Equal(118, FixtureLoaderTests.SseData(text).Count());
        Assert.Equal(118, text.Split('\n').Count(l => l.StartsWith("event: ", StringComparison.Ordinal)));
        Assert.Contains("event: ping\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Status204_IsSentWithoutABody()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.Enqueue(FakeResponse.Status(204));
        server.Enqueue(FakeResponse.Status(503).WithHeader("retry-after", "1"));
        using var http = new HttpClient { BaseAddress = server.BaseUri };

        using var noContent = await http.DeleteAsync("v1/files/file-1");
        using var unavailable = await http.PostAsync("v1/chat/completions", new StringContent("{}"));

        Assert.Equal(HttpStatusCode.NoContent, noContent.StatusCode);
        Assert.Empty(await noContent.Content.ReadAsByteArrayAsync());
        Assert.Equal(HttpStatusCode.ServiceUnavailable, unavailable.StatusCode);
        Assert.Equal(0, unavailable.Content.Headers.ContentLength);
        Assert.Equal("DELETE", server.ReceivedRequests[0].Method);
    }
}

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
}

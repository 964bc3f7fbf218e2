using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace StratumAI.Benchmarks;

// Minimal hand-written Chat Completions DTOs: what a careful developer writes when calling the API by hand
// with System.Text.Json source generation. Unknown fields are skipped by the serializer.

internal sealed class BenchRequest
{
    [JsonPropertyName("model")]
    public required string Model { get; init; }

    [JsonPropertyName("messages")]
    public required BenchRequestMessage[] Messages { get; init; }

    [JsonPropertyName("stream")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool Stream { get; init; }
}

internal sealed class BenchRequestMessage
{
    [JsonPropertyName("role")]
    public required string Role { get; init; }

    [JsonPropertyName("content")]
    public required string Content { get; init; }
}

internal sealed class BenchCompletion
{
    [JsonPropertyName("id")]
    public string? Id { get; set; }

    [JsonPropertyName("model")]
    public string? Model { get; set; }

    [JsonPropertyName("choices")]
    public List<BenchChoice>? Choices { get; set; }

    [JsonPropertyName("usage")]
    public BenchUsage? Usage { get; set; }
}

internal sealed class BenchChoice
{
    [JsonPropertyName("message")]
    public BenchMessage? Message { get; set; }

    [JsonPropertyName("delta")]
    public BenchMessage? Delta { get; set; }

    [JsonPropertyName("finish_reason")]
    public string? FinishReason { get; set; }
}

internal sealed class BenchMessage
{
    [JsonPropertyName("role")]
    public string? Role { get; set; }

    [JsonPropertyName("content")]
    public string? Content { get; set; }
}

internal sealed class BenchUsage
{
    [JsonPropertyName("prompt_tokens")]
    public int PromptTokens { get; set; }

    [JsonPropertyName("completion_tokens")]
    public int CompletionTokens { get; set; }

    [JsonPropertyName("total_tokens")]
    public int TotalTokens { get; set; }
}

[JsonSerializable(typeof(BenchRequest))]
[JsonSerializable(typeof(BenchCompletion))]
internal sealed partial class BenchJsonContext : JsonSerializerContext;

/// <summary>The result every variant reduces its answer to, so setup can check they all read the same thing.</summary>
public readonly record struct CallResult(string Text, long InputTokens, long OutputTokens);

/// <summary>
/// A Kestrel endpoint on 127.0.0.1 that answers every <c>POST /v1/chat/completions</c> with the same bytes:
/// no queue, no request recording, nothing but writing the recorded body, so the server costs the same for every client.
/// </summary>
internal sealed class LoopbackServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private LoopbackServer(WebApplication app, Uri baseUri)
    {
        _app = app;
        BaseUri = baseUri;
    }

    /// <summary>The API base, <c>http://127.0.0.1:{port}/v1</c>.</summary>
    public Uri BaseUri { get; }

    public static async Task<LoopbackServer> StartAsync(byte[] body, string contentType)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(options => options.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        app.MapPost("/v1/chat/completions", context =>
        {
            context.Response.StatusCode = 200;
            context.Response.ContentType = contentType;
            context.Response.ContentLength = body.Length;
            return context.Response.Body.WriteAsync(body).AsTask();
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new LoopbackServer(app, new Uri(address.TrimEnd('/') + "/v1"));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>Answers every request with the same bytes from memory (a <see cref="MemoryStream"/> behind the content): no sockets at all.</summary>
internal sealed class ReplayHandler(byte[] body, string mediaType) : HttpMessageHandler
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
        return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = content, RequestMessage = request });
    }
}

internal static class Check
{
    public static void Equal<T>(T expected, T actual, string what)
    {
        if (!EqualityComparer<T>.Default.Equals(expected, actual))
        {
            throw new InvalidOperationException($"Benchmark setup check failed: {what}: expected <{expected}>, got <{actual}>.");
        }
    }
}

using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.AI;
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

/// <summary>
/// What the HTTP benchmarks call and how: the model (the catalog's gpt-4.1-nano prices), the key, the prompt, a
/// <see cref="StratumClient"/> aimed at a loopback server, and the hand-written baseline call.
/// </summary>
internal static class BenchCatalog
{
    public const string ModelId = "gpt-4.1-nano";
    public const string ApiKey = "sk-benchmark-not-a-real-key";
    public const string Prompt = "Invent a new holiday and describe its traditions.";

    /// <summary>gpt-4.1-nano on an OpenAI provider whose base URL the options override, as a user pointing at a proxy would.</summary>
    public static ModelInfo Gpt41Nano { get; } = new(
        ModelId,
        "Gpt41Nano",
        new ProviderInfo("openai", "OpenAI", "openai", "https://api.openai.com/v1", "OPENAI_API_KEY"),
        null,
        1_047_576,
        32_768,
        new ModelPricing(0.10m, 0.40m, 0.025m),
        ModelCapabilities.None);

    /// <summary>A client for <see cref="Gpt41Nano"/> sending to <paramref name="baseUri"/> through <paramref name="http"/>.</summary>
    public static StratumClient Client(Uri baseUri, HttpClient http, Action<ChatClientBuilder>? pipeline = null)
    {
        var options = new StratumClientOptions { Models = new ModelRegistry(), Pipeline = pipeline };
        options.Models.Register([Gpt41Nano]);
        options.Provider("openai").ApiKey = ApiKey;
        options.Provider("openai").BaseUrl = baseUri;
        return new StratumClient(options, http);
    }

    /// <summary>The baseline: POST a source-generated request DTO to <paramref name="endpoint"/>, read a source-generated response DTO.</summary>
    public static async Task<CallResult> HandWrittenAsync(HttpClient http, Uri endpoint)
    {
        var request = new BenchRequest { Model = ModelId, Messages = [new BenchRequestMessage { Role = "user", Content = Prompt }] };
        var content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(request, BenchJsonContext.Default.BenchRequest));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var message = new HttpRequestMessage(HttpMethod.Post, endpoint) { Content = content };
        message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", ApiKey);
        using var response = await http.SendAsync(message).ConfigureAwait(false);
        response.EnsureSuccessStatusCode();
        var completion = await response.Content.ReadFromJsonAsync(BenchJsonContext.Default.BenchCompletion).ConfigureAwait(false)
            ?? throw new InvalidOperationException("Empty body.");
        var usage = completion.Usage ?? throw new InvalidOperationException("No usage.");
        return new CallResult(completion.Choices![0].Message!.Content!, usage.PromptTokens, usage.CompletionTokens);
    }
}

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

    public static Task<LoopbackServer> StartAsync(byte[] body, string contentType) =>
        StartAsync(("/v1/chat/completions", body, contentType));

    /// <summary>A server answering each <c>POST</c> path with its bytes; <see cref="BaseUri"/> is <c>/v1</c> under it.</summary>
    public static async Task<LoopbackServer> StartAsync(params (string Path, byte[] Body, string ContentType)[] routes)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(options => options.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        foreach (var (path, body, contentType) in routes)
        {
            app.MapPost(path, context =>
            {
                context.Response.StatusCode = 200;
                context.Response.ContentType = contentType;
                context.Response.ContentLength = body.Length;
                return context.Response.Body.WriteAsync(body).AsTask();
            });
        }

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

using System.ClientModel;
using System.ClientModel.Primitives;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.AI;
using OpenAI;
using OpenAI.Chat;
using StratumAI.Dialects;
using MeaiChatMessage = Microsoft.Extensions.AI.ChatMessage;
using MeaiChatRole = Microsoft.Extensions.AI.ChatRole;
using OpenAIChatMessage = OpenAI.Chat.ChatMessage;

namespace StratumAI.Benchmarks;

/// <summary>
/// One non-streaming Chat Completions call, four ways, all against the same Kestrel endpoint on 127.0.0.1 that
/// answers with the same recorded OpenAI response (<c>chat__vercel-ai-openai__openai-text.json</c>, 2.9 KB):
/// a hand-written <see cref="HttpClient"/> + source-generated System.Text.Json call (the baseline),
/// <see cref="StratumClient"/> (cost included), the official <c>OpenAI</c> package and
/// <c>Microsoft.Extensions.AI.OpenAI</c>. Every client has its own <see cref="HttpClient"/> with a default handler,
/// sends the same one-message conversation and the same bearer key, and reads the answer text and token usage.
/// <c>HandWritten_ViaString</c> and <c>Stratum_DialectOnly</c> are diagnostic rows: the baseline reading the body as a
/// string first (as the dialect does), and the OpenAI dialect client without StratumClient's per-model
/// wrapper (timeout and cost), to show where StratumClient's overhead sits.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 5, iterationCount: 15, id: "Bench")]
[MedianColumn]
public class HttpCallBenchmarks
{
    private const string ModelId = BenchCatalog.ModelId;
    private const string ApiKey = BenchCatalog.ApiKey;
    private const string Prompt = BenchCatalog.Prompt;

    private LoopbackServer _server = null!;
    private Uri _endpoint = null!;
    private HttpClient _handWrittenHttp = null!;
    private HttpClient _stratumHttp = null!;
    private HttpClient _dialectHttp = null!;
    private HttpClient _openAIHttp = null!;
    private HttpClient _meaiHttp = null!;
    private StratumClient _stratum = null!;
    private ModelInfo _model = null!;
    private OpenAIChatCompletionsClient _dialect = null!;
    private ChatClient _openAI = null!;
    private IChatClient _meai = null!;
    private MeaiChatMessage[] _meaiMessages = null!;
    private OpenAIChatMessage[] _openAIMessages = null!;
    private CallResult _expected;

    [GlobalSetup]
    public async Task Setup()
    {
        var body = await File.ReadAllBytesAsync(Path.Combine(BenchmarkPaths.Shared, "fixtures", "openai", "chat__vercel-ai-openai__openai-text.json"));
        using (var document = JsonDocument.Parse(body))
        {
            var root = document.RootElement;
            _expected = new CallResult(
                root.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString()!,
                root.GetProperty("usage").GetProperty("prompt_tokens").GetInt64(),
                root.GetProperty("usage").GetProperty("completion_tokens").GetInt64());
        }

        _server = await LoopbackServer.StartAsync(body, "application/json");
        _endpoint = new Uri(_server.BaseUri.AbsoluteUri + "/chat/completions");
        _handWrittenHttp = new HttpClient();
        _stratumHttp = new HttpClient();
        _dialectHttp = new HttpClient();
        _openAIHttp = new HttpClient();
        _meaiHttp = new HttpClient();

        // StratumClient: a hand-built catalog entry (the catalog's gpt-4.1-nano prices) whose provider's base URL
        // is overridden to the loopback server through the options, as a user pointing at a proxy would.
        _model = BenchCatalog.Gpt41Nano;
        _stratum = BenchCatalog.Client(_server.BaseUri, _stratumHttp);
        _dialect = new OpenAIChatCompletionsClient(_dialectHttp, _server.BaseUri, ApiKey, ModelId);

        _openAI = new ChatClient(ModelId, new ApiKeyCredential(ApiKey), new OpenAIClientOptions
        {
            Endpoint = _server.BaseUri,
            Transport = new HttpClientPipelineTransport(_openAIHttp),
        });
        _meai = new ChatClient(ModelId, new ApiKeyCredential(ApiKey), new OpenAIClientOptions
        {
            Endpoint = _server.BaseUri,
            Transport = new HttpClientPipelineTransport(_meaiHttp),
        }).AsIChatClient();

        _meaiMessages = [new MeaiChatMessage(MeaiChatRole.User, Prompt)];
        _openAIMessages = [new UserChatMessage(Prompt)];

        // Each variant once: a broken benchmark must fail here, loudly, not report a fast wrong answer.
        Verify(await HandWritten(), "hand-written HttpClient + STJ source generation");
        Verify(await HandWritten_ViaString(), "hand-written, body read as a string");
        Verify(await Stratum(), "StratumClient");
        Verify(await Stratum_DialectOnly(), "OpenAIChatCompletionsClient");
        Verify(await OpenAIPackage(), "OpenAI ChatClient");
        Verify(await MeaiOpenAI(), "Microsoft.Extensions.AI.OpenAI IChatClient");

        var response = await _stratum.GetResponseAsync(_model, _meaiMessages);
        var cost = response.GetCost() ?? throw new InvalidOperationException("StratumClient attached no cost.");
        Check.Equal((16m * 0.10m + 363m * 0.40m) / 1_000_000m, cost.Total, "StratumClient cost (USD)");
    }

    [GlobalCleanup]
    public async Task Cleanup()
    {
        _stratum.Dispose();
        _meai.Dispose();
        foreach (var client in new[] { _handWrittenHttp, _stratumHttp, _dialectHttp, _openAIHttp, _meaiHttp })
        {
            client.Dispose();
        }

        await _server.DisposeAsync();
    }

    /// <summary>Hand-written: POST a source-generated request DTO, read a source-generated response DTO.</summary>
    [Benchmark(Baseline = true)]
    public Task<CallResult> HandWritten() => BenchCatalog.HandWrittenAsync(_handWrittenHttp, _endpoint);

    /// <summary>Diagnostic: the baseline, but reading the body as a string and deserializing the string (as the dialect does).</summary>
    [Benchmark]
    public async Task<CallResult> HandWritten_ViaString()
    {
        var request = new BenchRequest { Model = ModelId, Messages = [new BenchRequestMessage { Role = "user", Content = Prompt }] };
        var content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(request, BenchJsonContext.Default.BenchRequest));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var message = new HttpRequestMessage(HttpMethod.Post, _endpoint) { Content = content };
        message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", ApiKey);
        using var response = await _handWrittenHttp.SendAsync(message);
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadAsStringAsync();
        var completion = JsonSerializer.Deserialize(body, BenchJsonContext.Default.BenchCompletion)
            ?? throw new InvalidOperationException("Empty body.");
        var usage = completion.Usage ?? throw new InvalidOperationException("No usage.");
        return new CallResult(completion.Choices![0].Message!.Content!, usage.PromptTokens, usage.CompletionTokens);
    }

    /// <summary><see cref="StratumClient.GetResponseAsync(ModelInfo, IEnumerable{MeaiChatMessage}, ChatOptions?, CancellationToken)"/>, cost attached.</summary>
    [Benchmark]
    public async Task<CallResult> Stratum()
    {
        var response = await _stratum.GetResponseAsync(_model, _meaiMessages);
        return new CallResult(response.Text, response.Usage!.InputTokenCount!.Value, response.Usage.OutputTokenCount!.Value);
    }

    /// <summary>Diagnostic: the dialect client alone (no timeout source, no cost).</summary>
    [Benchmark]
    public async Task<CallResult> Stratum_DialectOnly()
    {
        var response = await _dialect.GetResponseAsync(_meaiMessages);
        return new CallResult(response.Text, response.Usage!.InputTokenCount!.Value, response.Usage.OutputTokenCount!.Value);
    }

    /// <summary>The official OpenAI package's <see cref="ChatClient"/>.</summary>
    [Benchmark]
    public async Task<CallResult> OpenAIPackage()
    {
        ChatCompletion completion = await _openAI.CompleteChatAsync(_openAIMessages);
        return new CallResult(completion.Content[0].Text, completion.Usage.InputTokenCount, completion.Usage.OutputTokenCount);
    }

    /// <summary>Microsoft.Extensions.AI.OpenAI's <see cref="IChatClient"/> over the OpenAI package.</summary>
    [Benchmark]
    public async Task<CallResult> MeaiOpenAI()
    {
        var response = await _meai.GetResponseAsync(_meaiMessages);
        return new CallResult(response.Text, response.Usage!.InputTokenCount!.Value, response.Usage.OutputTokenCount!.Value);
    }

    private void Verify(CallResult actual, string variant)
    {
        Check.Equal(_expected.Text, actual.Text, variant + ": answer text");
        Check.Equal(_expected.InputTokens, actual.InputTokens, variant + ": input tokens");
        Check.Equal(_expected.OutputTokens, actual.OutputTokens, variant + ": output tokens");
    }
}

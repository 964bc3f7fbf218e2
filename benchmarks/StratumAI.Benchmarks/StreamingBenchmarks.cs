using System.Net.Http.Headers;
using System.Net.ServerSentEvents;
using System.Text;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.AI;
using StratumAI.Dialects;

namespace StratumAI.Benchmarks;

/// <summary>
/// A 1,000-event OpenAI Chat Completions SSE stream (built from the recorded chunks of
/// <c>stream__vercel-ai-openai__openai-text.chunks.txt</c>: the role chunk, 997 content chunks cycling through the
/// recorded ones, the finish chunk and the usage chunk, then <c>[DONE]</c>), read through the same transport by
/// every variant: an <see cref="HttpClient"/> whose handler answers with the bytes from memory, so the numbers are
/// parsing and mapping, not sockets. Every variant POSTs a request, counts the answer's characters and reads usage.
/// <list type="bullet">
/// <item><c>BareSseParser</c> (baseline): <see cref="SseParser"/> with a UTF-8 item parser deserializing each
/// event into a source-generated DTO — the least work that reads the stream correctly.</item>
/// <item><c>BareSseParser_StringItems</c>: diagnostic; the same loop over <see cref="SseParser"/>'s string items
/// (UTF-8 → string → DTO), the shape the dialect uses.</item>
/// <item><c>Dialect</c>: <see cref="OpenAIChatCompletionsClient.GetStreamingResponseAsync"/>.</item>
/// <item><c>StratumClient</c>: the same through <see cref="StratumAI.StratumClient"/> (timeout and streaming cost added).</item>
/// </list>
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 5, iterationCount: 15, id: "Bench")]
[MedianColumn]
public class StreamingBenchmarks
{
    private const string ModelId = "gpt-4.1-nano";
    private const string ApiKey = "sk-benchmark-not-a-real-key";
    private const string Prompt = "Invent a new holiday and describe its traditions.";
    private const int EventCount = 1000;

    private static readonly Uri BaseUri = new("http://127.0.0.1:9/v1");
    private static readonly Uri Endpoint = new("http://127.0.0.1:9/v1/chat/completions");

    private HttpClient _bareHttp = null!;
    private HttpClient _dialectHttp = null!;
    private HttpClient _stratumHttp = null!;
    private OpenAIChatCompletionsClient _dialect = null!;
    private StratumClient _stratum = null!;
    private ModelInfo _model = null!;
    private Microsoft.Extensions.AI.ChatMessage[] _messages = null!;
    private string _expectedText = null!;
    private (long Input, long Output) _expectedUsage;

    /// <summary>The size of the stream in bytes (for the report).</summary>
    public int StreamBytes { get; private set; }

    [GlobalSetup]
    public async Task Setup()
    {
        var recorded = await RecordedStream.BuildAsync(EventCount);
        var bytes = recorded.Bytes;
        StreamBytes = bytes.Length;
        _expectedText = recorded.Text;
        _expectedUsage = (recorded.InputTokens, recorded.OutputTokens);

        _bareHttp = new HttpClient(new ReplayHandler(bytes, "text/event-stream"));
        _dialectHttp = new HttpClient(new ReplayHandler(bytes, "text/event-stream"));
        _stratumHttp = new HttpClient(new ReplayHandler(bytes, "text/event-stream"));
        _dialect = new OpenAIChatCompletionsClient(_dialectHttp, BaseUri, ApiKey, ModelId);
        var provider = new ProviderInfo("openai", "OpenAI", "openai", BaseUri.AbsoluteUri, null);
        _model = new ModelInfo(ModelId, "Gpt41Nano", provider, null, 1_047_576, 32_768, new ModelPricing(0.10m, 0.40m, 0.025m), ModelCapabilities.None);
        var options = new StratumClientOptions();
        options.Provider("openai").ApiKey = ApiKey;
        _stratum = new StratumClient(options, _stratumHttp);
        _messages = [new Microsoft.Extensions.AI.ChatMessage(ChatRole.User, Prompt)];

        // Each variant once, with the text collected: a broken benchmark fails here.
        var collected = new StringBuilder();
        Verify(await RunBare(collected), collected, "bare SseParser (UTF-8 items)");
        Verify(await RunBareStrings(collected.Clear()), collected, "bare SseParser (string items)");
        Verify(await RunUpdates(_dialect.GetStreamingResponseAsync(_messages), collected.Clear()), collected, "OpenAIChatCompletionsClient");
        Verify(await RunUpdates(_stratum.GetStreamingResponseAsync(_model, _messages), collected.Clear()), collected, "StratumClient");
        Console.WriteLine($"// stream: {EventCount} data events + [DONE], {StreamBytes} bytes, {_expectedText.Length} characters of text");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _stratum.Dispose();
        _bareHttp.Dispose();
        _dialectHttp.Dispose();
        _stratumHttp.Dispose();
    }

    [Benchmark(Baseline = true)]
    public Task<StreamResult> BareSseParser() => RunBare(null);

    [Benchmark]
    public Task<StreamResult> BareSseParser_StringItems() => RunBareStrings(null);

    [Benchmark]
    public Task<StreamResult> Dialect() => RunUpdates(_dialect.GetStreamingResponseAsync(_messages), null);

    [Benchmark]
    public Task<StreamResult> StratumClient() => RunUpdates(_stratum.GetStreamingResponseAsync(_model, _messages), null);

    private async Task<HttpResponseMessage> PostAsync()
    {
        var request = new BenchRequest { Model = ModelId, Messages = [new BenchRequestMessage { Role = "user", Content = Prompt }], Stream = true };
        var content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(request, BenchJsonContext.Default.BenchRequest));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var message = new HttpRequestMessage(HttpMethod.Post, Endpoint) { Content = content };
        message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", ApiKey);
        message.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        var response = await _bareHttp.SendAsync(message, HttpCompletionOption.ResponseHeadersRead);
        response.EnsureSuccessStatusCode();
        return response;
    }

    private async Task<StreamResult> RunBare(StringBuilder? text)
    {
        using var response = await PostAsync();
        await using var stream = await response.Content.ReadAsStreamAsync();
        var characters = 0;
        BenchUsage? usage = null;
        await foreach (var item in SseParser.Create(stream, static (_, data) =>
            data.SequenceEqual("[DONE]"u8) ? null : JsonSerializer.Deserialize(data, BenchJsonContext.Default.BenchCompletion)).EnumerateAsync())
        {
            if (item.Data is not { } chunk)
            {
                break;
            }

            Accumulate(chunk, text, ref characters, ref usage);
        }

        return new StreamResult(characters, usage?.PromptTokens ?? -1, usage?.CompletionTokens ?? -1);
    }

    private async Task<StreamResult> RunBareStrings(StringBuilder? text)
    {
        using var response = await PostAsync();
        await using var stream = await response.Content.ReadAsStreamAsync();
        var characters = 0;
        BenchUsage? usage = null;
        await foreach (var item in SseParser.Create(stream).EnumerateAsync())
        {
            if (item.Data == "[DONE]")
            {
                break;
            }

            var chunk = JsonSerializer.Deserialize(item.Data, BenchJsonContext.Default.BenchCompletion)!;
            Accumulate(chunk, text, ref characters, ref usage);
        }

        return new StreamResult(characters, usage?.PromptTokens ?? -1, usage?.CompletionTokens ?? -1);
    }

    private static void Accumulate(BenchCompletion chunk, StringBuilder? text, ref int characters, ref BenchUsage? usage)
    {
        if (chunk.Choices is { Count: > 0 } choices && choices[0].Delta?.Content is { } delta)
        {
            characters += delta.Length;
            text?.Append(delta);
        }

        usage ??= chunk.Usage;
    }

    private static async Task<StreamResult> RunUpdates(IAsyncEnumerable<ChatResponseUpdate> updates, StringBuilder? text)
    {
        var characters = 0;
        UsageDetails? usage = null;
        await foreach (var update in updates)
        {
            foreach (var content in update.Contents)
            {
                if (content is TextContent textContent)
                {
                    characters += textContent.Text.Length;
                    text?.Append(textContent.Text);
                }
                else if (content is UsageContent usageContent)
                {
                    usage = usageContent.Details;
                }
            }
        }

        return new StreamResult(characters, usage?.InputTokenCount ?? -1, usage?.OutputTokenCount ?? -1);
    }

    private void Verify(StreamResult result, StringBuilder collected, string variant)
    {
        Check.Equal(_expectedText, collected.ToString(), variant + ": answer text");
        Check.Equal(_expectedText.Length, result.Characters, variant + ": characters of text");
        Check.Equal(_expectedUsage.Input, result.InputTokens, variant + ": input tokens");
        Check.Equal(_expectedUsage.Output, result.OutputTokens, variant + ": output tokens");
    }
}

/// <summary>What a streaming variant read: characters of answer text and the token usage.</summary>
public readonly record struct StreamResult(int Characters, long InputTokens, long OutputTokens);

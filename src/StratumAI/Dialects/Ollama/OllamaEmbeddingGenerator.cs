using System.Text.Json;
using Microsoft.Extensions.AI;

namespace StratumAI.Dialects;

/// <summary>Embeddings through Ollama's <c>POST {base}/api/embed</c>: the models of the <c>ollama</c> dialect.</summary>
/// <remarks>
/// <para>Sent: <c>model</c>, <c>input</c> (always a list), <see cref="EmbeddingGenerationOptions.Dimensions"/> as
/// <c>dimensions</c>; <c>truncate</c> (a bool) and <c>keep_alive</c> (a string) when
/// <see cref="EmbeddingGenerationOptions.AdditionalProperties"/> hold them under those names.</para>
/// <para>Limit: Ollama documents none, so all inputs go in one request.</para>
/// <para>Usage: <c>prompt_eval_count</c> is the input; the server's timings are kept in
/// <see cref="UsageDetails.AdditionalCounts"/> in nanoseconds under their wire names (<c>total_duration</c>,
/// <c>load_duration</c>), as for chat. The reader also accepts the legacy <c>/api/embeddings</c> answer (one
/// <c>embedding</c>, no usage) for a batch of one.</para>
/// </remarks>
internal sealed class OllamaEmbeddingGenerator : DialectEmbeddingGenerator
{
    public OllamaEmbeddingGenerator(HttpClient httpClient, Uri baseUri, string? apiKey, string modelId, IEnumerable<KeyValuePair<string, string>>? headers = null, string providerId = "ollama", int? defaultDimensions = null, TimeProvider? timeProvider = null)
        : base(httpClient, baseUri, apiKey, modelId, headers, providerId, timeProvider, "http://localhost:11434", defaultDimensions)
    {
        Endpoint = DialectHttp.Endpoint(baseUri, "api/embed");
    }

    /// <summary>The full URL requests are posted to (<c>{base}/api/embed</c>).</summary>
    public Uri Endpoint { get; }

    private protected override int MaxInputsPerRequest => int.MaxValue;

    private protected override string DescribeUnavailable(HttpRequestException exception, string model) =>
        DialectHttp.UnavailableMessage(ProviderId, Endpoint, exception) + ". Is the Ollama server running?";

    private protected override HttpRequestMessage CreateHttpRequest(IReadOnlyList<string> inputs, EmbeddingGenerationOptions? options, string model)
    {
        var extra = options?.AdditionalProperties;
        var request = new OllamaEmbedRequest
        {
            Model = model,
            Input = inputs,
            Dimensions = options?.Dimensions,
            Truncate = extra?.TryGetValue("truncate", out var truncate) == true && truncate is bool cut ? cut : null,
            KeepAlive = extra?.TryGetValue("keep_alive", out var keepAlive) == true ? keepAlive?.ToString() : null,
        };
        return CreateJsonPost(Endpoint, JsonSerializer.SerializeToUtf8Bytes(request, OllamaEmbeddingsJsonContext.Default.OllamaEmbedRequest), "application/json");
    }

    private protected override async ValueTask<(IReadOnlyList<float[]> Vectors, UsageDetails? Usage)> ReadResponseAsync(HttpResponseMessage response, int inputs, string model, CancellationToken cancellationToken)
    {
        var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        var parsed = ParseJson(body, OllamaEmbeddingsJsonContext.Default.OllamaEmbedResponse, model, "the body is not valid /api/embed JSON");
        UsageDetails? usage = null;
        if (parsed.PromptEvalCount is { } prompt)
        {
            usage = new UsageDetails { InputTokenCount = prompt, OutputTokenCount = 0, TotalTokenCount = prompt };
            if (parsed.TotalDuration is { } total)
            {
                (usage.AdditionalCounts ??= [])["total_duration"] = total;
            }

            if (parsed.LoadDuration is { } load)
            {
                (usage.AdditionalCounts ??= [])["load_duration"] = load;
            }
        }

        IReadOnlyList<float[]> vectors = parsed.Embeddings ?? (parsed.Embedding is { } single ? new List<float[]> { single } : null)
            ?? throw InvalidResponse(model, $"the response has no 'embeddings'. Body starts with: {Snippet(body)}", null, usage);
        return (vectors, usage);
    }
}

using System.Text.Json;
using Microsoft.Extensions.AI;

namespace StratumAI.Dialects;

/// <summary>Embeddings through Gemini's <c>POST {base}/models/{model}:batchEmbedContents</c>: the models of the <c>gemini</c> dialect.</summary>
/// <remarks>
/// <para>Sent: one request per input, each with <c>model</c> (<c>models/{id}</c>), <c>content.parts[0].text</c>,
/// <see cref="EmbeddingGenerationOptions.Dimensions"/> as <c>outputDimensionality</c>, and the task type
/// (<c>taskType</c>, e.g. <c>RETRIEVAL_QUERY</c>, <c>RETRIEVAL_DOCUMENT</c>) and <c>title</c> when
/// <see cref="EmbeddingGenerationOptions.AdditionalProperties"/> hold them under <see cref="TaskTypeKey"/> /
/// <see cref="TitleKey"/>. The key goes in <c>x-goog-api-key</c>.</para>
/// <para>Limit: at most 100 requests (inputs) per batch (the API refuses more with "at most 100 requests can be in one
/// batch"); more inputs are sent in several batches.</para>
/// <para>Usage: <c>usageMetadata.promptTokenCount</c>, which only newer models (gemini-embedding-2) report. Without it the
/// result has no usage: its cost is unknown, and cost tracking and budgets charge a flagged high-side estimate
/// (<see cref="CostRecord.IsEstimated"/>), never a silent zero.</para>
/// <para>The reader also accepts <c>:embedContent</c>'s single <c>embedding</c> for a batch of one.</para>
/// </remarks>
internal sealed class GeminiEmbeddingGenerator : DialectEmbeddingGenerator
{
    /// <summary>Gemini's limit of requests in one <c>batchEmbedContents</c>.</summary>
    public const int MaxInputs = 100;

    /// <summary>The <see cref="EmbeddingGenerationOptions.AdditionalProperties"/> key of the task type (a string such as <c>RETRIEVAL_QUERY</c>).</summary>
    public const string TaskTypeKey = "taskType";

    /// <summary>The <see cref="EmbeddingGenerationOptions.AdditionalProperties"/> key of a document title (task type <c>RETRIEVAL_DOCUMENT</c>).</summary>
    public const string TitleKey = "title";

    public GeminiEmbeddingGenerator(HttpClient httpClient, Uri baseUri, string? apiKey, string modelId, IEnumerable<KeyValuePair<string, string>>? headers = null, string providerId = "gemini", int? defaultDimensions = null, TimeProvider? timeProvider = null)
        : base(httpClient, baseUri, apiKey, modelId, headers, providerId, timeProvider, "https://generativelanguage.googleapis.com/v1beta", defaultDimensions)
    {
    }

    private protected override int MaxInputsPerRequest => MaxInputs;

    /// <summary>Returns the URL a batch for <paramref name="modelId"/> is posted to.</summary>
    public Uri GetEndpoint(string modelId) =>
        new($"{BaseUri.AbsoluteUri.TrimEnd('/')}/{ModelPath(modelId)}:batchEmbedContents", UriKind.Absolute);

    // The endpoint names the model, so the message names it instead.
    private protected override string DescribeUnavailable(HttpRequestException exception, string model) =>
        $"The request to provider '{ProviderId}' (model '{model}') failed before a complete response arrived: {Redactor.Redact(exception.Message)}";

    private protected override StratumException MapError(HttpResponseMessage response, string body, string model) =>
        GeminiErrors.FromResponse(response, body, ProviderId, model, Redactor, TimeProvider);

    private protected override HttpRequestMessage CreateHttpRequest(IReadOnlyList<string> inputs, EmbeddingGenerationOptions? options, string model)
    {
        var path = ModelPath(model);
        var taskType = Text(options, TaskTypeKey);
        var title = Text(options, TitleKey);
        var batch = new GeminiBatchEmbedRequest { Requests = new List<GeminiEmbedRequest>(inputs.Count) };
        foreach (var input in inputs)
        {
            batch.Requests.Add(new GeminiEmbedRequest
            {
                Model = path,
                Content = new GeminiEmbedContent { Parts = [new GeminiEmbedPart { Text = input }] },
                TaskType = taskType,
                Title = title,
                OutputDimensionality = options?.Dimensions,
            });
        }

        return CreateJsonPost(GetEndpoint(model), JsonSerializer.SerializeToUtf8Bytes(batch, GeminiEmbeddingsJsonContext.Default.GeminiBatchEmbedRequest), "application/json", apiKeyHeader: "x-goog-api-key");
    }

    private protected override async ValueTask<(IReadOnlyList<float[]> Vectors, UsageDetails? Usage)> ReadResponseAsync(HttpResponseMessage response, int inputs, string model, CancellationToken cancellationToken)
    {
        var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        var parsed = ParseJson(body, GeminiEmbeddingsJsonContext.Default.GeminiEmbedResponse, model, "the body is not valid batchEmbedContents JSON");
        var usage = parsed.UsageMetadata is { PromptTokenCount: { } prompt }
            ? new UsageDetails { InputTokenCount = prompt, OutputTokenCount = 0, TotalTokenCount = prompt }
            : null;
        var items = parsed.Embeddings ?? (parsed.Embedding is { } single ? new List<GeminiEmbeddingValues> { single } : null)
            ?? throw InvalidResponse(model, $"the response has no 'embeddings'. Body starts with: {Snippet(body)}", null, usage);
        var vectors = new float[items.Count][];
        for (var i = 0; i < items.Count; i++)
        {
            vectors[i] = items[i].Values ?? throw InvalidResponse(model, $"embedding {i} has no 'values'.", null, usage);
        }

        return (vectors, usage);
    }

    private static string ModelPath(string modelId) => modelId.Contains('/', StringComparison.Ordinal) ? modelId : "models/" + modelId;

    private static string? Text(EmbeddingGenerationOptions? options, string key) =>
        options?.AdditionalProperties?.TryGetValue(key, out var value) == true ? value?.ToString() : null;
}

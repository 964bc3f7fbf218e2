using System.Text.Json;
using Microsoft.Extensions.AI;

namespace StratumAI.Dialects;

/// <summary>
/// Embeddings through OpenAI's <c>POST {base}/embeddings</c>, which Mistral and other OpenAI-compatible servers also serve:
/// the models of the <c>openai</c> and <c>openai-responses</c> dialects, and of both Azure OpenAI dialects
/// (<c>{resource}/openai/deployments/{deployment}/embeddings?api-version=…</c>, or the v1 API's <c>/embeddings</c>).
/// </summary>
/// <remarks>
/// <para>Sent: <c>model</c>, <c>input</c> (always a list), <see cref="EmbeddingGenerationOptions.Dimensions"/> as
/// <c>dimensions</c>, <c>user</c> from <see cref="EmbeddingGenerationOptions.AdditionalProperties"/> when set. To OpenAI
/// itself, <c>encoding_format: "base64"</c>, as OpenAI's own SDKs ask: a quarter of the bytes of the JSON numbers, decoded
/// here as little-endian float32. Other servers get no <c>encoding_format</c> (not all of them accept base64); both forms
/// are read.</para>
/// <para>Limits (OpenAI's API reference): at most 2,048 inputs and 300,000 tokens summed over the inputs per request; more
/// inputs are sent in several requests.</para>
/// <para>Usage: <c>usage.prompt_tokens</c> is the input; embeddings have no output tokens.</para>
/// </remarks>
internal sealed class OpenAIEmbeddingGenerator : DialectEmbeddingGenerator
{
    /// <summary>OpenAI's limit of inputs per request.</summary>
    public const int MaxInputs = 2048;

    /// <summary>OpenAI's limit of tokens summed over the inputs of one request.</summary>
    public const long MaxTokens = 300_000;

    private readonly bool _base64;
    private readonly AzureOpenAIEndpoint? _azure;

    // azure: for the Azure OpenAI dialects, Azure's URL shape (the deployment in the path for the classic API, api-version),
    // the key in the api-key header and Azure's error shapes; null for every other server.
    public OpenAIEmbeddingGenerator(HttpClient httpClient, Uri baseUri, string? apiKey, string modelId, IEnumerable<KeyValuePair<string, string>>? headers = null, string providerId = "openai", int? defaultDimensions = null, TimeProvider? timeProvider = null, AzureOpenAIEndpoint? azure = null)
        : base(httpClient, baseUri, apiKey, modelId, headers, providerId, timeProvider, "https://api.openai.com/v1", defaultDimensions)
    {
        _azure = azure;
        Endpoint = azure?.For(AzureOpenAIEndpoint.Embeddings, modelId) ?? DialectHttp.Endpoint(baseUri, "embeddings");

        // OpenAI and Azure OpenAI serve base64 (their SDKs ask for it); other compatible servers may not.
        _base64 = azure is not null || string.Equals(providerId, "openai", StringComparison.Ordinal);
    }

    /// <summary>The full URL requests are posted to (<c>{base}/embeddings</c>).</summary>
    public Uri Endpoint { get; }

    private protected override int MaxInputsPerRequest => MaxInputs;

    private protected override long? MaxTokensPerRequest => MaxTokens;

    private protected override string DescribeUnavailable(HttpRequestException exception, string model) => DialectHttp.UnavailableMessage(ProviderId, Endpoint, exception);

    private protected override StratumException MapError(HttpResponseMessage response, string body, string model) =>
        ProviderErrorMapper.FromResponse(response, body, ProviderId, model, Redactor, TimeProvider, _azure is null ? OpenAIChatCompletionsErrors.ParseBody(body) : AzureOpenAIContentFilter.ParseErrorBody(body));

    private protected override HttpRequestMessage CreateHttpRequest(IReadOnlyList<string> inputs, EmbeddingGenerationOptions? options, string model)
    {
        var request = new OpenAIEmbeddingsRequest
        {
            Model = model,
            Input = inputs,
            EncodingFormat = _base64 ? "base64" : null,
            Dimensions = options?.Dimensions,
            User = options?.AdditionalProperties?.TryGetValue("user", out var user) == true ? user as string : null,
        };
        // Azure's classic API names the deployment in the URL: a call for another model than the generator's goes to its own.
        var endpoint = _azure is null || string.Equals(model, ModelId, StringComparison.Ordinal) ? Endpoint : _azure.For(AzureOpenAIEndpoint.Embeddings, model);
        return CreateJsonPost(
            endpoint,
            JsonSerializer.SerializeToUtf8Bytes(request, OpenAIEmbeddingsJsonContext.Default.OpenAIEmbeddingsRequest),
            "application/json",
            _azure is null ? null : AzureOpenAIEndpoint.ApiKeyHeader);
    }

    private protected override async ValueTask<(IReadOnlyList<float[]> Vectors, UsageDetails? Usage)> ReadResponseAsync(HttpResponseMessage response, int inputs, string model, CancellationToken cancellationToken)
    {
        var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        var parsed = ParseJson(body, OpenAIEmbeddingsJsonContext.Default.OpenAIEmbeddingsResponse, model, "the body is not valid embeddings JSON");
        var usage = parsed.Usage is { } reported
            ? new UsageDetails { InputTokenCount = reported.PromptTokens, OutputTokenCount = 0, TotalTokenCount = reported.TotalTokens ?? reported.PromptTokens }
            : null;
        if (parsed.Data is not { } data)
        {
            throw InvalidResponse(model, $"the response has no 'data'. Body starts with: {Snippet(body)}", null, usage);
        }

        // The API returns the vectors with their input's index; they are put back in input order whatever order they came in.
        var vectors = new float[data.Count][];
        for (var i = 0; i < data.Count; i++)
        {
            var index = data[i].Index ?? i;
            if (index < 0 || index >= vectors.Length || vectors[index] is not null)
            {
                throw InvalidResponse(model, $"vector {i} has the index {index}, which is out of range or repeated for {inputs} inputs.", null, usage);
            }

            vectors[index] = ReadVector(data[i].Embedding, model);
        }

        return (vectors, usage);
    }

    private float[] ReadVector(JsonElement embedding, string model) => embedding.ValueKind switch
    {
        JsonValueKind.String => DecodeBase64Vector(embedding.GetString()!, model),
        JsonValueKind.Array => ReadFloats(embedding),
        _ => throw InvalidResponse(model, $"an embedding is {embedding.ValueKind}, neither a list of numbers nor a base64 string.", null),
    };
}

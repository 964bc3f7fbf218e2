using System.Buffers.Binary;
using Microsoft.Extensions.AI;

namespace StratumAI.Dialects;

/// <summary>
/// The host every embeddings API plugs into: an <see cref="IEmbeddingGenerator{TInput, TEmbedding}"/> for one model of one
/// provider that owns what all of them do alike — splitting the inputs into requests within the API's limits
/// (<see cref="MaxInputsPerRequest"/>, <see cref="MaxTokensPerRequest"/>), sending each (through <see cref="DialectHost"/>:
/// <see cref="CallScope"/> marks, error statuses, timeouts), checking that every input got exactly one vector, putting the
/// vectors back in input order and adding up the usage of the requests.
/// </summary>
/// <remarks>
/// <para>A dialect supplies the request of one batch and the reading of its response. The usage of the whole call is the sum
/// of every request's; when any request reported none, the call's <see cref="GeneratedEmbeddings{TEmbedding}.Usage"/> is
/// null (its cost is unknown, and the money middleware estimates it rather than take it as free).</para>
/// <para>A request that fails after earlier ones succeeded throws its exception with
/// <see cref="StratumException.UsageSoFar"/> set to what the earlier requests reported: those were billed.</para>
/// <para>Thread-safe; one instance serves one model.</para>
/// </remarks>
internal abstract class DialectEmbeddingGenerator : DialectHost, IEmbeddingGenerator<string, Embedding<float>>
{
    private readonly EmbeddingGeneratorMetadata _metadata;

    private protected DialectEmbeddingGenerator(
        HttpClient httpClient,
        Uri baseUri,
        string? apiKey,
        string modelId,
        IEnumerable<KeyValuePair<string, string>>? headers,
        string providerId,
        TimeProvider? timeProvider,
        string exampleBaseUri,
        int? defaultDimensions)
        : base(httpClient, baseUri, apiKey, modelId, headers, providerId, timeProvider, exampleBaseUri)
    {
        _metadata = new EmbeddingGeneratorMetadata(providerId, baseUri, modelId, defaultDimensions);
    }

    /// <summary>The most inputs the API takes in one request.</summary>
    private protected abstract int MaxInputsPerRequest { get; }

    /// <summary>A lower limit of inputs per request than the API's, so tests can split a recorded batch; null for the API's.</summary>
    internal int? MaxInputsOverride { get; init; }

    /// <summary>
    /// The most tokens, summed over its inputs, the API takes in one request (counted on the high side, one token per two
    /// UTF-8 bytes), or null when it documents no such limit.
    /// </summary>
    private protected virtual long? MaxTokensPerRequest => null;

    /// <inheritdoc />
    /// <exception cref="ArgumentException">An input is null.</exception>
    /// <exception cref="StratumException">The provider answered with an error, or with a body this dialect cannot read.</exception>
    public async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(
        IEnumerable<string> values,
        EmbeddingGenerationOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(values);
        var inputs = values as IReadOnlyList<string> ?? values.ToArray();
        for (var i = 0; i < inputs.Count; i++)
        {
            if (inputs[i] is null)
            {
                throw new ArgumentException($"Input {i} is null; every input to embed must be a string.", nameof(values));
            }
        }

        var model = string.IsNullOrEmpty(options?.ModelId) ? ModelId : options.ModelId;
        var result = new GeneratedEmbeddings<Embedding<float>>(inputs.Count);
        UsageDetails? usage = null;
        var usageMissing = false;
        string? requestId = null;
        var start = 0;
        while (start < inputs.Count)
        {
            var count = BatchSize(inputs, start);
            var batch = Slice(inputs, start, count);
            try
            {
                using var request = CreateHttpRequest(batch, options, model);
                using var response = await SendAsync(request, model, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
                requestId ??= ProviderErrorMapper.GetRequestId(response.Headers, Redactor);
                var (vectors, batchUsage) = await ReadResponseAsync(response, batch.Count, model, cancellationToken).ConfigureAwait(false);
                if (vectors.Count != batch.Count)
                {
                    throw InvalidResponse(model, $"it returned {vectors.Count} vectors for {batch.Count} inputs.", null, batchUsage);
                }

                foreach (var vector in vectors)
                {
                    result.Add(new Embedding<float>(vector) { ModelId = model });
                }

                if (batchUsage is null)
                {
                    usageMissing = true;
                }
                else
                {
                    usage ??= new UsageDetails();
                    usage.Add(batchUsage);
                }
            }
            catch (StratumException ex) when (start > 0 && usage is not null)
            {
                // The earlier requests of this call were answered and billed; the exception says so.
                ex.AddUsageSoFar(usage);
                throw;
            }

            start += count;
        }

        result.Usage = usageMissing ? null : usage;
        if (requestId is not null)
        {
            (result.AdditionalProperties ??= [])[StratumUsageKeys.RequestId] = requestId;
        }

        return result;
    }

    internal override HttpRequestMessage CreateBatchHttpRequest(HttpMethod method, Uri endpoint, HttpContent? content)
    {
        using var template = CreateHttpRequest([], null, ModelId);
        return CopyHeaders(template, method, endpoint, content);
    }

    /// <summary>The endpoint and JSON body a call embedding <paramref name="inputs"/> in one request would send: what a batch line carries.</summary>
    internal (Uri Endpoint, byte[] Body) CreateBatchItem(IReadOnlyList<string> inputs, EmbeddingGenerationOptions? options)
    {
        using var request = CreateHttpRequest(inputs, options, ModelId);
        using var body = new MemoryStream();
        request.Content!.CopyTo(body, null, CancellationToken.None);
        return (request.RequestUri!, body.ToArray());
    }

    /// <summary>Reads one answer of a batch (the body a single request would have received) as the vectors of its <paramref name="inputs"/> inputs.</summary>
    /// <remarks><paramref name="inputs"/> is null for a batch resumed by id, whose requests this process never saw: the vectors are then not counted.</remarks>
    internal async ValueTask<GeneratedEmbeddings<Embedding<float>>> ReadBatchItemAsync(string body, int? inputs, string? requestId, CancellationToken cancellationToken)
    {
        using var response = new HttpResponseMessage(System.Net.HttpStatusCode.OK) { Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json") };
        var (vectors, usage) = await ReadResponseAsync(response, inputs ?? int.MaxValue, ModelId, cancellationToken).ConfigureAwait(false);
        if (inputs is not null && vectors.Count != inputs)
        {
            throw InvalidResponse(ModelId, $"a batch answer has {vectors.Count} vectors for {inputs} inputs.", null, usage);
        }

        var result = new GeneratedEmbeddings<Embedding<float>>(vectors.Select(v => new Embedding<float>(v) { ModelId = ModelId })) { Usage = usage };
        if (requestId is not null)
        {
            (result.AdditionalProperties ??= [])[StratumUsageKeys.RequestId] = requestId;
        }

        return result;
    }

    /// <summary>The exception this dialect maps an error answer of one batch item to, as if it had come with <paramref name="status"/>.</summary>
    internal StratumException MapBatchItemError(int status, string body)
    {
        using var response = new HttpResponseMessage((System.Net.HttpStatusCode)status) { Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json") };
        return MapError(response, body, ModelId);
    }

    /// <inheritdoc />
    public object? GetService(Type serviceType, object? serviceKey = null) => ServiceOf(serviceType, serviceKey, _metadata);

    /// <summary>Does nothing: the <see cref="HttpClient"/> belongs to the caller.</summary>
    public void Dispose()
    {
    }

    /// <summary>The HTTP request embedding one batch of inputs.</summary>
    private protected abstract HttpRequestMessage CreateHttpRequest(IReadOnlyList<string> inputs, EmbeddingGenerationOptions? options, string model);

    /// <summary>
    /// Reads a successful response: one vector per input, in input order, and the usage the API reported (null when none).
    /// </summary>
    private protected abstract ValueTask<(IReadOnlyList<float[]> Vectors, UsageDetails? Usage)> ReadResponseAsync(
        HttpResponseMessage response,
        int inputs,
        string model,
        CancellationToken cancellationToken);

    /// <summary>
    /// A base64 vector as OpenAI-style APIs send it (<c>encoding_format: "base64"</c>): the float32 values, little-endian.
    /// </summary>
    private protected float[] DecodeBase64Vector(string base64, string model)
    {
        byte[] bytes;
        try
        {
            bytes = Convert.FromBase64String(base64);
        }
        catch (FormatException ex)
        {
            throw InvalidResponse(model, $"a base64 embedding is not valid base64 ({ex.Message}). It starts with: {Snippet(base64)}", ex);
        }

        if (bytes.Length % sizeof(float) != 0)
        {
            throw InvalidResponse(model, $"a base64 embedding has {bytes.Length} bytes, which is not a whole number of float32 values.", null);
        }

        var vector = new float[bytes.Length / sizeof(float)];
        for (var i = 0; i < vector.Length; i++)
        {
            vector[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(i * sizeof(float)));
        }

        return vector;
    }

    /// <summary>A vector sent as a JSON array of numbers.</summary>
    private protected static float[] ReadFloats(System.Text.Json.JsonElement array)
    {
        var vector = new float[array.GetArrayLength()];
        var i = 0;
        foreach (var value in array.EnumerateArray())
        {
            vector[i++] = value.GetSingle();
        }

        return vector;
    }

    /// <summary>How many inputs from <paramref name="start"/> go in the next request: at least one, within both limits.</summary>
    private int BatchSize(IReadOnlyList<string> inputs, int start)
    {
        var max = Math.Min(MaxInputsOverride ?? MaxInputsPerRequest, inputs.Count - start);
        if (MaxTokensPerRequest is not { } tokenLimit)
        {
            return max;
        }

        long tokens = 0;
        for (var n = 0; n < max; n++)
        {
            tokens += EmbeddingTokenEstimator.Count(inputs[start + n]);
            if (tokens > tokenLimit)
            {
                // An input over the limit on its own still goes alone: the API, not this estimate, decides whether it fits.
                return Math.Max(n, 1);
            }
        }

        return max;
    }

    private static IReadOnlyList<string> Slice(IReadOnlyList<string> inputs, int start, int count)
    {
        if (start == 0 && count == inputs.Count)
        {
            return inputs;
        }

        var slice = new string[count];
        for (var i = 0; i < count; i++)
        {
            slice[i] = inputs[start + i];
        }

        return slice;
    }
}

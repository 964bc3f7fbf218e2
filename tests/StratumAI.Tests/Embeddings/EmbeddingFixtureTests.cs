using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using StratumAI.Testing;
using static StratumAI.Tests.TestCatalog;

namespace StratumAI.Tests.Embeddings;

/// <summary>
/// Every recorded embeddings exchange of OpenAI, Mistral, Gemini and Ollama replayed through
/// <see cref="StratumClient.GetEmbeddingGenerator(ModelInfo)"/>: the inputs and options are taken from the recorded request
/// and the body we send is compared with it; every vector is compared value by value with the recorded body read on its
/// own terms (JSON numbers, or base64 float32 decoded here with a reinterpreting cast, not the dialect's reader), with the
/// vector length and first value written out by hand; usage and the exact cost (tokens × the catalog's input price per
/// million, worked out by hand) are pinned. Errors are checked for type, status and the provider's message.
/// </summary>
public sealed class EmbeddingFixtureTests
{
    /// <summary>One fixture: its catalog model, what the vectors must be, and the cost the recorded usage is worth.</summary>
    /// <param name="Provider">The catalog provider.</param>
    /// <param name="Dialect">The provider's dialect.</param>
    /// <param name="Model">The model id (the recorded request's).</param>
    /// <param name="InputPrice">The default catalog's input price (USD per 1M tokens); for a model the catalog does not list, LiteLLM's.</param>
    /// <param name="Length">The length of every vector.</param>
    /// <param name="First">The first value of the first vector, as recorded.</param>
    /// <param name="Tokens">The input tokens the provider reported, or null when it reported none.</param>
    /// <param name="Cost">The exact cost, or null when the provider reported no usage (the cost is unknown).</param>
    /// <param name="Inputs">The inputs of a body-only fixture (no recorded request); null to take the recorded request's.</param>
    /// <param name="Dimensions">The dimensions a body-only fixture's request asked for, or null.</param>
    public sealed record Case(string Provider, string Dialect, string Model, decimal InputPrice, int Length, float First, long? Tokens, decimal? Cost, string[]? Inputs = null, int? Dimensions = null);

    internal static readonly Dictionary<string, Case> Cases = new(StringComparer.Ordinal)
    {
        // 12 tokens × $0.02/1M
        ["openai/embed__openai-dotnet__GenerateMultipleEmbeddings(UsingStrings).json"] = new("openai", "openai", "text-embedding-3-small", 0.02m, 456, -0.029734965f, 12, 0.00000024m),
        // 2 tokens × $0.02/1M
        ["openai/embed__pydantic-ai__TestOpenAI.test_documents.yaml"] = new("openai", "openai", "text-embedding-3-small", 0.02m, 1536, 0.016818162f, 2, 0.00000004m),
        ["openai/embed__langchaingo__TestClient_CreateEmbeddingWithDimensions.httprr"] = new("openai", "openai", "text-embedding-3-small", 0.02m, 256, -0.0039325873f, 2, 0.00000004m),
        // 9 tokens × $0.10/1M
        ["mistral/embed__ruby-llm__embedding_basic_functionality_mistral_mistral-embed_can_handle_multiple_texts.yml"] = new("mistral", "openai", "mistral-embed", 0.1m, 1024, -0.034271240234375f, 9, 0.0000009m),
        // 6 tokens × $0.10/1M; body only: two inputs of our own
        ["mistral/embed__semantic-kernel__embeddings_response.json"] = new("mistral", "openai", "mistral-embed", 0.1m, 1024, -0.0249176025390625f, 6, 0.0000006m, ["Hello", "world"]),
        // No usageMetadata: the cost is unknown, never $0.
        ["gemini/embed__pydantic-ai__TestGoogle.test_query_with_dimensions.yaml"] = new("gemini", "gemini", "gemini-embedding-2-preview", 0.2m, 768, -0.039718185f, null, null),
        // 8 tokens × $0.20/1M
        ["gemini/embed__ruby-llm__embedding_multimodal_embeddings_gemini_gemini-embedding-2_embeds_text_with_custom_dimensions.yml"] = new("gemini", "gemini", "gemini-embedding-2", 0.2m, 768, 0.020942502f, 8, 0.0000016m),
        // :embedContent's single-vector body (text-embedding-004, LiteLLM $0.10/1M), read as a batch of one; no usage.
        ["gemini/embed__prism__embeddings-input-1.json"] = new("gemini", "gemini", "text-embedding-004", 0.1m, 768, -0.010632273f, null, null, ["Hello"]),
        // Local models: usage reported, priced $0 exactly.
        ["ollama/embed__langchaingo__TestClient_CreateEmbedding.httprr"] = new("ollama", "ollama", "nomic-embed-text", 0m, 768, -0.006746773f, 2, 0m),
        ["ollama/embed__prism__embeddings-with-dimensions-1.json"] = new("ollama", "ollama", "mxbai-embed-large", 0m, 256, -0.007925049f, 10, 0m, ["Hello"], Dimensions: 256),
        // The legacy /api/embeddings body: one vector, no usage.
        ["ollama/embed__ollama-docs__docs_api-generate-embedding-legacy.json"] = new("ollama", "ollama", "nomic-embed-text", 0m, 10, 0.5670403838157654f, null, null, ["Hello"]),
    };

    /// <summary>Every embeddings fixture the tests of this folder replay (the fixture inventories count them as replayed).</summary>
    internal static IEnumerable<string> Replayed => Cases.Keys.Concat(ErrorFixtures);

    internal static readonly string[] ErrorFixtures =
    [
        "openai/embed-error__pydantic-ai__TestOpenAI.test_embed_error.yaml",
        "gemini/embed-error__pydantic-ai__TestGoogle.test_embed_error.yaml",
    ];

    public static TheoryData<string> Fixtures() => new(Cases.Keys);

    internal static ModelInfo EmbeddingModel(string provider, string dialect, string id, decimal inputPrice, int? dimensions = null) =>
        new(id, "M" + new string(id.Where(char.IsLetterOrDigit).ToArray()), Provider(provider, dialect: dialect), null, 8192, null, new ModelPricing(inputPrice, 0m), ModelCapabilities.Embeddings)
        {
            Dimensions = dimensions,
        };

    [Theory]
    [MemberData(nameof(Fixtures))]
    public async Task Fixture_ReplaysEveryVectorWithUsageAndExactCostAndSendsTheRecordedRequest(string fixture)
    {
        var c = Cases[fixture];
        var exchange = Assert.Single(FixtureLoader.Load(Fixture(fixture)));
        await using var server = await FakeProviderServer.StartAsync();
        server.Enqueue(exchange);
        using var client = ClientFor(server, c.Provider);
        var model = EmbeddingModel(c.Provider, c.Dialect, c.Model, c.InputPrice);
        var recorded = exchange.Request?.Body is { } requestBody ? JsonNode.Parse(requestBody) : null;
        var (inputs, options) = FromRecordedRequest(recorded, c);

        var result = await client.GetEmbeddingGenerator(model).GenerateAsync(inputs, options);

        var expected = RecordedVectors(JsonNode.Parse(exchange.Response.BodyText)!);
        Assert.Equal(inputs.Length, result.Count);
        Assert.Equal(expected.Count, result.Count);
        for (var i = 0; i < result.Count; i++)
        {
            Assert.Equal(c.Length, result[i].Dimensions);
            Assert.Equal(expected[i], result[i].Vector.ToArray());
            Assert.Equal(c.Model, result[i].ModelId);
        }

        Assert.Equal(c.First, result[0].Vector.Span[0]);
        Assert.Equal(c.Tokens, result.Usage?.InputTokenCount);
        Assert.Equal(c.Tokens is null ? null : 0, result.Usage?.OutputTokenCount);
        Assert.Equal(c.Cost, result.GetCost()?.Total);
        Assert.Same(model, result.GetModelInfo());

        var sent = Assert.Single(server.ReceivedRequests);
        Assert.Equal("POST", sent.Method);
        var body = JsonNode.Parse(sent.Body)!;
        switch (c.Dialect)
        {
            case "openai":
                Assert.Equal("/v1/embeddings", sent.Path);
                Assert.Equal($"Bearer {CanaryKey}", sent.GetHeader("Authorization"));
                Assert.Equal(c.Model, (string?)body["model"]);
                AssertJsonEqual(new JsonArray(inputs.Select(i => (JsonNode?)JsonValue.Create(i)).ToArray()), body["input"]);
                Assert.Equal(options?.Dimensions, (int?)body["dimensions"]);

                // OpenAI's own SDKs ask for base64; other servers of the dialect get the default (floats).
                Assert.Equal(c.Provider == "openai" ? "base64" : null, (string?)body["encoding_format"]);
                break;
            case "gemini":
                Assert.Equal($"/v1/models/{c.Model}:batchEmbedContents", sent.Path);
                Assert.Equal(CanaryKey, sent.GetHeader("x-goog-api-key"));
                Assert.Null(sent.GetHeader("Authorization"));
                break;
            default:
                Assert.Equal("/v1/api/embed", sent.Path);
                Assert.Equal(c.Model, (string?)body["model"]);
                AssertJsonEqual(new JsonArray(inputs.Select(i => (JsonNode?)JsonValue.Create(i)).ToArray()), body["input"]);
                Assert.Equal(options?.Dimensions, (int?)body["dimensions"]);
                break;
        }

        // What the recording's client sent is what we send: Gemini's batch, and OpenAI-style bodies asking for the same encoding.
        // (langchaingo's Ollama client sent one bare string and sampling options; its model and input are compared above.)
        if (recorded is not null && c.Dialect != "ollama" && (c.Dialect == "gemini" || (string?)recorded["encoding_format"] == (string?)body["encoding_format"]))
        {
            AssertJsonEqual(recorded, body);
        }
    }

    [Fact]
    public async Task OpenAIBase64_DecodesLittleEndianFloat32_ToTheValuesOfAFloatRecording()
    {
        // The first value of the openai-dotnet recording, whose bytes are "y5LzvA==": 0xBCF392CB little-endian.
        var exchange = Assert.Single(FixtureLoader.Load(Fixture("openai/embed__openai-dotnet__GenerateMultipleEmbeddings(UsingStrings).json")));
        var base64 = (string)JsonNode.Parse(exchange.Response.BodyText)!["data"]![0]!["embedding"]!;
        var bytes = Convert.FromBase64String(base64);
        Assert.Equal(456 * 4, bytes.Length);
        Assert.Equal(-0.029734965f, BitConverter.Int32BitsToSingle(bytes[0] | (bytes[1] << 8) | (bytes[2] << 16) | (bytes[3] << 24)));

        await using var server = await FakeProviderServer.StartAsync();
        server.Enqueue(exchange);
        using var client = ClientFor(server, "openai");
        var result = await client.GetEmbeddingGenerator(EmbeddingModel("openai", "openai", "text-embedding-3-small", 0.02m))
            .GenerateAsync(["Hello, world!", "This is a test.", "Goodbye!"], new EmbeddingGenerationOptions { Dimensions = 456 });

        Assert.Equal(-0.029734965f, result[0].Vector.Span[0]);
        Assert.Equal(0.017120949923992157f, result[1].Vector.Span[0]);
        Assert.Equal(0.042720966041088104f, result[2].Vector.Span[0]);
    }

    [Fact]
    public async Task OpenAIError_IsModelNotFoundWithTheProvidersMessage()
    {
        var exchange = Assert.Single(FixtureLoader.Load(Fixture(ErrorFixtures[0])));
        await using var server = await FakeProviderServer.StartAsync();
        server.Enqueue(exchange);
        using var client = ClientFor(server, "openai");

        var ex = await Assert.ThrowsAsync<StratumModelNotFoundException>(() =>
            client.GetEmbeddingGenerator(EmbeddingModel("openai", "openai", "nonexistent", 0.02m)).GenerateAsync(["Hello, world!"]));

        Assert.Equal(404, (int)ex.StatusCode!);
        Assert.Equal("openai", ex.ProviderId);
        Assert.Equal("nonexistent", ex.ModelId);
        Assert.Equal("model_not_found", ex.ErrorCode);
        Assert.StartsWith("The model `nonexistent` does not exist", ex.ProviderMessage);
        Assert.Null(ex.UsageSoFar);
        AssertJsonEqual(JsonNode.Parse(exchange.Request!.Body!), JsonNode.Parse(Assert.Single(server.ReceivedRequests).Body));
        Assert.DoesNotContain(CanaryKey, ex.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task GeminiError_IsModelNotFoundWithTheProvidersMessage()
    {
        var exchange = Assert.Single(FixtureLoader.Load(Fixture(ErrorFixtures[1])));
        await using var server = await FakeProviderServer.StartAsync();
        server.Enqueue(exchange);
        using var client = ClientFor(server, "gemini");
        var options = new EmbeddingGenerationOptions { AdditionalProperties = new() { ["taskType"] = "RETRIEVAL_QUERY" } };

        var ex = await Assert.ThrowsAsync<StratumModelNotFoundException>(() =>
            client.GetEmbeddingGenerator(EmbeddingModel("gemini", "gemini", "nonexistent-model", 0.15m)).GenerateAsync(["Hello, world!"], options));

        Assert.Equal(404, (int)ex.StatusCode!);
        Assert.Equal("gemini", ex.ProviderId);
        Assert.StartsWith("models/nonexistent-model is not found for API version v1beta, or is not supported for embedContent.", ex.ProviderMessage);
        var sent = Assert.Single(server.ReceivedRequests);
        Assert.Equal("/v1/models/nonexistent-model:batchEmbedContents", sent.Path);
        AssertJsonEqual(JsonNode.Parse(exchange.Request!.Body!), JsonNode.Parse(sent.Body));
        Assert.DoesNotContain(CanaryKey, ex.ToString(), StringComparison.Ordinal);
    }

    /// <summary>The inputs and options of the recorded request (OpenAI, Gemini or Ollama shape), else the case's own inputs.</summary>
    private static (string[] Inputs, EmbeddingGenerationOptions? Options) FromRecordedRequest(JsonNode? request, Case c)
    {
        if (request is null)
        {
            return (c.Inputs!, c.Dimensions is null ? null : new EmbeddingGenerationOptions { Dimensions = c.Dimensions });
        }

        if (request["requests"] is JsonArray requests)
        {
            var first = requests[0]!;
            var options = new EmbeddingGenerationOptions { Dimensions = (int?)first["outputDimensionality"] };
            if ((string?)first["taskType"] is { } taskType)
            {
                options.AdditionalProperties = new() { ["taskType"] = taskType };
            }

            return (requests.Select(r => (string)r!["content"]!["parts"]![0]!["text"]!).ToArray(), options);
        }

        var inputs = request["input"] is JsonArray list ? list.Select(i => (string)i!).ToArray() : [(string)request["input"]!];
        return (inputs, request["dimensions"] is { } d ? new EmbeddingGenerationOptions { Dimensions = (int)d } : null);
    }

    /// <summary>The vectors of a recorded body, read without the dialect: OpenAI's <c>data</c>, Gemini's and Ollama's shapes.</summary>
    internal static List<float[]> RecordedVectors(JsonNode body)
    {
        if (body["data"] is JsonArray data)
        {
            return data.OrderBy(d => (int)d!["index"]!).Select(d => d!["embedding"] is JsonArray numbers
                ? numbers.Select(n => (float)n!).ToArray()
                : MemoryMarshal.Cast<byte, float>(Convert.FromBase64String((string)d["embedding"]!)).ToArray()).ToList();
        }

        if (body["embeddings"] is JsonArray embeddings)
        {
            return embeddings.Select(e => (e is JsonObject o ? o["values"]!.AsArray() : e!.AsArray()).Select(n => (float)n!).ToArray()).ToList();
        }

        var single = body["embedding"]!;
        return [(single is JsonObject one ? one["values"]!.AsArray() : single.AsArray()).Select(n => (float)n!).ToArray()];
    }
}

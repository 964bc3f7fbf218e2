using System.Text.Json;
using System.Text.Json.Serialization;

namespace StratumAI.Dialects;

// The wire types of OpenAI's /embeddings (also Mistral's and any compatible server's). Public fields, as every dialect's.

internal sealed class OpenAIEmbeddingsRequest
{
    public string Model = string.Empty;
    public IReadOnlyList<string> Input = [];
    public string? EncodingFormat;
    public int? Dimensions;
    public string? User;
}

internal sealed class OpenAIEmbeddingsResponse
{
    public List<OpenAIEmbeddingItem>? Data;
    public string? Model;
    public OpenAIEmbeddingsUsage? Usage;
}

/// <summary>One vector: a JSON array of numbers, or (with <c>encoding_format: "base64"</c>) a base64 string of float32 values.</summary>
internal sealed class OpenAIEmbeddingItem
{
    public JsonElement Embedding;
    public int? Index;
}

internal sealed class OpenAIEmbeddingsUsage
{
    public long? PromptTokens;
    public long? TotalTokens;
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, IncludeFields = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, NumberHandling = JsonNumberHandling.AllowReadingFromString)]
[JsonSerializable(typeof(OpenAIEmbeddingsRequest))]
[JsonSerializable(typeof(OpenAIEmbeddingsResponse))]
internal sealed partial class OpenAIEmbeddingsJsonContext : JsonSerializerContext;

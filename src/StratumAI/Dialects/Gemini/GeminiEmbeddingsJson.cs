using System.Text.Json.Serialization;

namespace StratumAI.Dialects;

// The wire types of Gemini's :batchEmbedContents. Public fields, as every dialect's.

internal sealed class GeminiBatchEmbedRequest
{
    public List<GeminiEmbedRequest> Requests = [];
}

internal sealed class GeminiEmbedRequest
{
    public string Model = string.Empty;
    public GeminiEmbedContent Content = new();
    public string? TaskType;
    public string? Title;
    public int? OutputDimensionality;
}

internal sealed class GeminiEmbedContent
{
    public List<GeminiEmbedPart> Parts = [];
}

internal sealed class GeminiEmbedPart
{
    public string Text = string.Empty;
}

/// <summary>
/// <c>:batchEmbedContents</c> answers <c>embeddings</c>; <c>:embedContent</c> (one input) answers <c>embedding</c>.
/// <c>usageMetadata</c> is present on newer models only (gemini-embedding-2).
/// </summary>
internal sealed class GeminiEmbedResponse
{
    public List<GeminiEmbeddingValues>? Embeddings;
    public GeminiEmbeddingValues? Embedding;
    public GeminiEmbedUsage? UsageMetadata;
}

internal sealed class GeminiEmbeddingValues
{
    public float[]? Values;
}

internal sealed class GeminiEmbedUsage
{
    public long? PromptTokenCount;
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, IncludeFields = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, NumberHandling = JsonNumberHandling.AllowReadingFromString)]
[JsonSerializable(typeof(GeminiBatchEmbedRequest))]
[JsonSerializable(typeof(GeminiEmbedResponse))]
internal sealed partial class GeminiEmbeddingsJsonContext : JsonSerializerContext;

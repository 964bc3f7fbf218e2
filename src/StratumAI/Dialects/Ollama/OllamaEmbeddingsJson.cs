using System.Text.Json.Serialization;

namespace StratumAI.Dialects;

// The wire types of Ollama's /api/embed. Public fields, as every dialect's.

internal sealed class OllamaEmbedRequest
{
    public string Model = string.Empty;
    public IReadOnlyList<string> Input = [];
    public int? Dimensions;
    public bool? Truncate;
    public string? KeepAlive;
}

/// <summary>
/// <c>/api/embed</c> answers <c>embeddings</c> (one list per input) with <c>prompt_eval_count</c>; the legacy
/// <c>/api/embeddings</c> answers one <c>embedding</c> and no usage.
/// </summary>
internal sealed class OllamaEmbedResponse
{
    public string? Model;
    public List<float[]>? Embeddings;
    public float[]? Embedding;
    public long? TotalDuration;
    public long? LoadDuration;
    public long? PromptEvalCount;
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, IncludeFields = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, NumberHandling = JsonNumberHandling.AllowReadingFromString)]
[JsonSerializable(typeof(OllamaEmbedRequest))]
[JsonSerializable(typeof(OllamaEmbedResponse))]
internal sealed partial class OllamaEmbeddingsJsonContext : JsonSerializerContext;

using System.Text.Json;
using System.Text.Json.Serialization;

namespace StratumAI.Dialects;

// Wire types of Ollama's native chat API (POST /api/chat). Source-generated (OllamaJsonContext) so the dialect works
// trimmed and under Native AOT. Only fields StratumAI reads or writes are declared; unknown fields are ignored.

internal sealed class OllamaChatRequest
{
    public required string Model { get; set; }

    public required List<OllamaMessage> Messages { get; set; }

    public List<WireTool>? Tools { get; set; }

    /// <summary><c>"json"</c>, or a JSON schema object the answer must follow.</summary>
    public JsonElement? Format { get; set; }

    public OllamaOptions? Options { get; set; }

    /// <summary>Always sent: Ollama streams when the field is absent.</summary>
    public bool Stream { get; set; }

    /// <summary><c>true</c>/<c>false</c>, or <c>"low"</c>/<c>"medium"</c>/<c>"high"</c> for models with thinking levels.</summary>
    public JsonElement? Think { get; set; }

    public JsonElement? KeepAlive { get; set; }
}

internal sealed class OllamaOptions : IWireSampling, IWireTopK, IWireMaxOutputTokens, IWireSeed, IWirePenalties, IWireStopSequences
{
    public float? Temperature { get; set; }

    public float? TopP { get; set; }

    public int? TopK { get; set; }

    [JsonPropertyName("num_predict")]
    public int? MaxOutputTokens { get; set; }

    public int? NumCtx { get; set; }

    [JsonPropertyName("stop")]
    public List<string>? StopSequences { get; set; }

    public long? Seed { get; set; }

    public float? FrequencyPenalty { get; set; }

    public float? PresencePenalty { get; set; }

    [JsonIgnore]
    public bool IsEmpty =>
        Temperature is null && TopP is null && TopK is null && MaxOutputTokens is null && NumCtx is null && StopSequences is null
        && Seed is null && FrequencyPenalty is null && PresencePenalty is null;
}

internal sealed class OllamaMessage
{
    public string? Role { get; set; }

    public string? Content { get; set; }

    public string? Thinking { get; set; }

    /// <summary>Base64-encoded images (no <c>data:</c> prefix).</summary>
    public List<string>? Images { get; set; }

    public List<OllamaToolCall>? ToolCalls { get; set; }

    /// <summary>On a <c>tool</c> message: the function whose result this is.</summary>
    public string? ToolName { get; set; }

    public string? ToolCallId { get; set; }
}

internal sealed class OllamaToolCall
{
    /// <summary>Sent by newer servers (ollama.com); older ones give calls no id.</summary>
    public string? Id { get; set; }

    public OllamaFunctionCall? Function { get; set; }
}

internal sealed class OllamaFunctionCall
{
    public int? Index { get; set; }

    public string? Name { get; set; }

    /// <summary>A JSON object, not a string as in the OpenAI API.</summary>
    public JsonElement? Arguments { get; set; }
}

/// <summary>One NDJSON line of a stream, or the whole body of a non-streaming answer.</summary>
internal sealed class OllamaChatResponse
{
    public string? Model { get; set; }

    /// <summary>RFC 3339 with up to nine fractional digits, kept as text (see <c>OllamaChatClient.ParseCreatedAt</c>).</summary>
    public string? CreatedAt { get; set; }

    public OllamaMessage? Message { get; set; }

    public bool Done { get; set; }

    public string? DoneReason { get; set; }

    public long? TotalDuration { get; set; }

    public long? LoadDuration { get; set; }

    public long? PromptEvalCount { get; set; }

    public long? PromptEvalDuration { get; set; }

    public long? EvalCount { get; set; }

    public long? EvalDuration { get; set; }

    /// <summary>Set instead of everything else when the server fails mid-stream.</summary>
    public JsonElement? Error { get; set; }
}

// The wire's names are snake_case: the policy spells each property's, [JsonPropertyName] only where the wire differs.
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    NumberHandling = JsonNumberHandling.AllowReadingFromString)]
[JsonSerializable(typeof(OllamaChatRequest))]
[JsonSerializable(typeof(OllamaChatResponse))]
[JsonSerializable(typeof(Dictionary<string, object?>))]
internal sealed partial class OllamaJsonContext : JsonSerializerContext;

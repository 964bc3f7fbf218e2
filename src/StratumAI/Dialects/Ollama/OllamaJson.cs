using System.Text.Json;
using System.Text.Json.Serialization;

namespace StratumAI.Dialects;

// Wire types of Ollama's native chat API (POST /api/chat). Source-generated (OllamaJsonContext) so the dialect works
// trimmed and under Native AOT. Only fields StratumAI reads or writes are declared; unknown fields are ignored.

internal sealed class OllamaChatRequest
{
    [JsonPropertyName("model")]
    public required string Model { get; set; }

    [JsonPropertyName("messages")]
    public required List<OllamaMessage> Messages { get; set; }

    [JsonPropertyName("tools")]
    public List<OllamaTool>? Tools { get; set; }

    /// <summary><c>"json"</c>, or a JSON schema object the answer must follow.</summary>
    [JsonPropertyName("format")]
    public JsonElement? Format { get; set; }

    [JsonPropertyName("options")]
    public OllamaOptions? Options { get; set; }

    /// <summary>Always sent: Ollama streams when the field is absent.</summary>
    [JsonPropertyName("stream")]
    public bool Stream { get; set; }

    /// <summary><c>true</c>/<c>false</c>, or <c>"low"</c>/<c>"medium"</c>/<c>"high"</c> for models with thinking levels.</summary>
    [JsonPropertyName("think")]
    public JsonElement? Think { get; set; }

    [JsonPropertyName("keep_alive")]
    public JsonElement? KeepAlive { get; set; }
}

internal sealed class OllamaOptions
{
    [JsonPropertyName("temperature")]
    public float? Temperature { get; set; }

    [JsonPropertyName("top_p")]
    public float? TopP { get; set; }

    [JsonPropertyName("top_k")]
    public int? TopK { get; set; }

    [JsonPropertyName("num_predict")]
    public int? NumPredict { get; set; }

    [JsonPropertyName("num_ctx")]
    public int? NumCtx { get; set; }

    [JsonPropertyName("stop")]
    public List<string>? Stop { get; set; }

    [JsonPropertyName("seed")]
    public long? Seed { get; set; }

    [JsonPropertyName("frequency_penalty")]
    public float? FrequencyPenalty { get; set; }

    [JsonPropertyName("presence_penalty")]
    public float? PresencePenalty { get; set; }

    [JsonIgnore]
    public bool IsEmpty =>
        Temperature is null && TopP is null && TopK is null && NumPredict is null && NumCtx is null && Stop is null
        && Seed is null && FrequencyPenalty is null && PresencePenalty is null;
}

internal sealed class OllamaMessage
{
    [JsonPropertyName("role")]
    public string? Role { get; set; }

    [JsonPropertyName("content")]
    public string? Content { get; set; }

    [JsonPropertyName("thinking")]
    public string? Thinking { get; set; }

    /// <summary>Base64-encoded images (no <c>data:</c> prefix).</summary>
    [JsonPropertyName("images")]
    public List<string>? Images { get; set; }

    [JsonPropertyName("tool_calls")]
    public List<OllamaToolCall>? ToolCalls { get; set; }

    /// <summary>On a <c>tool</c> message: the function whose result this is.</summary>
    [JsonPropertyName("tool_name")]
    public string? ToolName { get; set; }

    [JsonPropertyName("tool_call_id")]
    public string? ToolCallId { get; set; }
}

internal sealed class OllamaToolCall
{
    /// <summary>Sent by newer servers (ollama.com); older ones give calls no id.</summary>
    [JsonPropertyName("id")]
    public string? Id { get; set; }

    [JsonPropertyName("function")]
    public OllamaFunctionCall? Function { get; set; }
}

internal sealed class OllamaFunctionCall
{
    [JsonPropertyName("index")]
    public int? Index { get; set; }

    [JsonPropertyName("name")]
    public string? Name { get; set; }

    /// <summary>A JSON object, not a string as in the OpenAI API.</summary>
    [JsonPropertyName("arguments")]
    public JsonElement? Arguments { get; set; }
}

internal sealed class OllamaTool
{
    [JsonPropertyName("type")]
    public string Type { get; set; } = "function";

    [JsonPropertyName("function")]
    public required OllamaFunctionDefinition Function { get; set; }
}

internal sealed class OllamaFunctionDefinition
{
    [JsonPropertyName("name")]
    public required string Name { get; set; }

    [JsonPropertyName("description")]
    public string? Description { get; set; }

    [JsonPropertyName("parameters")]
    public JsonElement? Parameters { get; set; }
}

/// <summary>One NDJSON line of a stream, or the whole body of a non-streaming answer.</summary>
internal sealed class OllamaChatResponse
{
    [JsonPropertyName("model")]
    public string? Model { get; set; }

    /// <summary>RFC 3339 with up to nine fractional digits, kept as text (see <c>OllamaChatClient.ParseCreatedAt</c>).</summary>
    [JsonPropertyName("created_at")]
    public string? CreatedAt { get; set; }

    [JsonPropertyName("message")]
    public OllamaMessage? Message { get; set; }

    [JsonPropertyName("done")]
    public bool Done { get; set; }

    [JsonPropertyName("done_reason")]
    public string? DoneReason { get; set; }

    [JsonPropertyName("total_duration")]
    public long? TotalDuration { get; set; }

    [JsonPropertyName("load_duration")]
    public long? LoadDuration { get; set; }

    [JsonPropertyName("prompt_eval_count")]
    public long? PromptEvalCount { get; set; }

    [JsonPropertyName("prompt_eval_duration")]
    public long? PromptEvalDuration { get; set; }

    [JsonPropertyName("eval_count")]
    public long? EvalCount { get; set; }

    [JsonPropertyName("eval_duration")]
    public long? EvalDuration { get; set; }

    /// <summary>Set instead of everything else when the server fails mid-stream.</summary>
    [JsonPropertyName("error")]
    public JsonElement? Error { get; set; }
}

[JsonSourceGenerationOptions(
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    NumberHandling = JsonNumberHandling.AllowReadingFromString)]
[JsonSerializable(typeof(OllamaChatRequest))]
[JsonSerializable(typeof(OllamaChatResponse))]
[JsonSerializable(typeof(Dictionary<string, object?>))]
internal sealed partial class OllamaJsonContext : JsonSerializerContext;

using System.Text.Json;
using System.Text.Json.Serialization;

namespace StratumAI.Dialects;

// Wire types of Ollama's native chat API (POST /api/chat). Source-generated (OllamaJsonContext) so the dialect works
// trimmed and under Native AOT. Only fields StratumAI reads or writes are declared; unknown fields are ignored.

internal sealed class OllamaChatRequest
{
    public required string Model;
    public required List<OllamaMessage> Messages;
    public List<WireTool>? Tools;

    /// <summary><c>"json"</c>, or a JSON schema object the answer must follow.</summary>
    public JsonElement? Format;

    public OllamaOptions? Options;

    /// <summary>Always sent: Ollama streams when the field is absent.</summary>
    public bool Stream;

    /// <summary><c>true</c>/<c>false</c>, or <c>"low"</c>/<c>"medium"</c>/<c>"high"</c> for models with thinking levels.</summary>
    public JsonElement? Think;

    public JsonElement? KeepAlive;
}

// Properties, not fields: the IWire* interfaces name them (see the top of DialectWire.cs).
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
    public string? Role, Content, Thinking;

    /// <summary>Base64-encoded images (no <c>data:</c> prefix).</summary>
    public List<string>? Images;

    public List<OllamaToolCall>? ToolCalls;

    /// <summary>On a <c>tool</c> message: the function whose result this is.</summary>
    public string? ToolName;

    public string? ToolCallId;
}

internal sealed class OllamaToolCall
{
    /// <summary>Sent by newer servers (ollama.com); older ones give calls no id.</summary>
    public string? Id;

    public OllamaFunctionCall? Function;
}

internal sealed class OllamaFunctionCall
{
    public int? Index;
    public string? Name;

    /// <summary>A JSON object, not a string as in the OpenAI API.</summary>
    public JsonElement? Arguments;
}

/// <summary>One NDJSON line of a stream, or the whole body of a non-streaming answer.</summary>
internal sealed class OllamaChatResponse
{
    public string? Model;

    /// <summary>RFC 3339 with up to nine fractional digits, kept as text (see <c>OllamaChatClient.ParseCreatedAt</c>).</summary>
    public string? CreatedAt;

    public OllamaMessage? Message;
    public bool Done;
    public string? DoneReason;
    public long? PromptEvalCount, EvalCount;

    /// <summary>Nanoseconds: the whole call, loading the model, reading the prompt, writing the answer.</summary>
    public long? TotalDuration, LoadDuration, PromptEvalDuration, EvalDuration;

    /// <summary>Set instead of everything else when the server fails mid-stream.</summary>
    public JsonElement? Error;
}

// The wire's names are snake_case: the policy spells each field's, [JsonPropertyName] only where the wire differs.
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, IncludeFields = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, NumberHandling = JsonNumberHandling.AllowReadingFromString)]
[JsonSerializable(typeof(OllamaChatRequest))]
[JsonSerializable(typeof(OllamaChatResponse))]
internal sealed partial class OllamaJsonContext : JsonSerializerContext;

using System.Text.Json;
using System.Text.Json.Serialization;

namespace StratumAI.Dialects;

// Wire types of Gemini's generateContent API (https://ai.google.dev/api/generate-content). Source-generated
// (GeminiGenerateContentJsonContext) so the dialect works trimmed and under Native AOT. Only fields StratumAI reads or
// writes are declared; unknown fields are ignored. Enum-valued fields (finishReason, blockReason) are JsonElement
// because Google's clients may ask for integer enum encoding ("$alt=json;enum-encoding=int") and get numbers back.

internal sealed class GeminiRequest
{
    public required List<GeminiContent> Contents { get; set; }

    public GeminiContent? SystemInstruction { get; set; }

    public List<GeminiTool>? Tools { get; set; }

    public GeminiToolConfig? ToolConfig { get; set; }

    public JsonElement? SafetySettings { get; set; }

    public string? CachedContent { get; set; }

    public GeminiGenerationConfig? GenerationConfig { get; set; }
}

internal sealed class GeminiContent
{
    public List<GeminiPart>? Parts { get; set; }

    public string? Role { get; set; }
}

internal sealed class GeminiPart
{
    public string? Text { get; set; }

    public bool? Thought { get; set; }

    public string? ThoughtSignature { get; set; }

    public GeminiBlob? InlineData { get; set; }

    public GeminiFileData? FileData { get; set; }

    public GeminiFunctionCall? FunctionCall { get; set; }

    public GeminiFunctionResponse? FunctionResponse { get; set; }
}

internal sealed class GeminiBlob
{
    public string? MimeType { get; set; }

    public string? Data { get; set; }
}

internal sealed class GeminiFileData
{
    public string? MimeType { get; set; }

    public string? FileUri { get; set; }
}

internal sealed class GeminiFunctionCall
{
    public string? Id { get; set; }

    public string? Name { get; set; }

    public JsonElement? Args { get; set; }

    /// <summary>Gemini 3 streamed arguments: one fragment per JSON path.</summary>
    public List<GeminiPartialArg>? PartialArgs { get; set; }

    public bool? WillContinue { get; set; }
}

internal sealed class GeminiPartialArg
{
    public string? JsonPath { get; set; }

    public string? StringValue { get; set; }

    public JsonElement? NumberValue { get; set; }

    public bool? BoolValue { get; set; }

    public JsonElement? NullValue { get; set; }

    public bool? WillContinue { get; set; }
}

internal sealed class GeminiFunctionResponse
{
    public string? Id { get; set; }

    public required string Name { get; set; }

    public required JsonElement Response { get; set; }
}

internal sealed class GeminiTool
{
    public List<WireFunction>? FunctionDeclarations { get; set; }
}

internal sealed class GeminiToolConfig
{
    public GeminiFunctionCallingConfig? FunctionCallingConfig { get; set; }
}

internal sealed class GeminiFunctionCallingConfig
{
    public string? Mode { get; set; }

    public List<string>? AllowedFunctionNames { get; set; }
}

internal sealed class GeminiGenerationConfig : IWireSampling, IWireTopK, IWireMaxOutputTokens, IWireSeed, IWirePenalties, IWireStopSequences
{
    public List<string>? StopSequences { get; set; }

    public string? ResponseMimeType { get; set; }

    public JsonElement? ResponseJsonSchema { get; set; }

    public int? CandidateCount { get; set; }

    public int? MaxOutputTokens { get; set; }

    public float? Temperature { get; set; }

    public float? TopP { get; set; }

    public int? TopK { get; set; }

    public long? Seed { get; set; }

    public float? PresencePenalty { get; set; }

    public float? FrequencyPenalty { get; set; }

    public GeminiThinkingConfig? ThinkingConfig { get; set; }

    [JsonIgnore]
    public bool IsEmpty =>
        StopSequences is null && ResponseMimeType is null && ResponseJsonSchema is null && CandidateCount is null
        && MaxOutputTokens is null && Temperature is null && TopP is null && TopK is null && Seed is null
        && PresencePenalty is null && FrequencyPenalty is null && ThinkingConfig is null;
}

internal sealed class GeminiThinkingConfig
{
    public bool? IncludeThoughts { get; set; }

    public int? ThinkingBudget { get; set; }

    public string? ThinkingLevel { get; set; }
}

internal sealed class GeminiResponse
{
    public List<GeminiCandidate>? Candidates { get; set; }

    public GeminiPromptFeedback? PromptFeedback { get; set; }

    public GeminiUsageMetadata? UsageMetadata { get; set; }

    public string? ModelVersion { get; set; }

    public string? ResponseId { get; set; }

    public DateTimeOffset? CreateTime { get; set; }

    /// <summary>An error object sent in place of a response (mid-stream failures).</summary>
    public JsonElement? Error { get; set; }
}

internal sealed class GeminiCandidate
{
    public GeminiContent? Content { get; set; }

    public JsonElement? FinishReason { get; set; }

    public string? FinishMessage { get; set; }

    public int? Index { get; set; }
}

internal sealed class GeminiPromptFeedback
{
    public JsonElement? BlockReason { get; set; }

    public string? BlockReasonMessage { get; set; }
}

internal sealed class GeminiUsageMetadata
{
    public long? PromptTokenCount { get; set; }

    public long? CachedContentTokenCount { get; set; }

    public long? CandidatesTokenCount { get; set; }

    public long? ToolUsePromptTokenCount { get; set; }

    public long? ThoughtsTokenCount { get; set; }

    public long? TotalTokenCount { get; set; }

    /// <summary>The prompt's tokens by modality (TEXT, AUDIO, IMAGE, VIDEO, DOCUMENT).</summary>
    public List<GeminiModalityTokenCount>? PromptTokensDetails { get; set; }

    /// <summary>The cached prompt tokens by modality.</summary>
    public List<GeminiModalityTokenCount>? CacheTokensDetails { get; set; }

    /// <summary>The answer's tokens by modality.</summary>
    public List<GeminiModalityTokenCount>? CandidatesTokensDetails { get; set; }
}

internal sealed class GeminiModalityTokenCount
{
    /// <summary>A name (<c>"AUDIO"</c>) or, from clients that send integer enums, its number (<c>4</c>).</summary>
    public JsonElement? Modality { get; set; }

    public long? TokenCount { get; set; }
}

// The wire's names are camelCase: the policy spells each property's, [JsonPropertyName] only where the wire differs.
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    NumberHandling = JsonNumberHandling.AllowReadingFromString)]
[JsonSerializable(typeof(GeminiRequest))]
[JsonSerializable(typeof(GeminiResponse))]
[JsonSerializable(typeof(Dictionary<string, object?>))]
internal sealed partial class GeminiGenerateContentJsonContext : JsonSerializerContext;

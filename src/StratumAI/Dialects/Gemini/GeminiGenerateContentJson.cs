using System.Text.Json;
using System.Text.Json.Serialization;

namespace StratumAI.Dialects;

// Wire types of Gemini's generateContent API (https://ai.google.dev/api/generate-content). Source-generated
// (GeminiGenerateContentJsonContext) so the dialect works trimmed and under Native AOT. Only fields StratumAI reads or
// writes are declared; unknown fields are ignored. Enum-valued fields (finishReason, blockReason) are JsonElement
// because Google's clients may ask for integer enum encoding ("$alt=json;enum-encoding=int") and get numbers back.

internal sealed class GeminiRequest
{
    [JsonPropertyName("contents")]
    public required List<GeminiContent> Contents { get; set; }

    [JsonPropertyName("systemInstruction")]
    public GeminiContent? SystemInstruction { get; set; }

    [JsonPropertyName("tools")]
    public List<GeminiTool>? Tools { get; set; }

    [JsonPropertyName("toolConfig")]
    public GeminiToolConfig? ToolConfig { get; set; }

    [JsonPropertyName("safetySettings")]
    public JsonElement? SafetySettings { get; set; }

    [JsonPropertyName("cachedContent")]
    public string? CachedContent { get; set; }

    [JsonPropertyName("generationConfig")]
    public GeminiGenerationConfig? GenerationConfig { get; set; }
}

internal sealed class GeminiContent
{
    [JsonPropertyName("parts")]
    public List<GeminiPart>? Parts { get; set; }

    [JsonPropertyName("role")]
    public string? Role { get; set; }
}

internal sealed class GeminiPart
{
    [JsonPropertyName("text")]
    public string? Text { get; set; }

    [JsonPropertyName("thought")]
    public bool? Thought { get; set; }

    [JsonPropertyName("thoughtSignature")]
    public string? ThoughtSignature { get; set; }

    [JsonPropertyName("inlineData")]
    public GeminiBlob? InlineData { get; set; }

    [JsonPropertyName("fileData")]
    public GeminiFileData? FileData { get; set; }

    [JsonPropertyName("functionCall")]
    public GeminiFunctionCall? FunctionCall { get; set; }

    [JsonPropertyName("functionResponse")]
    public GeminiFunctionResponse? FunctionResponse { get; set; }
}

internal sealed class GeminiBlob
{
    [JsonPropertyName("mimeType")]
    public string? MimeType { get; set; }

    [JsonPropertyName("data")]
    public string? Data { get; set; }
}

internal sealed class GeminiFileData
{
    [JsonPropertyName("mimeType")]
    public string? MimeType { get; set; }

    [JsonPropertyName("fileUri")]
    public string? FileUri { get; set; }
}

internal sealed class GeminiFunctionCall
{
    [JsonPropertyName("id")]
    public string? Id { get; set; }

    [JsonPropertyName("name")]
    public string? Name { get; set; }

    [JsonPropertyName("args")]
    public JsonElement? Args { get; set; }

    /// <summary>Gemini 3 streamed arguments: one fragment per JSON path.</summary>
    [JsonPropertyName("partialArgs")]
    public List<GeminiPartialArg>? PartialArgs { get; set; }

    [JsonPropertyName("willContinue")]
    public bool? WillContinue { get; set; }
}

internal sealed class GeminiPartialArg
{
    [JsonPropertyName("jsonPath")]
    public string? JsonPath { get; set; }

    [JsonPropertyName("stringValue")]
    public string? StringValue { get; set; }

    [JsonPropertyName("numberValue")]
    public JsonElement? NumberValue { get; set; }

    [JsonPropertyName("boolValue")]
    public bool? BoolValue { get; set; }

    [JsonPropertyName("nullValue")]
    public JsonElement? NullValue { get; set; }

    [JsonPropertyName("willContinue")]
    public bool? WillContinue { get; set; }
}

internal sealed class GeminiFunctionResponse
{
    [JsonPropertyName("id")]
    public string? Id { get; set; }

    [JsonPropertyName("name")]
    public required string Name { get; set; }

    [JsonPropertyName("response")]
    public required JsonElement Response { get; set; }
}

internal sealed class GeminiTool
{
    [JsonPropertyName("functionDeclarations")]
    public List<GeminiFunctionDeclaration>? FunctionDeclarations { get; set; }
}

internal sealed class GeminiFunctionDeclaration
{
    [JsonPropertyName("name")]
    public required string Name { get; set; }

    [JsonPropertyName("description")]
    public string? Description { get; set; }

    [JsonPropertyName("parameters")]
    public JsonElement? Parameters { get; set; }
}

internal sealed class GeminiToolConfig
{
    [JsonPropertyName("functionCallingConfig")]
    public GeminiFunctionCallingConfig? FunctionCallingConfig { get; set; }
}

internal sealed class GeminiFunctionCallingConfig
{
    [JsonPropertyName("mode")]
    public string? Mode { get; set; }

    [JsonPropertyName("allowedFunctionNames")]
    public List<string>? AllowedFunctionNames { get; set; }
}

internal sealed class GeminiGenerationConfig
{
    [JsonPropertyName("stopSequences")]
    public List<string>? StopSequences { get; set; }

    [JsonPropertyName("responseMimeType")]
    public string? ResponseMimeType { get; set; }

    [JsonPropertyName("responseJsonSchema")]
    public JsonElement? ResponseJsonSchema { get; set; }

    [JsonPropertyName("candidateCount")]
    public int? CandidateCount { get; set; }

    [JsonPropertyName("maxOutputTokens")]
    public int? MaxOutputTokens { get; set; }

    [JsonPropertyName("temperature")]
    public float? Temperature { get; set; }

    [JsonPropertyName("topP")]
    public float? TopP { get; set; }

    [JsonPropertyName("topK")]
    public int? TopK { get; set; }

    [JsonPropertyName("seed")]
    public long? Seed { get; set; }

    [JsonPropertyName("presencePenalty")]
    public float? PresencePenalty { get; set; }

    [JsonPropertyName("frequencyPenalty")]
    public float? FrequencyPenalty { get; set; }

    [JsonPropertyName("thinkingConfig")]
    public GeminiThinkingConfig? ThinkingConfig { get; set; }

    [JsonIgnore]
    public bool IsEmpty =>
        StopSequences is null && ResponseMimeType is null && ResponseJsonSchema is null && CandidateCount is null
        && MaxOutputTokens is null && Temperature is null && TopP is null && TopK is null && Seed is null
        && PresencePenalty is null && FrequencyPenalty is null && ThinkingConfig is null;
}

internal sealed class GeminiThinkingConfig
{
    [JsonPropertyName("includeThoughts")]
    public bool? IncludeThoughts { get; set; }

    [JsonPropertyName("thinkingBudget")]
    public int? ThinkingBudget { get; set; }

    [JsonPropertyName("thinkingLevel")]
    public string? ThinkingLevel { get; set; }
}

internal sealed class GeminiResponse
{
    [JsonPropertyName("candidates")]
    public List<GeminiCandidate>? Candidates { get; set; }

    [JsonPropertyName("promptFeedback")]
    public GeminiPromptFeedback? PromptFeedback { get; set; }

    [JsonPropertyName("usageMetadata")]
    public GeminiUsageMetadata? UsageMetadata { get; set; }

    [JsonPropertyName("modelVersion")]
    public string? ModelVersion { get; set; }

    [JsonPropertyName("responseId")]
    public string? ResponseId { get; set; }

    [JsonPropertyName("createTime")]
    public DateTimeOffset? CreateTime { get; set; }

    /// <summary>An error object sent in place of a response (mid-stream failures).</summary>
    [JsonPropertyName("error")]
    public JsonElement? Error { get; set; }
}

internal sealed class GeminiCandidate
{
    [JsonPropertyName("content")]
    public GeminiContent? Content { get; set; }

    [JsonPropertyName("finishReason")]
    public JsonElement? FinishReason { get; set; }

    [JsonPropertyName("finishMessage")]
    public string? FinishMessage { get; set; }

    [JsonPropertyName("index")]
    public int? Index { get; set; }
}

internal sealed class GeminiPromptFeedback
{
    [JsonPropertyName("blockReason")]
    public JsonElement? BlockReason { get; set; }

    [JsonPropertyName("blockReasonMessage")]
    public string? BlockReasonMessage { get; set; }
}

internal sealed class GeminiUsageMetadata
{
    [JsonPropertyName("promptTokenCount")]
    public long? PromptTokenCount { get; set; }

    [JsonPropertyName("cachedContentTokenCount")]
    public long? CachedContentTokenCount { get; set; }

    [JsonPropertyName("candidatesTokenCount")]
    public long? CandidatesTokenCount { get; set; }

    [JsonPropertyName("toolUsePromptTokenCount")]
    public long? ToolUsePromptTokenCount { get; set; }

    [JsonPropertyName("thoughtsTokenCount")]
    public long? ThoughtsTokenCount { get; set; }

    [JsonPropertyName("totalTokenCount")]
    public long? TotalTokenCount { get; set; }

    /// <summary>The prompt's tokens by modality (TEXT, AUDIO, IMAGE, VIDEO, DOCUMENT).</summary>
    [JsonPropertyName("promptTokensDetails")]
    public List<GeminiModalityTokenCount>? PromptTokensDetails { get; set; }

    /// <summary>The cached prompt tokens by modality.</summary>
    [JsonPropertyName("cacheTokensDetails")]
    public List<GeminiModalityTokenCount>? CacheTokensDetails { get; set; }

    /// <summary>The answer's tokens by modality.</summary>
    [JsonPropertyName("candidatesTokensDetails")]
    public List<GeminiModalityTokenCount>? CandidatesTokensDetails { get; set; }
}

internal sealed class GeminiModalityTokenCount
{
    /// <summary>A name (<c>"AUDIO"</c>) or, from clients that send integer enums, its number (<c>4</c>).</summary>
    [JsonPropertyName("modality")]
    public JsonElement? Modality { get; set; }

    [JsonPropertyName("tokenCount")]
    public long? TokenCount { get; set; }
}

[JsonSourceGenerationOptions(
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    NumberHandling = JsonNumberHandling.AllowReadingFromString)]
[JsonSerializable(typeof(GeminiRequest))]
[JsonSerializable(typeof(GeminiResponse))]
[JsonSerializable(typeof(Dictionary<string, object?>))]
internal sealed partial class GeminiGenerateContentJsonContext : JsonSerializerContext;

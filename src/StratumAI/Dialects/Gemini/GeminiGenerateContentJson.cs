using System.Text.Json;
using System.Text.Json.Serialization;

namespace StratumAI.Dialects;

// Wire types of Gemini's generateContent API (https://ai.google.dev/api/generate-content). Source-generated
// (GeminiGenerateContentJsonContext) so the dialect works trimmed and under Native AOT. Only fields StratumAI reads or
// writes are declared; unknown fields are ignored. Enum-valued fields (finishReason, blockReason) are JsonElement
// because Google's clients may ask for integer enum encoding ("$alt=json;enum-encoding=int") and get numbers back.

internal sealed class GeminiRequest
{
    public required List<GeminiContent> Contents;
    public GeminiContent? SystemInstruction;
    public List<GeminiTool>? Tools;
    public GeminiToolConfig? ToolConfig;
    public JsonElement? SafetySettings;
    public string? CachedContent;
    public GeminiGenerationConfig? GenerationConfig;
}

internal sealed class GeminiContent
{
    public List<GeminiPart>? Parts;
    public string? Role;
}

internal sealed class GeminiPart
{
    public string? Text;
    public bool? Thought;
    public string? ThoughtSignature;
    public GeminiBlob? InlineData;
    public GeminiFileData? FileData;
    public GeminiFunctionCall? FunctionCall;
    public GeminiFunctionResponse? FunctionResponse;
}

internal sealed class GeminiBlob
{
    public string? MimeType, Data;
}

internal sealed class GeminiFileData
{
    public string? MimeType, FileUri;
}

internal sealed class GeminiFunctionCall
{
    public string? Id, Name;
    public JsonElement? Args;

    /// <summary>Gemini 3 streamed arguments: one fragment per JSON path.</summary>
    public List<GeminiPartialArg>? PartialArgs;

    public bool? WillContinue;
}

/// <summary>One fragment of streamed arguments: the value at <see cref="JsonPath"/>, in the one field of its JSON type.</summary>
internal sealed class GeminiPartialArg
{
    public string? JsonPath;
    public string? StringValue;
    public JsonElement? NumberValue, NullValue;
    public bool? BoolValue;
    public bool? WillContinue;
}

internal sealed class GeminiFunctionResponse
{
    public string? Id;
    public required string Name;
    public required JsonElement Response;
}

internal sealed class GeminiTool
{
    public List<WireFunction>? FunctionDeclarations;
}

internal sealed class GeminiToolConfig
{
    public GeminiFunctionCallingConfig? FunctionCallingConfig;
}

internal sealed class GeminiFunctionCallingConfig
{
    public string? Mode;
    public List<string>? AllowedFunctionNames;
}

// Properties, not fields: the IWire* interfaces name them (see the top of DialectWire.cs).
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
    public bool? IncludeThoughts;
    public int? ThinkingBudget;
    public string? ThinkingLevel;
}

internal sealed class GeminiResponse
{
    public List<GeminiCandidate>? Candidates;
    public GeminiPromptFeedback? PromptFeedback;
    public GeminiUsageMetadata? UsageMetadata;
    public string? ModelVersion, ResponseId;
    public DateTimeOffset? CreateTime;

    /// <summary>An error object sent in place of a response (mid-stream failures).</summary>
    public JsonElement? Error;
}

internal sealed class GeminiCandidate
{
    public GeminiContent? Content;
    public JsonElement? FinishReason;
    public string? FinishMessage;
    public int? Index;
}

internal sealed class GeminiPromptFeedback
{
    public JsonElement? BlockReason;
    public string? BlockReasonMessage;
}

internal sealed class GeminiUsageMetadata
{
    public long? PromptTokenCount, CachedContentTokenCount, ToolUsePromptTokenCount;
    public long? CandidatesTokenCount, ThoughtsTokenCount, TotalTokenCount;

    /// <summary>
    /// The tokens by modality (TEXT, AUDIO, IMAGE, VIDEO, DOCUMENT): of the prompt, of its cached part, and of the answer.
    /// </summary>
    public List<GeminiModalityTokenCount>? PromptTokensDetails, CacheTokensDetails, CandidatesTokensDetails;
}

internal sealed class GeminiModalityTokenCount
{
    /// <summary>A name (<c>"AUDIO"</c>) or, from clients that send integer enums, its number (<c>4</c>).</summary>
    public JsonElement? Modality;

    public long? TokenCount;
}

// The wire's names are camelCase: the policy spells each field's, [JsonPropertyName] only where the wire differs.
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, IncludeFields = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, NumberHandling = JsonNumberHandling.AllowReadingFromString)]
[JsonSerializable(typeof(GeminiRequest))]
[JsonSerializable(typeof(GeminiResponse))]
internal sealed partial class GeminiGenerateContentJsonContext : JsonSerializerContext;

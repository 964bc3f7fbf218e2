using System.Text.Json;
using System.Text.Json.Serialization;

namespace StratumAI.Dialects;

// Wire types of Anthropic's Messages API. Source-generated (AnthropicMessagesJsonContext) so the dialect works
// trimmed and under Native AOT. Only fields StratumAI reads or writes are declared; unknown fields are ignored.

// Properties, not fields: the IWire* interfaces name them (see the top of DialectWire.cs).
internal sealed class AnthropicRequest : IWireSampling, IWireTopK, IWireStopSequences
{
    public required string Model { get; set; }

    public int MaxTokens { get; set; }

    public string? System { get; set; }

    public required List<AnthropicMessage> Messages { get; set; }

    public float? Temperature { get; set; }

    public float? TopP { get; set; }

    public int? TopK { get; set; }

    public List<string>? StopSequences { get; set; }

    public List<AnthropicTool>? Tools { get; set; }

    public AnthropicToolChoice? ToolChoice { get; set; }

    public AnthropicThinking? Thinking { get; set; }

    public AnthropicOutputConfig? OutputConfig { get; set; }

    public JsonElement? CacheControl { get; set; }

    public bool Stream { get; set; }
}

internal sealed class AnthropicMessage
{
    public required string Role;
    public required List<AnthropicContentBlock> Content;
}

/// <summary>One content block of any type; only the fields of its <see cref="Type"/> are set.</summary>
internal sealed class AnthropicContentBlock
{
    public string? Type, Text;
    public AnthropicSource? Source;
    public string? Id, Name;
    public JsonElement? Input;
    public string? ToolUseId;

    /// <summary>A tool result's content: a string or an array of blocks.</summary>
    public JsonElement? Content;

    public bool? IsError;
    public string? Thinking, Signature;

    /// <summary>The encrypted payload of a <c>redacted_thinking</c> block.</summary>
    public string? Data;

    public JsonElement? CacheControl;
}

internal sealed class AnthropicSource
{
    public required string Type;
    public string? MediaType, Data, Url;
}

internal sealed class AnthropicTool
{
    public required string Name;
    public string? Description;
    public JsonElement InputSchema;
    public bool? Strict;
}

internal sealed class AnthropicToolChoice
{
    public required string Type;
    public string? Name;
    public bool? DisableParallelToolUse;
}

internal sealed class AnthropicThinking
{
    public required string Type;
    public int? BudgetTokens;
}

internal sealed class AnthropicOutputConfig
{
    public string? Effort;
    public AnthropicOutputFormat? Format;
}

internal sealed class AnthropicOutputFormat
{
    public required string Type;
    public JsonElement? Schema;
}

internal sealed class AnthropicResponse
{
    public string? Id, Type, Role, Model;
    public List<AnthropicContentBlock>? Content;
    public string? StopReason, StopSequence;
    public AnthropicStopDetails? StopDetails;
    public AnthropicUsage? Usage;
    public AnthropicError? Error;
}

internal sealed class AnthropicStopDetails
{
    public string? Type, Category, Explanation;
}

internal sealed class AnthropicUsage
{
    public long? InputTokens, OutputTokens, CacheCreationInputTokens, CacheReadInputTokens;
    public AnthropicCacheCreation? CacheCreation;
    public string? ServiceTier;
}

internal sealed class AnthropicCacheCreation
{
    [JsonPropertyName("ephemeral_5m_input_tokens")]
    public long? Ephemeral5mInputTokens;

    [JsonPropertyName("ephemeral_1h_input_tokens")]
    public long? Ephemeral1hInputTokens;
}

internal sealed class AnthropicError
{
    public string? Type, Message;
}

/// <summary>An error body: <c>{"type":"error","error":{"type":...,"message":...},"request_id":...}</c>.</summary>
internal sealed class AnthropicErrorBody
{
    public string? Type;
    public AnthropicError? Error;
    public string? RequestId;
}

/// <summary>One streaming event; only the fields of its <see cref="Type"/> are set.</summary>
internal sealed class AnthropicStreamEvent
{
    public string? Type;
    public AnthropicResponse? Message;
    public int? Index;
    public AnthropicContentBlock? ContentBlock;
    public AnthropicStreamDelta? Delta;
    public AnthropicUsage? Usage;
    public AnthropicError? Error;
}

internal sealed class AnthropicStreamDelta
{
    public string? Type, Text, PartialJson, Thinking, Signature;
    public string? StopReason, StopSequence;
    public AnthropicStopDetails? StopDetails;
}

// The wire's names are snake_case: the policy spells each field's, [JsonPropertyName] only where the wire differs.
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, IncludeFields = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, NumberHandling = JsonNumberHandling.AllowReadingFromString)]
[JsonSerializable(typeof(AnthropicRequest))]
[JsonSerializable(typeof(AnthropicResponse))]
[JsonSerializable(typeof(AnthropicErrorBody))]
[JsonSerializable(typeof(AnthropicStreamEvent))]
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(System.Text.Json.Nodes.JsonNode))]
internal sealed partial class AnthropicMessagesJsonContext : JsonSerializerContext;

using System.Text.Json;
using System.Text.Json.Serialization;

namespace StratumAI.Dialects;

// Wire types of Anthropic's Messages API. Source-generated (AnthropicMessagesJsonContext) so the dialect works
// trimmed and under Native AOT. Only fields StratumAI reads or writes are declared; unknown fields are ignored.

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
    public required string Role { get; set; }

    public required List<AnthropicContentBlock> Content { get; set; }
}

/// <summary>One content block of any type; only the fields of its <see cref="Type"/> are set.</summary>
internal sealed class AnthropicContentBlock
{
    public string? Type { get; set; }

    public string? Text { get; set; }

    public AnthropicSource? Source { get; set; }

    public string? Id { get; set; }

    public string? Name { get; set; }

    public JsonElement? Input { get; set; }

    public string? ToolUseId { get; set; }

    /// <summary>A tool result's content: a string or an array of blocks.</summary>
    public JsonElement? Content { get; set; }

    public bool? IsError { get; set; }

    public string? Thinking { get; set; }

    public string? Signature { get; set; }

    /// <summary>The encrypted payload of a <c>redacted_thinking</c> block.</summary>
    public string? Data { get; set; }

    public JsonElement? CacheControl { get; set; }
}

internal sealed class AnthropicSource
{
    public required string Type { get; set; }

    public string? MediaType { get; set; }

    public string? Data { get; set; }

    public string? Url { get; set; }
}

internal sealed class AnthropicTool
{
    public required string Name { get; set; }

    public string? Description { get; set; }

    public JsonElement InputSchema { get; set; }

    public bool? Strict { get; set; }
}

internal sealed class AnthropicToolChoice
{
    public required string Type { get; set; }

    public string? Name { get; set; }

    public bool? DisableParallelToolUse { get; set; }
}

internal sealed class AnthropicThinking
{
    public required string Type { get; set; }

    public int? BudgetTokens { get; set; }
}

internal sealed class AnthropicOutputConfig
{
    public string? Effort { get; set; }

    public AnthropicOutputFormat? Format { get; set; }
}

internal sealed class AnthropicOutputFormat
{
    public required string Type { get; set; }

    public JsonElement? Schema { get; set; }
}

internal sealed class AnthropicResponse
{
    public string? Id { get; set; }

    public string? Type { get; set; }

    public string? Role { get; set; }

    public string? Model { get; set; }

    public List<AnthropicContentBlock>? Content { get; set; }

    public string? StopReason { get; set; }

    public string? StopSequence { get; set; }

    public AnthropicStopDetails? StopDetails { get; set; }

    public AnthropicUsage? Usage { get; set; }

    public AnthropicError? Error { get; set; }
}

internal sealed class AnthropicStopDetails
{
    public string? Type { get; set; }

    public string? Category { get; set; }

    public string? Explanation { get; set; }
}

internal sealed class AnthropicUsage
{
    public long? InputTokens { get; set; }

    public long? OutputTokens { get; set; }

    public long? CacheCreationInputTokens { get; set; }

    public long? CacheReadInputTokens { get; set; }

    public AnthropicCacheCreation? CacheCreation { get; set; }

    public string? ServiceTier { get; set; }
}

internal sealed class AnthropicCacheCreation
{
    [JsonPropertyName("ephemeral_5m_input_tokens")]
    public long? Ephemeral5mInputTokens { get; set; }

    [JsonPropertyName("ephemeral_1h_input_tokens")]
    public long? Ephemeral1hInputTokens { get; set; }
}

internal sealed class AnthropicError
{
    public string? Type { get; set; }

    public string? Message { get; set; }
}

/// <summary>An error body: <c>{"type":"error","error":{"type":...,"message":...},"request_id":...}</c>.</summary>
internal sealed class AnthropicErrorBody
{
    public string? Type { get; set; }

    public AnthropicError? Error { get; set; }

    public string? RequestId { get; set; }
}

/// <summary>One streaming event; only the fields of its <see cref="Type"/> are set.</summary>
internal sealed class AnthropicStreamEvent
{
    public string? Type { get; set; }

    public AnthropicResponse? Message { get; set; }

    public int? Index { get; set; }

    public AnthropicContentBlock? ContentBlock { get; set; }

    public AnthropicStreamDelta? Delta { get; set; }

    public AnthropicUsage? Usage { get; set; }

    public AnthropicError? Error { get; set; }
}

internal sealed class AnthropicStreamDelta
{
    public string? Type { get; set; }

    public string? Text { get; set; }

    public string? PartialJson { get; set; }

    public string? Thinking { get; set; }

    public string? Signature { get; set; }

    public string? StopReason { get; set; }

    public string? StopSequence { get; set; }

    public AnthropicStopDetails? StopDetails { get; set; }
}

// The wire's names are snake_case: the policy spells each property's, [JsonPropertyName] only where the wire differs.
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    NumberHandling = JsonNumberHandling.AllowReadingFromString)]
[JsonSerializable(typeof(AnthropicRequest))]
[JsonSerializable(typeof(AnthropicResponse))]
[JsonSerializable(typeof(AnthropicErrorBody))]
[JsonSerializable(typeof(AnthropicStreamEvent))]
[JsonSerializable(typeof(Dictionary<string, object?>))]
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(System.Text.Json.Nodes.JsonNode))]
internal sealed partial class AnthropicMessagesJsonContext : JsonSerializerContext;

using System.Text.Json;
using System.Text.Json.Serialization;

namespace StratumAI.Dialects;

// Wire types of Anthropic's Messages API. Source-generated (AnthropicMessagesJsonContext) so the dialect works
// trimmed and under Native AOT. Only fields StratumAI reads or writes are declared; unknown fields are ignored.

internal sealed class AnthropicRequest
{
    [JsonPropertyName("model")]
    public required string Model { get; set; }

    [JsonPropertyName("max_tokens")]
    public int MaxTokens { get; set; }

    [JsonPropertyName("system")]
    public string? System { get; set; }

    [JsonPropertyName("messages")]
    public required List<AnthropicMessage> Messages { get; set; }

    [JsonPropertyName("temperature")]
    public float? Temperature { get; set; }

    [JsonPropertyName("top_p")]
    public float? TopP { get; set; }

    [JsonPropertyName("top_k")]
    public int? TopK { get; set; }

    [JsonPropertyName("stop_sequences")]
    public List<string>? StopSequences { get; set; }

    [JsonPropertyName("tools")]
    public List<AnthropicTool>? Tools { get; set; }

    [JsonPropertyName("tool_choice")]
    public AnthropicToolChoice? ToolChoice { get; set; }

    [JsonPropertyName("thinking")]
    public AnthropicThinking? Thinking { get; set; }

    [JsonPropertyName("output_config")]
    public AnthropicOutputConfig? OutputConfig { get; set; }

    [JsonPropertyName("cache_control")]
    public JsonElement? CacheControl { get; set; }

    [JsonPropertyName("stream")]
    public bool Stream { get; set; }
}

internal sealed class AnthropicMessage
{
    [JsonPropertyName("role")]
    public required string Role { get; set; }

    [JsonPropertyName("content")]
    public required List<AnthropicContentBlock> Content { get; set; }
}

/// <summary>One content block of any type; only the fields of its <see cref="Type"/> are set.</summary>
internal sealed class AnthropicContentBlock
{
    [JsonPropertyName("type")]
    public string? Type { get; set; }

    [JsonPropertyName("text")]
    public string? Text { get; set; }

    [JsonPropertyName("source")]
    public AnthropicSource? Source { get; set; }

    [JsonPropertyName("id")]
    public string? Id { get; set; }

    [JsonPropertyName("name")]
    public string? Name { get; set; }

    [JsonPropertyName("input")]
    public JsonElement? Input { get; set; }

    [JsonPropertyName("tool_use_id")]
    public string? ToolUseId { get; set; }

    /// <summary>A tool result's content: a string or an array of blocks.</summary>
    [JsonPropertyName("content")]
    public JsonElement? Content { get; set; }

    [JsonPropertyName("is_error")]
    public bool? IsError { get; set; }

    [JsonPropertyName("thinking")]
    public string? Thinking { get; set; }

    [JsonPropertyName("signature")]
    public string? Signature { get; set; }

    /// <summary>The encrypted payload of a <c>redacted_thinking</c> block.</summary>
    [JsonPropertyName("data")]
    public string? Data { get; set; }

    [JsonPropertyName("cache_control")]
    public JsonElement? CacheControl { get; set; }
}

internal sealed class AnthropicSource
{
    [JsonPropertyName("type")]
    public required string Type { get; set; }

    [JsonPropertyName("media_type")]
    public string? MediaType { get; set; }

    [JsonPropertyName("data")]
    public string? Data { get; set; }

    [JsonPropertyName("url")]
    public string? Url { get; set; }
}

internal sealed class AnthropicTool
{
    [JsonPropertyName("name")]
    public required string Name { get; set; }

    [JsonPropertyName("description")]
    public string? Description { get; set; }

    [JsonPropertyName("input_schema")]
    public JsonElement InputSchema { get; set; }

    [JsonPropertyName("strict")]
    public bool? Strict { get; set; }
}

internal sealed class AnthropicToolChoice
{
    [JsonPropertyName("type")]
    public required string Type { get; set; }

    [JsonPropertyName("name")]
    public string? Name { get; set; }

    [JsonPropertyName("disable_parallel_tool_use")]
    public bool? DisableParallelToolUse { get; set; }
}

internal sealed class AnthropicThinking
{
    [JsonPropertyName("type")]
    public required string Type { get; set; }

    [JsonPropertyName("budget_tokens")]
    public int? BudgetTokens { get; set; }
}

internal sealed class AnthropicOutputConfig
{
    [JsonPropertyName("effort")]
    public string? Effort { get; set; }

    [JsonPropertyName("format")]
    public AnthropicOutputFormat? Format { get; set; }
}

internal sealed class AnthropicOutputFormat
{
    [JsonPropertyName("type")]
    public required string Type { get; set; }

    [JsonPropertyName("schema")]
    public JsonElement? Schema { get; set; }
}

internal sealed class AnthropicResponse
{
    [JsonPropertyName("id")]
    public string? Id { get; set; }

    [JsonPropertyName("type")]
    public string? Type { get; set; }

    [JsonPropertyName("role")]
    public string? Role { get; set; }

    [JsonPropertyName("model")]
    public string? Model { get; set; }

    [JsonPropertyName("content")]
    public List<AnthropicContentBlock>? Content { get; set; }

    [JsonPropertyName("stop_reason")]
    public string? StopReason { get; set; }

    [JsonPropertyName("stop_sequence")]
    public string? StopSequence { get; set; }

    [JsonPropertyName("stop_details")]
    public AnthropicStopDetails? StopDetails { get; set; }

    [JsonPropertyName("usage")]
    public AnthropicUsage? Usage { get; set; }

    [JsonPropertyName("error")]
    public AnthropicError? Error { get; set; }
}

internal sealed class AnthropicStopDetails
{
    [JsonPropertyName("type")]
    public string? Type { get; set; }

    [JsonPropertyName("category")]
    public string? Category { get; set; }

    [JsonPropertyName("explanation")]
    public string? Explanation { get; set; }
}

internal sealed class AnthropicUsage
{
    [JsonPropertyName("input_tokens")]
    public long? InputTokens { get; set; }

    [JsonPropertyName("output_tokens")]
    public long? OutputTokens { get; set; }

    [JsonPropertyName("cache_creation_input_tokens")]
    public long? CacheCreationInputTokens { get; set; }

    [JsonPropertyName("cache_read_input_tokens")]
    public long? CacheReadInputTokens { get; set; }

    [JsonPropertyName("cache_creation")]
    public AnthropicCacheCreation? CacheCreation { get; set; }

    [JsonPropertyName("service_tier")]
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
    [JsonPropertyName("type")]
    public string? Type { get; set; }

    [JsonPropertyName("message")]
    public string? Message { get; set; }
}

/// <summary>An error body: <c>{"type":"error","error":{"type":...,"message":...},"request_id":...}</c>.</summary>
internal sealed class AnthropicErrorBody
{
    [JsonPropertyName("type")]
    public string? Type { get; set; }

    [JsonPropertyName("error")]
    public AnthropicError? Error { get; set; }

    [JsonPropertyName("request_id")]
    public string? RequestId { get; set; }
}

/// <summary>One streaming event; only the fields of its <see cref="Type"/> are set.</summary>
internal sealed class AnthropicStreamEvent
{
    [JsonPropertyName("type")]
    public string? Type { get; set; }

    [JsonPropertyName("message")]
    public AnthropicResponse? Message { get; set; }

    [JsonPropertyName("index")]
    public int? Index { get; set; }

    [JsonPropertyName("content_block")]
    public AnthropicContentBlock? ContentBlock { get; set; }

    [JsonPropertyName("delta")]
    public AnthropicStreamDelta? Delta { get; set; }

    [JsonPropertyName("usage")]
    public AnthropicUsage? Usage { get; set; }

    [JsonPropertyName("error")]
    public AnthropicError? Error { get; set; }
}

internal sealed class AnthropicStreamDelta
{
    [JsonPropertyName("type")]
    public string? Type { get; set; }

    [JsonPropertyName("text")]
    public string? Text { get; set; }

    [JsonPropertyName("partial_json")]
    public string? PartialJson { get; set; }

    [JsonPropertyName("thinking")]
    public string? Thinking { get; set; }

    [JsonPropertyName("signature")]
    public string? Signature { get; set; }

    [JsonPropertyName("stop_reason")]
    public string? StopReason { get; set; }

    [JsonPropertyName("stop_sequence")]
    public string? StopSequence { get; set; }

    [JsonPropertyName("stop_details")]
    public AnthropicStopDetails? StopDetails { get; set; }
}

[JsonSourceGenerationOptions(
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

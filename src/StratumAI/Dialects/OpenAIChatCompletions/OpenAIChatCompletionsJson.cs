using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace StratumAI.Dialects;

// Wire types of the Chat Completions API. Source-generated (OpenAIChatCompletionsJsonContext) so the dialect
// works trimmed and under Native AOT. Only fields StratumAI reads or writes are declared; unknown fields are ignored.

// max_tokens or max_completion_tokens depends on the model: the client sets it, not CopySampling.
internal sealed class ChatCompletionRequest : IWireSampling, IWireSeed, IWirePenalties, IWireStopSequences
{
    public required string Model { get; set; }

    public required List<ChatCompletionMessage> Messages { get; set; }

    public float? Temperature { get; set; }

    public float? TopP { get; set; }

    public int? MaxTokens { get; set; }

    public int? MaxCompletionTokens { get; set; }

    public float? FrequencyPenalty { get; set; }

    public float? PresencePenalty { get; set; }

    [JsonPropertyName("stop")]
    public List<string>? StopSequences { get; set; }

    public long? Seed { get; set; }

    public ChatCompletionResponseFormat? ResponseFormat { get; set; }

    public List<WireTool>? Tools { get; set; }

    public JsonElement? ToolChoice { get; set; }

    public bool? ParallelToolCalls { get; set; }

    public string? ReasoningEffort { get; set; }

    public bool Stream { get; set; }

    public ChatCompletionStreamOptions? StreamOptions { get; set; }
}

internal sealed class ChatCompletionStreamOptions
{
    public bool IncludeUsage { get; set; }
}

internal sealed class ChatCompletionMessage
{
    public string? Role { get; set; }

    public ChatCompletionContent? Content { get; set; }

    public string? Name { get; set; }

    public List<ChatCompletionToolCall>? ToolCalls { get; set; }

    public string? ToolCallId { get; set; }

    /// <summary>DeepSeek's reasoning text.</summary>
    public string? ReasoningContent { get; set; }

    /// <summary>Groq's and OpenRouter's reasoning text.</summary>
    public string? Reasoning { get; set; }

    public string? Refusal { get; set; }
}

/// <summary>Message content: a plain string, or an array of typed parts.</summary>
[JsonConverter(typeof(ChatCompletionContentConverter))]
internal sealed class ChatCompletionContent
{
    public string? Text { get; init; }

    public List<ChatCompletionContentPart>? Parts { get; init; }

    /// <summary>The text of the content: the string, or the text parts joined.</summary>
    public string? GetText()
    {
        if (Parts is null)
        {
            return Text;
        }

        var texts = Parts.Where(p => p.Type == "text" && p.Text is not null).Select(p => p.Text);
        return string.Concat(texts);
    }

    /// <summary>The reasoning carried in the content itself: Mistral Magistral's <c>thinking</c> parts joined, or null.</summary>
    public string? GetReasoning()
    {
        if (Parts is null)
        {
            return null;
        }

        string? result = null;
        foreach (var part in Parts)
        {
            if (part.Type == "thinking" && part.Text is not null)
            {
                result = result is null ? part.Text : string.Concat(result, part.Text);
            }
        }

        return result;
    }
}

internal sealed class ChatCompletionContentPart
{
    public required string Type { get; init; }

    public string? Text { get; init; }

    public string? ImageUrl { get; init; }
}

internal sealed class ChatCompletionContentConverter : JsonConverter<ChatCompletionContent>
{
    public override ChatCompletionContent? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.Null:
                return null;
            case JsonTokenType.String:
                return new ChatCompletionContent { Text = reader.GetString() };
            case JsonTokenType.StartArray:
                var parts = new List<ChatCompletionContentPart>();
                using (var document = JsonDocument.ParseValue(ref reader))
                {
                    foreach (var item in document.RootElement.EnumerateArray())
                    {
                        if (item.ValueKind != JsonValueKind.Object)
                        {
                            continue;
                        }

                        var type = item.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString()! : "text";
                        var text = item.TryGetProperty("text", out var x) && x.ValueKind == JsonValueKind.String ? x.GetString() : null;
                        if (type == "thinking" && item.TryGetProperty("thinking", out var thinking))
                        {
                            // Magistral: {"type":"thinking","thinking":[{"type":"text","text":"..."}]} (or a plain string).
                            text = ReadThinking(thinking);
                        }

                        parts.Add(new ChatCompletionContentPart { Type = type, Text = text });
                    }
                }

                return new ChatCompletionContent { Parts = parts };
            default:
                throw new JsonException($"Message content must be a string, an array or null, not {reader.TokenType}.");
        }
    }

    private static string? ReadThinking(JsonElement thinking)
    {
        if (thinking.ValueKind == JsonValueKind.String)
        {
            return thinking.GetString();
        }

        if (thinking.ValueKind != JsonValueKind.Array)
        {
            return null;
        }

        var builder = new StringBuilder();
        foreach (var inner in thinking.EnumerateArray())
        {
            if (inner.ValueKind == JsonValueKind.Object
                && (!inner.TryGetProperty("type", out var innerType) || innerType.ValueEquals("text"u8))
                && inner.TryGetProperty("text", out var innerText) && innerText.ValueKind == JsonValueKind.String)
            {
                builder.Append(innerText.GetString());
            }
        }

        return builder.ToString();
    }

    public override void Write(Utf8JsonWriter writer, ChatCompletionContent value, JsonSerializerOptions options)
    {
        if (value.Parts is null)
        {
            writer.WriteStringValue(value.Text);
            return;
        }

        writer.WriteStartArray();
        foreach (var part in value.Parts)
        {
            writer.WriteStartObject();
            writer.WriteString("type", part.Type);
            if (part.Type == "image_url")
            {
                writer.WriteStartObject("image_url");
                writer.WriteString("url", part.ImageUrl);
                writer.WriteEndObject();
            }
            else
            {
                writer.WriteString("text", part.Text);
            }

            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }
}

[JsonNumberHandling(JsonNumberHandling.AllowReadingFromString)]
internal sealed class ChatCompletionToolCall
{
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? Index { get; set; }

    public string? Id { get; set; }

    public string? Type { get; set; }

    public ChatCompletionFunctionCall? Function { get; set; }
}

internal sealed class ChatCompletionFunctionCall
{
    public string? Name { get; set; }

    public string? Arguments { get; set; }
}

internal sealed class ChatCompletionResponseFormat
{
    public required string Type { get; set; }

    public WireJsonSchema? JsonSchema { get; set; }
}

internal sealed class ChatCompletionResponse
{
    public string? Id { get; set; }

    public long? Created { get; set; }

    public string? Model { get; set; }

    public List<ChatCompletionChoice>? Choices { get; set; }

    public ChatCompletionUsage? Usage { get; set; }

    public string? SystemFingerprint { get; set; }

    public string? ServiceTier { get; set; }

    /// <summary>OpenRouter: the upstream provider that served the call.</summary>
    public string? Provider { get; set; }

    /// <summary>Some compatible servers report an error inside a 200 body.</summary>
    public JsonElement? Error { get; set; }
}

internal sealed class ChatCompletionChoice
{
    public int Index { get; set; }

    public ChatCompletionMessage? Message { get; set; }

    public ChatCompletionMessage? Delta { get; set; }

    public string? FinishReason { get; set; }
}

[JsonNumberHandling(JsonNumberHandling.AllowReadingFromString)]
internal sealed class ChatCompletionUsage
{
    public long? PromptTokens { get; set; }

    public long? CompletionTokens { get; set; }

    public long? TotalTokens { get; set; }

    public ChatCompletionPromptTokensDetails? PromptTokensDetails { get; set; }

    public ChatCompletionCompletionTokensDetails? CompletionTokensDetails { get; set; }

    /// <summary>DeepSeek: prompt tokens served from its context cache.</summary>
    public long? PromptCacheHitTokens { get; set; }

    /// <summary>DeepSeek: prompt tokens not served from its context cache.</summary>
    public long? PromptCacheMissTokens { get; set; }

    /// <summary>xAI: what the call cost, in units of 1e-10 USD.</summary>
    public long? CostInUsdTicks { get; set; }

    /// <summary>OpenRouter: what the provider charged, in USD credits.</summary>
    public decimal? Cost { get; set; }
}

[JsonNumberHandling(JsonNumberHandling.AllowReadingFromString)]
internal sealed class ChatCompletionPromptTokensDetails
{
    public long? CachedTokens { get; set; }

    public long? AudioTokens { get; set; }

    /// <summary>OpenRouter: tokens written to the upstream provider's prompt cache.</summary>
    public long? CacheWriteTokens { get; set; }
}

[JsonNumberHandling(JsonNumberHandling.AllowReadingFromString)]
internal sealed class ChatCompletionCompletionTokensDetails
{
    public long? ReasoningTokens { get; set; }

    public long? AudioTokens { get; set; }

    public long? AcceptedPredictionTokens { get; set; }

    public long? RejectedPredictionTokens { get; set; }
}

// Streaming wire types. A stream sends hundreds of chunks per answer, so a chunk declares only what the stream
// mapping reads (service_tier, for the usage, but no system_fingerprint, provider or choice index), a delta's string content is read
// without a wrapper object, and the context uses default options (numbers are read as numbers, except where a
// property or type below asks for strings too, as the non-streaming context does everywhere).

internal sealed class ChatCompletionChunk
{
    [JsonConverter(typeof(RepeatedStringConverter))]
    public string? Id { get; set; }

    [JsonNumberHandling(JsonNumberHandling.AllowReadingFromString)]
    public long? Created { get; set; }

    [JsonConverter(typeof(RepeatedStringConverter))]
    public string? Model { get; set; }

    public List<ChatCompletionChunkChoice>? Choices { get; set; }

    public ChatCompletionUsage? Usage { get; set; }

    /// <summary>The tier that served the call (OpenAI repeats it on every chunk); prices the usage.</summary>
    [JsonConverter(typeof(RepeatedStringConverter))]
    public string? ServiceTier { get; set; }

    /// <summary>Some compatible servers end a failing stream with an error chunk.</summary>
    public JsonElement? Error { get; set; }
}

internal sealed class ChatCompletionChunkChoice
{
    public ChatCompletionDelta? Delta { get; set; }

    [JsonConverter(typeof(RepeatedStringConverter))]
    public string? FinishReason { get; set; }
}

internal sealed class ChatCompletionDelta
{
    public ChatCompletionDeltaContent Content { get; set; }

    public List<ChatCompletionToolCall>? ToolCalls { get; set; }

    /// <summary>DeepSeek's reasoning text.</summary>
    public string? ReasoningContent { get; set; }

    /// <summary>Groq's and OpenRouter's reasoning text.</summary>
    public string? Reasoning { get; set; }

    public string? Refusal { get; set; }
}

/// <summary>A delta's content: a plain string (no allocation beyond the string), an array of parts, or nothing.</summary>
[JsonConverter(typeof(ChatCompletionDeltaContentConverter))]
internal readonly struct ChatCompletionDeltaContent(string? text, ChatCompletionContent? parts)
{
    public string? Text { get; } = text;

    /// <summary>The parsed content when it was an array of parts.</summary>
    public ChatCompletionContent? Parts { get; } = parts;

    /// <summary>The text of the content: the string, or the text parts joined.</summary>
    public string? GetText() => Parts is null ? Text : Parts.GetText();

    /// <summary>Mistral Magistral's <c>thinking</c> parts joined, or null.</summary>
    public string? GetReasoning() => Parts?.GetReasoning();
}

internal sealed class ChatCompletionDeltaContentConverter : JsonConverter<ChatCompletionDeltaContent>
{
    private static readonly ChatCompletionContentConverter PartsConverter = new();

    public override bool HandleNull => true;

    public override ChatCompletionDeltaContent Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.TokenType switch
    {
        JsonTokenType.String => new ChatCompletionDeltaContent(reader.GetString(), null),
        JsonTokenType.Null => default,
        _ => new ChatCompletionDeltaContent(null, PartsConverter.Read(ref reader, typeof(ChatCompletionContent), options)),
    };

    public override void Write(Utf8JsonWriter writer, ChatCompletionDeltaContent value, JsonSerializerOptions options)
    {
        if (value.Parts is { } parts)
        {
            PartsConverter.Write(writer, parts, options);
        }
        else
        {
            writer.WriteStringValue(value.Text);
        }
    }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(ChatCompletionChunk))]
internal sealed partial class OpenAIChatCompletionsStreamJsonContext : JsonSerializerContext;

// The wire's names are snake_case: the policy spells each property's, [JsonPropertyName] only where the wire differs.
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    NumberHandling = JsonNumberHandling.AllowReadingFromString)]
[JsonSerializable(typeof(ChatCompletionRequest))]
[JsonSerializable(typeof(ChatCompletionResponse))]
[JsonSerializable(typeof(Dictionary<string, object?>))]
internal sealed partial class OpenAIChatCompletionsJsonContext : JsonSerializerContext;

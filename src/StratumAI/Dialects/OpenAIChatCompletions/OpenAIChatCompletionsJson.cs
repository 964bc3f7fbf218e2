using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace StratumAI.Dialects;

// Wire types of the Chat Completions API. Source-generated (OpenAIChatCompletionsJsonContext) so the dialect
// works trimmed and under Native AOT. Only fields StratumAI reads or writes are declared; unknown fields are ignored.

// max_tokens or max_completion_tokens depends on the model: the client sets it, not CopySampling.
// Properties, not fields: the IWire* interfaces name them (see the top of DialectWire.cs).
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
    public bool IncludeUsage;
}

internal sealed class ChatCompletionMessage
{
    public string? Role;
    public ChatCompletionContent? Content;
    public string? Name;
    public List<ChatCompletionToolCall>? ToolCalls;
    public string? ToolCallId;

    /// <summary>The reasoning text: DeepSeek's (<c>reasoning_content</c>), Groq's and OpenRouter's (<c>reasoning</c>).</summary>
    public string? ReasoningContent, Reasoning;

    public string? Refusal;
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
    public required string Type;
    public string? Text, ImageUrl;
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
    public int? Index;

    public string? Id, Type;
    public ChatCompletionFunctionCall? Function;
}

internal sealed class ChatCompletionFunctionCall
{
    public string? Name, Arguments;
}

internal sealed class ChatCompletionResponseFormat
{
    public required string Type;
    public WireJsonSchema? JsonSchema;
}

internal sealed class ChatCompletionResponse
{
    public string? Id, Model, SystemFingerprint, ServiceTier;
    public long? Created;
    public List<ChatCompletionChoice>? Choices;
    public ChatCompletionUsage? Usage;

    /// <summary>OpenRouter: the upstream provider that served the call.</summary>
    public string? Provider;

    /// <summary>Some compatible servers report an error inside a 200 body.</summary>
    public JsonElement? Error;
}

internal sealed class ChatCompletionChoice
{
    public int Index;
    public ChatCompletionMessage? Message, Delta;
    public string? FinishReason;

    /// <summary>Azure OpenAI: what its content filter found in this choice (read by <see cref="AzureOpenAIContentFilter"/>).</summary>
    public JsonElement? ContentFilterResults;
}

[JsonNumberHandling(JsonNumberHandling.AllowReadingFromString)]
internal sealed class ChatCompletionUsage
{
    public long? PromptTokens, CompletionTokens, TotalTokens;
    public ChatCompletionPromptTokensDetails? PromptTokensDetails;
    public ChatCompletionCompletionTokensDetails? CompletionTokensDetails;

    /// <summary>DeepSeek: prompt tokens served from its context cache, and those that were not.</summary>
    public long? PromptCacheHitTokens, PromptCacheMissTokens;

    /// <summary>xAI: what the call cost, in units of 1e-10 USD.</summary>
    public long? CostInUsdTicks;

    /// <summary>OpenRouter: what the provider charged, in USD credits.</summary>
    public decimal? Cost;
}

[JsonNumberHandling(JsonNumberHandling.AllowReadingFromString)]
internal sealed class ChatCompletionPromptTokensDetails
{
    public long? CachedTokens, AudioTokens;

    /// <summary>OpenRouter: tokens written to the upstream provider's prompt cache.</summary>
    public long? CacheWriteTokens;
}

[JsonNumberHandling(JsonNumberHandling.AllowReadingFromString)]
internal sealed class ChatCompletionCompletionTokensDetails
{
    public long? ReasoningTokens, AudioTokens, AcceptedPredictionTokens, RejectedPredictionTokens;
}

// Streaming wire types. A stream sends hundreds of chunks per answer, so a chunk declares only what the stream
// mapping reads (service_tier, for the usage, but no system_fingerprint, provider or choice index), a delta's string content is read
// without a wrapper object, and the context uses default options (numbers are read as numbers, except where a
// property or type below asks for strings too, as the non-streaming context does everywhere).

internal sealed class ChatCompletionChunk
{
    [JsonConverter(typeof(RepeatedStringConverter))]
    public string? Id;

    [JsonNumberHandling(JsonNumberHandling.AllowReadingFromString)]
    public long? Created;

    [JsonConverter(typeof(RepeatedStringConverter))]
    public string? Model;

    public List<ChatCompletionChunkChoice>? Choices;
    public ChatCompletionUsage? Usage;

    /// <summary>The tier that served the call (OpenAI repeats it on every chunk); prices the usage.</summary>
    [JsonConverter(typeof(RepeatedStringConverter))]
    public string? ServiceTier;

    /// <summary>Some compatible servers end a failing stream with an error chunk.</summary>
    public JsonElement? Error;
}

internal sealed class ChatCompletionChunkChoice
{
    public ChatCompletionDelta? Delta;

    [JsonConverter(typeof(RepeatedStringConverter))]
    public string? FinishReason;

    /// <summary>Azure OpenAI: its content filter's results on this choice, also alone in an asynchronous-filter annotation chunk.</summary>
    public JsonElement? ContentFilterResults;
}

internal sealed class ChatCompletionDelta
{
    public ChatCompletionDeltaContent Content;
    public List<ChatCompletionToolCall>? ToolCalls;

    /// <summary>The reasoning text: DeepSeek's (<c>reasoning_content</c>), Groq's and OpenRouter's (<c>reasoning</c>).</summary>
    public string? ReasoningContent, Reasoning;

    public string? Refusal;
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

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, IncludeFields = true)]
[JsonSerializable(typeof(ChatCompletionChunk))]
internal sealed partial class OpenAIChatCompletionsStreamJsonContext : JsonSerializerContext;

// The wire's names are snake_case: the policy spells each field's, [JsonPropertyName] only where the wire differs.
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, IncludeFields = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, NumberHandling = JsonNumberHandling.AllowReadingFromString)]
[JsonSerializable(typeof(ChatCompletionRequest))]
[JsonSerializable(typeof(ChatCompletionResponse))]
internal sealed partial class OpenAIChatCompletionsJsonContext : JsonSerializerContext;

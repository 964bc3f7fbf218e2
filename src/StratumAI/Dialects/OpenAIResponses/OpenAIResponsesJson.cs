using System.Text.Json;
using System.Text.Json.Serialization;

namespace StratumAI.Dialects;

// Wire types of OpenAI's Responses API. Source-generated (OpenAIResponsesJsonContext) so the dialect works trimmed
// and under Native AOT. Only fields StratumAI reads or writes are declared; unknown fields are ignored.

internal sealed class ResponsesRequest
{
    [JsonPropertyName("model")]
    public required string Model { get; set; }

    [JsonPropertyName("input")]
    public required List<ResponsesInputItem> Input { get; set; }

    [JsonPropertyName("instructions")]
    public string? Instructions { get; set; }

    [JsonPropertyName("previous_response_id")]
    public string? PreviousResponseId { get; set; }

    [JsonPropertyName("temperature")]
    public float? Temperature { get; set; }

    [JsonPropertyName("top_p")]
    public float? TopP { get; set; }

    [JsonPropertyName("max_output_tokens")]
    public int? MaxOutputTokens { get; set; }

    [JsonPropertyName("reasoning")]
    public ResponsesReasoningOptions? Reasoning { get; set; }

    [JsonPropertyName("text")]
    public ResponsesTextOptions? Text { get; set; }

    [JsonPropertyName("tools")]
    public List<ResponsesTool>? Tools { get; set; }

    [JsonPropertyName("tool_choice")]
    public JsonElement? ToolChoice { get; set; }

    [JsonPropertyName("parallel_tool_calls")]
    public bool? ParallelToolCalls { get; set; }

    [JsonPropertyName("store")]
    public bool? Store { get; set; }

    [JsonPropertyName("include")]
    public List<string>? Include { get; set; }

    [JsonPropertyName("stream")]
    public bool Stream { get; set; }
}

internal sealed class ResponsesReasoningOptions
{
    [JsonPropertyName("effort")]
    public string? Effort { get; set; }

    [JsonPropertyName("summary")]
    public string? Summary { get; set; }
}

internal sealed class ResponsesTextOptions
{
    [JsonPropertyName("format")]
    public required ResponsesTextFormat Format { get; set; }
}

internal sealed class ResponsesTextFormat
{
    [JsonPropertyName("type")]
    public required string Type { get; set; }

    [JsonPropertyName("name")]
    public string? Name { get; set; }

    [JsonPropertyName("description")]
    public string? Description { get; set; }

    [JsonPropertyName("schema")]
    public JsonElement? Schema { get; set; }

    [JsonPropertyName("strict")]
    public bool? Strict { get; set; }
}

internal sealed class ResponsesTool
{
    [JsonPropertyName("type")]
    public string Type { get; set; } = "function";

    [JsonPropertyName("name")]
    public required string Name { get; set; }

    [JsonPropertyName("description")]
    public string? Description { get; set; }

    [JsonPropertyName("parameters")]
    public JsonElement? Parameters { get; set; }

    [JsonPropertyName("strict")]
    public bool? Strict { get; set; }
}

/// <summary>
/// One item of <c>input</c>: a message (<c>role</c> + <c>content</c>, no <c>type</c>, as the API's short form), a
/// <c>function_call</c>, a <c>function_call_output</c> or a <c>reasoning</c> item carried back from an earlier turn.
/// </summary>
internal sealed class ResponsesInputItem
{
    [JsonPropertyName("type")]
    public string? Type { get; set; }

    [JsonPropertyName("id")]
    public string? Id { get; set; }

    [JsonPropertyName("role")]
    public string? Role { get; set; }

    [JsonPropertyName("content")]
    public ResponsesInputContent? Content { get; set; }

    [JsonPropertyName("call_id")]
    public string? CallId { get; set; }

    [JsonPropertyName("name")]
    public string? Name { get; set; }

    [JsonPropertyName("arguments")]
    public string? Arguments { get; set; }

    [JsonPropertyName("output")]
    public string? Output { get; set; }

    [JsonPropertyName("summary")]
    public List<ResponsesSummaryPart>? Summary { get; set; }

    [JsonPropertyName("encrypted_content")]
    public string? EncryptedContent { get; set; }
}

/// <summary>Message content: a plain string, or typed parts (<c>input_text</c>, <c>input_image</c>, <c>input_file</c>, <c>output_text</c>).</summary>
[JsonConverter(typeof(ResponsesInputContentConverter))]
internal sealed class ResponsesInputContent
{
    public string? Text { get; init; }

    public List<ResponsesInputPart>? Parts { get; init; }
}

internal sealed class ResponsesInputPart
{
    [JsonPropertyName("type")]
    public required string Type { get; init; }

    [JsonPropertyName("text")]
    public string? Text { get; init; }

    [JsonPropertyName("image_url")]
    public string? ImageUrl { get; init; }

    [JsonPropertyName("detail")]
    public string? Detail { get; init; }

    [JsonPropertyName("file_data")]
    public string? FileData { get; init; }

    [JsonPropertyName("file_url")]
    public string? FileUrl { get; init; }

    [JsonPropertyName("filename")]
    public string? FileName { get; init; }
}

internal sealed class ResponsesInputContentConverter : JsonConverter<ResponsesInputContent>
{
    public override ResponsesInputContent? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.Null:
                return null;
            case JsonTokenType.String:
                return new ResponsesInputContent { Text = reader.GetString() };
            case JsonTokenType.StartArray:
                return new ResponsesInputContent { Parts = JsonSerializer.Deserialize(ref reader, OpenAIResponsesJsonContext.Default.ListResponsesInputPart) };
            default:
                throw new JsonException($"Message content must be a string, an array or null, not {reader.TokenType}.");
        }
    }

    public override void Write(Utf8JsonWriter writer, ResponsesInputContent value, JsonSerializerOptions options)
    {
        if (value.Parts is null)
        {
            writer.WriteStringValue(value.Text);
            return;
        }

        JsonSerializer.Serialize(writer, value.Parts, OpenAIResponsesJsonContext.Default.ListResponsesInputPart);
    }
}

internal sealed class ResponsesSummaryPart
{
    [JsonPropertyName("type")]
    public string Type { get; set; } = "summary_text";

    [JsonPropertyName("text")]
    public string? Text { get; set; }
}

internal sealed class ResponsesResponse
{
    [JsonPropertyName("id")]
    public string? Id { get; set; }

    [JsonPropertyName("object")]
    public string? Object { get; set; }

    [JsonPropertyName("created_at")]
    public long? CreatedAt { get; set; }

    [JsonPropertyName("status")]
    public string? Status { get; set; }

    [JsonPropertyName("model")]
    public string? Model { get; set; }

    [JsonPropertyName("output")]
    public List<ResponsesOutputItem>? Output { get; set; }

    [JsonPropertyName("usage")]
    public ResponsesUsage? Usage { get; set; }

    [JsonPropertyName("incomplete_details")]
    public ResponsesIncompleteDetails? IncompleteDetails { get; set; }

    [JsonPropertyName("error")]
    public ResponsesError? Error { get; set; }

    [JsonPropertyName("service_tier")]
    public string? ServiceTier { get; set; }
}

internal sealed class ResponsesIncompleteDetails
{
    [JsonPropertyName("reason")]
    public string? Reason { get; set; }
}

internal sealed class ResponsesError
{
    [JsonPropertyName("type")]
    public string? Type { get; set; }

    [JsonPropertyName("code")]
    [JsonConverter(typeof(ResponsesLooseStringConverter))]
    public string? Code { get; set; }

    [JsonPropertyName("message")]
    public string? Message { get; set; }

    [JsonPropertyName("param")]
    public string? Param { get; set; }
}

/// <summary>Reads a string, or a number as its text (some servers send numeric error codes).</summary>
internal sealed class ResponsesLooseStringConverter : JsonConverter<string>
{
    public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.String:
                return reader.GetString();
            case JsonTokenType.Number:
                using (var document = JsonDocument.ParseValue(ref reader))
                {
                    return document.RootElement.GetRawText();
                }

            default:
                reader.Skip();
                return null;
        }
    }

    public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WriteStringValue(value);
}

internal sealed class ResponsesOutputItem
{
    [JsonPropertyName("type")]
    public string? Type { get; set; }

    [JsonPropertyName("id")]
    public string? Id { get; set; }

    [JsonPropertyName("status")]
    public string? Status { get; set; }

    [JsonPropertyName("role")]
    public string? Role { get; set; }

    /// <summary>Message parts (<c>output_text</c>, <c>refusal</c>), or a reasoning item's full reasoning text parts.</summary>
    [JsonPropertyName("content")]
    public List<ResponsesOutputContent>? Content { get; set; }

    [JsonPropertyName("call_id")]
    public string? CallId { get; set; }

    [JsonPropertyName("name")]
    public string? Name { get; set; }

    [JsonPropertyName("arguments")]
    public string? Arguments { get; set; }

    [JsonPropertyName("summary")]
    public List<ResponsesSummaryPart>? Summary { get; set; }

    [JsonPropertyName("encrypted_content")]
    public string? EncryptedContent { get; set; }
}

internal sealed class ResponsesOutputContent
{
    [JsonPropertyName("type")]
    public string? Type { get; set; }

    [JsonPropertyName("text")]
    public string? Text { get; set; }

    [JsonPropertyName("refusal")]
    public string? Refusal { get; set; }
}

internal sealed class ResponsesUsage
{
    [JsonPropertyName("input_tokens")]
    public long? InputTokens { get; set; }

    [JsonPropertyName("input_tokens_details")]
    public ResponsesInputTokensDetails? InputTokensDetails { get; set; }

    [JsonPropertyName("output_tokens")]
    public long? OutputTokens { get; set; }

    [JsonPropertyName("output_tokens_details")]
    public ResponsesOutputTokensDetails? OutputTokensDetails { get; set; }

    [JsonPropertyName("total_tokens")]
    public long? TotalTokens { get; set; }

    /// <summary>xAI: what the call cost, in units of 1e-10 USD.</summary>
    [JsonPropertyName("cost_in_usd_ticks")]
    public long? CostInUsdTicks { get; set; }
}

internal sealed class ResponsesInputTokensDetails
{
    [JsonPropertyName("cached_tokens")]
    public long? CachedTokens { get; set; }
}

internal sealed class ResponsesOutputTokensDetails
{
    [JsonPropertyName("reasoning_tokens")]
    public long? ReasoningTokens { get; set; }
}

/// <summary>One server-sent event; which fields are set depends on <see cref="Type"/>.</summary>
internal sealed class ResponsesStreamEvent
{
    [JsonPropertyName("type")]
    public string? Type { get; set; }

    [JsonPropertyName("sequence_number")]
    public long? SequenceNumber { get; set; }

    [JsonPropertyName("response")]
    public ResponsesResponse? Response { get; set; }

    [JsonPropertyName("item")]
    public ResponsesOutputItem? Item { get; set; }

    [JsonPropertyName("output_index")]
    public int? OutputIndex { get; set; }

    [JsonPropertyName("item_id")]
    public string? ItemId { get; set; }

    [JsonPropertyName("delta")]
    public string? Delta { get; set; }

    [JsonPropertyName("arguments")]
    public string? Arguments { get; set; }

    [JsonPropertyName("refusal")]
    public string? Refusal { get; set; }

    /// <summary>An <c>error</c> event's fields, when sent flat.</summary>
    [JsonPropertyName("code")]
    [JsonConverter(typeof(ResponsesLooseStringConverter))]
    public string? Code { get; set; }

    [JsonPropertyName("message")]
    public string? Message { get; set; }

    [JsonPropertyName("param")]
    public string? Param { get; set; }

    /// <summary>An <c>error</c> event's fields, when nested.</summary>
    [JsonPropertyName("error")]
    public ResponsesError? Error { get; set; }
}

[JsonSourceGenerationOptions(
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    NumberHandling = JsonNumberHandling.AllowReadingFromString)]
[JsonSerializable(typeof(ResponsesRequest))]
[JsonSerializable(typeof(ResponsesResponse))]
[JsonSerializable(typeof(ResponsesStreamEvent))]
[JsonSerializable(typeof(List<ResponsesInputPart>))]
[JsonSerializable(typeof(Dictionary<string, object?>))]
[JsonSerializable(typeof(string))]
internal sealed partial class OpenAIResponsesJsonContext : JsonSerializerContext;

using System.Text.Json;
using System.Text.Json.Serialization;

namespace StratumAI.Dialects;

// Wire types of OpenAI's Responses API. Source-generated (OpenAIResponsesJsonContext) so the dialect works trimmed
// and under Native AOT. Only fields StratumAI reads or writes are declared; unknown fields are ignored.

internal sealed class ResponsesRequest : IWireSampling, IWireMaxOutputTokens
{
    public required string Model { get; set; }

    public required List<ResponsesInputItem> Input { get; set; }

    public string? Instructions { get; set; }

    public string? PreviousResponseId { get; set; }

    public float? Temperature { get; set; }

    public float? TopP { get; set; }

    public int? MaxOutputTokens { get; set; }

    public ResponsesReasoningOptions? Reasoning { get; set; }

    public ResponsesTextOptions? Text { get; set; }

    public List<WireFunction>? Tools { get; set; }

    public JsonElement? ToolChoice { get; set; }

    public bool? ParallelToolCalls { get; set; }

    public bool? Store { get; set; }

    public List<string>? Include { get; set; }

    public bool Stream { get; set; }
}

internal sealed class ResponsesReasoningOptions
{
    public string? Effort { get; set; }

    public string? Summary { get; set; }
}

internal sealed class ResponsesTextOptions
{
    public required WireJsonSchema Format { get; set; }
}

/// <summary>
/// One item of <c>input</c>: a message (<c>role</c> + <c>content</c>, no <c>type</c>, as the API's short form), a
/// <c>function_call</c>, a <c>function_call_output</c> or a <c>reasoning</c> item carried back from an earlier turn.
/// </summary>
internal sealed class ResponsesInputItem
{
    public string? Type { get; set; }

    public string? Id { get; set; }

    public string? Role { get; set; }

    public ResponsesInputContent? Content { get; set; }

    public string? CallId { get; set; }

    public string? Name { get; set; }

    public string? Arguments { get; set; }

    public string? Output { get; set; }

    public List<ResponsesSummaryPart>? Summary { get; set; }

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
    public required string Type { get; init; }

    public string? Text { get; init; }

    public string? ImageUrl { get; init; }

    public string? Detail { get; init; }

    public string? FileData { get; init; }

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
    public string Type { get; set; } = "summary_text";

    public string? Text { get; set; }
}

internal sealed class ResponsesResponse
{
    public string? Id { get; set; }

    public string? Object { get; set; }

    public long? CreatedAt { get; set; }

    public string? Status { get; set; }

    public string? Model { get; set; }

    public List<ResponsesOutputItem>? Output { get; set; }

    public ResponsesUsage? Usage { get; set; }

    public ResponsesIncompleteDetails? IncompleteDetails { get; set; }

    public ResponsesError? Error { get; set; }

    public string? ServiceTier { get; set; }
}

internal sealed class ResponsesIncompleteDetails
{
    public string? Reason { get; set; }
}

internal sealed class ResponsesError
{
    public string? Type { get; set; }

    [JsonConverter(typeof(ResponsesLooseStringConverter))]
    public string? Code { get; set; }

    public string? Message { get; set; }

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
    public string? Type { get; set; }

    public string? Id { get; set; }

    public string? Status { get; set; }

    public string? Role { get; set; }

    /// <summary>Message parts (<c>output_text</c>, <c>refusal</c>), or a reasoning item's full reasoning text parts.</summary>
    public List<ResponsesOutputContent>? Content { get; set; }

    public string? CallId { get; set; }

    public string? Name { get; set; }

    public string? Arguments { get; set; }

    public List<ResponsesSummaryPart>? Summary { get; set; }

    public string? EncryptedContent { get; set; }
}

internal sealed class ResponsesOutputContent
{
    public string? Type { get; set; }

    public string? Text { get; set; }

    public string? Refusal { get; set; }
}

internal sealed class ResponsesUsage
{
    public long? InputTokens { get; set; }

    public ResponsesInputTokensDetails? InputTokensDetails { get; set; }

    public long? OutputTokens { get; set; }

    public ResponsesOutputTokensDetails? OutputTokensDetails { get; set; }

    public long? TotalTokens { get; set; }

    /// <summary>xAI: what the call cost, in units of 1e-10 USD.</summary>
    public long? CostInUsdTicks { get; set; }
}

internal sealed class ResponsesInputTokensDetails
{
    public long? CachedTokens { get; set; }
}

internal sealed class ResponsesOutputTokensDetails
{
    public long? ReasoningTokens { get; set; }
}

/// <summary>One server-sent event; which fields are set depends on <see cref="Type"/>.</summary>
internal sealed class ResponsesStreamEvent
{
    public string? Type { get; set; }

    public long? SequenceNumber { get; set; }

    public ResponsesResponse? Response { get; set; }

    public ResponsesOutputItem? Item { get; set; }

    public int? OutputIndex { get; set; }

    public string? ItemId { get; set; }

    public string? Delta { get; set; }

    public string? Arguments { get; set; }

    public string? Refusal { get; set; }

    /// <summary>An <c>error</c> event's fields, when sent flat.</summary>
    [JsonConverter(typeof(ResponsesLooseStringConverter))]
    public string? Code { get; set; }

    public string? Message { get; set; }

    public string? Param { get; set; }

    /// <summary>An <c>error</c> event's fields, when nested.</summary>
    public ResponsesError? Error { get; set; }
}

// The wire's names are snake_case: the policy spells each property's, [JsonPropertyName] only where the wire differs.
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    NumberHandling = JsonNumberHandling.AllowReadingFromString)]
[JsonSerializable(typeof(ResponsesRequest))]
[JsonSerializable(typeof(ResponsesResponse))]
[JsonSerializable(typeof(ResponsesStreamEvent))]
[JsonSerializable(typeof(List<ResponsesInputPart>))]
[JsonSerializable(typeof(Dictionary<string, object?>))]
[JsonSerializable(typeof(string))]
internal sealed partial class OpenAIResponsesJsonContext : JsonSerializerContext;

using System.Text.Json;
using System.Text.Json.Serialization;

namespace StratumAI.Dialects;

// Wire types of OpenAI's Responses API. Source-generated (OpenAIResponsesJsonContext) so the dialect works trimmed
// and under Native AOT. Only fields StratumAI reads or writes are declared; unknown fields are ignored.

// Properties, not fields: the IWire* interfaces name them (see the top of DialectWire.cs).
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
    public string? Effort, Summary;
}

internal sealed class ResponsesTextOptions
{
    public required WireJsonSchema Format;
}

/// <summary>
/// One item of <c>input</c>: a message (<c>role</c> + <c>content</c>, no <c>type</c>, as the API's short form), a
/// <c>function_call</c>, a <c>function_call_output</c> or a <c>reasoning</c> item carried back from an earlier turn.
/// </summary>
internal sealed class ResponsesInputItem
{
    public string? Type, Id, Role;
    public ResponsesInputContent? Content;
    public string? CallId, Name, Arguments, Output;
    public List<ResponsesSummaryPart>? Summary;
    public string? EncryptedContent;
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
    public required string Type;
    public string? Text, ImageUrl, Detail, FileData, FileUrl;

    [JsonPropertyName("filename")]
    public string? FileName;
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
    public string Type = "summary_text";
    public string? Text;
}

internal sealed class ResponsesResponse
{
    public string? Id, Object, Status, Model, ServiceTier;
    public long? CreatedAt;
    public List<ResponsesOutputItem>? Output;
    public ResponsesUsage? Usage;
    public ResponsesIncompleteDetails? IncompleteDetails;
    public ResponsesError? Error;

    /// <summary>Azure OpenAI: its content filter's verdicts on the prompt and the completion (read by <see cref="AzureOpenAIContentFilter"/>).</summary>
    public System.Text.Json.JsonElement? ContentFilters;
}

internal sealed class ResponsesIncompleteDetails
{
    public string? Reason;
}

internal sealed class ResponsesError
{
    public string? Type;

    [JsonConverter(typeof(ResponsesLooseStringConverter))]
    public string? Code;

    public string? Message, Param;
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
    public string? Type, Id, Status, Role;

    /// <summary>Message parts (<c>output_text</c>, <c>refusal</c>), or a reasoning item's full reasoning text parts.</summary>
    public List<ResponsesOutputContent>? Content;

    public string? CallId, Name, Arguments;
    public List<ResponsesSummaryPart>? Summary;
    public string? EncryptedContent;
}

internal sealed class ResponsesOutputContent
{
    public string? Type, Text, Refusal;
}

internal sealed class ResponsesUsage
{
    public long? InputTokens, OutputTokens, TotalTokens;
    public ResponsesInputTokensDetails? InputTokensDetails;
    public ResponsesOutputTokensDetails? OutputTokensDetails;

    /// <summary>xAI: what the call cost, in units of 1e-10 USD.</summary>
    public long? CostInUsdTicks;
}

internal sealed class ResponsesInputTokensDetails
{
    public long? CachedTokens;
}

internal sealed class ResponsesOutputTokensDetails
{
    public long? ReasoningTokens;
}

/// <summary>One server-sent event; which fields are set depends on <see cref="Type"/>.</summary>
internal sealed class ResponsesStreamEvent
{
    public string? Type;
    public long? SequenceNumber;
    public ResponsesResponse? Response;
    public ResponsesOutputItem? Item;
    public int? OutputIndex;
    public string? ItemId, Delta, Arguments, Refusal;

    /// <summary>An <c>error</c> event's fields, when sent flat (with <see cref="Message"/> and <see cref="Param"/>).</summary>
    [JsonConverter(typeof(ResponsesLooseStringConverter))]
    public string? Code;

    public string? Message, Param;

    /// <summary>An <c>error</c> event's fields, when nested.</summary>
    public ResponsesError? Error;
}

// The wire's names are snake_case: the policy spells each field's, [JsonPropertyName] only where the wire differs.
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, IncludeFields = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, NumberHandling = JsonNumberHandling.AllowReadingFromString)]
[JsonSerializable(typeof(ResponsesRequest))]
[JsonSerializable(typeof(ResponsesResponse))]
[JsonSerializable(typeof(ResponsesStreamEvent))]
[JsonSerializable(typeof(List<ResponsesInputPart>))]
[JsonSerializable(typeof(string))]
internal sealed partial class OpenAIResponsesJsonContext : JsonSerializerContext;

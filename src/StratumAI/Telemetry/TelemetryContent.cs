using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace StratumAI;

/// <summary>
/// Writes chat messages as the JSON the GenAI conventions give for <c>gen_ai.input.messages</c> and
/// <c>gen_ai.output.messages</c>: <c>[{"role":…,"parts":[{"type":"text","content":…}],"finish_reason":…}]</c>.
/// Used only when the user opted in to recording content.
/// </summary>
/// <remarks>Binary data is never written, only its media type; tool arguments are written as JSON.</remarks>
internal static class TelemetryContent
{
    public static string Input(IEnumerable<ChatMessage> messages) => Write(messages, finishReason: null);

    public static string Output(IEnumerable<ChatMessage> messages, ChatFinishReason? finishReason) => Write(messages, finishReason);

    private static string Write(IEnumerable<ChatMessage> messages, ChatFinishReason? finishReason)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartArray();
            foreach (var message in messages)
            {
                writer.WriteStartObject();
                writer.WriteString("role", message.Role.Value);
                writer.WriteStartArray("parts");
                foreach (var content in message.Contents)
                {
                    WritePart(writer, content);
                }

                writer.WriteEndArray();
                if (finishReason is { } reason)
                {
                    writer.WriteString("finish_reason", reason.Value);
                }

                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static void WritePart(Utf8JsonWriter writer, AIContent content)
    {
        writer.WriteStartObject();
        switch (content)
        {
            case TextContent text:
                writer.WriteString("type", "text");
                writer.WriteString("content", text.Text);
                break;
            case TextReasoningContent reasoning:
                writer.WriteString("type", "reasoning");
                writer.WriteString("content", reasoning.Text);
                break;
            case FunctionCallContent call:
                writer.WriteString("type", "tool_call");
                writer.WriteString("id", call.CallId);
                writer.WriteString("name", call.Name);
                writer.WritePropertyName("arguments");
                WriteArguments(writer, call.Arguments);
                break;
            case FunctionResultContent result:
                writer.WriteString("type", "tool_call_response");
                writer.WriteString("id", result.CallId);
                writer.WritePropertyName("response");
                WriteValue(writer, result.Result);
                break;
            case DataContent data:
                writer.WriteString("type", "blob");
                writer.WriteString("mime_type", data.MediaType);
                break;
            case UriContent uri:
                writer.WriteString("type", "uri");
                writer.WriteString("mime_type", uri.MediaType);
                break;
            default:
                writer.WriteString("type", content.GetType().Name);
                break;
        }

        writer.WriteEndObject();
    }

    private static void WriteArguments(Utf8JsonWriter writer, IDictionary<string, object?>? arguments)
    {
        if (arguments is null)
        {
            writer.WriteNullValue();
            return;
        }

        writer.WriteStartObject();
        foreach (var (name, value) in arguments)
        {
            writer.WritePropertyName(name);
            WriteValue(writer, value);
        }

        writer.WriteEndObject();
    }

    // Values are written without reflection-based serialization, so this stays trim- and AOT-safe.
    private static void WriteValue(Utf8JsonWriter writer, object? value)
    {
        switch (value)
        {
            case null:
                writer.WriteNullValue();
                break;
            case JsonElement element:
                element.WriteTo(writer);
                break;
            case string text:
                writer.WriteStringValue(text);
                break;
            case bool flag:
                writer.WriteBooleanValue(flag);
                break;
            case sbyte or byte or short or ushort or int or uint or long:
                writer.WriteNumberValue(Convert.ToInt64(value, CultureInfo.InvariantCulture));
                break;
            case ulong number:
                writer.WriteNumberValue(number);
                break;
            case decimal number:
                writer.WriteNumberValue(number);
                break;
            case double number when double.IsFinite(number):
                writer.WriteNumberValue(number);
                break;
            case float number when float.IsFinite(number):
                writer.WriteNumberValue(number);
                break;
            default:
                writer.WriteStringValue(Convert.ToString(value, CultureInfo.InvariantCulture));
                break;
        }
    }
}

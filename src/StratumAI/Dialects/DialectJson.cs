using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.AI;

namespace StratumAI.Dialects;

/// <summary>JSON pieces the dialects build by hand (a tool choice, a cache breakpoint): written once, kept as an element.</summary>
internal static class DialectJson
{
    /// <summary>The element <paramref name="write"/> writes from <paramref name="state"/>.</summary>
    public static JsonElement Write<TState>(TState state, Action<Utf8JsonWriter, TState> write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            write(writer, state);
        }

        using var document = JsonDocument.Parse(buffer.WrittenMemory);
        return document.RootElement.Clone();
    }

    /// <summary>
    /// A function call whose arguments arrive as JSON text, as every dialect but Ollama sends them: blank text is no
    /// arguments, and text that is not a JSON object leaves the call's <see cref="FunctionCallContent.Exception"/> set.
    /// </summary>
    public static FunctionCallContent FunctionCall(string? callId, string? name, string? arguments) =>
        FunctionCallContent.CreateFromParsedArguments(
            string.IsNullOrWhiteSpace(arguments) ? "{}" : arguments,
            callId ?? string.Empty,
            name ?? string.Empty,
            static json => JsonSerializer.Deserialize(json, DialectJsonContext.Default.DictionaryStringObject));

    /// <summary>
    /// Reads an error body: <paramref name="read"/> gets its root, or the first element when the body is an array (Gemini
    /// wraps even an error in one, natively and on its OpenAI-compatible endpoint); <paramref name="notJson"/> when the body
    /// is not JSON; default when it is empty.
    /// </summary>
    public static TError ReadErrorBody<TError>(string body, Func<JsonElement, TError> read, TError notJson)
        where TError : struct
    {
        if (string.IsNullOrWhiteSpace(body))
        {
            return default;
        }

        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            return read(root.ValueKind == JsonValueKind.Array && root.GetArrayLength() > 0 ? root[0] : root);
        }
        catch (JsonException)
        {
            return notJson;
        }
    }
}

// What the dialects read the same way whatever their naming policy: tool-call arguments, into a dictionary.
[JsonSerializable(typeof(Dictionary<string, object?>))]
internal sealed partial class DialectJsonContext : JsonSerializerContext;

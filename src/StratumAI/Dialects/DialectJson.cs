using System.Buffers;
using System.Text.Json;

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

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
}

using System.Text.Json;
using System.Text.Json.Serialization;

namespace StratumAI.Dialects;

/// <summary>
/// Reads a string that a stream repeats on every event (a response id, a model name, a service tier): when the event's
/// value equals one read recently on this thread, the same <see cref="string"/> instance is returned instead of a new one.
/// </summary>
/// <remarks>
/// A 1,000-event OpenAI stream repeats <c>id</c>, <c>model</c> and <c>service_tier</c> on every chunk; without this each
/// event allocated ~200 bytes of copies of those three strings. The comparison runs on the UTF-8 bytes
/// (<see cref="Utf8JsonReader.ValueTextEquals(string)"/>, escapes included), so a value that differs is always read anew.
/// The cache is per thread (one event is parsed synchronously on one thread) and holds a handful of short strings.
/// </remarks>
internal sealed class RepeatedStringConverter : JsonConverter<string>
{
    private const int Slots = 4;

    /// <summary>Longer values are read normally: they are unlikely to repeat and comparing them costs more than it saves.</summary>
    private const int MaxCachedLength = 128;

    [ThreadStatic]
    private static string?[]? _recent;

    [ThreadStatic]
    private static int _next;

    public override bool HandleNull => false;

    public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            // Let the caller see the same error the default string converter gives.
            throw new JsonException($"Expected a JSON string, got {reader.TokenType}.");
        }

        var recent = _recent ??= new string?[Slots];
        var length = reader.HasValueSequence ? reader.ValueSequence.Length : reader.ValueSpan.Length;
        if (length <= MaxCachedLength * 3)
        {
            foreach (var candidate in recent)
            {
                if (candidate is not null && reader.ValueTextEquals(candidate))
                {
                    return candidate;
                }
            }
        }

        var value = reader.GetString()!;
        if (value.Length <= MaxCachedLength)
        {
            recent[_next] = value;
            _next = (_next + 1) % Slots;
        }

        return value;
    }

    public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WriteStringValue(value);
}

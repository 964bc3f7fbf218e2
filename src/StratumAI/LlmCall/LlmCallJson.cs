using System.Buffers;
using System.ComponentModel;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace StratumAI;

/// <summary>
/// Helpers for the JSON readers and writers that the generator emits for <see cref="LlmCallAttribute"/> methods
/// (structured output and object parameters). Called by generated code; its signatures are a contract with the generator.
/// </summary>
/// <remarks>
/// The generated code reads and writes every member through <see cref="Utf8JsonReader"/> and <see cref="Utf8JsonWriter"/>,
/// so nothing here uses reflection: it is trim- and AOT-safe.
/// </remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class LlmCallJson
{
    // An empty resolver: each generated JsonTypeInfo carries its own converter, and options need a resolver to be read-only.
    private static readonly JsonSerializerOptions SharedOptions = CreateOptions();

    /// <summary>The options the generated type infos are bound to.</summary>
    public static JsonSerializerOptions Options => SharedOptions;

    /// <summary>Wraps a generated converter into type metadata that <see cref="JsonSerializer"/> accepts.</summary>
    /// <typeparam name="T">The type the converter reads and writes.</typeparam>
    /// <param name="converter">The generated converter.</param>
    /// <returns>The metadata.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="converter"/> is null.</exception>
    public static JsonTypeInfo<T> CreateTypeInfo<T>(JsonConverter<T> converter)
    {
        ArgumentNullException.ThrowIfNull(converter);
        return JsonMetadataServices.CreateValueInfo<T>(SharedOptions, converter);
    }

    /// <summary>Advances the reader, failing when the JSON ends early.</summary>
    /// <param name="reader">The reader.</param>
    /// <exception cref="JsonException">The JSON ended.</exception>
    public static void Next(ref Utf8JsonReader reader)
    {
        if (!reader.Read())
        {
            throw new JsonException("The JSON ended before the value was complete.");
        }
    }

    /// <summary>Fails unless the reader is at the start of an object.</summary>
    /// <param name="reader">The reader.</param>
    /// <param name="typeName">The C# type being read, for the message.</param>
    /// <exception cref="JsonException">The token is not <see cref="JsonTokenType.StartObject"/>.</exception>
    public static void ExpectObject(ref Utf8JsonReader reader, string typeName)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException($"Expected a JSON object for '{typeName}' but found {Describe(reader.TokenType)}.");
        }
    }

    /// <summary>Fails unless the reader is at the start of an array.</summary>
    /// <param name="reader">The reader.</param>
    /// <param name="typeName">The C# type being read, for the message.</param>
    /// <exception cref="JsonException">The token is not <see cref="JsonTokenType.StartArray"/>.</exception>
    public static void ExpectArray(ref Utf8JsonReader reader, string typeName)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw new JsonException($"Expected a JSON array for '{typeName}' but found {Describe(reader.TokenType)}.");
        }
    }

    /// <summary>Fails on a JSON <c>null</c> where the C# type cannot hold one.</summary>
    /// <param name="reader">The reader.</param>
    /// <param name="typeName">The C# type being read, for the message.</param>
    /// <exception cref="JsonException">The token is <see cref="JsonTokenType.Null"/>.</exception>
    public static void ExpectNotNull(ref Utf8JsonReader reader, string typeName)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            throw new JsonException($"Expected a value for '{typeName}' but found null.");
        }
    }

    /// <summary>Reads a string value, failing on any other token (including null).</summary>
    /// <param name="reader">The reader.</param>
    /// <param name="typeName">The C# type being read, for the message.</param>
    /// <returns>The string.</returns>
    /// <exception cref="JsonException">The token is not a string.</exception>
    public static string ReadString(ref Utf8JsonReader reader, string typeName)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            throw new JsonException($"Expected a JSON string for '{typeName}' but found {Describe(reader.TokenType)}.");
        }

        return reader.GetString()!;
    }

    /// <summary>The error for a required property that the JSON lacks.</summary>
    /// <param name="typeName">The C# type being read.</param>
    /// <param name="jsonName">The JSON property name.</param>
    /// <returns>The exception to throw.</returns>
    public static JsonException MissingProperty(string typeName, string jsonName)
        => new($"The JSON for '{typeName}' has no '{jsonName}' property, which is required.");

    /// <summary>The error for a null where the property cannot hold one.</summary>
    /// <param name="typeName">The C# type being read.</param>
    /// <param name="jsonName">The JSON property name.</param>
    /// <returns>The exception to throw.</returns>
    public static JsonException NullProperty(string typeName, string jsonName)
        => new($"The JSON property '{jsonName}' of '{typeName}' is null, but the property does not allow null.");

    /// <summary>The error for a null item in a collection whose items cannot be null.</summary>
    /// <param name="typeName">The collection type being read.</param>
    /// <returns>The exception to throw.</returns>
    public static JsonException NullItem(string typeName)
        => new($"The JSON array for '{typeName}' holds a null item, but its items do not allow null.");

    /// <summary>The error for a string that names no member of an enum.</summary>
    /// <param name="typeName">The enum type.</param>
    /// <param name="value">The string read.</param>
    /// <returns>The exception to throw.</returns>
    public static JsonException UnknownEnumValue(string typeName, string value)
        => new($"'{value}' is not a member of the enum '{typeName}'.");

    /// <summary>Writes a value with a generated writer and returns the UTF-8 JSON as a string (for object parameters in templates).</summary>
    /// <typeparam name="T">The value's type.</typeparam>
    /// <param name="value">The value.</param>
    /// <param name="write">The generated writer.</param>
    /// <returns>Compact JSON.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="write"/> is null.</exception>
    public static string Serialize<T>(T value, Action<Utf8JsonWriter, T> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            write(writer, value);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static string Describe(JsonTokenType token) => token switch
    {
        JsonTokenType.StartObject => "an object",
        JsonTokenType.StartArray => "an array",
        JsonTokenType.String => "a string",
        JsonTokenType.Number => "a number",
        JsonTokenType.True or JsonTokenType.False => "a boolean",
        JsonTokenType.Null => "null",
        _ => token.ToString(),
    };

    private static JsonSerializerOptions CreateOptions()
    {
        var options = new JsonSerializerOptions { TypeInfoResolver = JsonTypeInfoResolver.Combine() };
        options.MakeReadOnly();
        return options;
    }
}

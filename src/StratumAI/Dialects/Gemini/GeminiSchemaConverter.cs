using System.Buffers;
using System.Text.Json;

namespace StratumAI.Dialects;

/// <summary>
/// Converts a JSON Schema (as produced for <c>AIFunction</c> parameters) into the OpenAPI-3.0 subset Gemini accepts in
/// <c>functionDeclarations[].parameters</c>.
/// </summary>
/// <remarks>
/// Rules: <c>type</c> is upper-cased (<c>object</c> → <c>OBJECT</c>); a type array with <c>"null"</c> becomes the
/// single type plus <c>nullable: true</c>, and an <c>anyOf</c>/<c>oneOf</c> branch <c>{"type":"null"}</c> likewise;
/// <c>oneOf</c> becomes <c>anyOf</c>; <c>const</c> becomes a one-value <c>enum</c>; local <c>$ref</c>s into
/// <c>$defs</c>/<c>definitions</c> are inlined (a recursive reference is cut to its type); a single-element
/// <c>allOf</c> is inlined. Kept as is: <c>description</c>, <c>title</c>, <c>properties</c>, <c>required</c>,
/// <c>items</c>, <c>enum</c> (strings only), <c>minItems</c>/<c>maxItems</c>, <c>minLength</c>/<c>maxLength</c>,
/// <c>minProperties</c>/<c>maxProperties</c>, <c>minimum</c>/<c>maximum</c>, <c>pattern</c>, <c>default</c>,
/// <c>example</c>, <c>propertyOrdering</c>. <c>format</c> is kept only where Gemini knows it (<c>enum</c>,
/// <c>date-time</c> for strings; <c>float</c>, <c>double</c>, <c>int32</c>, <c>int64</c> for numbers). Everything else
/// (<c>$schema</c>, <c>additionalProperties</c>, <c>exclusiveMinimum</c>, multi-element <c>allOf</c>, <c>not</c>, …) is dropped.
/// </remarks>
internal static class GeminiSchemaConverter
{
    private const int MaxDepth = 64;

    private static readonly string[] CopiedKeywords =
    [
        "title", "description", "minItems", "maxItems", "minLength", "maxLength", "minProperties", "maxProperties",
        "minimum", "maximum", "pattern", "example", "propertyOrdering",
    ];

    private static readonly string[] StringFormats = ["enum", "date-time"];
    private static readonly string[] NumberFormats = ["float", "double"];
    private static readonly string[] IntegerFormats = ["int32", "int64"];

    public static JsonElement Convert(JsonElement schema)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            WriteSchema(writer, schema, schema, [], 0);
        }

        using var document = JsonDocument.Parse(buffer.WrittenMemory);
        return document.RootElement.Clone();
    }

    private static void WriteSchema(Utf8JsonWriter writer, JsonElement schema, JsonElement root, HashSet<string> refsInProgress, int depth)
    {
        if (schema.ValueKind != JsonValueKind.Object || depth > MaxDepth)
        {
            // 'true' / '{}' / anything unreadable: no constraint Gemini can express.
            writer.WriteStartObject();
            writer.WriteEndObject();
            return;
        }

        if (schema.TryGetProperty("$ref", out var reference) && reference.ValueKind == JsonValueKind.String)
        {
            var target = reference.GetString()!;
            if (!refsInProgress.Contains(target) && Resolve(root, target) is { } resolved)
            {
                refsInProgress.Add(target);
                WriteSchema(writer, resolved, root, refsInProgress, depth + 1);
                refsInProgress.Remove(target);
                return;
            }

            // A recursive or unresolvable reference: Gemini has no $ref, so the branch stays an open object.
            writer.WriteStartObject();
            writer.WriteString("type", "OBJECT");
            writer.WriteEndObject();
            return;
        }

        if (schema.TryGetProperty("allOf", out var allOf) && allOf.ValueKind == JsonValueKind.Array && allOf.GetArrayLength() == 1
            && !schema.TryGetProperty("type", out _) && !schema.TryGetProperty("properties", out _))
        {
            WriteSchema(writer, allOf[0], root, refsInProgress, depth + 1);
            return;
        }

        writer.WriteStartObject();
        string? type = null;
        var nullable = false;
        if (schema.TryGetProperty("type", out var typeElement))
        {
            if (typeElement.ValueKind == JsonValueKind.String)
            {
                type = typeElement.GetString();
            }
            else if (typeElement.ValueKind == JsonValueKind.Array)
            {
                foreach (var item in typeElement.EnumerateArray())
                {
                    var name = item.ValueKind == JsonValueKind.String ? item.GetString() : null;
                    if (string.Equals(name, "null", StringComparison.Ordinal))
                    {
                        nullable = true;
                    }
                    else if (type is null)
                    {
                        type = name;
                    }
                }
            }
        }

        if (string.Equals(type, "null", StringComparison.Ordinal))
        {
            type = null;
            nullable = true;
        }

        if (type is not null)
        {
            writer.WriteString("type", type.ToUpperInvariant());
        }

        var anyOf = schema.TryGetProperty("anyOf", out var anyOfElement) && anyOfElement.ValueKind == JsonValueKind.Array ? anyOfElement
            : schema.TryGetProperty("oneOf", out var oneOfElement) && oneOfElement.ValueKind == JsonValueKind.Array ? oneOfElement
            : (JsonElement?)null;
        if (anyOf is { } branches)
        {
            var kept = new List<JsonElement>();
            foreach (var branch in branches.EnumerateArray())
            {
                if (branch.ValueKind == JsonValueKind.Object && branch.TryGetProperty("type", out var branchType)
                    && branchType.ValueKind == JsonValueKind.String && string.Equals(branchType.GetString(), "null", StringComparison.Ordinal))
                {
                    nullable = true;
                }
                else
                {
                    kept.Add(branch);
                }
            }

            if (kept.Count > 0)
            {
                writer.WriteStartArray("anyOf");
                foreach (var branch in kept)
                {
                    WriteSchema(writer, branch, root, refsInProgress, depth + 1);
                }

                writer.WriteEndArray();
            }
        }

        if (nullable || (schema.TryGetProperty("nullable", out var nullableElement) && nullableElement.ValueKind == JsonValueKind.True))
        {
            writer.WriteBoolean("nullable", true);
        }

        foreach (var keyword in CopiedKeywords)
        {
            if (schema.TryGetProperty(keyword, out var value))
            {
                writer.WritePropertyName(keyword);
                value.WriteTo(writer);
            }
        }

        if (schema.TryGetProperty("format", out var format) && format.ValueKind == JsonValueKind.String && IsKnownFormat(type, format.GetString()!))
        {
            writer.WriteString("format", format.GetString());
        }

        if (schema.TryGetProperty("default", out var defaultValue) && defaultValue.ValueKind != JsonValueKind.Null)
        {
            writer.WritePropertyName("default");
            defaultValue.WriteTo(writer);
        }

        if (schema.TryGetProperty("enum", out var enumValues) && enumValues.ValueKind == JsonValueKind.Array
            && enumValues.EnumerateArray().All(static v => v.ValueKind == JsonValueKind.String))
        {
            writer.WritePropertyName("enum");
            enumValues.WriteTo(writer);
        }
        else if (schema.TryGetProperty("const", out var constValue) && constValue.ValueKind == JsonValueKind.String)
        {
            writer.WriteStartArray("enum");
            writer.WriteStringValue(constValue.GetString());
            writer.WriteEndArray();
        }

        if (schema.TryGetProperty("properties", out var properties) && properties.ValueKind == JsonValueKind.Object)
        {
            writer.WriteStartObject("properties");
            foreach (var property in properties.EnumerateObject())
            {
                writer.WritePropertyName(property.Name);
                WriteSchema(writer, property.Value, root, refsInProgress, depth + 1);
            }

            writer.WriteEndObject();
        }

        if (schema.TryGetProperty("required", out var required) && required.ValueKind == JsonValueKind.Array)
        {
            writer.WritePropertyName("required");
            required.WriteTo(writer);
        }

        if (schema.TryGetProperty("items", out var items) && items.ValueKind == JsonValueKind.Object)
        {
            writer.WritePropertyName("items");
            WriteSchema(writer, items, root, refsInProgress, depth + 1);
        }

        writer.WriteEndObject();
    }

    private static bool IsKnownFormat(string? type, string format) => type switch
    {
        "string" => Array.IndexOf(StringFormats, format) >= 0,
        "number" => Array.IndexOf(NumberFormats, format) >= 0,
        "integer" => Array.IndexOf(IntegerFormats, format) >= 0,
        _ => false,
    };

    private static JsonElement? Resolve(JsonElement root, string reference)
    {
        if (string.Equals(reference, "#", StringComparison.Ordinal))
        {
            return root;
        }

        if (!reference.StartsWith("#/", StringComparison.Ordinal))
        {
            return null;
        }

        var current = root;
        foreach (var rawSegment in reference[2..].Split('/'))
        {
            var segment = Uri.UnescapeDataString(rawSegment).Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal);
            if (current.ValueKind != JsonValueKind.Object || !current.TryGetProperty(segment, out current))
            {
                return null;
            }
        }

        return current;
    }
}

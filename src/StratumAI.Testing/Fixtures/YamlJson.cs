using System.Buffers;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace StratumAI.Testing.Fixtures;

/// <summary>
/// Turns a YAML node written by PyYAML (<c>yaml.dump</c> of a JSON value, as pydantic-ai's cassette
/// serializer does for <c>parsed_body</c>) back into JSON with the right types.
/// </summary>
/// <remarks>
/// PyYAML resolves plain scalars by the YAML 1.1 rules and quotes any string that would otherwise
/// resolve to another type, so a plain scalar is typed by those rules (null, bool, int, float) and
/// every quoted, literal or folded scalar is a string.
/// </remarks>
internal static partial class YamlJson
{
    private static readonly JsonWriterOptions WriterOptions = new()
    {
        Indented = false,
        // Fixture text is replayed to test clients only; keep non-ASCII readable instead of \uXXXX.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        SkipValidation = false,
    };

    public static byte[] ToJsonBytes(YamlNode node)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            Write(writer, node);
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static void Write(Utf8JsonWriter writer, YamlNode node)
    {
        switch (node)
        {
            case YamlMappingNode mapping:
                writer.WriteStartObject();
                foreach (var pair in mapping.Children)
                {
                    writer.WritePropertyName(KeyText(pair.Key));
                    Write(writer, pair.Value);
                }

                writer.WriteEndObject();
                break;
            case YamlSequenceNode sequence:
                writer.WriteStartArray();
                foreach (var item in sequence.Children)
                {
                    Write(writer, item);
                }

                writer.WriteEndArray();
                break;
            case YamlScalarNode scalar:
                WriteScalar(writer, scalar);
                break;
            default:
                throw new InvalidDataException($"Unsupported YAML node '{node.NodeType}' at {node.Start}.");
        }
    }

    private static string KeyText(YamlNode key) => key switch
    {
        YamlScalarNode scalar => scalar.Value ?? "null",
        _ => throw new InvalidDataException($"A JSON object key must be a YAML scalar, found '{key.NodeType}' at {key.Start}."),
    };

    private static void WriteScalar(Utf8JsonWriter writer, YamlScalarNode scalar)
    {
        var text = scalar.Value ?? string.Empty;
        var tag = scalar.Tag.IsEmpty || scalar.Tag.IsNonSpecific ? null : scalar.Tag.Value;
        switch (tag)
        {
            case "tag:yaml.org,2002:str":
            case "tag:yaml.org,2002:binary":
                writer.WriteStringValue(text);
                return;
            case "tag:yaml.org,2002:null":
                writer.WriteNullValue();
                return;
            case "tag:yaml.org,2002:bool":
                writer.WriteBooleanValue(ParseBool(text) ?? throw new InvalidDataException($"'{text}' is not a YAML boolean at {scalar.Start}."));
                return;
            case "tag:yaml.org,2002:int":
                writer.WriteRawValue(IntToJson(text));
                return;
            case "tag:yaml.org,2002:float":
                WriteFloat(writer, text);
                return;
            default:
                break;
        }

        if (scalar.Style != ScalarStyle.Plain && scalar.Style != ScalarStyle.Any)
        {
            writer.WriteStringValue(text);
            return;
        }

        if (text.Length == 0 || text is "~" or "null" or "Null" or "NULL")
        {
            writer.WriteNullValue();
        }
        else if (ParseBool(text) is { } flag)
        {
            writer.WriteBooleanValue(flag);
        }
        else if (IntPattern().IsMatch(text))
        {
            writer.WriteRawValue(IntToJson(text));
        }
        else if (FloatPattern().IsMatch(text))
        {
            WriteFloat(writer, text);
        }
        else
        {
            writer.WriteStringValue(text);
        }
    }

    private static bool? ParseBool(string text) => text switch
    {
        "true" or "True" or "TRUE" or "yes" or "Yes" or "YES" or "on" or "On" or "ON" => true,
        "false" or "False" or "FALSE" or "no" or "No" or "NO" or "off" or "Off" or "OFF" => false,
        _ => null,
    };

    private static string IntToJson(string text)
    {
        if (JsonIntPattern().IsMatch(text))
        {
            return text;
        }

        var cleaned = text.Replace("_", string.Empty, StringComparison.Ordinal);
        var negative = cleaned.StartsWith('-');
        if (cleaned.StartsWith('-') || cleaned.StartsWith('+'))
        {
            cleaned = cleaned[1..];
        }

        System.Numerics.BigInteger value;
        if (cleaned.StartsWith("0x", StringComparison.Ordinal))
        {
            value = System.Numerics.BigInteger.Parse("0" + cleaned[2..], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
        }
        else if (cleaned.StartsWith("0b", StringComparison.Ordinal))
        {
            value = ParseBase(cleaned[2..], 2);
        }
        else if (cleaned.Length > 1 && cleaned[0] == '0')
        {
            value = ParseBase(cleaned[1..], 8);
        }
        else
        {
            value = System.Numerics.BigInteger.Parse(cleaned, NumberStyles.None, CultureInfo.InvariantCulture);
        }

        return (negative ? -value : value).ToString(CultureInfo.InvariantCulture);
    }

    private static System.Numerics.BigInteger ParseBase(string digits, int radix)
    {
        var value = System.Numerics.BigInteger.Zero;
        foreach (var c in digits)
        {
            value = (value * radix) + (c - '0');
        }

        return value;
    }

    private static void WriteFloat(Utf8JsonWriter writer, string text)
    {
        if (JsonNumberPattern().IsMatch(text))
        {
            writer.WriteRawValue(text);
            return;
        }

        var cleaned = text.Replace("_", string.Empty, StringComparison.Ordinal);
        switch (cleaned.TrimStart('+', '-').ToUpperInvariant())
        {
            case ".INF":
            case ".NAN":
                // JSON has no infinity or NaN; keep the YAML spelling so nothing is lost silently.
                writer.WriteStringValue(text);
                return;
            default:
                break;
        }

        var value = double.Parse(cleaned, NumberStyles.Float, CultureInfo.InvariantCulture);
        writer.WriteNumberValue(value);
    }

    [GeneratedRegex(@"^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+)$", RegexOptions.CultureInvariant)]
    private static partial Regex IntPattern();

    [GeneratedRegex(@"^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+]?[0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$", RegexOptions.CultureInvariant)]
    private static partial Regex FloatPattern();

    [GeneratedRegex(@"^-?(?:0|[1-9][0-9]*)$", RegexOptions.CultureInvariant)]
    private static partial Regex JsonIntPattern();

    [GeneratedRegex(@"^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?$", RegexOptions.CultureInvariant)]
    private static partial Regex JsonNumberPattern();
}

using System.Globalization;
using System.Text;
using Microsoft.CodeAnalysis.CSharp;

namespace StratumAI.Generator.Emitter;

/// <summary>C# literal and XML doc text, always invariant culture.</summary>
internal static class Literals
{
    public static string String(string? value)
    {
        if (value is null)
        {
            return "null";
        }

        var builder = new StringBuilder(value.Length + 2);
        builder.Append('"');
        AppendEscaped(builder, value, inInterpolation: false);
        builder.Append('"');
        return builder.ToString();
    }

    /// <summary>Escapes text for a regular (non-verbatim) C# string; in an interpolated string braces are doubled too.</summary>
    public static void AppendEscaped(StringBuilder builder, string value, bool inInterpolation)
    {
        foreach (var c in value)
        {
            switch (c)
            {
                case '"': builder.Append("\\\""); break;
                case '\\': builder.Append("\\\\"); break;
                case '\n': builder.Append("\\n"); break;
                case '\r': builder.Append("\\r"); break;
                case '\t': builder.Append("\\t"); break;
                case '\0': builder.Append("\\0"); break;
                case '{' when inInterpolation: builder.Append("{{"); break;
                case '}' when inInterpolation: builder.Append("}}"); break;
                default:
                    if (char.IsControl(c) || c == '\u2028' || c == '\u2029' || c == '\u0085')
                    {
                        builder.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        builder.Append(c);
                    }

                    break;
            }
        }
    }

    /// <summary>An exact decimal literal: the text keeps the value and its scale (2.50 stays 2.50m).</summary>
    public static string Decimal(decimal value) => value.ToString(CultureInfo.InvariantCulture) + "m";

    public static string NullableDecimal(decimal? value) => value is { } v ? Decimal(v) : "null";

    /// <summary>A double literal parsed from the catalog's decimal text, so 0.86 becomes the double nearest 0.86.</summary>
    public static string Double(decimal value) => value.ToString(CultureInfo.InvariantCulture) + "d";

    public static string Float(float value) => value.ToString("R", CultureInfo.InvariantCulture) + "f";

    public static string Int(long value) => value.ToString(CultureInfo.InvariantCulture);

    public static string Identifier(string name)
        => SyntaxFacts.GetKeywordKind(name) != SyntaxKind.None ? "@" + name : name;

    /// <summary>Escapes text for an XML doc comment.</summary>
    public static string Xml(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return string.Empty;
        }

        var builder = new StringBuilder(value!.Length);
        foreach (var c in value)
        {
            switch (c)
            {
                case '&': builder.Append("&amp;"); break;
                case '<': builder.Append("&lt;"); break;
                case '>': builder.Append("&gt;"); break;
                case '\r':
                case '\n': builder.Append(' '); break;
                default:
                    if (!char.IsControl(c))
                    {
                        builder.Append(c);
                    }

                    break;
            }
        }

        return builder.ToString();
    }
}

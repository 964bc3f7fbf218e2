using System.Globalization;
using StratumAI.Catalog;
using StratumAI.Generator.Model;

namespace StratumAI.Generator.Parser;

/// <summary>Parses <c>[LlmCall]</c> templates: <c>{param}</c>, <c>{param,alignment}</c>, <c>{param:format}</c>, <c>{{</c> and <c>}}</c>.</summary>
internal static class TemplateParser
{
    /// <summary>Parses a template; on failure returns null and the reason in <paramref name="error"/>.</summary>
    /// <param name="template">The template text.</param>
    /// <param name="parameters">Method parameters by the name templates use.</param>
    /// <param name="error">The problem, when the template is malformed.</param>
    /// <param name="unknownPlaceholder">A placeholder naming no parameter, when that is the problem.</param>
    public static EquatableArray<TemplateSegment>? Parse(
        string template,
        IReadOnlyDictionary<string, ParameterSpec> parameters,
        out string? error,
        out string? unknownPlaceholder)
    {
        error = null;
        unknownPlaceholder = null;
        var segments = new List<TemplateSegment>();
        var literal = new System.Text.StringBuilder();
        var i = 0;
        while (i < template.Length)
        {
            var c = template[i];
            if (c == '{')
            {
                if (i + 1 < template.Length && template[i + 1] == '{')
                {
                    literal.Append('{');
                    i += 2;
                    continue;
                }

                var close = template.IndexOf('}', i + 1);
                if (close < 0)
                {
                    error = "has a '{' at position " + i.ToString(CultureInfo.InvariantCulture) + " with no closing '}' (write '{{' for a literal brace)";
                    return null;
                }

                var content = template.Substring(i + 1, close - i - 1);
                if (content.IndexOf('{') >= 0)
                {
                    error = "has a '{' inside the placeholder '{" + content + "}'";
                    return null;
                }

                if (!TryParsePlaceholder(content, out var name, out var alignment, out var format, out error))
                {
                    return null;
                }

                if (!parameters.TryGetValue(name, out var parameter))
                {
                    unknownPlaceholder = name;
                    return null;
                }

                if (literal.Length > 0)
                {
                    segments.Add(new TemplateSegment(false, literal.ToString(), null, null));
                    literal.Clear();
                }

                segments.Add(new TemplateSegment(true, parameter.Name, alignment, format));
                i = close + 1;
            }
            else if (c == '}')
            {
                if (i + 1 < template.Length && template[i + 1] == '}')
                {
                    literal.Append('}');
                    i += 2;
                    continue;
                }

                error = "has an unmatched '}' at position " + i.ToString(CultureInfo.InvariantCulture) + " (write '}}' for a literal brace)";
                return null;
            }
            else
            {
                literal.Append(c);
                i++;
            }
        }

        if (literal.Length > 0)
        {
            segments.Add(new TemplateSegment(false, literal.ToString(), null, null));
        }

        return EquatableArray<TemplateSegment>.UnsafeWrap(segments.ToArray());
    }

    private static bool TryParsePlaceholder(string content, out string name, out string? alignment, out string? format, out string? error)
    {
        alignment = null;
        format = null;
        error = null;
        var colon = content.IndexOf(':');
        var head = colon < 0 ? content : content.Substring(0, colon);
        if (colon >= 0)
        {
            format = content.Substring(colon + 1);
            if (format.Length == 0)
            {
                format = null;
            }
            foreach (var f in format ?? string.Empty)
            {
                // The format is copied into an interpolated string, where these cannot be written.
                if (f == '"' || f == '\\' || f == '\r' || f == '\n')
                {
                    name = head;
                    error = "has a format in '{" + content + "}' with a character a format cannot contain (quote, backslash or line break)";
                    return false;
                }
            }
        }

        var comma = head.IndexOf(',');
        if (comma >= 0)
        {
            var alignmentText = head.Substring(comma + 1).Trim();
            head = head.Substring(0, comma);
            if (!int.TryParse(alignmentText, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
            {
                name = head.Trim();
                error = "has an alignment in '{" + content + "}' that is not an integer";
                return false;
            }

            alignment = value.ToString(CultureInfo.InvariantCulture);
        }

        name = head.Trim();
        if (name.StartsWith("@", StringComparison.Ordinal))
        {
            name = name.Substring(1);
        }

        if (!Microsoft.CodeAnalysis.CSharp.SyntaxFacts.IsValidIdentifier(name))
        {
            error = "has a placeholder '{" + content + "}' that is not a parameter name";
            return false;
        }

        return true;
    }
}

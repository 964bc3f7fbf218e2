using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace StratumAI.Dialects;

/// <summary>
/// Assembles a Gemini 3 streamed function call: <c>functionCall.partialArgs</c> fragments, each a value at a JSON path
/// (<c>$.location</c>, <c>$.items[0].name</c>); a string value arrives in pieces while <c>willContinue</c> is true.
/// </summary>
internal sealed class PartialCallBuilder
{
    private readonly List<string> _order = [];
    private readonly Dictionary<string, object?> _values = new(StringComparer.Ordinal);

    public string? Id { get; init; }

    public string? Name { get; init; }

    public string? ThoughtSignature { get; set; }

    public void Add(GeminiPartialArg fragment)
    {
        var path = fragment.JsonPath;
        if (string.IsNullOrEmpty(path))
        {
            return;
        }

        if (!_values.ContainsKey(path))
        {
            _order.Add(path);
            _values[path] = null;
        }

        if (fragment.StringValue is { } text)
        {
            if (_values[path] is not StringBuilder builder)
            {
                builder = new StringBuilder();
                _values[path] = builder;
            }

            builder.Append(text);
        }
        else if (fragment.NumberValue is { } number)
        {
            _values[path] = JsonValue.Create(number);
        }
        else if (fragment.BoolValue is { } flag)
        {
            _values[path] = JsonValue.Create(flag);
        }
    }

    /// <summary>The arguments as a JSON object text.</summary>
    public string BuildArguments()
    {
        var root = new JsonObject();
        foreach (var path in _order)
        {
            JsonNode? value = _values[path] switch
            {
                StringBuilder builder => JsonValue.Create(builder.ToString()),
                JsonNode node => node,
                _ => null,
            };
            Set(root, path, value);
        }

        return root.ToJsonString();
    }

    private static void Set(JsonObject root, string path, JsonNode? value)
    {
        var segments = Parse(path);
        if (segments.Count == 0)
        {
            return;
        }

        JsonNode current = root;
        for (var i = 0; i < segments.Count; i++)
        {
            var last = i == segments.Count - 1;
            var segment = segments[i];
            var next = last ? null : segments[i + 1];
            if (current is JsonArray array && segment is int index)
            {
                while (array.Count <= index)
                {
                    array.Add(null);
                }
            }
            else if (current is not JsonObject || segment is not string)
            {
                // The path contradicts the shape built so far; the fragment cannot be placed.
                return;
            }

            if (last)
            {
                SetChild(current, segment, value);
                return;
            }

            if (GetChild(current, segment) is not { } child)
            {
                child = next is int ? new JsonArray() : new JsonObject();
                SetChild(current, segment, child);
            }

            current = child;
        }
    }

    // An object's member by name or an array's element by index, the segment's type matching the container's.
    private static JsonNode? GetChild(JsonNode container, object segment) =>
        segment is int index ? container.AsArray()[index] : container.AsObject()[(string)segment];

    private static void SetChild(JsonNode container, object segment, JsonNode? value)
    {
        if (segment is int index)
        {
            container.AsArray()[index] = value;
        }
        else
        {
            container.AsObject()[(string)segment] = value;
        }
    }

    /// <summary>Splits <c>$.a.b[2]['c d']</c> into <c>a</c>, <c>b</c>, 2, <c>c d</c>.</summary>
    internal static List<object> Parse(string path)
    {
        var segments = new List<object>();
        var i = path.StartsWith('$') ? 1 : 0;
        while (i < path.Length)
        {
            if (path[i] == '.')
            {
                var start = ++i;
                while (i < path.Length && path[i] != '.' && path[i] != '[')
                {
                    i++;
                }

                segments.Add(path[start..i]);
            }
            else if (path[i] == '[')
            {
                var close = path.IndexOf(']', i);
                if (close < 0)
                {
                    break;
                }

                var inner = path[(i + 1)..close];
                if (inner.Length >= 2 && (inner[0] == '\'' || inner[0] == '"'))
                {
                    segments.Add(inner[1..^1]);
                }
                else if (int.TryParse(inner, NumberStyles.None, CultureInfo.InvariantCulture, out var index))
                {
                    segments.Add(index);
                }
                else
                {
                    segments.Add(inner);
                }

                i = close + 1;
            }
            else
            {
                var start = i;
                while (i < path.Length && path[i] != '.' && path[i] != '[')
                {
                    i++;
                }

                segments.Add(path[start..i]);
            }
        }

        return segments;
    }
}

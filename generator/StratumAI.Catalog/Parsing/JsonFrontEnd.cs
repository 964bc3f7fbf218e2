using System.Text;
using System.Text.Json;

namespace StratumAI.Catalog.Parsing;

/// <summary>
/// Builds the positioned node tree from <see cref="Utf8JsonReader"/>. Token positions are UTF-8
/// byte offsets; they are mapped back to char offsets into the file text. Comments and trailing
/// commas are allowed (as in .NET configuration files).
/// </summary>
internal static class JsonFrontEnd
{
    private const int MaxDepth = 256;

    public static CatalogNode? Build(SourceText source, List<CatalogDiagnostic> diagnostics)
    {
        var text = source.Text;
        if (IsBlank(text))
        {
            return null; // the validator reports an empty file at its start
        }

        var charBase = text.Length > 0 && text[0] == '\uFEFF' ? 1 : 0;
        var map = new OffsetMap(text, charBase);
        var reader = new Utf8JsonReader(map.Bytes, new JsonReaderOptions
        {
            CommentHandling = JsonCommentHandling.Skip,
            AllowTrailingCommas = true,
            MaxDepth = MaxDepth,
        });

        var stack = new Stack<Frame>();
        CatalogNode? root = null;
        try
        {
            while (reader.Read())
            {
                var start = map.ToChar(reader.TokenStartIndex);
                switch (reader.TokenType)
                {
                    case JsonTokenType.StartObject:
                        stack.Push(new Frame(new MappingNode(start)));
                        break;
                    case JsonTokenType.StartArray:
                        stack.Push(new Frame(new SequenceNode(start)));
                        break;
                    case JsonTokenType.EndObject:
                    case JsonTokenType.EndArray:
                        var frame = stack.Pop();
                        frame.Node.End = map.ToChar(reader.BytesConsumed);
                        Add(stack, ref root, frame.Node);
                        break;
                    case JsonTokenType.PropertyName:
                        stack.Peek().PendingKey = new ScalarNode(reader.GetString() ?? string.Empty, ScalarKind.Quoted, start, map.ToChar(reader.BytesConsumed));
                        break;
                    case JsonTokenType.String:
                        Add(stack, ref root, new ScalarNode(reader.GetString() ?? string.Empty, ScalarKind.Quoted, start, map.ToChar(reader.BytesConsumed)));
                        break;
                    case JsonTokenType.Number:
                        // A JSON number is ASCII, so its chars are exactly its bytes: take the text, no copy of the span.
                        var numberEnd = map.ToChar(reader.BytesConsumed);
                        Add(stack, ref root, new ScalarNode(text.Substring(start, numberEnd - start), ScalarKind.Number, start, numberEnd));
                        break;
                    case JsonTokenType.True:
                    case JsonTokenType.False:
                        Add(stack, ref root, new ScalarNode(reader.TokenType == JsonTokenType.True ? "true" : "false", ScalarKind.Boolean, start, map.ToChar(reader.BytesConsumed)));
                        break;
                    case JsonTokenType.Null:
                        Add(stack, ref root, new ScalarNode("null", ScalarKind.Null, start, map.ToChar(reader.BytesConsumed)));
                        break;
                }
            }
        }
        catch (JsonException ex)
        {
            int offset;
            if (ex.LineNumber is long line && ex.BytePositionInLine is long column)
            {
                var lineStartChar = source.LineStart(line > int.MaxValue ? int.MaxValue : (int)line);
                offset = map.ToChar(map.ToByte(lineStartChar) + column);
            }
            else
            {
                offset = map.ToChar(reader.BytesConsumed);
            }

            diagnostics.Add(new CatalogDiagnostic(
                CatalogDiagnosticIds.MalformedFile,
                CatalogSeverity.Error,
                "The file is not valid JSON: " + Clean(ex.Message),
                source.Location(offset, offset)));
            return null;
        }
        catch (InvalidOperationException ex)
        {
            // GetString() rejects escapes that do not form valid UTF-16 (a lone "\ud800").
            var offset = map.ToChar(reader.TokenStartIndex);
            diagnostics.Add(new CatalogDiagnostic(
                CatalogDiagnosticIds.MalformedFile,
                CatalogSeverity.Error,
                "The file is not valid JSON: " + ex.Message,
                source.Location(offset, map.ToChar(reader.BytesConsumed))));
            return null;
        }

        return root;
    }

    private static bool IsBlank(string text)
    {
        foreach (var c in text)
        {
            if (c != ' ' && c != '\t' && c != '\r' && c != '\n' && c != '\uFEFF')
            {
                return false;
            }
        }

        return true;
    }

    // System.Text.Json appends " LineNumber: 0 | BytePositionInLine: 3." — the location says that already.
    private static string Clean(string message)
    {
        var index = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        return index > 0 ? message.Substring(0, index) : message;
    }

    private static void Add(Stack<Frame> stack, ref CatalogNode? root, CatalogNode node)
    {
        if (stack.Count == 0)
        {
            root ??= node;
            return;
        }

        var frame = stack.Peek();
        if (frame.Node is SequenceNode sequence)
        {
            sequence.Items.Add(node);
        }
        else if (frame.PendingKey is not null)
        {
            ((MappingNode)frame.Node).Entries.Add(new MappingEntry(frame.PendingKey, node));
            frame.PendingKey = null;
        }
    }

    private sealed class Frame
    {
        public Frame(CatalogNode node) => Node = node;

        public CatalogNode Node { get; }

        public ScalarNode? PendingKey { get; set; }
    }

    /// <summary>UTF-8 bytes of the text (after a BOM) and the map between byte and char offsets.</summary>
    private sealed class OffsetMap
    {
        private readonly int _charBase;
        private readonly int[]? _charOfByte;
        private readonly int _textLength;

        public OffsetMap(string text, int charBase)
        {
            _charBase = charBase;
            _textLength = text.Length;
            var count = text.Length - charBase;
            var chars = text.ToCharArray(charBase, count);
            Bytes = Encoding.UTF8.GetBytes(chars);
            if (Bytes.Length == count)
            {
                return; // ASCII: byte offset == char offset.
            }

            // Same widths as Encoding.UTF8 (a lone surrogate becomes U+FFFD, three bytes).
            _charOfByte = new int[Bytes.Length + 1];
            var b = 0;
            for (var i = 0; i < chars.Length; i++)
            {
                var c = chars[i];
                int width;
                var span = 1;
                if (c < 0x80)
                {
                    width = 1;
                }
                else if (c < 0x800)
                {
                    width = 2;
                }
                else if (char.IsHighSurrogate(c) && i + 1 < chars.Length && char.IsLowSurrogate(chars[i + 1]))
                {
                    width = 4;
                    span = 2;
                }
                else
                {
                    width = 3;
                }

                for (var k = 0; k < width && b < Bytes.Length; k++)
                {
                    _charOfByte[b++] = i;
                }

                i += span - 1;
            }

            while (b <= Bytes.Length)
            {
                _charOfByte[b++] = chars.Length;
            }
        }

        public byte[] Bytes { get; }

        public int ToChar(long byteOffset)
        {
            var b = byteOffset < 0 ? 0 : byteOffset > Bytes.Length ? Bytes.Length : (int)byteOffset;
            var c = _charOfByte is null ? b : _charOfByte[b];
            return Math.Min(c + _charBase, _textLength);
        }

        public long ToByte(int charOffset)
        {
            var c = charOffset - _charBase;
            if (c <= 0)
            {
                return 0;
            }

            if (_charOfByte is null)
            {
                return c;
            }

            // First byte whose char is c.
            int lo = 0, hi = _charOfByte.Length - 1;
            while (lo < hi)
            {
                var mid = (lo + hi) / 2;
                if (_charOfByte[mid] < c)
                {
                    lo = mid + 1;
                }
                else
                {
                    hi = mid;
                }
            }

            return lo;
        }
    }
}

using System.Text;

namespace StratumAI.Catalog.Parsing;

/// <summary>
/// Builds the positioned node tree from JSON text (RFC 8259) with comments (<c>//</c>, <c>/* */</c>) and
/// trailing commas allowed, as in .NET configuration files. Positions are char offsets into the file text.
/// </summary>
/// <remarks>
/// A reader of its own rather than System.Text.Json: the generator and analyzers run inside the compiler,
/// which guarantees Roslyn's own dependencies but not System.Text.Json (Visual Studio brings a version of
/// its own, and the package would otherwise ship System.Text.Json with six polyfills, about 1.85 MB).
/// </remarks>
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

        var reader = new Reader(text, text[0] == '\uFEFF' ? 1 : 0);
        try
        {
            reader.SkipTrivia();
            var root = reader.ReadValue(depth: 0);
            reader.SkipTrivia();
            if (!reader.AtEnd)
            {
                throw Reader.Error(reader.Position, $"'{Show(text, reader.Position)}' after the end of the JSON value; a file holds one value.");
            }

            return root;
        }
        catch (JsonSyntaxException ex)
        {
            diagnostics.Add(new CatalogDiagnostic(
                CatalogDiagnosticIds.MalformedFile,
                CatalogSeverity.Error,
                "The file is not valid JSON: " + ex.Message,
                source.Location(ex.Start, ex.End)));
            return null;
        }
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

    /// <summary>The character at an offset as a message shows it (a control character by its code).</summary>
    private static string Show(string text, int offset)
    {
        var c = text[offset];
        return c < ' ' || char.IsSurrogate(c) ? "\\u" + ((int)c).ToString("X4", System.Globalization.CultureInfo.InvariantCulture) : c.ToString();
    }

    private sealed class JsonSyntaxException : Exception
    {
        public JsonSyntaxException(string message, int start, int end)
            : base(message)
        {
            Start = start;
            End = end;
        }

        public int Start { get; }

        public int End { get; }
    }

    private sealed class Reader
    {
        private readonly string _text;
        private int _pos;

        public Reader(string text, int start)
        {
            _text = text;
            _pos = start;
        }

        public int Position => _pos;

        public bool AtEnd => _pos >= _text.Length;

        public static JsonSyntaxException Error(int offset, string message) => new(message, offset, offset);

        /// <summary>Skips whitespace and comments.</summary>
        public void SkipTrivia()
        {
            while (_pos < _text.Length)
            {
                var c = _text[_pos];
                if (c == ' ' || c == '\t' || c == '\r' || c == '\n')
                {
                    _pos++;
                }
                else if (c == '/' && _pos + 1 < _text.Length && _text[_pos + 1] == '/')
                {
                    while (_pos < _text.Length && _text[_pos] != '\n' && _text[_pos] != '\r')
                    {
                        _pos++;
                    }
                }
                else if (c == '/' && _pos + 1 < _text.Length && _text[_pos + 1] == '*')
                {
                    var close = _text.IndexOf("*/", _pos + 2, StringComparison.Ordinal);
                    if (close < 0)
                    {
                        throw Error(_pos, "the comment is not closed with '*/'.");
                    }

                    _pos = close + 2;
                }
                else
                {
                    return;
                }
            }
        }

        public CatalogNode ReadValue(int depth)
        {
            if (AtEnd)
            {
                throw Error(_pos, "the text ends where a value was expected.");
            }

            var start = _pos;
            switch (_text[_pos])
            {
                case '{':
                    return ReadObject(depth + 1);
                case '[':
                    return ReadArray(depth + 1);
                case '"':
                    var value = ReadString(out var loneSurrogate);
                    return loneSurrogate ? throw LoneSurrogate(start) : new ScalarNode(value, ScalarKind.Quoted, start, _pos);
                case 't':
                    ReadLiteral("true");
                    return new ScalarNode("true", ScalarKind.Boolean, start, _pos);
                case 'f':
                    ReadLiteral("false");
                    return new ScalarNode("false", ScalarKind.Boolean, start, _pos);
                case 'n':
                    ReadLiteral("null");
                    return new ScalarNode("null", ScalarKind.Null, start, _pos);
                case '-':
                case >= '0' and <= '9':
                    ReadNumber();
                    return new ScalarNode(_text.Substring(start, _pos - start), ScalarKind.Number, start, _pos);
                default:
                    throw Error(_pos, $"'{Show(_text, _pos)}' cannot start a value (a value is an object, a list, a string in double quotes, a number, true, false or null).");
            }
        }

        private MappingNode ReadObject(int depth)
        {
            CheckDepth(depth);
            var node = new MappingNode(_pos);
            _pos++; // {
            while (!AtClose('}'))
            {
                if (AtEnd || _text[_pos] != '"')
                {
                    throw AtEnd
                        ? Error(_pos, "the text ends inside an object; '}' is missing.")
                        : Error(_pos, $"'{Show(_text, _pos)}' where a property name in double quotes was expected.");
                }

                var keyStart = _pos;
                var name = ReadString(out var loneSurrogate);
                SkipTrivia();
                Expect(':', "after a property name");
                if (loneSurrogate)
                {
                    throw LoneSurrogate(keyStart);
                }

                // The key's span runs to its colon, as System.Text.Json's property-name token did.
                var key = new ScalarNode(name, ScalarKind.Quoted, keyStart, _pos);
                SkipTrivia();
                node.Entries.Add(new MappingEntry(key, ReadValue(depth)));
                if (!AfterMember('}', "an object"))
                {
                    break;
                }
            }

            _pos++; // }
            node.End = _pos;
            return node;
        }

        private SequenceNode ReadArray(int depth)
        {
            CheckDepth(depth);
            var node = new SequenceNode(_pos);
            _pos++; // [
            while (!AtClose(']'))
            {
                if (AtEnd)
                {
                    throw Error(_pos, "the text ends inside a list; ']' is missing.");
                }

                if (_text[_pos] == ',')
                {
                    throw Error(_pos, "',' where a value was expected.");
                }

                node.Items.Add(ReadValue(depth));
                if (!AfterMember(']', "a list"))
                {
                    break;
                }
            }

            _pos++; // ]
            node.End = _pos;
            return node;
        }

        /// <summary>Skips trivia; true on the closing bracket (an empty container, or one after a trailing comma, which is allowed).</summary>
        private bool AtClose(char close)
        {
            SkipTrivia();
            return !AtEnd && _text[_pos] == close;
        }

        /// <summary>
        /// After a member of an object or list: true past a ',' (another member may follow), false on the closing
        /// bracket. The text ending right after the ',' is reported at the comma, as System.Text.Json did.
        /// </summary>
        private bool AfterMember(char close, string inside)
        {
            SkipTrivia();
            if (AtEnd)
            {
                throw Error(_pos, $"the text ends inside {inside}; '{close}' is missing.");
            }

            if (_text[_pos] == ',')
            {
                _pos++;
                if (AtEnd)
                {
                    throw Error(_pos - 1, "the text ends after ',' where a value was expected.");
                }

                return true;
            }

            if (_text[_pos] != close)
            {
                throw Error(_pos, $"'{Show(_text, _pos)}' where ',' or '{close}' was expected.");
            }

            return false;
        }

        private void CheckDepth(int depth)
        {
            if (depth > MaxDepth)
            {
                throw Error(_pos, $"objects and lists are nested more than {MaxDepth} deep.");
            }
        }

        private void Expect(char expected, string where)
        {
            if (AtEnd)
            {
                throw Error(_pos, $"the text ends where '{expected}' was expected {where}.");
            }

            if (_text[_pos] != expected)
            {
                throw Error(_pos, $"'{Show(_text, _pos)}' where '{expected}' was expected {where}.");
            }

            _pos++;
        }

        private void ReadLiteral(string literal)
        {
            for (var i = 0; i < literal.Length; i++, _pos++)
            {
                if (AtEnd || _text[_pos] != literal[i])
                {
                    throw Error(_pos, $"'{literal}' is misspelled.");
                }
            }

            CheckDelimiter();
        }

        // -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
        private void ReadNumber()
        {
            if (_text[_pos] == '-')
            {
                _pos++;
            }

            if (!AtEnd && _text[_pos] == '0')
            {
                _pos++;
                if (!AtEnd && IsDigit(_text[_pos]))
                {
                    throw Error(_pos, "a number cannot have a leading zero.");
                }
            }
            else
            {
                Digits("an integer part");
            }

            if (!AtEnd && _text[_pos] == '.')
            {
                _pos++;
                Digits("a digit after '.'");
            }

            if (!AtEnd && (_text[_pos] == 'e' || _text[_pos] == 'E'))
            {
                _pos++;
                if (!AtEnd && (_text[_pos] == '+' || _text[_pos] == '-'))
                {
                    _pos++;
                }

                Digits("an exponent");
            }

            CheckDelimiter();
        }

        private void Digits(string what)
        {
            if (AtEnd || !IsDigit(_text[_pos]))
            {
                throw Error(_pos, $"the number needs {what}.");
            }

            while (!AtEnd && IsDigit(_text[_pos]))
            {
                _pos++;
            }
        }

        private static bool IsDigit(char c) => c >= '0' && c <= '9';

        /// <summary>A number or literal ends at whitespace, a comment, ',', ']', '}' or the end.</summary>
        private void CheckDelimiter()
        {
            if (AtEnd)
            {
                return;
            }

            var c = _text[_pos];
            if (c != ' ' && c != '\t' && c != '\r' && c != '\n' && c != ',' && c != ']' && c != '}' && c != '/')
            {
                throw Error(_pos, $"'{Show(_text, _pos)}' cannot follow a number, true, false or null.");
            }
        }

        /// <summary>An escaped unpaired surrogate (<c>"\ud800"</c>) is not text: reported from the string's start to here.</summary>
        private JsonSyntaxException LoneSurrogate(int start)
            => new("the string holds an escaped unpaired surrogate ('\\uD800' to '\\uDFFF').", start, _pos);

        /// <summary>Reads a string token at <see cref="_pos"/> (on its opening quote) and returns its value.</summary>
        /// <param name="loneEscapedSurrogate">
        /// Whether the string escapes an unpaired surrogate; the caller reports it (after a property name's colon,
        /// which is checked first). One typed into the file unpaired reads as U+FFFD, as a UTF-8 reader of the
        /// saved file would.
        /// </param>
        private string ReadString(out bool loneEscapedSurrogate)
        {
            _pos++; // "
            var builder = new StringBuilder();
            loneEscapedSurrogate = false;
            while (true)
            {
                if (AtEnd)
                {
                    throw Error(_pos, "the text ends inside a string; its closing '\"' is missing.");
                }

                var c = _text[_pos];
                if (c == '"')
                {
                    _pos++;
                    return builder.ToString();
                }

                if (c < ' ')
                {
                    throw Error(_pos, $"a string cannot hold the control character '\\u{(int)c:X4}'; write it as an escape.");
                }

                if (char.IsSurrogate(c))
                {
                    if (char.IsHighSurrogate(c) && _pos + 1 < _text.Length && char.IsLowSurrogate(_text[_pos + 1]))
                    {
                        builder.Append(c).Append(_text[_pos + 1]);
                        _pos += 2;
                    }
                    else
                    {
                        builder.Append('\uFFFD');
                        _pos++;
                    }

                    continue;
                }

                if (c != '\\')
                {
                    builder.Append(c);
                    _pos++;
                    continue;
                }

                _pos++; // backslash
                if (AtEnd)
                {
                    throw Error(_pos, "the text ends inside a string; its closing '\"' is missing.");
                }

                switch (_text[_pos])
                {
                    case '"': builder.Append('"'); break;
                    case '\\': builder.Append('\\'); break;
                    case '/': builder.Append('/'); break;
                    case 'b': builder.Append('\b'); break;
                    case 'f': builder.Append('\f'); break;
                    case 'n': builder.Append('\n'); break;
                    case 'r': builder.Append('\r'); break;
                    case 't': builder.Append('\t'); break;
                    case 'u':
                        var unit = ReadHex4(_pos + 1);
                        _pos += 4;
                        if (char.IsHighSurrogate(unit) && _pos + 6 < _text.Length && _text[_pos + 1] == '\\' && _text[_pos + 2] == 'u'
                            && TryHex4(_pos + 3, out var low) && char.IsLowSurrogate(low))
                        {
                            builder.Append(unit).Append(low);
                            _pos += 6;
                        }
                        else
                        {
                            loneEscapedSurrogate |= char.IsSurrogate(unit);
                            builder.Append(unit);
                        }

                        break;
                    default:
                        throw Error(_pos, $"'\\{Show(_text, _pos)}' is not a JSON escape (use \\\" \\\\ \\/ \\b \\f \\n \\r \\t or \\uXXXX).");
                }

                _pos++;
            }
        }

        private char ReadHex4(int offset)
        {
            for (var i = 0; i < 4; i++)
            {
                if (offset + i >= _text.Length || HexValue(_text[offset + i]) < 0)
                {
                    throw Error(offset + i, "'\\u' needs four hexadecimal digits.");
                }
            }

            TryHex4(offset, out var unit);
            return unit;
        }

        private bool TryHex4(int offset, out char unit)
        {
            var code = 0;
            for (var i = 0; i < 4; i++)
            {
                var digit = offset + i < _text.Length ? HexValue(_text[offset + i]) : -1;
                if (digit < 0)
                {
                    unit = default;
                    return false;
                }

                code = (code * 16) + digit;
            }

            unit = (char)code;
            return true;
        }

        private static int HexValue(char c)
            => c >= '0' && c <= '9' ? c - '0'
            : c >= 'a' && c <= 'f' ? c - 'a' + 10
            : c >= 'A' && c <= 'F' ? c - 'A' + 10
            : -1;
    }
}

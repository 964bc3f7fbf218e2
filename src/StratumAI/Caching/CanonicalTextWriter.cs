using System.Buffers;
using System.Globalization;

namespace StratumAI;

/// <summary>
/// Writes the canonical request text of <see cref="ResponseCacheKey"/>: compact JSON straight into a reusable
/// <see cref="char"/> buffer, so the in-process key needs neither UTF-8 transcoding nor a JSON writer's validation.
/// </summary>
/// <remarks>
/// Strings keep printable ASCII as it is and write every other character as <c>\uXXXX</c> (lowercase hex) or, for the quote
/// and the backslash, <c>\"</c> and <c>\\</c>. The text is therefore ASCII, and two different strings (lone surrogates
/// included) never write the same text. Not thread-safe: one instance per thread.
/// </remarks>
internal sealed class CanonicalTextWriter
{
    // Printable ASCII but the two characters JSON escapes: the common case is found by one vectorised search.
    private static readonly SearchValues<char> Verbatim = SearchValues.Create(
        " !#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[]^_`abcdefghijklmnopqrstuvwxyz{|}~");

    private char[] _buffer = new char[512];
    private int _length;
    private bool _afterValue;

    /// <summary>Characters written since the last <see cref="Reset"/>.</summary>
    public ReadOnlySpan<char> Written => _buffer.AsSpan(0, _length);

    /// <summary>The buffer's size, so a caller can drop a writer that grew large.</summary>
    public int Capacity => _buffer.Length;

    public void Reset()
    {
        _length = 0;
        _afterValue = false;
    }

    public void StartObject() => Open('{');

    public void EndObject() => Close('}');

    public void StartArray() => Open('[');

    public void EndArray() => Close(']');

    public void Name(string name)
    {
        Separate();
        Quoted(name);
        Append(':');
        _afterValue = false;
    }

    public void String(string? value)
    {
        if (value is null)
        {
            Null();
            return;
        }

        Separate();
        Quoted(value);
        _afterValue = true;
    }

    public void String(string name, string? value)
    {
        Name(name);
        String(value);
    }

    public void Boolean(bool value) => Literal(value ? "true" : "false");

    public void Boolean(string name, bool value)
    {
        Name(name);
        Boolean(value);
    }

    public void Null() => Literal("null");

    public void Number(long value) => Formatted(value, default, maxLength: 20);

    public void Number(string name, long value)
    {
        Name(name);
        Number(value);
    }

    /// <summary>The shortest text that reads back as the same <see cref="float"/>, in invariant form.</summary>
    public void Number(string name, float value)
    {
        Name(name);
        Formatted(value, "R", maxLength: 32);
    }

    /// <summary>A JSON literal or number given as text (a JSON element's raw number, <c>true</c>, <c>null</c>).</summary>
    public void Literal(string text)
    {
        Separate();
        Append(text);
        _afterValue = true;
    }

    private void Formatted<T>(T value, ReadOnlySpan<char> format, int maxLength)
        where T : ISpanFormattable
    {
        Separate();
        Ensure(maxLength);
        value.TryFormat(_buffer.AsSpan(_length), out var written, format, CultureInfo.InvariantCulture);
        _length += written;
        _afterValue = true;
    }

    private void Open(char bracket)
    {
        Separate();
        Append(bracket);
        _afterValue = false;
    }

    private void Close(char bracket)
    {
        Append(bracket);
        _afterValue = true;
    }

    private void Separate()
    {
        if (_afterValue)
        {
            Append(',');
        }
    }

    private void Quoted(string text)
    {
        Append('"');
        var rest = text.AsSpan();
        while (!rest.IsEmpty)
        {
            var plain = rest.IndexOfAnyExcept(Verbatim);
            if (plain < 0)
            {
                Append(rest);
                break;
            }

            Append(rest[..plain]);
            Escape(rest[plain]);
            rest = rest[(plain + 1)..];
        }

        Append('"');
    }

    private void Escape(char c)
    {
        const string digits = "0123456789abcdef";
        Ensure(6);
        _buffer[_length++] = '\\';
        if (c is '"' or '\\')
        {
            _buffer[_length++] = c;
            return;
        }

        _buffer[_length++] = 'u';
        _buffer[_length++] = digits[c >> 12];
        _buffer[_length++] = digits[(c >> 8) & 0xF];
        _buffer[_length++] = digits[(c >> 4) & 0xF];
        _buffer[_length++] = digits[c & 0xF];
    }

    private void Append(char c)
    {
        Ensure(1);
        _buffer[_length++] = c;
    }

    private void Append(ReadOnlySpan<char> text)
    {
        Ensure(text.Length);
        text.CopyTo(_buffer.AsSpan(_length));
        _length += text.Length;
    }

    private void Ensure(int more)
    {
        if (_length + more > _buffer.Length)
        {
            Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _length + more));
        }
    }
}

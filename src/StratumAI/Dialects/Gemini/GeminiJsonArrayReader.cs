namespace StratumAI.Dialects;

/// <summary>
/// Reads the JSON-array form of <c>streamGenerateContent</c> (requested without <c>alt=sse</c>):
/// <c>[{…},\r\n{…}\r\n]</c>, yielding each top-level element's bytes as soon as the element is complete.
/// </summary>
/// <remarks>
/// Works on raw bytes, so a read that ends inside a multi-byte UTF-8 character or inside a string is harmless.
/// A leading UTF-8 byte order mark is skipped. A body that is a single object instead of an array yields that object.
/// <see cref="Completed"/> says whether the closing <c>]</c> (or the end of a single object) was seen.
/// </remarks>
internal sealed class GeminiJsonArrayReader
{
    private readonly Stream _stream;
    private byte[] _buffer = new byte[8192];
    private int _start;
    private int _end;
    private int _scan;
    private int _depth;
    private bool _inString;
    private bool _escaped;
    private bool _sawArrayStart;
    private bool _singleObject;
    private bool _bomChecked;

    public GeminiJsonArrayReader(Stream stream) => _stream = stream;

    /// <summary>True once the whole array (or single object) has been read.</summary>
    public bool Completed { get; private set; }

    /// <summary>Returns the next complete element, or null at the end of the body.</summary>
    /// <exception cref="FormatException">The body is not a JSON array of objects.</exception>
    public async ValueTask<ReadOnlyMemory<byte>?> ReadNextAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            if (TryTakeElement(out var element))
            {
                return element;
            }

            if (Completed)
            {
                return null;
            }

            if (_start > 0 && _start == _end)
            {
                _start = _end = _scan = 0;
            }
            else if (_end == _buffer.Length)
            {
                if (_start > 0)
                {
                    Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
                    _scan -= _start;
                    _end -= _start;
                    _start = 0;
                }
                else
                {
                    Array.Resize(ref _buffer, _buffer.Length * 2);
                }
            }

            var read = await _stream.ReadAsync(_buffer.AsMemory(_end), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                return null;
            }

            _end += read;
        }
    }

    private bool TryTakeElement(out ReadOnlyMemory<byte> element)
    {
        element = default;
        if (!_bomChecked)
        {
            if (_end - _start < 3 && _end - _start > 0 && _buffer[_start] == 0xEF)
            {
                return false; // wait for the rest of a possible byte order mark
            }

            if (_end - _start >= 3 && _buffer[_start] == 0xEF && _buffer[_start + 1] == 0xBB && _buffer[_start + 2] == 0xBF)
            {
                _start += 3;
                _scan = _start;
            }

            _bomChecked = _end > _start;
        }

        while (_scan < _end)
        {
            var b = _buffer[_scan];
            if (_depth == 0)
            {
                // Between elements: whitespace, commas, the array brackets.
                switch (b)
                {
                    case (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n' or (byte)',':
                        _scan++;
                        _start = _scan;
                        continue;
                    case (byte)'[' when !_sawArrayStart:
                        _sawArrayStart = true;
                        _scan++;
                        _start = _scan;
                        continue;
                    case (byte)']' when _sawArrayStart:
                        _scan++;
                        _start = _scan;
                        Completed = true;
                        return false;
                    case (byte)'{':
                        if (!_sawArrayStart)
                        {
                            _singleObject = true;
                            _sawArrayStart = true;
                        }

                        _start = _scan;
                        _depth = 1;
                        _scan++;
                        continue;
                    default:
                        throw new FormatException($"Expected a JSON array of objects, found byte 0x{b:X2} at top level.");
                }
            }

            _scan++;
            if (_inString)
            {
                if (_escaped)
                {
                    _escaped = false;
                }
                else if (b == '\\')
                {
                    _escaped = true;
                }
                else if (b == '"')
                {
                    _inString = false;
                }

                continue;
            }

            switch (b)
            {
                case (byte)'"':
                    _inString = true;
                    break;
                case (byte)'{' or (byte)'[':
                    _depth++;
                    break;
                case (byte)'}' or (byte)']':
                    _depth--;
                    if (_depth == 0)
                    {
                        element = _buffer.AsSpan(_start, _scan - _start).ToArray();
                        _start = _scan;
                        if (_singleObject)
                        {
                            Completed = true;
                        }

                        return true;
                    }

                    break;
            }
        }

        return false;
    }
}

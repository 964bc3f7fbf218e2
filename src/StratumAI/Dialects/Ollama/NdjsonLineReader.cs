using System.Buffers;

namespace StratumAI.Dialects;

/// <summary>
/// Splits a byte stream into newline-delimited records. Works on bytes, never on decoded text, so a read that ends
/// inside a multi-byte UTF-8 character (or inside a <c>\r\n</c> pair) cannot change what a line contains.
/// </summary>
/// <remarks>Not thread-safe. A returned line is valid until the next call.</remarks>
internal sealed class NdjsonLineReader : IDisposable
{
    private const int InitialBufferSize = 16 * 1024;

    private readonly Stream _stream;
    private readonly int _maxLineBytes;
    private byte[] _buffer;
    private int _start;
    private int _end;
    private int _scanned;
    private bool _endOfStream;

    public NdjsonLineReader(Stream stream, int maxLineBytes = 64 * 1024 * 1024)
    {
        _stream = stream;
        _maxLineBytes = maxLineBytes;
        _buffer = ArrayPool<byte>.Shared.Rent(InitialBufferSize);
    }

    /// <summary>Total bytes read from the stream so far.</summary>
    public long BytesRead { get; private set; }

    /// <summary>Returns the next non-blank line without its terminator, or null at the end of the stream.</summary>
    /// <exception cref="InvalidDataException">A line is longer than the limit.</exception>
    public async ValueTask<ReadOnlyMemory<byte>?> ReadLineAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var newline = _buffer.AsSpan(_scanned, _end - _scanned).IndexOf((byte)'\n');
            if (newline >= 0)
            {
                var lineEnd = _scanned + newline;
                var line = Trim(_buffer.AsMemory(_start, lineEnd - _start));
                _start = lineEnd + 1;
                _scanned = _start;
                if (line.Length > 0)
                {
                    return line;
                }

                continue;
            }

            _scanned = _end;
            if (_endOfStream)
            {
                // The last record may lack its newline.
                var rest = Trim(_buffer.AsMemory(_start, _end - _start));
                _start = _end;
                // A typed null: a bare null would convert to an empty ReadOnlyMemory through the array conversion.
                return rest.Length > 0 ? rest : (ReadOnlyMemory<byte>?)null;
            }

            MakeRoom();
            var read = await _stream.ReadAsync(_buffer.AsMemory(_end), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                _endOfStream = true;
            }
            else
            {
                _end += read;
                BytesRead += read;
            }
        }
    }

    public void Dispose()
    {
        var buffer = _buffer;
        _buffer = [];
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private void MakeRoom()
    {
        if (_start > 0)
        {
            // Slide the unfinished line to the front so the buffer only grows for long lines.
            var pending = _end - _start;
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, pending);
            _scanned -= _start;
            _end = pending;
            _start = 0;
        }

        if (_end < _buffer.Length)
        {
            return;
        }

        if (_buffer.Length >= _maxLineBytes)
        {
            throw new InvalidDataException($"A line of the NDJSON stream is longer than {_maxLineBytes} bytes.");
        }

        var larger = ArrayPool<byte>.Shared.Rent(Math.Min(_buffer.Length * 2, _maxLineBytes));
        Buffer.BlockCopy(_buffer, 0, larger, 0, _end);
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = larger;
    }

    private static ReadOnlyMemory<byte> Trim(ReadOnlyMemory<byte> line)
    {
        var span = line.Span;
        var start = 0;
        var end = span.Length;
        while (start < end && IsWhiteSpace(span[start]))
        {
            start++;
        }

        while (end > start && IsWhiteSpace(span[end - 1]))
        {
            end--;
        }

        return line.Slice(start, end - start);
    }

    private static bool IsWhiteSpace(byte b) => b is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n';
}

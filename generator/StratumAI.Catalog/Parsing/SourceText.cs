namespace StratumAI.Catalog.Parsing;

/// <summary>The text of one catalog file with a line table, to turn char offsets into locations.</summary>
internal sealed class SourceText
{
    private readonly int[] _lineStarts;

    public SourceText(string filePath, string text)
    {
        FilePath = filePath;
        Text = text;
        _lineStarts = ComputeLineStarts(text);
    }

    public string FilePath { get; }

    public string Text { get; }

    /// <summary>Char offset where zero-based <paramref name="line"/> starts (clamped to the text).</summary>
    public int LineStart(int line)
    {
        if (line <= 0)
        {
            return 0;
        }

        return line >= _lineStarts.Length ? Text.Length : _lineStarts[line];
    }

    public SourceLocation Location(int start, int end)
    {
        start = Clamp(start);
        end = Clamp(end);
        if (end < start)
        {
            end = start;
        }

        var startLine = LineOf(start);
        var endLine = LineOf(end);
        return new SourceLocation(
            FilePath,
            start,
            end - start,
            startLine,
            start - _lineStarts[startLine],
            endLine,
            end - _lineStarts[endLine]);
    }

    public SourceLocation Location(CatalogNode node) => Location(node.Start, node.End);

    private int Clamp(int offset) => offset < 0 ? 0 : offset > Text.Length ? Text.Length : offset;

    private int LineOf(int offset)
    {
        var index = Array.BinarySearch(_lineStarts, offset);
        return index >= 0 ? index : ~index - 1;
    }

    // YAML and JSON both break lines at \n, \r\n and \r; the same table serves both front ends.
    private static int[] ComputeLineStarts(string text)
    {
        var starts = new List<int> { 0 };
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '\r')
            {
                if (i + 1 < text.Length && text[i + 1] == '\n')
                {
                    i++;
                }

                starts.Add(i + 1);
            }
            else if (c == '\n')
            {
                starts.Add(i + 1);
            }
        }

        return starts.ToArray();
    }
}

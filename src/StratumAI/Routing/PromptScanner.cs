namespace StratumAI;

/// <summary>
/// One forward pass over prompt text that counts the cues <see cref="ComplexityAnalyzer"/> needs. No regular expressions
/// and no allocation per word, so the cost is strictly linear in the text length.
/// </summary>
internal sealed class PromptScanner
{
    private enum Cue : byte
    {
        None,
        Code,
        Math,
        Reasoning,
        Constraint,
        UnitWords,
        UnitSentences,
        UnitParagraphs,
        UnitTokens,
        UnitLines,
        UnitPages,
    }

    private static readonly (string Word, Cue Cue)[] CueWords =
    [
        ("function", Cue.Code), ("python", Cue.Code), ("code", Cue.Code), ("implement", Cue.Code), ("def", Cue.Code),
        ("return", Cue.Code), ("import", Cue.Code), ("class", Cue.Code), ("script", Cue.Code), ("compile", Cue.Code),
        ("algorithm", Cue.Code), ("sql", Cue.Code), ("regex", Cue.Code), ("javascript", Cue.Code), ("typescript", Cue.Code),
        ("java", Cue.Code), ("csharp", Cue.Code), ("program", Cue.Code), ("debug", Cue.Code), ("bug", Cue.Code),
        ("assert", Cue.Code), ("array", Cue.Code), ("api", Cue.Code), ("json", Cue.Code),
        ("solve", Cue.Math), ("equation", Cue.Math), ("integral", Cue.Math), ("derivative", Cue.Math), ("calculate", Cue.Math),
        ("compute", Cue.Math), ("probability", Cue.Math), ("percent", Cue.Math), ("theorem", Cue.Math), ("matrix", Cue.Math),
        ("polynomial", Cue.Math), ("fraction", Cue.Math), ("ratio", Cue.Math), ("average", Cue.Math), ("sum", Cue.Math),
        ("frac", Cue.Math), ("sqrt", Cue.Math), ("total", Cue.Math), ("how", Cue.Math),
        ("why", Cue.Reasoning), ("explain", Cue.Reasoning), ("prove", Cue.Reasoning), ("proof", Cue.Reasoning),
        ("derive", Cue.Reasoning), ("reason", Cue.Reasoning), ("reasoning", Cue.Reasoning), ("step", Cue.Reasoning),
        ("steps", Cue.Reasoning), ("first", Cue.Reasoning), ("then", Cue.Reasoning), ("finally", Cue.Reasoning),
        ("compare", Cue.Reasoning), ("analyze", Cue.Reasoning), ("analyse", Cue.Reasoning), ("justify", Cue.Reasoning),
        ("evaluate", Cue.Reasoning), ("because", Cue.Reasoning), ("therefore", Cue.Reasoning), ("plan", Cue.Reasoning),
        ("consider", Cue.Reasoning), ("determine", Cue.Reasoning), ("infer", Cue.Reasoning), ("tradeoffs", Cue.Reasoning),
        ("must", Cue.Constraint), ("exactly", Cue.Constraint), ("only", Cue.Constraint), ("never", Cue.Constraint),
        ("without", Cue.Constraint), ("avoid", Cue.Constraint), ("ensure", Cue.Constraint), ("least", Cue.Constraint),
        ("most", Cue.Constraint), ("maximum", Cue.Constraint), ("minimum", Cue.Constraint), ("required", Cue.Constraint),
        ("should", Cue.Constraint), ("format", Cue.Constraint), ("strictly", Cue.Constraint), ("cannot", Cue.Constraint),
        ("don't", Cue.Constraint), ("dont", Cue.Constraint), ("include", Cue.Constraint), ("exclude", Cue.Constraint),
        ("words", Cue.UnitWords), ("word", Cue.UnitWords), ("sentences", Cue.UnitSentences), ("sentence", Cue.UnitSentences),
        ("paragraphs", Cue.UnitParagraphs), ("paragraph", Cue.UnitParagraphs), ("tokens", Cue.UnitTokens),
        ("lines", Cue.UnitLines), ("pages", Cue.UnitPages), ("page", Cue.UnitPages),
    ];

    // Open addressing over a power-of-two table keyed by a case-folded hash; a hit is confirmed by comparing the word.
    private static readonly (string Word, Cue Cue)[] Table = BuildTable();

    private readonly TextWeights? _text;
    private readonly List<int>? _terms;
    private int _lastNumber = -1;
    private uint _previousTerm;
    private bool _hasPrevious;

    /// <summary>Creates a scanner.</summary>
    /// <param name="text">The learned weights of hashed words and word pairs, or null to skip the learned text term.</param>
    /// <param name="terms">When not null, receives the bucket of every hashed term (for fitting the weights offline).</param>
    public PromptScanner(TextWeights? text, List<int>? terms = null)
    {
        _text = text;
        _terms = terms;
    }

    /// <summary>Sum of the learned weights of every hashed word and word pair.</summary>
    public double TextSum { get; private set; }

    /// <summary>Number of hashed words and word pairs.</summary>
    public int TextTerms { get; private set; }

    public int Fences { get; private set; }

    public int CodeCues { get; private set; }

    public int MathCues { get; private set; }

    public int ReasoningCues { get; private set; }

    public int Questions { get; private set; }

    public int Constraints { get; private set; }

    public int Choices { get; private set; }

    public int RequestedOutputTokens { get; private set; }

    public void Scan(string text)
    {
        var lineStart = true;
        var backticks = 0;
        var lastNonSpace = '\n';
        var pendingOperator = false;
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (c == '`')
            {
                backticks++;
                if (backticks == 3)
                {
                    Fences++;
                }

                lastNonSpace = c;
                lineStart = false;
                i++;
                continue;
            }

            backticks = 0;
            if (c == '\n')
            {
                if (lastNonSpace is ';' or '{' or '}' or ':' && !lineStart)
                {
                    CodeCues++;
                }

                lineStart = true;
                lastNonSpace = c;
                i++;
                continue;
            }

            if (c is ' ' or '\t' or '\r')
            {
                i++;
                continue;
            }

            if (lineStart)
            {
                lineStart = false;
                var consumed = LineStart(text, i);
                if (consumed > 0)
                {
                    lastNonSpace = text[i + consumed - 1];
                    i += consumed;
                    continue;
                }
            }

            if (char.IsLetter(c))
            {
                var start = i;
                while (i < text.Length && (char.IsLetter(text[i]) || (text[i] == '\'' && i + 1 < text.Length && char.IsLetter(text[i + 1]))))
                {
                    i++;
                }

                Word(text.AsSpan(start, i - start), start > 0 && text[start - 1] == '\\');
                pendingOperator = false;
                lastNonSpace = text[i - 1];
                continue;
            }

            if (char.IsAsciiDigit(c))
            {
                var start = i;
                var value = 0L;
                while (i < text.Length && (char.IsAsciiDigit(text[i]) || (text[i] == ',' && i + 1 < text.Length && char.IsAsciiDigit(text[i + 1]))))
                {
                    if (text[i] != ',' && value < 1_000_000)
                    {
                        value = (value * 10) + (text[i] - '0');
                    }

                    i++;
                }

                // A number is one term, "a number of n characters": its value says little, its size something.
                Term(TextWeights.NumberTerm(i - start));
                if (pendingOperator)
                {
                    MathCues++;
                    pendingOperator = false;
                }

                _lastNumber = (int)Math.Min(value, 1_000_000);
                lastNonSpace = '0';
                continue;
            }

            switch (c)
            {
                case '?':
                    Questions++;
                    break;
                case '+' or '-' or '*' or '/' or '^' or '=' or '<' or '>' or '×' or '÷' or '%':
                    pendingOperator = lastNonSpace is (>= '0' and <= '9') or ')';
                    break;
                case '$' or '∑' or '∫' or '√' or 'π':
                    MathCues++;
                    break;
                default:
                    pendingOperator = false;
                    break;
            }

            if (c != '-' && c != '+' && c != '*' && c != '/' && c != '^' && c != '=' && c != '<' && c != '>' && c != '%')
            {
                _lastNumber = -1;
            }

            lastNonSpace = c;
            i++;
        }

        if (lastNonSpace is ';' or '{' or '}' && !lineStart)
        {
            CodeCues++;
        }
    }

    /// <summary>Recognises list items ("- ", "1. ") and multiple-choice options ("A.", "(B)", "C)") at a line start.</summary>
    /// <returns>Characters consumed, or 0 when the line starts with neither.</returns>
    private int LineStart(string text, int i)
    {
        var c = text[i];
        if ((c is '-' or '*' or '•') && i + 1 < text.Length && text[i + 1] == ' ')
        {
            Constraints++;
            return 2;
        }

        var j = i;
        if (c == '(')
        {
            j++;
        }

        if (j < text.Length && text[j] is >= 'A' and <= 'H' && j + 1 < text.Length && text[j + 1] is '.' or ')' or ':'
            && (j + 2 >= text.Length || text[j + 2] is ' ' or '\t'))
        {
            Choices++;
            return j + 2 - i;
        }

        return 0;
    }

    private void Word(ReadOnlySpan<char> word, bool afterBackslash)
    {
        var hash = Hash(word);
        Term((uint)hash);
        var cue = Lookup(word, hash);
        if (afterBackslash && cue == Cue.None)
        {
            // LaTeX command such as \alpha or \cdot.
            MathCues++;
            _lastNumber = -1;
            return;
        }

        switch (cue)
        {
            case Cue.Code:
                CodeCues++;
                break;
            case Cue.Math:
                MathCues++;
                break;
            case Cue.Reasoning:
                ReasoningCues++;
                break;
            case Cue.Constraint:
                Constraints++;
                break;
            case >= Cue.UnitWords when _lastNumber > 0:
                var tokens = cue switch
                {
                    Cue.UnitWords => _lastNumber * 4L / 3,
                    Cue.UnitSentences => _lastNumber * 25L,
                    Cue.UnitParagraphs => _lastNumber * 120L,
                    Cue.UnitLines => _lastNumber * 12L,
                    Cue.UnitPages => _lastNumber * 600L,
                    _ => _lastNumber,
                };
                RequestedOutputTokens = (int)Math.Max(RequestedOutputTokens, Math.Min(tokens, 1_000_000));
                break;
            default:
                break;
        }

        _lastNumber = -1;
    }

    /// <summary>
    /// Adds a word (or number) and the pair it forms with the previous one to the learned text term: feature hashing, so a
    /// term costs two table reads and allocates nothing.
    /// </summary>
    private void Term(uint hash)
    {
        if (_text is null && _terms is null)
        {
            return;
        }

        AddBucket(TextWeights.Bucket(hash));
        if (_hasPrevious)
        {
            AddBucket(TextWeights.Bucket(TextWeights.Pair(_previousTerm, hash)));
        }

        _previousTerm = hash;
        _hasPrevious = true;
    }

    private void AddBucket(int bucket)
    {
        TextTerms++;
        _terms?.Add(bucket);
        if (_text is not null)
        {
            TextSum += _text.Weights[bucket];
        }
    }

    private static Cue Lookup(ReadOnlySpan<char> word, int hash)
    {
        if (word.Length is < 2 or > 12)
        {
            return Cue.None;
        }

        var mask = Table.Length - 1;
        for (var slot = hash & mask; ; slot = (slot + 1) & mask)
        {
            var entry = Table[slot];
            if (entry.Word is null)
            {
                return Cue.None;
            }

            if (word.Equals(entry.Word, StringComparison.OrdinalIgnoreCase))
            {
                return entry.Cue;
            }
        }
    }

    internal static int Hash(ReadOnlySpan<char> word)
    {
        var hash = 2166136261u;
        foreach (var c in word)
        {
            hash = (hash ^ (c | 0x20u)) * 16777619u;
        }

        return (int)(hash & 0x7FFFFFFF);
    }

    private static (string Word, Cue Cue)[] BuildTable()
    {
        var table = new (string Word, Cue Cue)[512];
        var mask = table.Length - 1;
        foreach (var entry in CueWords)
        {
            var slot = Hash(entry.Word) & mask;
            while (table[slot].Word is not null)
            {
                slot = (slot + 1) & mask;
            }

            table[slot] = entry;
        }

        return table;
    }
}

using System.Buffers;
using System.Globalization;
using System.Text;
using Microsoft.ML.Tokenizers;

namespace StratumAI;

/// <summary>
/// Counts o200k_base tokens as <see cref="Tokenizer.CountTokens(string, bool, bool)"/> does, in time linear in the length of
/// the text: the text is split into pre-tokens with a hand-written matcher instead of the tokenizer's regular expression
/// (most of the tokenizer's cost), and each piece is counted by the real tokenizer's byte-pair encoder
/// (<c>considerPreTokenization: false</c>) — except a piece longer than <see cref="MaxExactPieceBytes"/> UTF-8 bytes, which
/// counts as its byte count, an upper bound.
/// </summary>
/// <remarks>
/// <para>The matcher implements the o200k_base pattern, alternative by alternative, with .NET's backtracking semantics over
/// UTF-16 code units (the categories <see cref="char.GetUnicodeCategory(char)"/> returns, as the regex engine sees them):</para>
/// <code>
/// [^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?
/// |[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?
/// |\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+
/// </code>
/// <para>Special tokens (<c>&lt;|endoftext|&gt;</c>, <c>&lt;|endofprompt|&gt;</c>) are split off first and count one token each,
/// as the tokenizer does; the text between them is matched as if it stood alone, as the tokenizer's regex sees it.</para>
/// <para>Why the bound: the byte-pair merge of one piece is quadratic in the piece's length (Microsoft.ML.Tokenizers 2.0.1
/// rescans the whole piece for every merge: 64 KB of one letter took over a second, 1 MB minutes). Byte-level BPE starts
/// from one token per UTF-8 byte and every merge removes one, so a piece never has more tokens than bytes. Ordinary text —
/// words, numbers, punctuation runs, CJK sentences between punctuation — has pieces far below the threshold and is counted
/// exactly (tests compare with the tokenizer on a corpus, random mixtures and generated adversarial text); only a run of
/// more than <see cref="MaxExactPieceBytes"/> bytes without a break (one letter repeated, an unbroken script run) is
/// over-counted, at most by its own length.</para>
/// <para>Cancellation is checked every <see cref="CancellationCheckInterval"/> characters, at a piece boundary; one piece
/// costs at most the merge of <see cref="MaxExactPieceBytes"/> bytes.</para>
/// </remarks>
internal static class O200kTokenCounter
{
    /// <summary>The longest piece, in UTF-8 bytes, counted exactly; a longer one counts as its byte count.</summary>
    /// <remarks>Merging a random 1 KB piece costs about 0.5 µs per byte, as do smaller ones; from 2 KB on the cost per byte grows.</remarks>
    internal const int MaxExactPieceBytes = 1024;

    /// <summary>How many characters are counted between two checks of the cancellation token.</summary>
    internal const int CancellationCheckInterval = 4096;

    [Flags]
    private enum Kind : byte
    {
        None = 0,
        Letter = 1,      // \p{L}
        Number = 2,      // \p{N}
        Space = 4,       // \s
        Upper = 8,       // [\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]
        Lower = 16,      // [\p{Ll}\p{Lm}\p{Lo}\p{M}]
        LineBreak = 32,  // [\r\n]
    }

    private static readonly Kind[] Ascii = BuildAscii();

    private static SpecialTokens? s_specials;

#if NET9_0_OR_GREATER
    /// <summary>How many pieces each thread remembers before it starts again.</summary>
    internal const int PieceCacheSize = 1024;

    /// <summary>The longest piece, in characters, a thread remembers (longer ones are rare and go to the tokenizer).</summary>
    internal const int MaxCachedPieceLength = 32;

    // The counts of the pieces this thread counted last, in front of the tokenizer's own cache: that one is shared and
    // locked, and under many concurrent calls (a budget counts every prompt) its lock was the most contended one after the
    // budget's own (benchmarks/README.md, section 9). Per thread, a hit takes no lock and allocates nothing.
    [ThreadStatic]
    private static PieceCache? t_pieces;
#endif

    /// <summary>Counts the tokens of <paramref name="text"/> with <paramref name="o200k"/>, which must be the o200k_base tokenizer.</summary>
    /// <param name="o200k">The o200k_base tokenizer.</param>
    /// <param name="text">The text.</param>
    /// <param name="cancellationToken">Checked every <see cref="CancellationCheckInterval"/> characters.</param>
    /// <returns>The exact count, or more when a piece is longer than <see cref="MaxExactPieceBytes"/>; never more than the text's UTF-8 bytes.</returns>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public static long Count(Tokenizer o200k, string text, CancellationToken cancellationToken = default)
    {
        var specials = Specials(o200k);
        var span = text.AsSpan();
        long tokens = 0;
        var sinceCheck = CancellationCheckInterval;
        var start = 0;
        var from = 0;
        while (specials.Texts.Length > 0 && from < span.Length)
        {
            var at = span[from..].IndexOfAny(specials.FirstChars);
            if (at < 0)
            {
                break;
            }

            at += from;
            var special = specials.Match(span[at..]);
            if (special == 0)
            {
                from = at + 1;
                continue;
            }

            tokens += CountSegment(o200k, span[start..at], ref sinceCheck, cancellationToken) + 1;
            start = from = at + special;
        }

        return tokens + CountSegment(o200k, span[start..], ref sinceCheck, cancellationToken);
    }

    /// <summary>Counts text that holds no special token, piece by piece.</summary>
    private static long CountSegment(Tokenizer o200k, ReadOnlySpan<char> span, ref int sinceCheck, CancellationToken cancellationToken)
    {
        long tokens = 0;
        var i = 0;
        while (i < span.Length)
        {
            if (sinceCheck >= CancellationCheckInterval)
            {
                cancellationToken.ThrowIfCancellationRequested();
                sinceCheck = 0;
            }

            var end = NextPiece(span, i);
            tokens += CountPiece(o200k, span[i..end]);
            sinceCheck += end - i;
            i = end;
        }

        return tokens;
    }

    /// <summary>The exact count of a piece of at most <see cref="MaxExactPieceBytes"/> bytes, else its byte count.</summary>
    internal static long CountPiece(Tokenizer o200k, ReadOnlySpan<char> piece)
    {
        // A UTF-16 code unit is at most three UTF-8 bytes, so short pieces skip the byte count.
        if (piece.Length > MaxExactPieceBytes / 3)
        {
            var bytes = Encoding.UTF8.GetByteCount(piece);
            if (bytes > MaxExactPieceBytes)
            {
                return bytes;
            }
        }

#if NET9_0_OR_GREATER
        if (piece.Length <= MaxCachedPieceLength)
        {
            var cache = t_pieces;
            if (cache is null || !ReferenceEquals(cache.Tokenizer, o200k))
            {
                t_pieces = cache = new PieceCache(o200k);
            }

            return cache.Count(piece);
        }
#endif

        return o200k.CountTokens(piece, considerPreTokenization: false, considerNormalization: false);
    }

    private static SpecialTokens Specials(Tokenizer o200k)
    {
        // One tokenizer is used in practice (the shared o200k instance); remember its special tokens.
        var specials = s_specials;
        if (specials is null || !ReferenceEquals(specials.Tokenizer, o200k))
        {
            specials = new SpecialTokens(o200k);
            s_specials = specials;
        }

        return specials;
    }

    /// <summary>The end of the pre-token that starts at <paramref name="i"/> (always greater than <paramref name="i"/>).</summary>
    internal static int NextPiece(ReadOnlySpan<char> s, int i)
    {
        var first = KindOf(s[i]);
        var prefix = IsPrefix(first) ? 1 : 0;

        // 1. [^\r\n\p{L}\p{N}]? U* L+ contraction?   (with the optional prefix first, then without)
        for (var p = prefix; p >= 0; p--)
        {
            var end = UpperStarLowerPlus(s, i + p);
            if (end > 0)
            {
                return Contraction(s, end);
            }
        }

        // 2. [^\r\n\p{L}\p{N}]? U+ L* contraction?
        for (var p = prefix; p >= 0; p--)
        {
            var j = i + p;
            if (j < s.Length && Has(s[j], Kind.Upper))
            {
                j = RunOf(s, j, Kind.Upper);
                j = RunOf(s, j, Kind.Lower);
                return Contraction(s, j);
            }
        }

        // 3. \p{N}{1,3}
        if ((first & Kind.Number) != 0)
        {
            var j = i + 1;
            while (j < s.Length && j < i + 3 && Has(s[j], Kind.Number))
            {
                j++;
            }

            return j;
        }

        // 4. " ?[^\s\p{L}\p{N}]+[\r\n/]*"
        var k = s[i] == ' ' && i + 1 < s.Length && IsPunctuation(KindOf(s[i + 1])) ? i + 1 : i;
        if (IsPunctuation(KindOf(s[k])))
        {
            while (k < s.Length && IsPunctuation(KindOf(s[k])))
            {
                k++;
            }

            while (k < s.Length && s[k] is '\r' or '\n' or '/')
            {
                k++;
            }

            return k;
        }

        // Only whitespace is left: 5. \s*[\r\n]+   6. \s+(?!\S)   7. \s+
        var spaceEnd = RunOf(s, i, Kind.Space);
        for (var b = spaceEnd - 1; b >= i; b--)
        {
            if (s[b] is '\r' or '\n')
            {
                return b + 1;
            }
        }

        if (spaceEnd == s.Length || spaceEnd - 1 == i)
        {
            return spaceEnd;
        }

        return spaceEnd - 1;
    }

    /// <summary>U* L+ from <paramref name="j"/> with backtracking; the end of the match, or 0 when it fails.</summary>
    private static int UpperStarLowerPlus(ReadOnlySpan<char> s, int j)
    {
        var upperEnd = RunOf(s, j, Kind.Upper);
        if (upperEnd < s.Length && Has(s[upperEnd], Kind.Lower))
        {
            return RunOf(s, upperEnd, Kind.Lower);
        }

        // U* gives back characters one at a time until L+ can take one; what follows it is then not in L.
        for (var u = upperEnd - 1; u >= j; u--)
        {
            if (Has(s[u], Kind.Lower))
            {
                return u + 1;
            }
        }

        return 0;
    }

    /// <summary>(?i:'s|'t|'re|'ve|'m|'ll|'d)? at <paramref name="j"/>: the end after an optional contraction.</summary>
    private static int Contraction(ReadOnlySpan<char> s, int j)
    {
        if (j + 1 >= s.Length || s[j] != '\'')
        {
            return j;
        }

        var c = s[j + 1];
        if (c is 's' or 'S' or 't' or 'T' or 'm' or 'M' or 'd' or 'D')
        {
            return j + 2;
        }

        if (j + 2 < s.Length)
        {
            var d = s[j + 2];
            if ((c is 'r' or 'R' or 'v' or 'V' && d is 'e' or 'E') || (c is 'l' or 'L' && d is 'l' or 'L'))
            {
                return j + 3;
            }
        }

        return j;
    }

    private static int RunOf(ReadOnlySpan<char> s, int j, Kind kind)
    {
        while (j < s.Length && Has(s[j], kind))
        {
            j++;
        }

        return j;
    }

    private static bool Has(char c, Kind kind) => (KindOf(c) & kind) != 0;

    // [^\r\n\p{L}\p{N}]
    private static bool IsPrefix(Kind k) => (k & (Kind.Letter | Kind.Number | Kind.LineBreak)) == 0;

    // [^\s\p{L}\p{N}]
    private static bool IsPunctuation(Kind k) => (k & (Kind.Letter | Kind.Number | Kind.Space)) == 0;

    private static Kind KindOf(char c) => c < 128 ? Ascii[c] : Classify(c);

    private static Kind Classify(char c)
    {
        var kind = char.IsWhiteSpace(c) ? Kind.Space : Kind.None;
        switch (char.GetUnicodeCategory(c))
        {
            case UnicodeCategory.UppercaseLetter or UnicodeCategory.TitlecaseLetter:
                kind |= Kind.Letter | Kind.Upper;
                break;
            case UnicodeCategory.LowercaseLetter:
                kind |= Kind.Letter | Kind.Lower;
                break;
            case UnicodeCategory.ModifierLetter or UnicodeCategory.OtherLetter:
                kind |= Kind.Letter | Kind.Upper | Kind.Lower;
                break;
            case UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.EnclosingMark:
                kind |= Kind.Upper | Kind.Lower;
                break;
            case UnicodeCategory.DecimalDigitNumber or UnicodeCategory.LetterNumber or UnicodeCategory.OtherNumber:
                kind |= Kind.Number;
                break;
            default:
                break;
        }

        if (c is '\r' or '\n')
        {
            kind |= Kind.LineBreak;
        }

        return kind;
    }

    private static Kind[] BuildAscii()
    {
        var table = new Kind[128];
        for (var c = 0; c < 128; c++)
        {
            table[c] = Classify((char)c);
        }

        return table;
    }

#if NET9_0_OR_GREATER
    /// <summary>One thread's counts of short pieces for one tokenizer; cleared when full.</summary>
    private sealed class PieceCache(Tokenizer tokenizer)
    {
        private readonly Dictionary<string, int> _counts = new(StringComparer.Ordinal);

        public Tokenizer Tokenizer { get; } = tokenizer;

        public int Count(ReadOnlySpan<char> piece)
        {
            var lookup = _counts.GetAlternateLookup<ReadOnlySpan<char>>();
            if (lookup.TryGetValue(piece, out var count))
            {
                return count;
            }

            count = Tokenizer.CountTokens(piece, considerPreTokenization: false, considerNormalization: false);
            if (_counts.Count >= PieceCacheSize)
            {
                _counts.Clear();
            }

            lookup[piece] = count;
            return count;
        }
    }
#endif

    /// <summary>The tokenizer's special tokens, in the order its pre-tokenizer tries them.</summary>
    private sealed class SpecialTokens
    {
        public SpecialTokens(Tokenizer tokenizer)
        {
            Tokenizer = tokenizer;
            Texts = (tokenizer as TiktokenTokenizer)?.SpecialTokens?.Keys.Where(t => t.Length > 0).ToArray() ?? [];
            FirstChars = SearchValues.Create(string.Concat(Texts.Select(t => t[0]).Distinct()));
        }

        public Tokenizer Tokenizer { get; }

        public string[] Texts { get; }

        public SearchValues<char> FirstChars { get; }

        /// <summary>The length of the special token <paramref name="text"/> starts with (the first listed wins, as in the regex alternation), or 0.</summary>
        public int Match(ReadOnlySpan<char> text)
        {
            foreach (var special in Texts)
            {
                if (text.StartsWith(special, StringComparison.Ordinal))
                {
                    return special.Length;
                }
            }

            return 0;
        }
    }
}

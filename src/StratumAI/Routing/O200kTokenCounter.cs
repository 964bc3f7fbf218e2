using System.Globalization;
using Microsoft.ML.Tokenizers;

namespace StratumAI.Routing;

/// <summary>
/// Counts o200k_base tokens exactly as <see cref="Tokenizer.CountTokens(string, bool, bool)"/> does, but splits the text into
/// pre-tokens with a hand-written matcher instead of the tokenizer's regular expression, which is most of the tokenizer's
/// cost. Each piece is then counted by the real tokenizer's byte-pair encoder (<c>considerPreTokenization: false</c>).
/// </summary>
/// <remarks>
/// <para>The matcher implements the o200k_base pattern, alternative by alternative, with .NET's backtracking semantics over
/// UTF-16 code units (the categories <see cref="char.GetUnicodeCategory(char)"/> returns, as the regex engine sees them):</para>
/// <code>
/// [^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?
/// |[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?
/// |\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+
/// </code>
/// <para>Text that may hold a special token (<c>&lt;|</c>) goes through the tokenizer's own path. A test checks the counts are
/// equal on a corpus of prose, code, mathematics, many scripts, emoji and whitespace runs.</para>
/// </remarks>
internal static class O200kTokenCounter
{
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

    /// <summary>Counts the tokens of <paramref name="text"/> with <paramref name="o200k"/>, which must be the o200k_base tokenizer.</summary>
    public static int Count(Tokenizer o200k, string text)
    {
        if (text.Contains("<|", StringComparison.Ordinal))
        {
            return o200k.CountTokens(text);
        }

        var tokens = 0;
        var span = text.AsSpan();
        var i = 0;
        while (i < span.Length)
        {
            var end = NextPiece(span, i);
            tokens += o200k.CountTokens(span[i..end], considerPreTokenization: false, considerNormalization: false);
            i = end;
        }

        return tokens;
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
}

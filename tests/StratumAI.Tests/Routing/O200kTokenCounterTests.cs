using System.Text;
using Microsoft.ML.Tokenizers;

namespace StratumAI.Tests.Routing;

public sealed class O200kTokenCounterTests
{
    private static readonly Tokenizer O200k = TiktokenTokenizer.CreateForModel("gpt-4o");

    private static readonly string[] Corpus =
    [
        "",
        "Hello, world!",
        "Our service receives about 1,200 orders per minute and must respond within 200 ms.\n",
        "```csharp\npublic Order? Find(int id) { return _cache.TryGetValue(id, out var o) ? o : _db.Load(id); }\n```\n",
        "I'm sure you'll see they've said it's 'quoted' and WE'RE LOUD, YOU'LL SEE; DON'T' 'S 'ſ ſ'ſ.",
        "CamelCaseWords and HTTPServerError and iPhone and McDonald's ÉCOLE école ǅungla Σίσυφος ΣΊΣΥΦΟΣ.",
        "Solve $\\int_0^1 x^2\\,dx$ and \\frac{1}{2} + 3/4 = 1.25; √2 ≈ 1.41421356, π r², ∑ 12345678901.",
        "trailing spaces   \n\n\n  leading\r\n\r\n\t\ttabs\t \n   ",
        "   ",
        " a",
        "\n",
        "a \u00A0b\u2003c\u2028d\u3000e \u0085f",
        "日本語のテキストと中文文本，还有한국어 텍스트。 mixed with English.",
        "Emoji 😀👍🏽 and 👨‍👩‍👧 families, flags 🇫🇷, and ©®™ symbols.",
        "Combining marks: e\u0301 a\u0308 \u0301alone n\u0303o x\u20DD.",
        "Arabic العربية وَالتَّشْكِيل and Hebrew עִבְרִית and Devanagari हिन्दी भाषा.",
        "Numbers ١٢٣ ૧૨૩ Ⅻ ½ ¾ ² 1234567 and 3.14159e-10 and -42.",
        "!!!???...---///\r\n/// end. <html><body class=\"x\">text</body></html>",
        "Special tokens <|endoftext|> and <|endofprompt|> are split off first and count one token each.",
        "<|endoftext|><|endofprompt|><|endoftext|>",
        "trailing space before a special   <|endoftext|>   \n\n<|endofprompt|>\r\n",
        "near misses <| <|endoftext <|endofprompt| |> <||> <<|endoftext|>|> <|ENDOFTEXT|> <|<|endofprompt|>",
        "word<|endoftext|>Word'll 123<|endoftext|>4567 !!<|endofprompt|>??",
        "Unpaired surrogates \uD83D and \uDE00 stay countable.",
        "path/to/file.cs:12:34 ; var x = a?.b ?? c; // comment\n\t/* block */\n",
    ];

    public static TheoryData<int> CorpusIndexes()
    {
        var data = new TheoryData<int>();
        for (var i = 0; i < Corpus.Length; i++)
        {
            data.Add(i);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(CorpusIndexes))]
    public void Count_EqualsTheTokenizersOwnCount(int index)
    {
        var text = Corpus[index];

        Assert.Equal(O200k.CountTokens(text), O200kTokenCounter.Count(O200k, text));
    }

    [Fact]
    public void Count_SameTextAgainOnTheSameThread_ComesFromThePieceCacheWithTheSameCount()
    {
        // The thread's piece cache answers the second pass; a cache keyed wrongly (by length, say) would miscount.
        var text = string.Concat(Corpus);
        var first = O200kTokenCounter.Count(O200k, text);

        Assert.Equal(O200k.CountTokens(text), first);
        Assert.Equal(first, O200kTokenCounter.Count(O200k, text));
        Assert.Equal(O200k.CountTokens("ab ba"), O200kTokenCounter.Count(O200k, "ab ba"));
    }

    [Fact]
    public void Count_MorePiecesThanTheThreadCacheHolds_StaysExact()
    {
        // Distinct words past the cache's size: it is cleared when full and keeps counting exactly.
        var words = new StringBuilder();
        for (var i = 0; i < (O200kTokenCounter.PieceCacheSize * 3) + 7; i++)
        {
            words.Append(" w").Append(i.ToString("x", System.Globalization.CultureInfo.InvariantCulture)).Append('q');
        }

        var text = words.ToString();

        Assert.Equal(O200k.CountTokens(text), O200kTokenCounter.Count(O200k, text));
        Assert.Equal(O200k.CountTokens(text), O200kTokenCounter.Count(O200k, text));
    }

    /// <summary>The corpus without the special-token text, which the tokenizer splits off before any pre-tokenizer runs.</summary>
    public static TheoryData<int> OrdinaryCorpusIndexes()
    {
        var data = new TheoryData<int>();
        for (var i = 0; i < Corpus.Length; i++)
        {
            if (!Corpus[i].Contains("<|", StringComparison.Ordinal))
            {
                data.Add(i);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(OrdinaryCorpusIndexes))]
    public void Pieces_AreTheRegexPreTokenizersPieces(int index)
    {
        var text = Corpus[index];

        Assert.Equal(RegexPieces(text), Pieces(text));
    }

    [Fact]
    public void Pieces_MatchTheRegexOnRandomMixturesOfEveryCharacterClass()
    {
        // Letters of every case class, marks, digits of several scripts, punctuation, symbols, every kind of whitespace and
        // line break, apostrophes for contractions, and surrogates: the characters where the alternatives compete.
        const string Alphabet = "aZsStTdDmMrRvVeElLſ'  \t\r\n\u00A0\u2003\u0085\u2028.,;:!?/\\-_()[]{}<>\"#$%&*+=@^`|~0123456789١٢Ⅻ½²"
            + "ÉéǅΣσßÆæИиʰʼ日本ー한\u0301\u0308\u0903\u20DD😀\uD83D\uDE00©™€";
        var random = new Random(6);
        var builder = new StringBuilder();
        for (var sample = 0; sample < 3000; sample++)
        {
            builder.Clear();
            var length = random.Next(1, 40);
            for (var c = 0; c < length; c++)
            {
                builder.Append(Alphabet[random.Next(Alphabet.Length)]);
            }

            var text = builder.ToString();
            Assert.True(RegexPieces(text).SequenceEqual(Pieces(text)), $"pieces differ for \"{Escape(text)}\"");
            Assert.Equal(O200k.CountTokens(text), O200kTokenCounter.Count(O200k, text));
        }
    }

    private static List<string> Pieces(string text)
    {
        var pieces = new List<string>();
        for (var i = 0; i < text.Length;)
        {
            var end = O200kTokenCounter.NextPiece(text, i);
            Assert.True(end > i, $"no progress at {i} in \"{Escape(text)}\"");
            pieces.Add(text[i..end]);
            i = end;
        }

        return pieces;
    }

    private static List<string> RegexPieces(string text) =>
        O200k.PreTokenizer!.PreTokenize(text).Select(r => text.Substring(r.Offset, r.Length)).ToList();

    private static string Escape(string text)
    {
        var b = new StringBuilder();
        foreach (var c in text)
        {
            b.Append(c is >= ' ' and < '\u007F' ? c.ToString() : $"\\u{(int)c:X4}");
        }

        return b.ToString();
    }
}

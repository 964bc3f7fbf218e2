using System.Text;
using Microsoft.Extensions.AI;
using Microsoft.ML.Tokenizers;

namespace StratumAI.Tests.Routing;

/// <summary>
/// Generated text, ordinary and adversarial, against the tokenizer's own count: the counter is exact while every pre-token
/// piece is at most <see cref="O200kTokenCounter.MaxExactPieceBytes"/> bytes, never below the exact count, never above the
/// UTF-8 byte count, and multi-megabyte runs without a break complete.
/// </summary>
public sealed class O200kTokenCounterPropertyTests
{
    private static readonly Tokenizer O200k = TiktokenTokenizer.CreateForModel("gpt-4o");

    public enum Shape
    {
        OneCharacter,
        Digits,
        Cjk,
        Arabic,
        Devanagari,
        Emoji,
        RandomLowercase,
        Mixed,
        Prose,
    }

    /// <summary>Each shape with eight seeds; half of the runs are short enough to be counted exactly, half are longer.</summary>
    public static TheoryData<Shape, int> Samples()
    {
        var data = new TheoryData<Shape, int>();
        foreach (var shape in Enum.GetValues<Shape>())
        {
            for (var seed = 1; seed <= 8; seed++)
            {
                data.Add(shape, seed);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Samples))]
    public void Count_IsExactForPiecesUpToTheLimit_AndBetweenTheExactCountAndTheUtf8Bytes(Shape shape, int seed)
    {
        var text = Generate(shape, new Random((seed * 7919) + (int)shape));
        var exact = O200k.CountTokens(text);
        var bytes = Encoding.UTF8.GetByteCount(text);
        var longest = LongestPieceBytes(text);

        var count = O200kTokenCounter.Count(O200k, text);

        Assert.True(count >= exact, $"{shape}/{seed}: {count} < exact {exact}");
        Assert.True(count <= bytes, $"{shape}/{seed}: {count} > {bytes} UTF-8 bytes");
        if (longest <= O200kTokenCounter.MaxExactPieceBytes)
        {
            Assert.Equal(exact, count);
        }

        if (shape is Shape.Prose or Shape.Mixed)
        {
            // Ordinary text never reaches the bound: its count is the tokenizer's.
            Assert.True(longest <= O200kTokenCounter.MaxExactPieceBytes, $"{shape}/{seed}: a {longest}-byte piece");
        }
    }

    [Fact]
    public void Samples_CoverBothTheExactAndTheBoundedRegime()
    {
        var pieces = Samples().Select(row => LongestPieceBytes(Generate((Shape)row[0], new Random(((int)row[1] * 7919) + (int)row[0])))).ToList();

        Assert.Contains(pieces, p => p <= O200kTokenCounter.MaxExactPieceBytes / 2);
        Assert.Contains(pieces, p => p > O200kTokenCounter.MaxExactPieceBytes);
    }

    public static TheoryData<string> MegabyteRuns() => ["a", "digits", "random", "cjk", "arabic", "emoji", "pieces", "special"];

    /// <summary>
    /// Five million characters without a space (two million of 1,000-letter pieces, the most costly shape left): the old counter
    /// needed minutes for 128 KB of one letter. The wait is generous; the test can only fail by not finishing.
    /// </summary>
    [Theory]
    [MemberData(nameof(MegabyteRuns))]
    public async Task MultiMegabyteRun_IsCountedThroughTheRouterAnalysis_WithinAGenerousBound(string kind)
    {
        var text = Megabytes(kind);
        var bytes = Encoding.UTF8.GetByteCount(text);

        var analysis = await Task.Run(() => ComplexityAnalyzer.Default.Analyze([new ChatMessage(ChatRole.User, text)])).WaitAsync(TimeSpan.FromMinutes(3));

        Assert.InRange(analysis.Features.PromptTokens, text.Length / 16, bytes + 4);
    }

    [Fact]
    public void MultiMegabyteRun_CountsBelowItsBytes_AndStopsWhenCancelled()
    {
        var text = Megabytes("pieces");
        using var generous = new CancellationTokenSource(TimeSpan.FromMinutes(3));

        var count = O200kTokenCounter.Count(O200k, text, generous.Token);

        Assert.InRange(count, text.Length / 8, Encoding.UTF8.GetByteCount(text));
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        Assert.Throws<OperationCanceledException>(() => O200kTokenCounter.Count(O200k, text, cancelled.Token));
    }

    [Fact]
    public void OneLongPiece_CountsItsUtf8Bytes_AndAPieceAtTheLimitIsExact()
    {
        var limit = O200kTokenCounter.MaxExactPieceBytes;
        var atLimit = new string('x', limit);
        var over = new string('x', limit + 1);

        Assert.Equal(O200k.CountTokens(atLimit), O200kTokenCounter.Count(O200k, atLimit));
        Assert.Equal(limit + 1, O200kTokenCounter.Count(O200k, over));

        // The bound is per piece: the ordinary text around a long run is still counted exactly.
        var around = "Count this: " + over + " and this.";
        Assert.Equal(O200k.CountTokens("Count this:") + (limit + 2) + O200k.CountTokens(" and this."), O200kTokenCounter.Count(O200k, around));
    }

    [Fact]
    public void TextWithSpecialTokens_NeverGoesThroughTheWholeTextRegex()
    {
        // The old counter handed any text holding "<|" to the tokenizer's own (quadratic) path; now the special tokens are split
        // off and the rest is counted piece by piece, so a long run next to one is bounded like any other.
        var run = new string('q', 4 * O200kTokenCounter.MaxExactPieceBytes);
        var text = "<|endoftext|>" + run + "<|" + run + "<|endofprompt|>";

        Assert.Equal(1 + run.Length + O200k.CountTokens("<|") + run.Length + 1, O200kTokenCounter.Count(O200k, text));
    }

    private static int LongestPieceBytes(string text) =>
        text.Length == 0 ? 0 : O200k.PreTokenizer!.PreTokenize(text).Max(p => Encoding.UTF8.GetByteCount(text.AsSpan(p.Offset, p.Length)));

    private static string Megabytes(string kind)
    {
        const int Length = 5_000_000;
        var random = new Random(kind.Length);
        var builder = new StringBuilder(Length + 64);
        switch (kind)
        {
            case "a":
                builder.Append('a', Length);
                break;
            case "pieces":
                // Pieces just under the limit, each different: the most merging work per byte left.
                while (builder.Length < 2_000_000)
                {
                    builder.Append('.');
                    AppendRandom(builder, random, 1_000, 'a', 'z');
                }

                break;
            case "special":
                builder.Append('a', Length).Append("<|").Append("<|endoftext|>");
                break;
            default:
                var shape = kind switch
                {
                    "digits" => Shape.Digits,
                    "random" => Shape.RandomLowercase,
                    "cjk" => Shape.Cjk,
                    "arabic" => Shape.Arabic,
                    _ => Shape.Emoji,
                };
                while (builder.Length < Length)
                {
                    AppendRun(builder, shape, random, 1_000);
                }

                break;
        }

        return builder.ToString();
    }

    private static string Generate(Shape shape, Random random)
    {
        var builder = new StringBuilder();

        // Half short (counted exactly whatever the shape), half long enough to cross the limit for every script.
        var length = random.Next(2) == 0 ? random.Next(1, 250) : random.Next(400, 2_500);
        switch (shape)
        {
            case Shape.OneCharacter:
                string[] units = ["a", "Z", "é", "7", "中", "ع", "क", "😀", " ", "\n", ".", "\t", "'", "\u0301"];
                var unit = units[random.Next(units.Length)];
                for (var i = 0; i < length; i++)
                {
                    builder.Append(unit);
                }

                break;
            case Shape.Mixed:
                while (builder.Length < length)
                {
                    AppendMixed(builder, random);
                }

                break;
            case Shape.Prose:
                while (builder.Length < length * 2)
                {
                    builder.Append(ProseWords[random.Next(ProseWords.Length)]);
                    builder.Append(random.Next(12) switch { 0 => ", ", 1 => ". ", 2 => "\n", 3 => "\n\n", _ => " " });
                }

                break;
            default:
                AppendRun(builder, shape, random, length);
                break;
        }

        return builder.ToString();
    }

    private static readonly string[] ProseWords =
    [
        "The", "quick", "brown", "fox", "doesn't", "jump", "over", "1,234", "lazy", "dogs", "we'll", "see", "HTTP", "Server",
        "naïve", "café", "Straße", "Ελληνικά", "русский", "текст", "日本語の文章です", "中文句子，还有标点。", "한국어", "العربية", "हिन्दी",
        "😀", "👍🏽", "3.14159", "(parenthesised)", "\"quoted\"", "e.g.", "path/to/file.cs", "x => x * 2;", "<div>", "$100", "#tag",
    ];

    private static void AppendMixed(StringBuilder builder, Random random)
    {
        switch (random.Next(12))
        {
            case 0:
                builder.Append(' ', random.Next(1, 4));
                break;
            case 1:
                builder.Append(random.Next(2) == 0 ? "<|endoftext|>" : "<|endofprompt|>");
                break;
            case 2:
                builder.Append(random.Next(3) switch { 0 => "<|", 1 => "|>", _ => "<|endof" });
                break;
            case 3:
                builder.Append('\n', random.Next(1, 3));
                break;
            case 4:
                builder.Append(random.Next(2) == 0 ? '\uD83D' : '\uDE00');
                break;
            case 5:
                AppendRandom(builder, random, random.Next(1, 6), '!', '/');
                break;
            default:
                // Short runs of every shape: ordinary words, numbers and phrases of each script.
                AppendRun(builder, (Shape)random.Next((int)Shape.RandomLowercase + 1), random, random.Next(1, 24));
                break;
        }
    }

    private static void AppendRun(StringBuilder builder, Shape shape, Random random, int length)
    {
        var start = builder.Length;
        while (builder.Length - start < length)
        {
            switch (shape)
            {
                case Shape.OneCharacter:
                    builder.Append('o');
                    break;
                case Shape.Digits:
                    builder.Append(random.Next(10) == 0 ? (char)('\u0660' + random.Next(10)) : (char)('0' + random.Next(10)));
                    break;
                case Shape.Cjk:
                    builder.Append((char)random.Next(0x4E00, 0x9FA6));
                    break;
                case Shape.Arabic:
                    // Letters and the harakat (non-spacing marks) written over them.
                    builder.Append(random.Next(4) == 0 ? (char)random.Next(0x064B, 0x0653) : (char)random.Next(0x0621, 0x063B));
                    break;
                case Shape.Devanagari:
                    // Letters, vowel signs (spacing and non-spacing marks) and the virama.
                    builder.Append(random.Next(3) == 0 ? (char)random.Next(0x093E, 0x094E) : (char)random.Next(0x0905, 0x093A));
                    break;
                case Shape.Emoji:
                    // Pictographs as surrogate pairs, skin tones, zero-width joiners and variation selectors.
                    var roll = random.Next(10);
                    var scalar = roll switch { 0 => 0x200D, 1 => 0xFE0F, 2 => random.Next(0x1F3FB, 0x1F400), _ => random.Next(0x1F300, 0x1F650) };
                    builder.Append(char.ConvertFromUtf32(scalar));
                    break;
                default:
                    builder.Append((char)random.Next('a', 'z' + 1));
                    break;
            }
        }
    }

    private static void AppendRandom(StringBuilder builder, Random random, int count, char first, char last)
    {
        for (var i = 0; i < count; i++)
        {
            builder.Append((char)random.Next(first, last + 1));
        }
    }
}

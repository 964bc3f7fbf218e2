using System.Text;

namespace StratumAI.Catalog.Tests;

/// <summary>The parser never throws, whatever the input, and reports something for every broken file.</summary>
public class NeverThrowTests
{
    // The parser's catch-all safety net writes this; a precise diagnostic must always come first.
    private const string SafetyNetMessage = "could not be read";

    public static TheoryData<string, string> BrokenInputs()
    {
        var data = new TheoryData<string, string>
        {
            { "a.yaml", "" },
            { "a.yaml", "\0\0\0" },
            { "a.yaml", "\uFEFF" },
            { "a.yaml", "provider:\n\tid: openai\n" },
            { "a.yaml", "provider: {id: openai, id: openai}\nprovider: x\n" },
            { "a.yaml", "provider: *nothing\n" },
            { "a.yaml", "---\nprovider: {id: openai}\n---\nprovider: {id: openai}\n" },
            { "a.yaml", "? [complex, key]\n: value\n" },
            { "a.yaml", "provider: {id: openai}\nmodels: [{id: x, context_window: 99999999999999999999999999999999999, price: {input: 1e999999, output: -0}}]\n" },
            { "a.yaml", "provider: {id: openai}\nmodels: [{id: x, context_window: .inf, price: {input: .nan, output: 0x10}}]\n" },
            { "a.yaml", "a: &a [*a]\n" },
            { "a.yaml", BillionLaughs() },
            { "a.yaml", new string('[', 20000) },
            { "a.yaml", new string('{', 20000) },
            { "a.yaml", string.Concat(Enumerable.Repeat("- ", 5000)) + "x" },
            { "a.yaml", "provider: \"\ud800\"\n" },
            { "a.yaml", "\"unterminated" },
            { "a.yaml", "%YAML 9.9\n---\nx: 1\n" },
            { "a.yaml", "!!binary provider: 1" },
            { "a.json", "" },
            { "a.json", "{" },
            { "a.json", "{\"provider\": " },
            { "a.json", "[1, 2, 3]" },
            { "a.json", "\"just a string\"" },
            { "a.json", "{\"provider\": {\"id\": \"\\ud800\"}}" },
            { "a.json", "{\"provider\": {\"id\": \"openai\"}, \"models\": [{\"id\": \"x\", \"context_window\": 1e400, \"price\": {\"input\": 1e-400, \"output\": 123456789012345678901234567890123}}]}" },
            { "a.json", new string('[', 100000) },
            { "a.json", "{} {}" },
            { "a.json", "\uFEFF{\"provider\": 1}" },
            { "a.json", "{\"provider\": {\"id\": \"openai\", \"id\": \"other\"}, \"models\": {}}" },
        };
        return data;
    }

    [Theory]
    [MemberData(nameof(BrokenInputs))]
    public void Parse_BrokenInput_ReportsAnErrorWithoutThrowing(string path, string text)
    {
        var file = CatalogParser.Parse(path, text);

        Assert.Contains(file.Diagnostics, d => d.Severity == CatalogSeverity.Error);
        Assert.DoesNotContain(file.Diagnostics, d => d.Message.Contains(SafetyNetMessage, StringComparison.Ordinal));
        Marked.LocationsAreConsistent(text, file);
        CatalogMerger.Merge(new[] { file }, new[] { file });
    }

    [Theory]
    [InlineData("t.yaml")]
    [InlineData("t.json")]
    public void Parse_ValidFileTruncatedAtEveryPosition_NeverThrowsAndStaysConsistent(string path)
    {
        var full = path.EndsWith(".json", StringComparison.Ordinal) ? CatalogParserTests.ValidJson : CatalogParserTests.ValidYaml;
        var fullModels = CatalogParser.Parse(path, full).Models.Count;
        var withErrors = 0;
        for (var length = 0; length < full.Length; length++)
        {
            var text = full.Substring(0, length);
            var file = Check(path, text);
            if (file.Diagnostics.Any(d => d.Severity == CatalogSeverity.Error))
            {
                withErrors++;
            }
            else
            {
                // A prefix without errors is a smaller valid catalog, never a bigger one.
                Assert.NotNull(file.Provider);
                Assert.InRange(file.Models.Count, 0, fullModels);
            }
        }

        Assert.True(withErrors > full.Length / 2, $"Only {withErrors} of {full.Length} truncations reported an error.");
    }

    [Theory]
    [InlineData("r.yaml", 1)]
    [InlineData("r.yaml", 2)]
    [InlineData("r.yaml", 3)]
    [InlineData("r.json", 1)]
    [InlineData("r.json", 2)]
    [InlineData("r.json", 3)]
    public void Parse_RandomBytes_ReportAnErrorWithoutThrowing(string path, int seed)
    {
        var random = new Random(seed);
        for (var i = 0; i < 150; i++)
        {
            var bytes = new byte[random.Next(1, 400)];
            random.NextBytes(bytes);
            var text = (i % 2 == 0 ? Encoding.UTF8 : Encoding.Latin1).GetString(bytes);

            var file = Check(path, text);

            Assert.Contains(file.Diagnostics, d => d.Severity == CatalogSeverity.Error);
        }
    }

    [Theory]
    [InlineData("m.yaml", 11)]
    [InlineData("m.yaml", 12)]
    [InlineData("m.json", 13)]
    [InlineData("m.json", 14)]
    public void Parse_RandomMutationsOfAValidFile_NeverThrow(string path, int seed)
    {
        var full = path.EndsWith(".json", StringComparison.Ordinal) ? CatalogParserTests.ValidJson : CatalogParserTests.ValidYaml;
        const string Noise = "{}[],:-#&*!|>'\"%@`\t\n\r ?0123456789.eE+aZ\\\0\u00e9\ud83d";
        var random = new Random(seed);
        for (var i = 0; i < 400; i++)
        {
            var builder = new StringBuilder(full);
            var edits = random.Next(1, 6);
            for (var e = 0; e < edits && builder.Length > 0; e++)
            {
                var at = random.Next(builder.Length);
                switch (random.Next(4))
                {
                    case 0:
                        builder.Remove(at, Math.Min(random.Next(1, 8), builder.Length - at));
                        break;
                    case 1:
                        builder.Insert(at, Noise[random.Next(Noise.Length)]);
                        break;
                    case 2:
                        builder[at] = Noise[random.Next(Noise.Length)];
                        break;
                    default:
                        var from = random.Next(builder.Length);
                        var length = Math.Min(random.Next(1, 30), builder.Length - from);
                        builder.Insert(at, builder.ToString(from, length));
                        break;
                }
            }

            var file = Check(path, builder.ToString());
            if (!file.Diagnostics.Any(d => d.Severity == CatalogSeverity.Error))
            {
                Assert.NotNull(file.Provider);
            }
        }
    }

    private static CatalogFile Check(string path, string text)
    {
        var file = CatalogParser.Parse(path, text);
        Assert.DoesNotContain(file.Diagnostics, d => d.Message.Contains(SafetyNetMessage, StringComparison.Ordinal));
        Marked.LocationsAreConsistent(text, file);
        CatalogMerger.Merge(new[] { file }, Array.Empty<CatalogFile>());
        return file;
    }

    private static string BillionLaughs()
    {
        var builder = new StringBuilder("a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
        for (var i = 1; i < 30; i++)
        {
            builder.Append($"a{i}: &a{i} [*a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}]\n");
        }

        return builder.ToString();
    }
}
